#include "bindings.hpp"

namespace pcanno::python {

void bind_sequences(py::module_& /*m*/) {}

}  // namespace pcanno::python
