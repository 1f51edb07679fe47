// Tensor-level BatchNorm2d: check, allocate, dispatch (see kernels/core/dispatch.h).
#include "kernels/norm/batch_norm.h"

#include "kernels/core/dispatch.h"

namespace gsn {

namespace {
void check_channel_vec(const char* name, const Tensor& x, const Tensor& v) {
  GSN_CHECK(v.defined() && v.ndim() == 1 && v.dim(0) == x.dim(1), "batch_norm: ", name, " must be [", x.dim(1),
            "], got ", v.defined() ? v.str() : std::string("undefined"));
  check_same_device("batch_norm", x, v);
  check_same_dtype("batch_norm", x, v);
}
}  // namespace

BatchNormResult batch_norm_forward(const Tensor& x, const Tensor& gamma, const Tensor& beta, Tensor& running_mean,
                                   Tensor& running_var, bool training, double momentum, double eps, bool relu) {
  check_ndim("batch_norm", "x", x, 4);
  check_channel_vec("gamma", x, gamma);
  check_channel_vec("beta", x, beta);
  check_channel_vec("running_mean", x, running_mean);
  check_channel_vec("running_var", x, running_var);
  const BnGeom g{x.dim(0), x.dim(1), x.dim(2) * x.dim(3)};
  GSN_CHECK(!training || g.per_channel() >= 2, "batch_norm: training needs more than one value per channel, x is ",
            x.str());
  GSN_CHECK(eps > 0.0, "batch_norm: eps must be positive");
  BatchNormResult r{Tensor::empty_like(x), Tensor::empty(Shape{g.C}, x.dtype(), x.device()),
                    Tensor::empty(Shape{g.C}, x.dtype(), x.device())};
  switch (select_impl("batch_norm", x)) {
    case Impl::Reference:
      GSN_FLOAT_TYPES(x.dtype(), T,
                      ref::batch_norm_forward<T>(x.data<T>(), gamma.data<T>(), beta.data<T>(), g, training,
                                                 static_cast<T>(momentum), static_cast<T>(eps), r.y.data<T>(),
                                                 r.save_mean.data<T>(), r.save_invstd.data<T>(),
                                                 running_mean.data<T>(), running_var.data<T>(), relu));
      break;
    case Impl::Cpu:
      cpu::batch_norm_forward(x.data<float>(), gamma.data<float>(), beta.data<float>(), g, training,
                              static_cast<float>(momentum), static_cast<float>(eps), r.y.data<float>(),
                              r.save_mean.data<float>(), r.save_invstd.data<float>(), running_mean.data<float>(),
                              running_var.data<float>(), relu);
      break;
    case Impl::Cuda:
      GSN_CUDA_ONLY(cuda::batch_norm_forward(x.data<float>(), gamma.data<float>(), beta.data<float>(), g, training,
                                             static_cast<float>(momentum), static_cast<float>(eps), r.y.data<float>(),
                                             r.save_mean.data<float>(), r.save_invstd.data<float>(),
                                             running_mean.data<float>(), running_var.data<float>(), relu));
      break;
  }
  return r;
}

BatchNormGrads batch_norm_backward(const Tensor& x, const Tensor& gy, const Tensor& gamma, const Tensor& save_mean,
                                   const Tensor& save_invstd, bool training, const Tensor& relu_y) {
  check_ndim("batch_norm_backward", "x", x, 4);
  check_same_shape("batch_norm_backward", x, gy);
  check_same_device("batch_norm_backward", x, gy);
  check_same_dtype("batch_norm_backward", x, gy);
  check_channel_vec("gamma", x, gamma);
  check_channel_vec("save_mean", x, save_mean);
  check_channel_vec("save_invstd", x, save_invstd);
  if (relu_y.defined()) {
    check_same_shape("batch_norm_backward", x, relu_y);
    check_same_device("batch_norm_backward", x, relu_y);
    check_same_dtype("batch_norm_backward", x, relu_y);
  }
  const BnGeom g{x.dim(0), x.dim(1), x.dim(2) * x.dim(3)};
  BatchNormGrads r{Tensor::empty_like(x), Tensor::empty(Shape{g.C}, x.dtype(), x.device()),
                   Tensor::empty(Shape{g.C}, x.dtype(), x.device())};
  switch (select_impl("batch_norm_backward", x)) {
    case Impl::Reference:
      GSN_FLOAT_TYPES(x.dtype(), T,
                      ref::batch_norm_backward<T>(x.data<T>(), gy.data<T>(), gamma.data<T>(), save_mean.data<T>(),
                                                  save_invstd.data<T>(), g, training, r.gx.data<T>(),
                                                  r.ggamma.data<T>(), r.gbeta.data<T>(),
                                                  relu_y.defined() ? relu_y.data<T>() : nullptr));
      break;
    case Impl::Cpu:
      cpu::batch_norm_backward(x.data<float>(), gy.data<float>(), gamma.data<float>(), save_mean.data<float>(),
                               save_invstd.data<float>(), g, training, r.gx.data<float>(), r.ggamma.data<float>(),
                               r.gbeta.data<float>(), relu_y.defined() ? relu_y.data<float>() : nullptr);
      break;
    case Impl::Cuda:
      GSN_CUDA_ONLY(cuda::batch_norm_backward(x.data<float>(), gy.data<float>(), gamma.data<float>(),
                                              save_mean.data<float>(), save_invstd.data<float>(), g, training,
                                              r.gx.data<float>(), r.ggamma.data<float>(), r.gbeta.data<float>(),
                                              relu_y.defined() ? relu_y.data<float>() : nullptr));
      break;
  }
  return r;
}

}  // namespace gsn
