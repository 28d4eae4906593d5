#pragma once

namespace pcanno::plugin {
class Registry;
}

namespace pcanno::plugin::detail {

/// Registers the built-in detectors: `classical` (geometry/object_detection.hpp).
void add_builtin_detectors(Registry& registry);

}  // namespace pcanno::plugin::detail
