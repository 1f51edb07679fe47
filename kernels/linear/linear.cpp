// Tensor-level matmul, linear and sum_rows: check, allocate, dispatch (kernels/core/dispatch.h).
#include "kernels/linear/linear.h"

#include "kernels/core/dispatch.h"

namespace gsn {

namespace {

// C = op(A) op(B) into a fresh [M,N] tensor on the inputs' device.
void gemm_into(const char* name, bool ta, bool tb, int64_t M, int64_t N, int64_t K, const Tensor& a, int64_t lda,
               const Tensor& b, int64_t ldb, Tensor& c) {
  switch (select_impl(name, a)) {
    case Impl::Reference:
      GSN_FLOAT_TYPES(a.dtype(), T,
                      ref::gemm<T>(ta, tb, M, N, K, T(1), a.data<T>(), lda, b.data<T>(), ldb, T(0), c.data<T>(), N));
      break;
    case Impl::Cpu:
      cpu::gemm(ta, tb, M, N, K, 1.f, a.data<float>(), lda, b.data<float>(), ldb, 0.f, c.data<float>(), N);
      break;
    case Impl::Cuda:
      GSN_CUDA_ONLY(
          cuda::gemm(ta, tb, M, N, K, 1.f, a.data<float>(), lda, b.data<float>(), ldb, 0.f, c.data<float>(), N));
      break;
  }
}

void check_pair(const char* name, const Tensor& a, const Tensor& b) {
  GSN_CHECK(a.defined() && b.defined(), name, ": undefined input");
  check_same_device(name, a, b);
  check_same_dtype(name, a, b);
}

}  // namespace

Tensor matmul(const Tensor& a, const Tensor& b, bool trans_a, bool trans_b) {
  check_pair("matmul", a, b);
  check_ndim("matmul", "a", a, 2);
  check_ndim("matmul", "b", b, 2);
  const int64_t M = trans_a ? a.dim(1) : a.dim(0), K = trans_a ? a.dim(0) : a.dim(1);
  const int64_t Kb = trans_b ? b.dim(1) : b.dim(0), N = trans_b ? b.dim(0) : b.dim(1);
  GSN_CHECK(K == Kb, "matmul: inner sizes differ: op(a) is [", M, ",", K, "] (a ", a.str(), trans_a ? ", transposed" : "",
            "), op(b) is [", Kb, ",", N, "] (b ", b.str(), trans_b ? ", transposed" : "", ")");
  Tensor c = Tensor::empty(Shape{M, N}, a.dtype(), a.device());
  gemm_into("matmul", trans_a, trans_b, M, N, K, a, a.dim(1), b, b.dim(1), c);
  return c;
}

Tensor linear(const Tensor& x, const Tensor& w, const Tensor& b) {
  check_pair("linear", x, w);
  check_ndim("linear", "x", x, 2);
  check_ndim("linear", "w", w, 2);
  const int64_t N = x.dim(0), K = x.dim(1), M = w.dim(0);
  GSN_CHECK(w.dim(1) == K, "linear: x ", x.str(), " has ", K, " features but w ", w.str(), " expects ", w.dim(1));
  if (b.defined()) {
    check_pair("linear", x, b);
    GSN_CHECK(b.ndim() == 1 && b.dim(0) == M, "linear: bias ", b.str(), " must be [", M, "]");
  }
  Tensor y = Tensor::empty(Shape{N, M}, x.dtype(), x.device());
  gemm_into("linear", false, true, N, M, K, x, K, w, K, y);
  if (!b.defined()) return y;
  switch (select_impl("linear", x)) {
    case Impl::Reference:
      GSN_FLOAT_TYPES(x.dtype(), T, ref::add_bias_rows<T>(y.data<T>(), b.data<T>(), N, M));
      break;
    case Impl::Cpu: cpu::add_bias_rows(y.data<float>(), b.data<float>(), N, M); break;
    case Impl::Cuda: GSN_CUDA_ONLY(cuda::add_bias_rows(y.data<float>(), b.data<float>(), N, M)); break;
  }
  return y;
}

Tensor sum_rows(const Tensor& g) {
  GSN_CHECK(g.defined(), "sum_rows: undefined input");
  check_ndim("sum_rows", "g", g, 2);
  const int64_t N = g.dim(0), M = g.dim(1);
  Tensor s = Tensor::empty(Shape{M}, g.dtype(), g.device());
  switch (select_impl("sum_rows", g)) {
    case Impl::Reference: GSN_FLOAT_TYPES(g.dtype(), T, ref::sum_rows<T>(g.data<T>(), N, M, s.data<T>())); break;
    case Impl::Cpu: cpu::sum_rows(g.data<float>(), N, M, s.data<float>()); break;
    case Impl::Cuda: GSN_CUDA_ONLY(cuda::sum_rows(g.data<float>(), N, M, s.data<float>())); break;
  }
  return s;
}

}  // namespace gsn
