// Autograd wrappers of the elementwise ops and the full reductions.
#include "autograd/ops.h"
#include "kernels/elementwise/elementwise.h"
#include "kernels/reduce/reduce.h"

namespace gsn::ag {

Var add(const Var& a, const Var& b) {
  return make_result("add", gsn::add(a.value(), b.value()), {a, b},
                     [](const Tensor& g, const std::vector<bool>&) { return std::vector<Tensor>{g, g}; });
}

Var sub(const Var& a, const Var& b) {
  return make_result("sub", gsn::sub(a.value(), b.value()), {a, b}, [](const Tensor& g, const std::vector<bool>& n) {
    return std::vector<Tensor>{g, n[1] ? gsn::scale(g, -1.0) : Tensor()};
  });
}

Var mul(const Var& a, const Var& b) {
  Tensor av = a.value(), bv = b.value();
  return make_result("mul", gsn::mul(av, bv), {a, b}, [av, bv](const Tensor& g, const std::vector<bool>& n) {
    return std::vector<Tensor>{n[0] ? gsn::mul(g, bv) : Tensor(), n[1] ? gsn::mul(g, av) : Tensor()};
  });
}

Var scale(const Var& x, double s) {
  return make_result("scale", gsn::scale(x.value(), s), {x}, [s](const Tensor& g, const std::vector<bool>&) {
    return std::vector<Tensor>{gsn::scale(g, s)};
  });
}

Var relu(const Var& x) {
  Tensor xv = x.value();
  return make_result("relu", gsn::relu(xv), {x}, [xv](const Tensor& g, const std::vector<bool>&) {
    return std::vector<Tensor>{gsn::relu_backward(xv, g)};
  });
}

Var sigmoid(const Var& x) {
  Tensor y = gsn::sigmoid(x.value());
  // Keep the output, not the input: the derivative is y (1 - y).
  return make_result("sigmoid", y, {x}, [y](const Tensor& g, const std::vector<bool>&) {
    return std::vector<Tensor>{gsn::sigmoid_backward(y, g)};
  });
}

Var sum(const Var& x) {
  Shape shape = x.shape();
  return make_result("sum", gsn::sum_all(x.value()), {x}, [shape](const Tensor& g, const std::vector<bool>&) {
    return std::vector<Tensor>{gsn::expand_scalar(g, shape, 1.0)};
  });
}

Var mean(const Var& x) {
  Shape shape = x.shape();
  return make_result("mean", gsn::mean_all(x.value()), {x}, [shape](const Tensor& g, const std::vector<bool>&) {
    return std::vector<Tensor>{gsn::expand_scalar(g, shape, 1.0 / static_cast<double>(shape.numel()))};
  });
}

Var reshape(const Var& x, const Shape& shape) {
  Shape from = x.shape();
  return make_result("reshape", x.value().reshape(shape), {x}, [from](const Tensor& g, const std::vector<bool>&) {
    return std::vector<Tensor>{g.reshape(from)};
  });
}

}  // namespace gsn::ag
