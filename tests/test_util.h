// Helpers shared by the tests.
//   TempDir           a fresh folder under the system temp dir, removed with its contents
//   shared_data_dir() ../shared/data beside the checkout (or $GSN_SHARED_DATA), or "" when
//                     absent: tests that need it skip()
//   skip(why)         for a case that cannot run here (no ../shared data, no AVX-512): says
//                     why, and makes the binary exit 77 (doctest_main.cpp), which ctest
//                     reports as Skipped, never Passed. So such cases live in a test suite
//                     of their own with their own ctest entry (tests/CMakeLists.txt), and
//                     the cases that always run are never hidden behind a skip.
#pragma once
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>

namespace gsn::test {

inline bool& skipped() {
  static bool any = false;
  return any;
}
inline void skip(const std::string& why) {
  skipped() = true;
  std::printf("SKIPPED: %s\n", why.c_str());
}

class TempDir {
 public:
  TempDir() {
    namespace fs = std::filesystem;
    std::random_device rd;
    for (int attempt = 0; attempt < 100; ++attempt) {
      path_ = fs::temp_directory_path() / ("gsn-test-" + std::to_string(rd()));
      if (fs::create_directory(path_)) return;
    }
    throw std::runtime_error("TempDir: could not create a temporary folder");
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::string file(const std::string& name) const { return (path_ / name).string(); }
  // Writes text to a file in this folder (creating subfolders) and returns its path.
  std::string write(const std::string& name, const std::string& text) const {
    auto p = path_ / name;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << text;
    return p.string();
  }

 private:
  std::filesystem::path path_;
};

inline std::string shared_data_dir() {
  namespace fs = std::filesystem;
  if (const char* env = std::getenv("GSN_SHARED_DATA")) return fs::is_directory(env) ? env : "";
#ifdef GSN_SOURCE_DIR
  fs::path p = fs::path(GSN_SOURCE_DIR) / ".." / "shared" / "data";
  if (fs::is_directory(p)) return fs::canonical(p).string();
#endif
  return "";
}

}  // namespace gsn::test
