#pragma once

namespace pcanno::plugin {
class Registry;
}

namespace pcanno::plugin::detail {

/// Registers the built-in tools: select, cuboid-create, cuboid-edit, polyline,
/// polyline-trace, ruler.
void add_builtin_tools(Registry& registry);

}  // namespace pcanno::plugin::detail
