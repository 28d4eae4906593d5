#pragma once

namespace pcanno::plugin {
class Registry;
}

namespace pcanno::plugin::detail {

/// Registers the built-in tools: select, cuboid-create, cuboid-edit, polyline.
void add_builtin_tools(Registry& registry);

}  // namespace pcanno::plugin::detail
