#include "bindings.hpp"

namespace pcanno::python {

void bind_automation(py::module_& /*m*/) {}

}  // namespace pcanno::python
