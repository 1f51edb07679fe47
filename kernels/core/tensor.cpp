#include "kernels/core/tensor.h"

#include <cmath>
#include <cstring>

#include "kernels/core/backend.h"
#include "kernels/core/fill.h"

namespace gsn {

Tensor Tensor::empty(const Shape& shape, DType dtype, Device device) {
  for (int64_t d : shape.dims()) GSN_CHECK(d >= 0, "negative size in shape ", shape.str());
  if (device == Device::CUDA)
    GSN_CHECK(dtype == DType::F32, "CUDA tensors are float32; float64 is CPU-only (for gradient checks)");
  Tensor t;
  t.shape_ = shape;
  t.dtype_ = dtype;
  t.device_ = device;
  t.storage_ = std::make_shared<Storage>(t.nbytes(), device);
  return t;
}

Tensor Tensor::zeros(const Shape& shape, DType dtype, Device device) {
  Tensor t = empty(shape, dtype, device);
  t.zero_();
  return t;
}

Tensor Tensor::full(const Shape& shape, double value, DType dtype, Device device) {
  Tensor t = empty(shape, dtype, device);
  t.fill_(value);
  return t;
}

template <class T>
static Tensor from_values(const Shape& shape, const std::vector<T>& values, Device device) {
  GSN_CHECK(static_cast<int64_t>(values.size()) == shape.numel(), "from_vector: ", values.size(),
            " values for shape ", shape.str());
  Tensor t = Tensor::empty(shape, DTypeOf<T>::value, Device::CPU);
  if (!values.empty()) std::memcpy(t.raw(), values.data(), values.size() * sizeof(T));
  return t.to(device);
}
Tensor Tensor::from_vector(const Shape& shape, const std::vector<float>& v, Device d) {
  return from_values(shape, v, d);
}
Tensor Tensor::from_vector(const Shape& shape, const std::vector<double>& v, Device d) {
  return from_values(shape, v, d);
}

void* Tensor::raw() const {
  GSN_CHECK(defined(), "access to an undefined tensor");
  return static_cast<unsigned char*>(storage_->data()) + offset_;
}

Tensor Tensor::to(Device device) const {
  GSN_CHECK(defined(), "to(", device_name(device), ") on an undefined tensor");
  if (device == device_) return *this;
  Tensor t = empty(shape_, dtype_, device);
  t.copy_from(*this);
  return t;
}

Tensor Tensor::to(DType dtype) const {
  if (dtype == dtype_) return *this;
  GSN_CHECK(device_ == Device::CPU, "dtype conversion runs on the CPU; tensor is ", str());
  Tensor t = empty(shape_, dtype, device_);
  const int64_t n = numel();
  if (dtype == DType::F64) {
    const float* s = data<float>();
    double* d = t.data<double>();
    for (int64_t i = 0; i < n; ++i) d[i] = s[i];
  } else {
    const double* s = data<double>();
    float* d = t.data<float>();
    for (int64_t i = 0; i < n; ++i) d[i] = static_cast<float>(s[i]);
  }
  return t;
}

Tensor Tensor::clone() const {
  Tensor t = empty(shape_, dtype_, device_);
  t.copy_from(*this);
  return t;
}

Tensor Tensor::reshape(const Shape& shape) const {
  GSN_CHECK(shape.numel() == numel(), "reshape ", str(), " to ", shape.str(), ": element counts differ");
  Tensor t = *this;
  t.shape_ = shape;
  return t;
}

Tensor Tensor::slice0(int64_t begin, int64_t end) const {
  GSN_CHECK(ndim() >= 1, "slice0 of a 0-d tensor");
  GSN_CHECK(0 <= begin && begin <= end && end <= dim(0), "slice0 [", begin, ",", end, ") out of range for ",
            str());
  std::vector<int64_t> dims = shape_.dims();
  const int64_t row = dims[0] ? numel() / dims[0] : 0;
  dims[0] = end - begin;
  Tensor t = *this;
  t.shape_ = Shape(dims);
  t.offset_ = offset_ + static_cast<std::size_t>(begin * row) * dtype_size(dtype_);
  return t;
}

void Tensor::fill_(double value) {
  const int64_t n = numel();
  if (device_ == Device::CUDA) {
    if (value == 0.0 && !std::signbit(value))  // -0.0 is not all-zero bits: the fill kernel writes it
      cuda_memset(raw(), 0, nbytes());
    else
      cuda_fill_f32(raw(), static_cast<std::size_t>(n), static_cast<float>(value));
    return;
  }
  if (dtype_ == DType::F32)
    ref::fill(data<float>(), n, static_cast<float>(value));
  else
    ref::fill(data<double>(), n, value);
}

void Tensor::copy_from(const Tensor& src) {
  GSN_CHECK(src.shape_ == shape_ && src.dtype_ == dtype_, "copy_from: ", src.str(), " into ", str());
  if (nbytes() == 0) return;
  if (device_ == Device::CPU && src.device_ == Device::CPU)
    std::memcpy(raw(), src.raw(), nbytes());
  else if (device_ == Device::CUDA && src.device_ == Device::CPU)
    cuda_copy_h2d(raw(), src.raw(), nbytes());
  else if (device_ == Device::CPU && src.device_ == Device::CUDA)
    cuda_copy_d2h(raw(), src.raw(), nbytes());
  else
    cuda_copy_d2d(raw(), src.raw(), nbytes());
}

template <class T>
std::vector<T> Tensor::to_vector() const {
  Tensor c = to(Device::CPU);
  std::vector<T> out(static_cast<std::size_t>(numel()));
  if (dtype_ == DType::F32) {
    const float* p = c.data<float>();
    for (std::size_t i = 0; i < out.size(); ++i) out[i] = static_cast<T>(p[i]);
  } else {
    const double* p = c.data<double>();
    for (std::size_t i = 0; i < out.size(); ++i) out[i] = static_cast<T>(p[i]);
  }
  return out;
}
template std::vector<float> Tensor::to_vector<float>() const;
template std::vector<double> Tensor::to_vector<double>() const;

double Tensor::item() const {
  GSN_CHECK(numel() == 1, "item() on ", str(), ": needs exactly one element");
  return to_vector<double>()[0];
}

std::string Tensor::str() const {
  if (!defined()) return "<undefined tensor>";
  return shape_.str() + " " + dtype_name(dtype_) + " " + device_name(device_);
}

void check_same_shape(const char* op, const Tensor& a, const Tensor& b) {
  GSN_CHECK(a.defined() && b.defined(), op, ": undefined input");
  GSN_CHECK(a.shape() == b.shape(), op, ": shape mismatch ", a.shape().str(), " vs ", b.shape().str());
}
void check_same_device(const char* op, const Tensor& a, const Tensor& b) {
  GSN_CHECK(a.device() == b.device(), op, ": device mismatch, ", device_name(a.device()), " vs ",
            device_name(b.device()));
}
void check_same_dtype(const char* op, const Tensor& a, const Tensor& b) {
  GSN_CHECK(a.dtype() == b.dtype(), op, ": dtype mismatch, ", dtype_name(a.dtype()), " vs ",
            dtype_name(b.dtype()));
}
void check_ndim(const char* op, const char* name, const Tensor& t, int ndim) {
  GSN_CHECK(t.defined(), op, ": ", name, " is undefined");
  GSN_CHECK(t.ndim() == ndim, op, ": ", name, " must be ", ndim, "-d, got ", t.shape().str());
}

}  // namespace gsn
