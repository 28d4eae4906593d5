#include "bindings.hpp"

namespace pcanno::python {

void bind_session(py::module_& /*m*/) {}

}  // namespace pcanno::python
