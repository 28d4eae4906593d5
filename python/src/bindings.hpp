#pragma once
// What every binding file of the `pcanno` Python module shares: raising engine errors as
// pcanno.Error subclasses, progress callbacks that cross the GIL, and numpy views of C++ buffers.
#include <exception>
#include <functional>
#include <optional>
#include <utility>
#include <vector>

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include "pcanno/formats/support/error.hpp"
#include "pcanno/formats/support/expected.hpp"

namespace pcanno::python {

namespace py = pybind11;

// One function per area, each in its own file; module.cpp calls them in this order, so that a
// later area may name the types of an earlier one in its signatures.
void bind_errors(py::module_& m);
void bind_clouds(py::module_& m);
void bind_geometry(py::module_& m);
void bind_sequences(py::module_& m);
void bind_labels(py::module_& m);
void bind_session(py::module_& m);
void bind_automation(py::module_& m);

/// Raises `error` as the pcanno.Error subclass of its code (pcanno/errors.py), with its message,
/// path, line and offset.
[[noreturn]] void raise_error(const formats::Error& error);

/// The value, or raise_error() of the failure.
template <typename T>
T unwrap(formats::Expected<T>&& result) {
  if (!result) raise_error(result.error());
  return std::move(*result);
}
inline void unwrap(const formats::Status& status) {
  if (!status) raise_error(status.error());
}

/// A Python progress callable turned into the engine's `bool(double fraction)`, callable from the
/// thread that runs the job while the GIL is released. The callable returning False cancels the
/// job; raising cancels it too, and rethrow_if_raised() then raises that exception instead of the
/// engine's CancelledError, so that a KeyboardInterrupt inside the callback stays one.
class ProgressBridge {
 public:
  explicit ProgressBridge(py::object callable) : callable_(std::move(callable)) {}
  ~ProgressBridge() {
    // The stored exception holds Python references; drop them under the GIL.
    if (raised_) {
      py::gil_scoped_acquire gil;
      raised_.reset();
    }
  }
  ProgressBridge(const ProgressBridge&) = delete;
  ProgressBridge& operator=(const ProgressBridge&) = delete;

  /// The engine-side callback. It also polls Ctrl+C (PyErr_CheckSignals), so that a long job
  /// stops on it with no callable given (a None callable).
  std::function<bool(double)> callback();

  /// Re-raises an exception the callable raised (call with the GIL held, after the job).
  void rethrow_if_raised();

  /// Unwraps `result`, raising the callback's own exception first when it cancelled the job.
  template <typename T>
  T unwrap(formats::Expected<T>&& result) {
    rethrow_if_raised();
    return python::unwrap(std::move(result));
  }
  void unwrap(const formats::Status& status) {
    rethrow_if_raised();
    python::unwrap(status);
  }

 private:
  py::object callable_;
  std::optional<py::error_already_set> raised_;
};

/// A numpy array over `data` (no copy) that keeps `owner` alive for as long as the array lives.
/// `shape` and `strides` (bytes) as numpy spells them.
template <typename T>
py::array_t<T> array_view(T* data, std::vector<py::ssize_t> shape, std::vector<py::ssize_t> strides,
                          py::handle owner) {
  return py::array_t<T>(std::move(shape), std::move(strides), data, owner);
}

/// A 1-D view of `n` contiguous values.
template <typename T>
py::array_t<T> array_view(T* data, py::ssize_t n, py::handle owner) {
  return array_view<T>(data, {n}, {static_cast<py::ssize_t>(sizeof(T))}, owner);
}

}  // namespace pcanno::python
