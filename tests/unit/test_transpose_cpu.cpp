// cpu::transpose (kernels/core/transpose_cpu.h): every size around the 8x8 blocks, with
// leading dimensions wider than the rows, and nothing outside the destination written.
#include <doctest/doctest.h>

#include <vector>

#include "kernels/core/transpose_cpu.h"

TEST_CASE("cpu::transpose: sizes 0-19 x 0-19, padded leading dimensions, untouched padding") {
  for (int64_t rows = 0; rows < 20; ++rows)
    for (int64_t cols = 0; cols < 20; ++cols) {
      const int64_t lds = cols + 3, ldd = rows + 5;
      std::vector<float> src(static_cast<std::size_t>(rows * lds)), dst(static_cast<std::size_t>((cols + 1) * ldd), -7.f);
      for (std::size_t k = 0; k < src.size(); ++k) src[k] = static_cast<float>(k);
      gsn::cpu::transpose(src.data(), lds, rows, cols, dst.data(), ldd);
      bool ok = true;
      for (int64_t j = 0; j <= cols; ++j)
        for (int64_t i = 0; i < ldd; ++i) {
          const float want = (j < cols && i < rows) ? src[static_cast<std::size_t>(i * lds + j)] : -7.f;
          ok = ok && dst[static_cast<std::size_t>(j * ldd + i)] == want;
        }
      INFO(rows << " x " << cols);
      CHECK(ok);
    }
}
