// Tensor: a dense, contiguous, row-major array (NCHW for images) of float32 or float64,
// on the CPU or a CUDA device. No strides: views are reshapes and ranges along dim 0
// (the batch), which are contiguous too. Copying a Tensor copies a handle; clone() copies
// the data.
//
// Nothing here knows about autograd (autograd/var.h wraps a Tensor) or about any op
// (the ops live in kernels/<family>/ and take and return Tensors).
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "kernels/core/dtype.h"
#include "kernels/core/error.h"
#include "kernels/core/shape.h"
#include "kernels/core/storage.h"

namespace gsn {

class Tensor {
 public:
  Tensor() = default;  // undefined: defined() is false

  static Tensor empty(const Shape& shape, DType dtype = DType::F32, Device device = Device::CPU);
  static Tensor zeros(const Shape& shape, DType dtype = DType::F32, Device device = Device::CPU);
  static Tensor full(const Shape& shape, double value, DType dtype = DType::F32,
                     Device device = Device::CPU);
  static Tensor from_vector(const Shape& shape, const std::vector<float>& values,
                            Device device = Device::CPU);
  static Tensor from_vector(const Shape& shape, const std::vector<double>& values,
                            Device device = Device::CPU);
  static Tensor empty_like(const Tensor& t) { return empty(t.shape(), t.dtype(), t.device()); }
  static Tensor zeros_like(const Tensor& t) { return zeros(t.shape(), t.dtype(), t.device()); }

  bool defined() const { return storage_ != nullptr; }
  const Shape& shape() const { return shape_; }
  int ndim() const { return shape_.ndim(); }
  int64_t dim(int i) const { return shape_[i]; }
  int64_t numel() const { return shape_.numel(); }
  DType dtype() const { return dtype_; }
  Device device() const { return device_; }
  bool is_cuda() const { return device_ == Device::CUDA; }
  std::size_t nbytes() const { return static_cast<std::size_t>(numel()) * dtype_size(dtype_); }

  // Typed pointers; throw when T is not this tensor's element type.
  template <class T> T* data() {
    check_dtype<T>();
    return static_cast<T*>(raw());
  }
  template <class T> const T* data() const {
    check_dtype<T>();
    return static_cast<const T*>(raw());
  }
  void* raw() const;

  Tensor to(Device device) const;  // same tensor when already there
  Tensor to(DType dtype) const;    // converts (CPU; CUDA holds float32 only)
  Tensor clone() const;
  Tensor reshape(const Shape& shape) const;           // a view; numel must match
  Tensor slice0(int64_t begin, int64_t end) const;    // a view of rows [begin, end) of dim 0

  void fill_(double value);
  void zero_() { fill_(0.0); }
  void copy_from(const Tensor& src);  // same shape and dtype; any devices

  template <class T> std::vector<T> to_vector() const;  // converts to T, from any device
  double item() const;                                    // the value of a one-element tensor

  // The storage this tensor views (shared with its views), and the view's byte offset.
  const std::shared_ptr<Storage>& storage() const { return storage_; }
  std::size_t offset_bytes() const { return offset_; }
  bool is_view() const { return storage_ && (offset_ != 0 || nbytes() != storage_->bytes()); }

  std::string str() const;  // "[2,3,8,8] float32 cpu"

 private:
  template <class T> void check_dtype() const {
    GSN_CHECK(DTypeOf<T>::value == dtype_, "tensor ", str(), " accessed as ",
              dtype_name(DTypeOf<T>::value));
  }
  std::shared_ptr<Storage> storage_;
  std::size_t offset_ = 0;
  Shape shape_;
  DType dtype_ = DType::F32;
  Device device_ = Device::CPU;
};

// Checks used at the top of every op: same shape, same device, defined.
void check_same_shape(const char* op, const Tensor& a, const Tensor& b);
void check_same_device(const char* op, const Tensor& a, const Tensor& b);
void check_same_dtype(const char* op, const Tensor& a, const Tensor& b);
void check_ndim(const char* op, const char* name, const Tensor& t, int ndim);

}  // namespace gsn
