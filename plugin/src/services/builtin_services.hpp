#pragma once

namespace pcanno::plugin {
class Registry;
}

namespace pcanno::plugin::detail {

/// Registers the built-in automation services: check, fit, propagate, interpolate.
void add_builtin_services(Registry& registry);

}  // namespace pcanno::plugin::detail
