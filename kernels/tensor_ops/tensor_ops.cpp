// Tensor-level concat / split / batch slice: check, allocate, dispatch.
#include "kernels/tensor_ops/tensor_ops.h"

#include "kernels/core/dispatch.h"

namespace gsn {

Tensor concat_channels(const std::vector<Tensor>& xs) {
  GSN_CHECK(!xs.empty(), "concat_channels: no inputs");
  const Tensor& x0 = xs[0];
  check_ndim("concat_channels", "x[0]", x0, 4);
  std::vector<int64_t> ch;
  int64_t total = 0;
  for (const Tensor& x : xs) {
    check_ndim("concat_channels", "x", x, 4);
    check_same_device("concat_channels", x0, x);
    check_same_dtype("concat_channels", x0, x);
    GSN_CHECK(x.dim(0) == x0.dim(0) && x.dim(2) == x0.dim(2) && x.dim(3) == x0.dim(3), "concat_channels: ", x.str(),
              " does not match ", x0.str(), " outside the channel dimension");
    ch.push_back(x.dim(1));
    total += x.dim(1);
  }
  const int k = static_cast<int>(xs.size());
  const int64_t N = x0.dim(0), hw = x0.dim(2) * x0.dim(3);
  Tensor y = Tensor::empty(Shape{N, total, x0.dim(2), x0.dim(3)}, x0.dtype(), x0.device());
  std::vector<const void*> ptrs;
  for (const Tensor& x : xs) ptrs.push_back(x.raw());
  switch (select_impl("concat_channels", x0)) {
    case Impl::Reference:
      GSN_FLOAT_TYPES(x0.dtype(), T,
                      ref::concat_channels<T>(reinterpret_cast<const T* const*>(ptrs.data()), ch.data(), k, N, hw,
                                              y.data<T>()));
      break;
    case Impl::Cpu:
      cpu::concat_channels(reinterpret_cast<const float* const*>(ptrs.data()), ch.data(), k, N, hw, y.data<float>());
      break;
    case Impl::Cuda:
      GSN_CUDA_ONLY(cuda::concat_channels(reinterpret_cast<const float* const*>(ptrs.data()), ch.data(), k, N, hw,
                                          y.data<float>()));
      break;
  }
  return y;
}

std::vector<Tensor> split_channels(const Tensor& y, const std::vector<int64_t>& channels) {
  check_ndim("split_channels", "y", y, 4);
  GSN_CHECK(!channels.empty(), "split_channels: no parts");
  int64_t total = 0;
  for (int64_t c : channels) {
    GSN_CHECK(c >= 1, "split_channels: a part of ", c, " channels");
    total += c;
  }
  GSN_CHECK(total == y.dim(1), "split_channels: parts sum to ", total, " channels, y is ", y.str());
  const int k = static_cast<int>(channels.size());
  const int64_t N = y.dim(0), hw = y.dim(2) * y.dim(3);
  std::vector<Tensor> xs;
  std::vector<void*> ptrs;
  for (int64_t c : channels) {
    xs.push_back(Tensor::empty(Shape{N, c, y.dim(2), y.dim(3)}, y.dtype(), y.device()));
    ptrs.push_back(xs.back().raw());
  }
  switch (select_impl("split_channels", y)) {
    case Impl::Reference:
      GSN_FLOAT_TYPES(y.dtype(), T,
                      ref::split_channels<T>(y.data<T>(), channels.data(), k, N, hw, reinterpret_cast<T* const*>(ptrs.data())));
      break;
    case Impl::Cpu:
      cpu::split_channels(y.data<float>(), channels.data(), k, N, hw, reinterpret_cast<float* const*>(ptrs.data()));
      break;
    case Impl::Cuda:
      GSN_CUDA_ONLY(cuda::split_channels(y.data<float>(), channels.data(), k, N, hw,
                                         reinterpret_cast<float* const*>(ptrs.data())));
      break;
  }
  return xs;
}

Tensor slice_batch(const Tensor& x, int64_t begin, int64_t end) {
  GSN_CHECK(x.defined() && x.ndim() >= 1, "slice_batch: undefined or scalar input");
  GSN_CHECK(0 <= begin && begin < end && end <= x.dim(0), "slice_batch: rows [", begin, ", ", end, ") of ", x.str());
  return x.slice0(begin, end);
}

Tensor slice_batch_backward(const Tensor& gy, int64_t n, int64_t begin) {
  GSN_CHECK(gy.defined() && gy.ndim() >= 1, "slice_batch_backward: undefined or scalar gradient");
  const int64_t end = begin + gy.dim(0);
  GSN_CHECK(0 <= begin && end <= n, "slice_batch_backward: rows [", begin, ", ", end, ") of ", n);
  std::vector<int64_t> dims = gy.shape().dims();
  dims[0] = n;
  Tensor gx = Tensor::empty(Shape(dims), gy.dtype(), gy.device());
  // Elements per batch row, from the shape (gy may have no rows: gx is then all zeros).
  int64_t row = 1;
  for (std::size_t d = 1; d < dims.size(); ++d) row *= dims[d];
  switch (select_impl("slice_batch_backward", gy)) {
    case Impl::Reference:
      GSN_FLOAT_TYPES(gy.dtype(), T, ref::slice_batch_backward<T>(gy.data<T>(), row, n, begin, end, gx.data<T>()));
      break;
    case Impl::Cpu: cpu::slice_batch_backward(gy.data<float>(), row, n, begin, end, gx.data<float>()); break;
    case Impl::Cuda:
      GSN_CUDA_ONLY(cuda::slice_batch_backward(gy.data<float>(), row, n, begin, end, gx.data<float>()));
      break;
  }
  return gx;
}

}  // namespace gsn
