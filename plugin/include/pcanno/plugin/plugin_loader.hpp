#pragma once
#include <filesystem>
#include <string>
#include <vector>

#include "pcanno/formats/support/expected.hpp"
#include "pcanno/plugin/registry.hpp"

// Shared-library plugins. A plugin exports one C-linkage entry point, pcanno_plugin_entry
// (plugin_api.hpp), whose descriptor reports the plugin ABI version and registers its components.
// A plugin that fails to load (not a shared library, missing entry point, wrong ABI version,
// registration error) is recorded in Registry::failures() and skipped; loading never aborts the
// host. Loaded plugins stay loaded until the process ends: their code backs the components.

namespace pcanno::plugin {

/// Loads one plugin file into `registry`: a shared library, or a `*.detector.json` manifest of an
/// external-process detector (detectors/process_detector.hpp). The error says why it was rejected
/// (and is also recorded in registry.failures()). Components carry origin = the file's absolute
/// path.
formats::Status load_plugin(Registry& registry, const std::filesystem::path& file);

/// Loads every `*.so` and `*.detector.json` in the folders of PCANNO_PLUGIN_PATH (':'-separated;
/// files may be named directly; empty entries are ignored). Failures, including entries that do not exist, are
/// recorded in registry.failures(); returns the number of plugins loaded.
std::size_t load_plugins_from_environment(Registry& registry);

}  // namespace pcanno::plugin
