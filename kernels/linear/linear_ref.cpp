// Reference matmul, bias and bias gradient: plain loops, accumulated in T, k and n in order.
#include "kernels/linear/linear.h"

namespace gsn::ref {

template <class T>
void gemm(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, T alpha, const T* A, int64_t lda, const T* B,
          int64_t ldb, T beta, T* C, int64_t ldc) {
  for (int64_t i = 0; i < M; ++i) {
    for (int64_t j = 0; j < N; ++j) {
      T acc = T(0);
      for (int64_t k = 0; k < K; ++k) {
        const T a = trans_a ? A[k * lda + i] : A[i * lda + k];
        const T b = trans_b ? B[j * ldb + k] : B[k * ldb + j];
        acc += a * b;
      }
      T& c = C[i * ldc + j];
      c = beta == T(0) ? alpha * acc : alpha * acc + beta * c;  // beta 0: C is not read
    }
  }
}

template <class T> void add_bias_rows(T* y, const T* b, int64_t N, int64_t M) {
  for (int64_t n = 0; n < N; ++n)
    for (int64_t m = 0; m < M; ++m) y[n * M + m] += b[m];
}

template <class T> void sum_rows(const T* g, int64_t N, int64_t M, T* s) {
  for (int64_t m = 0; m < M; ++m) {
    T acc = T(0);
    for (int64_t n = 0; n < N; ++n) acc += g[n * M + m];
    s[m] = acc;
  }
}

#define GSN_LINEAR_REF(T)                                                                                       \
  template void gemm<T>(bool, bool, int64_t, int64_t, int64_t, T, const T*, int64_t, const T*, int64_t, T, T*, \
                        int64_t);                                                                               \
  template void add_bias_rows<T>(T*, const T*, int64_t, int64_t);                                               \
  template void sum_rows<T>(const T*, int64_t, int64_t, T*);
GSN_LINEAR_REF(float)
GSN_LINEAR_REF(double)
#undef GSN_LINEAR_REF

}  // namespace gsn::ref
