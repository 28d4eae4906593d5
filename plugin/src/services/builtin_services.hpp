#pragma once

namespace pcanno::plugin {
class Registry;
}

namespace pcanno::plugin::detail {

/// Registers the built-in automation services: check.
void add_builtin_services(Registry& registry);

}  // namespace pcanno::plugin::detail
