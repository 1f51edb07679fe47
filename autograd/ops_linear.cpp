// Autograd wrappers of matmul and linear. The backward passes use the gemm's transpose
// flags (kernels/linear/linear.h), so no transposed copy is ever made, and compute only
// the gradients whose input needs one.
#include "autograd/ops.h"
#include "kernels/linear/linear.h"

namespace gsn::ag {

Var matmul(const Var& a, const Var& b) {
  Tensor av = a.value(), bv = b.value();
  return make_result("matmul", gsn::matmul(av, bv), {a, b}, [av, bv](const Tensor& g, const std::vector<bool>& n) {
    return std::vector<Tensor>{n[0] ? gsn::matmul(g, bv, false, true) : Tensor(),    // dA = dC B^T
                               n[1] ? gsn::matmul(av, g, true, false) : Tensor()};   // dB = A^T dC
  });
}

Var linear(const Var& x, const Var& w, const Var& b) {
  Tensor xv = x.value(), wv = w.value();
  Tensor y = gsn::linear(xv, wv, b.defined() ? b.value() : Tensor());
  auto grads = [xv, wv](const Tensor& g, const std::vector<bool>& n) {
    std::vector<Tensor> out{n[0] ? gsn::matmul(g, wv) : Tensor(),                 // dx = dy w
                            n[1] ? gsn::matmul(g, xv, true, false) : Tensor()};  // dw = dy^T x
    if (n.size() > 2) out.push_back(n[2] ? gsn::sum_rows(g) : Tensor());        // db
    return out;
  };
  if (!b.defined()) return make_result("linear", y, {x, w}, grads);
  return make_result("linear", y, {x, w, b}, grads);
}

}  // namespace gsn::ag
