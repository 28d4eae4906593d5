// Placeholder until the Boost.DLL loader lands (issue 5).
#include "pcanno/plugin/plugin_loader.hpp"

namespace pcanno::plugin {

formats::Status load_plugin(Registry& /*registry*/, const std::filesystem::path& file) {
  return formats::Error{formats::ErrorCode::kUnsupported, "plugin loading is not built yet",
                        file.string()};
}

std::size_t load_plugins_from_environment(Registry& /*registry*/) { return 0; }

}  // namespace pcanno::plugin
