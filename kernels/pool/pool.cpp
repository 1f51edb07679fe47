// Tensor-level pooling: check, allocate, dispatch (see kernels/core/dispatch.h).
#include "kernels/pool/pool.h"

#include "kernels/core/dispatch.h"
#include "kernels/pool/pool_math.h"

namespace gsn {

namespace {
PoolGeom geom_of(const Shape& xs, int64_t Ho, int64_t Wo) {
  PoolGeom g;
  g.planes = xs[0] * xs[1];
  g.H = xs[2];
  g.W = xs[3];
  g.Ho = Ho;
  g.Wo = Wo;
  return g;
}
}  // namespace

MaxPoolResult max_pool2d(const Tensor& x, int k, int stride, int pad) {
  check_ndim("max_pool2d", "x", x, 4);
  GSN_CHECK(k >= 1 && stride >= 1 && pad >= 0 && pad <= k / 2, "max_pool2d: need k >= 1, stride >= 1, 0 <= pad <= k/2; got k ",
            k, ", stride ", stride, ", pad ", pad);
  // Empty planes with pad >= 1 would give windows of padding only (every path reads x at
  // the window's first in-bounds position, which does not exist).
  GSN_CHECK(x.dim(2) >= 1 && x.dim(3) >= 1, "max_pool2d: empty planes in ", x.str());
  GSN_CHECK(x.dim(2) + 2 * pad >= k && x.dim(3) + 2 * pad >= k, "max_pool2d: window ", k, " larger than the padded input ",
            x.str());
  GSN_CHECK(x.dim(2) * x.dim(3) < (int64_t{1} << 24), "max_pool2d: planes of 2^24 or more elements do not fit a float index");
  PoolGeom g = geom_of(x.shape(), pool_out_size(x.dim(2), k, stride, pad), pool_out_size(x.dim(3), k, stride, pad));
  g.k = k;
  g.s = stride;
  g.p = pad;
  const Shape ys{x.dim(0), x.dim(1), g.Ho, g.Wo};
  MaxPoolResult r{Tensor::empty(ys, x.dtype(), x.device()), Tensor::empty(ys, x.dtype(), x.device())};
  switch (select_impl("max_pool2d", x)) {
    case Impl::Reference:
      GSN_FLOAT_TYPES(x.dtype(), T, ref::max_pool2d_forward<T>(x.data<T>(), g, r.y.data<T>(), r.idx.data<T>()));
      break;
    case Impl::Cpu: cpu::max_pool2d_forward(x.data<float>(), g, r.y.data<float>(), r.idx.data<float>()); break;
    case Impl::Cuda:
      GSN_CUDA_ONLY(cuda::max_pool2d_forward(x.data<float>(), g, r.y.data<float>(), r.idx.data<float>()));
      break;
  }
  return r;
}

Tensor max_pool2d_backward(const Tensor& gy, const Tensor& idx, const Shape& x_shape, int k, int stride, int pad) {
  check_ndim("max_pool2d_backward", "gy", gy, 4);
  check_same_shape("max_pool2d_backward", gy, idx);
  check_same_device("max_pool2d_backward", gy, idx);
  check_same_dtype("max_pool2d_backward", gy, idx);
  GSN_CHECK(x_shape.ndim() == 4 && gy.dim(0) == x_shape[0] && gy.dim(1) == x_shape[1] &&
                gy.dim(2) == pool_out_size(x_shape[2], k, stride, pad) &&
                gy.dim(3) == pool_out_size(x_shape[3], k, stride, pad),
            "max_pool2d_backward: gy ", gy.str(), " does not match x ", x_shape.str());
  PoolGeom g = geom_of(x_shape, gy.dim(2), gy.dim(3));
  g.k = k;
  g.s = stride;
  g.p = pad;
  Tensor gx = Tensor::empty(x_shape, gy.dtype(), gy.device());
  switch (select_impl("max_pool2d_backward", gy)) {
    case Impl::Reference:
      GSN_FLOAT_TYPES(gy.dtype(), T, ref::max_pool2d_backward<T>(gy.data<T>(), idx.data<T>(), g, gx.data<T>()));
      break;
    case Impl::Cpu: cpu::max_pool2d_backward(gy.data<float>(), idx.data<float>(), g, gx.data<float>()); break;
    case Impl::Cuda:
      GSN_CUDA_ONLY(cuda::max_pool2d_backward(gy.data<float>(), idx.data<float>(), g, gx.data<float>()));
      break;
  }
  return gx;
}

Tensor adaptive_avg_pool2d(const Tensor& x, int64_t out_h, int64_t out_w) {
  check_ndim("adaptive_avg_pool2d", "x", x, 4);
  GSN_CHECK(out_h >= 1 && out_w >= 1, "adaptive_avg_pool2d: output size ", out_h, "x", out_w);
  const PoolGeom g = geom_of(x.shape(), out_h, out_w);
  Tensor y = Tensor::empty(Shape{x.dim(0), x.dim(1), out_h, out_w}, x.dtype(), x.device());
  switch (select_impl("adaptive_avg_pool2d", x)) {
    case Impl::Reference:
      GSN_FLOAT_TYPES(x.dtype(), T, ref::adaptive_avg_pool2d_forward<T>(x.data<T>(), g, y.data<T>()));
      break;
    case Impl::Cpu: cpu::adaptive_avg_pool2d_forward(x.data<float>(), g, y.data<float>()); break;
    case Impl::Cuda: GSN_CUDA_ONLY(cuda::adaptive_avg_pool2d_forward(x.data<float>(), g, y.data<float>())); break;
  }
  return y;
}

Tensor adaptive_avg_pool2d_backward(const Tensor& gy, const Shape& x_shape) {
  check_ndim("adaptive_avg_pool2d_backward", "gy", gy, 4);
  GSN_CHECK(x_shape.ndim() == 4 && gy.dim(0) == x_shape[0] && gy.dim(1) == x_shape[1],
            "adaptive_avg_pool2d_backward: gy ", gy.str(), " does not match x ", x_shape.str());
  const PoolGeom g = geom_of(x_shape, gy.dim(2), gy.dim(3));
  Tensor gx = Tensor::empty(x_shape, gy.dtype(), gy.device());
  switch (select_impl("adaptive_avg_pool2d_backward", gy)) {
    case Impl::Reference:
      GSN_FLOAT_TYPES(gy.dtype(), T, ref::adaptive_avg_pool2d_backward<T>(gy.data<T>(), g, gx.data<T>()));
      break;
    case Impl::Cpu: cpu::adaptive_avg_pool2d_backward(gy.data<float>(), g, gx.data<float>()); break;
    case Impl::Cuda: GSN_CUDA_ONLY(cuda::adaptive_avg_pool2d_backward(gy.data<float>(), g, gx.data<float>())); break;
  }
  return gx;
}

Tensor global_avg_pool(const Tensor& x) {
  check_ndim("global_avg_pool", "x", x, 4);
  GSN_CHECK(x.dim(2) * x.dim(3) > 0, "global_avg_pool: empty planes in ", x.str());
  const int64_t planes = x.dim(0) * x.dim(1), hw = x.dim(2) * x.dim(3);
  Tensor y = Tensor::empty(Shape{x.dim(0), x.dim(1)}, x.dtype(), x.device());
  switch (select_impl("global_avg_pool", x)) {
    case Impl::Reference:
      GSN_FLOAT_TYPES(x.dtype(), T, ref::global_avg_pool_forward<T>(x.data<T>(), planes, hw, y.data<T>()));
      break;
    case Impl::Cpu: cpu::global_avg_pool_forward(x.data<float>(), planes, hw, y.data<float>()); break;
    case Impl::Cuda: GSN_CUDA_ONLY(cuda::global_avg_pool_forward(x.data<float>(), planes, hw, y.data<float>())); break;
  }
  return y;
}

Tensor global_avg_pool_backward(const Tensor& gy, const Shape& x_shape) {
  GSN_CHECK(x_shape.ndim() == 4 && gy.ndim() == 2 && gy.dim(0) == x_shape[0] && gy.dim(1) == x_shape[1],
            "global_avg_pool_backward: gy ", gy.str(), " does not match x ", x_shape.str());
  const int64_t planes = x_shape[0] * x_shape[1], hw = x_shape[2] * x_shape[3];
  Tensor gx = Tensor::empty(x_shape, gy.dtype(), gy.device());
  switch (select_impl("global_avg_pool_backward", gy)) {
    case Impl::Reference:
      GSN_FLOAT_TYPES(gy.dtype(), T, ref::global_avg_pool_backward<T>(gy.data<T>(), planes, hw, gx.data<T>()));
      break;
    case Impl::Cpu: cpu::global_avg_pool_backward(gy.data<float>(), planes, hw, gx.data<float>()); break;
    case Impl::Cuda: GSN_CUDA_ONLY(cuda::global_avg_pool_backward(gy.data<float>(), planes, hw, gx.data<float>())); break;
  }
  return gx;
}

}  // namespace gsn
