// Errors. Every check in gsn throws gsn::Error with the file, the line and what failed,
// so a user sees "kernels/conv/conv.cpp:42: conv2d: weight has 3 input channels, x has 4"
// instead of an abort. CUDA status checks live in cuda_check.cuh (CUDA builds only).
#pragma once
#include <sstream>
#include <stdexcept>
#include <string>

namespace gsn {

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

namespace detail {
inline void append(std::ostringstream&) {}
template <class T, class... Rest>
void append(std::ostringstream& os, const T& v, const Rest&... rest) {
  os << v;
  append(os, rest...);
}
template <class... Args>
[[noreturn]] void throw_error(const char* file, int line, const Args&... args) {
  std::ostringstream os;
  os << file << ":" << line << ": ";
  append(os, args...);
  throw Error(os.str());
}
}  // namespace detail

}  // namespace gsn

// GSN_THROW("conv2d: ", what) always throws; GSN_CHECK(cond, msg...) throws when cond fails.
#define GSN_THROW(...) ::gsn::detail::throw_error(__FILE__, __LINE__, __VA_ARGS__)
#define GSN_CHECK(cond, ...)                                                   \
  do {                                                                         \
    if (!(cond)) ::gsn::detail::throw_error(__FILE__, __LINE__, __VA_ARGS__); \
  } while (0)
