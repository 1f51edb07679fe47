#include "data/file_index.h"

#include <algorithm>
#include <cctype>
#include <filesystem>

#include "kernels/core/error.h"

namespace gsn::data {

namespace fs = std::filesystem;

std::string to_lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

FileIndex::FileIndex(const std::vector<std::string>& folders, bool recursive) {
  auto add = [this](const fs::directory_entry& e) {
    if (!e.is_regular_file()) return;
    const std::string path = e.path().string();
    by_name_.emplace(to_lower(e.path().filename().string()), path);
    by_stem_.emplace(to_lower(e.path().stem().string()), path);
  };
  for (const std::string& folder : folders) {
    if (!fs::is_directory(folder)) continue;
    folders_.push_back(folder);
    if (recursive) {
      for (const auto& e : fs::recursive_directory_iterator(folder)) add(e);
    } else {
      for (const auto& e : fs::directory_iterator(folder)) add(e);
    }
  }
}

std::string FileIndex::lookup(const std::multimap<std::string, std::string>& map, const std::string& key) {
  auto [first, last] = map.equal_range(to_lower(key));
  if (first == last) return "";
  const std::string found = first->second;
  for (auto it = std::next(first); it != last; ++it) {
    GSN_CHECK(it->second == found, "\"", key, "\" is ambiguous: both ", found, " and ", it->second, " match");
  }
  return found;
}

std::string FileIndex::find(const std::string& name) const { return lookup(by_name_, name); }
std::string FileIndex::find_stem(const std::string& stem) const { return lookup(by_stem_, stem); }

std::string FileIndex::folders_str() const {
  if (folders_.empty()) return "(no folder)";
  std::string s;
  for (const auto& f : folders_) s += (s.empty() ? "" : ", ") + f;
  return s;
}

}  // namespace gsn::data
