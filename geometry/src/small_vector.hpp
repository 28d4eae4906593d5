#pragma once
#include <algorithm>
#include <array>
#include <cstddef>

namespace pcanno::geometry::detail {

/// Fixed-capacity vector for the IoU kernels, which must not allocate (a few hundred ns per pair).
/// Storage is default-initialised (Eigen vectors stay uninitialised) and copies move only the live
/// elements, so an empty SmallVector of large capacity costs nothing to create or copy.
/// Pushing past the capacity drops the element; callers size N from a proven bound.
template <typename T, std::size_t N>
class SmallVector {
 public:
  SmallVector() = default;
  SmallVector(const SmallVector& other) : size_(other.size_) {
    std::copy_n(other.data_.begin(), size_, data_.begin());
  }
  SmallVector& operator=(const SmallVector& other) {
    if (this != &other) {
      size_ = other.size_;
      std::copy_n(other.data_.begin(), size_, data_.begin());
    }
    return *this;
  }

  void push_back(const T& value) {
    if (size_ < N) data_[size_++] = value;
  }
  /// Appends a default element and returns it, to be filled in place.
  T& emplace_back() {
    if (size_ < N) ++size_;
    return data_[size_ - 1];
  }
  void clear() { size_ = 0; }
  void pop_back() { --size_; }
  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  T& operator[](std::size_t i) { return data_[i]; }
  const T& operator[](std::size_t i) const { return data_[i]; }
  T& back() { return data_[size_ - 1]; }
  T* begin() { return data_.data(); }
  T* end() { return data_.data() + size_; }
  const T* begin() const { return data_.data(); }
  const T* end() const { return data_.data() + size_; }

 private:
  std::array<T, N> data_;
  std::size_t size_ = 0;
};

}  // namespace pcanno::geometry::detail
