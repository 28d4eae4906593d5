#pragma once
#include <string>

#include "pcanno/plugin/registry.hpp"

namespace pcanno::plugin {

/// "registered: classical, numpy-example" or "none is registered": the registry's detector ids,
/// for the messages that refuse an unknown one.
std::string detector_list(const Registry& registry);

}  // namespace pcanno::plugin
