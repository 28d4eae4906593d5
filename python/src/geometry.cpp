#include "bindings.hpp"

namespace pcanno::python {

void bind_geometry(py::module_& /*m*/) {}

}  // namespace pcanno::python
