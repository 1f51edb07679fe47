// Tensor-level fusion ops: check, allocate, dispatch.
#include "kernels/fusion/fusion.h"

#include "kernels/core/dispatch.h"

namespace gsn {

Tensor siamese_diff_concat(const Tensor& F, int64_t B) {
  check_ndim("siamese_diff_concat", "F", F, 4);
  GSN_CHECK(B >= 1 && F.dim(0) == 2 * B, "siamese_diff_concat: F ", F.str(), " is not a batch of 2*", B, " images");
  const int64_t chw = F.dim(1) * F.dim(2) * F.dim(3);
  Tensor P = Tensor::empty(Shape{B, 3 * F.dim(1), F.dim(2), F.dim(3)}, F.dtype(), F.device());
  switch (select_impl("siamese_diff_concat", F)) {
    case Impl::Reference:
      GSN_FLOAT_TYPES(F.dtype(), T, ref::siamese_diff_concat_forward<T>(F.data<T>(), B, chw, P.data<T>()));
      break;
    case Impl::Cpu: cpu::siamese_diff_concat_forward(F.data<float>(), B, chw, P.data<float>()); break;
    case Impl::Cuda: GSN_CUDA_ONLY(cuda::siamese_diff_concat_forward(F.data<float>(), B, chw, P.data<float>())); break;
  }
  return P;
}

Tensor siamese_diff_concat_backward(const Tensor& gP, int64_t B) {
  check_ndim("siamese_diff_concat_backward", "gP", gP, 4);
  GSN_CHECK(gP.dim(0) == B && gP.dim(1) % 3 == 0, "siamese_diff_concat_backward: gP ", gP.str(), " for B = ", B);
  const int64_t c = gP.dim(1) / 3, chw = c * gP.dim(2) * gP.dim(3);
  Tensor gF = Tensor::empty(Shape{2 * B, c, gP.dim(2), gP.dim(3)}, gP.dtype(), gP.device());
  switch (select_impl("siamese_diff_concat_backward", gP)) {
    case Impl::Reference:
      GSN_FLOAT_TYPES(gP.dtype(), T, ref::siamese_diff_concat_backward<T>(gP.data<T>(), B, chw, gF.data<T>()));
      break;
    case Impl::Cpu: cpu::siamese_diff_concat_backward(gP.data<float>(), B, chw, gF.data<float>()); break;
    case Impl::Cuda:
      GSN_CUDA_ONLY(cuda::siamese_diff_concat_backward(gP.data<float>(), B, chw, gF.data<float>()));
      break;
  }
  return gF;
}

namespace {
FuseGeom fuse_geom(const char* op, const Shape& s1, const Shape& s2, const Shape& s3) {
  const Shape* s[3] = {&s1, &s2, &s3};
  FuseGeom g{};
  g.B = s3.ndim() == 4 ? s3[0] : 0;
  for (int l = 0; l < 3; ++l) {
    GSN_CHECK(s[l]->ndim() == 4 && (*s[l])[0] == g.B, op, ": level ", l + 1, " is ", s[l]->str(), ", level 3 is ",
              s3.str(), " (all must be [B,C,H,W] with the same B)");
    g.C[l] = (*s[l])[1];
    g.H[l] = (*s[l])[2];
    g.W[l] = (*s[l])[3];
  }
  return g;
}
}  // namespace

Tensor fuse_levels(const Tensor& P1, const Tensor& P2, const Tensor& P3) {
  const FuseGeom g = fuse_geom("fuse_levels", P1.shape(), P2.shape(), P3.shape());
  check_same_device("fuse_levels", P1, P3);
  check_same_device("fuse_levels", P2, P3);
  check_same_dtype("fuse_levels", P1, P3);
  check_same_dtype("fuse_levels", P2, P3);
  Tensor y = Tensor::empty(Shape{g.B, g.total_channels(), g.H[2], g.W[2]}, P3.dtype(), P3.device());
  switch (select_impl("fuse_levels", P3)) {
    case Impl::Reference:
      GSN_FLOAT_TYPES(P3.dtype(), T,
                      ref::fuse_levels_forward<T>(g, P1.data<T>(), P2.data<T>(), P3.data<T>(), y.data<T>()));
      break;
    case Impl::Cpu:
      cpu::fuse_levels_forward(g, P1.data<float>(), P2.data<float>(), P3.data<float>(), y.data<float>());
      break;
    case Impl::Cuda:
      GSN_CUDA_ONLY(cuda::fuse_levels_forward(g, P1.data<float>(), P2.data<float>(), P3.data<float>(), y.data<float>()));
      break;
  }
  return y;
}

FuseLevelsGrads fuse_levels_backward(const Tensor& gY, const Shape& s1, const Shape& s2, const Shape& s3) {
  const FuseGeom g = fuse_geom("fuse_levels_backward", s1, s2, s3);
  GSN_CHECK(gY.defined() && gY.shape() == Shape({g.B, g.total_channels(), g.H[2], g.W[2]}),
            "fuse_levels_backward: gY ", gY.defined() ? gY.str() : "undefined", " does not match the levels");
  FuseLevelsGrads r{Tensor::empty(s1, gY.dtype(), gY.device()), Tensor::empty(s2, gY.dtype(), gY.device()),
                    Tensor::empty(s3, gY.dtype(), gY.device())};
  switch (select_impl("fuse_levels_backward", gY)) {
    case Impl::Reference:
      GSN_FLOAT_TYPES(gY.dtype(), T,
                      ref::fuse_levels_backward<T>(g, gY.data<T>(), r.g1.data<T>(), r.g2.data<T>(), r.g3.data<T>()));
      break;
    case Impl::Cpu:
      cpu::fuse_levels_backward(g, gY.data<float>(), r.g1.data<float>(), r.g2.data<float>(), r.g3.data<float>());
      break;
    case Impl::Cuda:
      GSN_CUDA_ONLY(
          cuda::fuse_levels_backward(g, gY.data<float>(), r.g1.data<float>(), r.g2.data<float>(), r.g3.data<float>()));
      break;
  }
  return r;
}

}  // namespace gsn
