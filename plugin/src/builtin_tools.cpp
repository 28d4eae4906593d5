#include "builtin_tools.hpp"

#include "pcanno/plugin/registry.hpp"

namespace pcanno::plugin::detail {

void add_builtin_tools(Registry& /*registry*/) {}

}  // namespace pcanno::plugin::detail
