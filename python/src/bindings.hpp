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
/// thread that runs the job while the GIL is released. The callable returning a false value
/// cancels the job; raising cancels it too, and unwrap() then raises that exception instead of the
/// engine's CancelledError, so that a KeyboardInterrupt inside the callback stays one. A job can
/// finish anyway (the callable raised at its last report, after the output was committed): then
/// the result stands, a KeyboardInterrupt is raised again at the next bytecode, as Ctrl+C after a
/// finished call would be, and any other exception goes to sys.unraisablehook.
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

  /// Unwraps `result`: on failure the callback's own exception when it raised one, else the
  /// engine's error; on success the value, with a late exception settled (see the class comment).
  template <typename T>
  T unwrap(formats::Expected<T>&& result) {
    if (!result) rethrow_if_raised();
    settle_late_exception();
    return python::unwrap(std::move(result));
  }
  void unwrap(const formats::Status& status) {
    if (!status) rethrow_if_raised();
    settle_late_exception();
    python::unwrap(status);
  }

 private:
  /// The job succeeded although the callable raised (call with the GIL held).
  void settle_late_exception();

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
