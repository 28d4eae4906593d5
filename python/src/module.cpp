// The compiled half of the `pcanno` package (pcanno/__init__.py re-exports it).
#include "bindings.hpp"
#include "box_arrays.hpp"

PYBIND11_MODULE(_pcanno, m) {
  m.doc() = "pcanno's engine: clouds, sequences, labels, sessions, automation and geometry.";
  m.attr("__version__") = PCANNO_VERSION;
  using namespace pcanno::python;
  bind_errors(m);
  bind_box_arrays(m);
  bind_clouds(m);
  bind_geometry(m);
  bind_sequences(m);
  bind_labels(m);
  bind_session(m);
  bind_automation(m);
}
