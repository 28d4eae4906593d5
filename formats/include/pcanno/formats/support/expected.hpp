#pragma once
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <type_traits>
#include <utility>
#include <variant>

#include "pcanno/formats/support/error.hpp"

namespace pcanno::formats {

namespace detail {
/// Reading the wrong side of an Expected is a bug in the caller, not a runtime condition. No
/// exception may leave the public API, so stop loudly (with the error that was ignored) instead of
/// throwing.
[[noreturn]] inline void expected_misuse(const char* what, const Error* ignored) {
  std::fprintf(stderr, "pcanno::formats::Expected: %s%s%s\n", what, ignored ? ": " : "",
               ignored ? ignored->describe().c_str() : "");
  std::abort();
}
}  // namespace detail

/// Either a T or the Error that prevented it. Implicitly constructible from both, so a function
/// returns `value` or `Error{...}` directly. value(), operator* and operator-> require has_value();
/// error() requires !has_value(); breaking either precondition aborts the process.
template <typename T>
class [[nodiscard]] Expected {
  static_assert(!std::is_same_v<std::decay_t<T>, Error>, "Expected<Error> would be ambiguous");
  static_assert(!std::is_reference_v<T>, "Expected holds values, not references");

 public:
  using value_type = T;

  Expected(const T& value) : storage_(std::in_place_index<0>, value) {}
  Expected(T&& value) : storage_(std::in_place_index<0>, std::move(value)) {}
  Expected(Error error) : storage_(std::in_place_index<1>, std::move(error)) {}

  bool has_value() const noexcept { return storage_.index() == 0; }
  explicit operator bool() const noexcept { return has_value(); }

  T& value() & { return *checked_value(); }
  const T& value() const& { return *checked_value(); }
  T&& value() && { return std::move(*checked_value()); }

  T& operator*() & { return *checked_value(); }
  const T& operator*() const& { return *checked_value(); }
  T&& operator*() && { return std::move(*checked_value()); }
  T* operator->() { return checked_value(); }
  const T* operator->() const { return checked_value(); }

  const Error& error() const& { return *checked_error(); }
  Error&& error() && { return std::move(*checked_error()); }

  template <typename U>
  T value_or(U&& fallback) const& {
    return has_value() ? *std::get_if<0>(&storage_) : static_cast<T>(std::forward<U>(fallback));
  }

 private:
  T* checked_value() {
    if (!has_value())
      detail::expected_misuse("value() read on an error", std::get_if<1>(&storage_));
    return std::get_if<0>(&storage_);
  }
  const T* checked_value() const {
    if (!has_value())
      detail::expected_misuse("value() read on an error", std::get_if<1>(&storage_));
    return std::get_if<0>(&storage_);
  }
  Error* checked_error() {
    if (has_value()) detail::expected_misuse("error() read on a value", nullptr);
    return std::get_if<1>(&storage_);
  }
  const Error* checked_error() const {
    if (has_value()) detail::expected_misuse("error() read on a value", nullptr);
    return std::get_if<1>(&storage_);
  }

  std::variant<T, Error> storage_;
};

/// Success without a value, or an Error. Default-constructed means success.
template <>
class [[nodiscard]] Expected<void> {
 public:
  using value_type = void;

  Expected() = default;
  Expected(Error error) : error_(std::move(error)) {}

  bool has_value() const noexcept { return !error_.has_value(); }
  explicit operator bool() const noexcept { return has_value(); }

  void value() const {
    if (error_) detail::expected_misuse("value() read on an error", &*error_);
  }
  const Error& error() const& {
    if (!error_) detail::expected_misuse("error() read on a value", nullptr);
    return *error_;
  }
  Error&& error() && {
    if (!error_) detail::expected_misuse("error() read on a value", nullptr);
    return std::move(*error_);
  }

 private:
  std::optional<Error> error_;
};

/// For operations that return nothing but can fail (writers, validators).
using Status = Expected<void>;

}  // namespace pcanno::formats
