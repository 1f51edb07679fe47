// Our SGEMM kernels (kernels/linear/sgemm.cu) against cuBLAS: every version (and the
// launcher's own pick) in all four transpose combinations, at odd shapes (1, primes, no
// multiple of any tile) and at GSN shapes (the head's Linear layers, conv layers as
// implicit GEMMs). Also: alpha/beta, padded leading dimensions, operands that are not
// 16-byte aligned (the float4 paths must fall back), beta = 0 with C full of NaN (C must
// not be read), and guard values in the padding of C (no write outside the M x N block).
// Plus linear()'s bias add and sum_rows against the CPU reference.
//
// cuBLAS is column-major. A row-major [R,C] buffer with row stride ld is, to cuBLAS, the
// column-major [C,R] matrix (its transpose) with the same ld. So row-major
// C = op(A) op(B) is computed as column-major C^T = op(B)^T op(A)^T:
//   cublasSgemm(opB, opA, N, M, K, alpha, B, ldb, A, lda, beta, C, ldc)
// with opX = CUBLAS_OP_T exactly when X is transposed in the row-major call.
// cuBLAS runs in its default math mode (full FP32, no TF32), like our kernels.
//
// Tolerance: |ours - cuBLAS| <= 2e-7 * max(K, 8) + 1e-4 * |cuBLAS| (inputs in [-1, 1];
// both sides sum K float products in different orders, worst case ~K ulps of the sum).
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "kernels/core/cuda_check.cuh"
#include "kernels/core/random.h"
#include "kernels/linear/linear.h"

namespace {
using namespace gsn;

struct Problem {
  const char* name;
  int64_t M, N, K;
};

const std::vector<Problem> kOdd = {
    {"1x1x1", 1, 1, 1},       {"7x13x5", 7, 13, 5},     {"33x65x17", 33, 65, 17}, {"1x37x64", 1, 37, 64},
    {"64x1x31", 64, 1, 31},   {"129x257x65", 129, 257, 65}, {"128x128x8", 128, 128, 8}, {"131x67x1000", 131, 67, 1000},
};
// GSN: head Linear layers (y[B,out] = x[B,in] w^T: M = batch, N = out, K = in) and conv
// layers as implicit GEMMs (M = Cout, N = images*H*W, K = Cin*9).
const std::vector<Problem> kGsn = {
    {"tiny.fc1", 16, 16, 32},           {"tiny.fc2", 16, 1, 16},          {"paper.fc1", 16, 32, 64},
    {"paper.fc2", 16, 1, 32},           {"tiny.block3.conv1", 32, 8192, 288},
    {"tiny.fuse.conv1", 64, 1024, 2592}, {"paper.fuse.conv2", 64, 9216, 1152},
};

struct Layout {
  int64_t pad = 0;      // extra floats at the end of every row (ld = width + pad)
  int64_t misalign = 0; // the operand starts this many floats into its buffer
};

// A row-major [rows, cols] operand on the device with row stride cols + pad.
struct DevMat {
  Tensor buf;
  float* p = nullptr;
  int64_t ld = 0;
  DevMat(int64_t rows, int64_t cols, Layout l, uint64_t seed) {
    ld = cols + l.pad;
    const int64_t n = std::max<int64_t>(rows * ld + l.misalign, 1);
    Generator g(seed);
    buf = rand_uniform(Shape{n}, g, -1.0, 1.0).to(Device::CUDA);
    p = buf.data<float>() + l.misalign;
  }
};

int bad_elements(const std::vector<float>& ours, const std::vector<float>& theirs, int64_t M, int64_t N, int64_t ldc,
                 int64_t off, double atol, double rtol, std::string& worst) {
  int bad = 0;
  double worst_d = -1.0;
  for (int64_t i = 0; i < M; ++i)
    for (int64_t j = 0; j < N; ++j) {
      const std::size_t idx = static_cast<std::size_t>(off + i * ldc + j);
      const double a = ours[idx], b = theirs[idx], d = std::fabs(a - b);
      if (!(d <= atol + rtol * std::fabs(b))) ++bad;
      if (!(d <= worst_d)) {
        worst_d = d;
        worst = "C[" + std::to_string(i) + "," + std::to_string(j) + "] ours " + std::to_string(a) + " cuBLAS " +
                std::to_string(b);
      }
    }
  return bad;
}

// Runs version v (0: gemm()'s own pick) and cuBLAS on the same operands; checks C.
void check_problem(int v, bool ta, bool tb, const Problem& pr, float alpha, float beta, Layout lay) {
  const int64_t M = pr.M, N = pr.N, K = pr.K;
  const uint64_t seed = static_cast<uint64_t>(M * 1000003 + N * 1009 + K);
  DevMat A(ta ? K : M, ta ? M : K, lay, seed + 1), B(tb ? N : K, tb ? K : N, lay, seed + 2);
  // C: random values where beta != 0 (they are blended in), NaN where beta == 0 (they
  // must not be read); the padding of every row, the misaligned start and a tail of
  // kTail floats after the last row hold a guard value that must survive (without the
  // tail, a write past the last row would land unseen in the allocator's slack).
  const float kGuard = 12345.f;
  const int64_t kTail = 64;
  DevMat C0(M, N, lay, seed + 3);
  std::vector<float> c_init = C0.buf.to_vector<float>();
  for (int64_t i = 0; i < lay.misalign; ++i) c_init[static_cast<std::size_t>(i)] = kGuard;
  c_init.resize(static_cast<std::size_t>(lay.misalign + M * C0.ld + kTail), kGuard);
  for (int64_t i = 0; i < M; ++i)
    for (int64_t j = 0; j < C0.ld; ++j) {
      float& c = c_init[static_cast<std::size_t>(lay.misalign + i * C0.ld + j)];
      if (j >= N)
        c = kGuard;
      else if (beta == 0.f)
        c = NAN;
    }
  const Shape cs{static_cast<int64_t>(c_init.size())};
  Tensor c_ours = Tensor::from_vector(cs, c_init, Device::CUDA);
  Tensor c_blas = Tensor::from_vector(cs, c_init, Device::CUDA);

  if (v == 0)
    cuda::gemm(ta, tb, M, N, K, alpha, A.p, A.ld, B.p, B.ld, beta, c_ours.data<float>() + lay.misalign, C0.ld);
  else
    cuda::gemm_version(v, ta, tb, M, N, K, alpha, A.p, A.ld, B.p, B.ld, beta, c_ours.data<float>() + lay.misalign,
                       C0.ld);
  GSN_CUBLAS_CHECK(cublasSgemm(cublas_handle(), tb ? CUBLAS_OP_T : CUBLAS_OP_N, ta ? CUBLAS_OP_T : CUBLAS_OP_N,
                               static_cast<int>(N), static_cast<int>(M), static_cast<int>(K), &alpha, B.p,
                               static_cast<int>(B.ld), A.p, static_cast<int>(A.ld), &beta,
                               c_blas.data<float>() + lay.misalign, static_cast<int>(C0.ld)));
  GSN_CUDA_CHECK(cudaStreamSynchronize(cuda_stream()));

  std::vector<float> ours = c_ours.to_vector<float>(), theirs = c_blas.to_vector<float>();
  const double atol = 2e-7 * static_cast<double>(std::max<int64_t>(K, 8)) * (std::fabs(alpha) + std::fabs(beta));
  std::string worst;
  const int bad = bad_elements(ours, theirs, M, N, C0.ld, lay.misalign, atol, 1e-4, worst);
  int guards = 0;
  for (int64_t i = 0; i < M; ++i)
    for (int64_t j = N; j < C0.ld; ++j) guards += ours[static_cast<std::size_t>(lay.misalign + i * C0.ld + j)] != kGuard;
  for (int64_t i = 0; i < lay.misalign; ++i) guards += ours[static_cast<std::size_t>(i)] != kGuard;
  for (int64_t i = 0; i < kTail; ++i) guards += ours[static_cast<std::size_t>(lay.misalign + M * C0.ld + i)] != kGuard;
  INFO("v" << v << " " << (ta ? "T" : "N") << (tb ? "T" : "N") << " " << pr.name << " M=" << M << " N=" << N
           << " K=" << K << " alpha=" << alpha << " beta=" << beta << " pad=" << lay.pad
           << " misalign=" << lay.misalign << ": " << bad << " of " << M * N << " out of tolerance (atol " << atol
           << ", rtol 1e-4); worst " << worst << "; " << guards << " guard values overwritten");
  CHECK(bad == 0);
  CHECK(guards == 0);
}

void for_all(const std::vector<Problem>& problems, float alpha, float beta, Layout lay) {
  for (int v = 0; v <= cuda::kGemmVersions; ++v)
    for (int t = 0; t < 4; ++t)
      for (const Problem& p : problems) check_problem(v, t & 1, t & 2, p, alpha, beta, lay);
}
}  // namespace

TEST_CASE("sgemm: every version and transpose combination matches cuBLAS at odd shapes") {
  for_all(kOdd, 1.f, 0.f, Layout{});
}

TEST_CASE("sgemm: GSN head and conv-as-GEMM shapes match cuBLAS") { for_all(kGsn, 1.f, 0.f, Layout{}); }

TEST_CASE("sgemm: alpha, beta, padded rows and unaligned operands") {
  const std::vector<Problem> some = {{"7x13x5", 7, 13, 5}, {"129x257x65", 129, 257, 65}, {"256x256x64", 256, 256, 64}};
  for_all(some, 0.5f, -1.5f, Layout{});
  for_all(some, 1.f, 0.f, Layout{3, 0});   // ld + 3: mostly not a multiple of 4 (no float4 loads)
  for_all(some, 1.f, 1.f, Layout{4, 1});   // ld fine but base not 16-byte aligned
  for_all(some, -2.f, 0.f, Layout{8, 0});  // aligned, padded: float4 paths with ld > width
}

TEST_CASE("sgemm: K = 0 gives beta * C") {
  for (int v = 1; v <= cuda::kGemmVersions; ++v) {
    Tensor c = Tensor::full(Shape{3, 5}, 2.0).to(Device::CUDA);
    Tensor a = Tensor::zeros(Shape{1}).to(Device::CUDA);
    cuda::gemm_version(v, false, false, 3, 5, 0, 1.f, a.data<float>(), 0, a.data<float>(), 5, 0.25f,
                       c.data<float>(), 5);
    for (float x : c.to_vector<float>()) CHECK(x == 0.5f);
  }
}

TEST_CASE("linear bias add and sum_rows on CUDA match the reference") {
  for (const auto& nm : std::vector<std::pair<int64_t, int64_t>>{{1, 1}, {16, 1}, {16, 16}, {7, 33}, {1000, 3}, {65, 129}}) {
    const int64_t N = nm.first, M = nm.second;
    INFO("N=" << N << " M=" << M);
    Generator g(static_cast<uint64_t>(N * 131 + M));
    Tensor x = rand_uniform(Shape{N, M}, g, -1.0, 1.0), b = rand_uniform(Shape{M}, g, -1.0, 1.0);
    std::vector<float> y = x.to_vector<float>(), s(static_cast<std::size_t>(M));
    ref::add_bias_rows<float>(y.data(), b.data<float>(), N, M);
    ref::sum_rows<float>(x.data<float>(), N, M, s.data());
    Tensor xd = x.to(Device::CUDA), bd = b.to(Device::CUDA);
    Tensor sd = Tensor::empty(Shape{M}, DType::F32, Device::CUDA);
    cuda::sum_rows(xd.data<float>(), N, M, sd.data<float>());
    cuda::add_bias_rows(xd.data<float>(), bd.data<float>(), N, M);
    std::vector<float> y_gpu = xd.to_vector<float>(), s_gpu = sd.to_vector<float>();
    for (std::size_t i = 0; i < y.size(); ++i) CHECK(y_gpu[i] == y[i]);  // one add each: exact
    const double atol = 2e-7 * static_cast<double>(std::max<int64_t>(N, 8));
    for (std::size_t i = 0; i < s.size(); ++i) CHECK(std::fabs(s_gpu[i] - s[i]) <= atol + 1e-5 * std::fabs(s[i]));
  }
}
