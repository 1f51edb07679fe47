// Autograd wrappers of conv2d and CDC (kernels/conv). Both keep their inputs' values for
// the backward: gx needs w, gw needs x.
#include "autograd/ops.h"
#include "kernels/conv/cdc.h"
#include "kernels/conv/conv.h"

namespace gsn::ag {

Var conv2d(const Var& x, const Var& w, const Var& b, int stride, int pad) {
  Tensor xv = x.value(), wv = w.value();
  Tensor bv = b.defined() ? b.value() : Tensor();
  Tensor y = gsn::conv2d_forward(xv, wv, bv, stride, pad);
  std::vector<Var> inputs{x, w};
  if (b.defined()) inputs.push_back(b);
  return make_result("conv2d", y, inputs, [xv, wv, stride, pad](const Tensor& g, const std::vector<bool>& n) {
    std::vector<Tensor> grads(n.size());
    if (n[0]) grads[0] = gsn::conv2d_backward_data(g, wv, xv.shape(), stride, pad);
    if (n[1]) grads[1] = gsn::conv2d_backward_weight(g, xv, wv.shape(), stride, pad);
    if (n.size() > 2 && n[2]) grads[2] = gsn::conv2d_backward_bias(g);
    return grads;
  });
}

Var cdc_conv2d(const Var& x, const Var& w, double theta) {
  Tensor xv = x.value(), wv = w.value();
  Tensor y = gsn::cdc_conv2d_forward(xv, wv, theta);
  return make_result("cdc_conv2d", y, {x, w}, [xv, wv, theta](const Tensor& g, const std::vector<bool>& n) {
    return std::vector<Tensor>{n[0] ? gsn::cdc_conv2d_backward_data(g, wv, xv.shape(), theta) : Tensor(),
                               n[1] ? gsn::cdc_conv2d_backward_weight(g, xv, wv.shape(), theta) : Tensor()};
  });
}

}  // namespace gsn::ag
