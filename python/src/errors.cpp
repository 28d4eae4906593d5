// pcanno.Error and its subclasses live in pcanno/errors.py (docstrings, pickling, built-in
// exception mix-ins); C++ only builds instances of them.
#include <csignal>

#include "bindings.hpp"

namespace pcanno::python {

void raise_error(const formats::Error& error) {
  py::object make = py::module_::import("pcanno.errors").attr("_from_engine");
  py::object exception =
      make(formats::to_string(error.code), error.message,
           error.path.empty() ? py::object(py::none()) : py::object(py::str(error.path)),
           error.line, error.offset);
  PyErr_SetObject(reinterpret_cast<PyObject*>(Py_TYPE(exception.ptr())), exception.ptr());
  throw py::error_already_set();
}

std::function<bool(double)> ProgressBridge::callback() {
  return [this](double fraction) -> bool {
    py::gil_scoped_acquire gil;
    if (raised_) return false;
    // Ctrl+C reaches Python only between bytecodes: check it here, so that a long read or job
    // stops on it even without a callable.
    if (PyErr_CheckSignals() != 0) {
      raised_.emplace();
      return false;
    }
    if (callable_.is_none()) return true;
    try {
      py::object answer = callable_(fraction);
      if (answer.is_none()) return true;
      // Python's truth, as `if answer:` reads it; a value without one (numpy arrays of several
      // elements) is the callable's error.
      const int truth = PyObject_IsTrue(answer.ptr());
      if (truth < 0) throw py::error_already_set();
      return truth == 1;
    } catch (py::error_already_set& e) {
      raised_.emplace(std::move(e));
      return false;
    } catch (const std::exception& e) {
      // Nothing but a Python exception may leave the callback: the engine may run it on a thread
      // where a C++ exception would end the process.
      PyErr_SetString(PyExc_RuntimeError, e.what());
      raised_.emplace();
      return false;
    }
  };
}

void ProgressBridge::settle_late_exception() {
  if (!raised_) return;
  py::error_already_set e = std::move(*raised_);
  raised_.reset();
  // Python takes signals on its main thread only: replay Ctrl+C there, where it was meant.
  py::module_ threading = py::module_::import("threading");
  if (e.matches(PyExc_KeyboardInterrupt) &&
      threading.attr("current_thread")().is(threading.attr("main_thread")())) {
    PyErr_SetInterrupt();
    return;
  }
  e.discard_as_unraisable("pcanno: progress callback of a call that had already finished");
}

void ProgressBridge::rethrow_if_raised() {
  if (!raised_) return;
  py::error_already_set e = std::move(*raised_);
  raised_.reset();
  throw e;
}

void bind_errors(py::module_& m) {
  // Importing here makes `pcanno._pcanno` usable on its own and fails early if the package is
  // incomplete.
  py::module_ errors = py::module_::import("pcanno.errors");
  m.attr("Error") = errors.attr("Error");
}

}  // namespace pcanno::python
