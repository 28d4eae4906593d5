#include "bindings.hpp"

namespace pcanno::python {

void bind_labels(py::module_& /*m*/) {}

}  // namespace pcanno::python
