// FileIndex: the image files under some folders, found by name without regard to case.
//
// IQA data sets name the same file differently in their label files and on disk
// (TID2013: "i01_01_2.bmp" on disk, "I01_01_2.BMP" in the list; references "I01.BMP"), and
// spread images over several folders (PIPAL's Distortion_1..4). Readers index the folders
// once and look each label up here instead of touching the file system per line.
#pragma once
#include <map>
#include <string>
#include <vector>

namespace gsn::data {

class FileIndex {
 public:
  // Indexes the files directly in (or, with recursive, anywhere under) each existing
  // folder; folders that do not exist are skipped.
  FileIndex(const std::vector<std::string>& folders, bool recursive);

  // The path of the file called `name` (any case), or "" when there is none. Throws when
  // two different files match (e.g. "a.png" and "A.PNG"), naming both.
  std::string find(const std::string& name) const;
  // The file whose name without extension is `stem` (any case, any extension), or "".
  std::string find_stem(const std::string& stem) const;

  std::size_t size() const { return by_name_.size(); }
  const std::vector<std::string>& folders() const { return folders_; }
  std::string folders_str() const;  // "A, B" for error messages

 private:
  static std::string lookup(const std::multimap<std::string, std::string>& map, const std::string& key);
  std::vector<std::string> folders_;
  std::multimap<std::string, std::string> by_name_;  // lower-case name -> path
  std::multimap<std::string, std::string> by_stem_;  // lower-case stem -> path
};

std::string to_lower(std::string s);

}  // namespace gsn::data
