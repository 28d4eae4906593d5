// `pcanno plugins [--json]`: every registered component (readers, codecs, tools, services,
// detectors, among them external-process detectors from `*.detector.json` manifests) with its
// version, priority and origin, then the plugins that failed to load and why. Failed plugins are
// reported, not fatal: the command exits 0.
#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "cli_support.hpp"
#include "pcanno/plugin/registry.hpp"

namespace pcanno::app {
namespace {

using nlohmann::json;

struct PluginsOptions {
  bool json = false;
};

std::string plugin_path_variable() {
  const char* value = std::getenv("PCANNO_PLUGIN_PATH");
  return value != nullptr ? std::string(value) : std::string();
}

int plugins_json(const plugin::Registry& registry) {
  json components = json::array();
  for (const plugin::ComponentInfo& c : registry.components()) {
    components.push_back({{"kind", c.kind},
                          {"id", c.id},
                          {"version", c.version},
                          {"priority", c.priority},
                          {"origin", c.origin},
                          {"description", c.description}});
  }
  json failures = json::array();
  for (const plugin::PluginFailure& f : registry.failures()) {
    failures.push_back({{"path", f.path}, {"reason", f.reason}});
  }
  const std::string path = plugin_path_variable();
  const json j{{"plugin_path", path.empty() ? json(nullptr) : json(path)},
               {"components", components},
               {"failures", failures}};
  std::cout << j.dump(2) << '\n';
  return kExitOk;
}


int plugins_text(const plugin::Registry& registry) {
  std::vector<std::vector<std::string>> rows{
      {"KIND", "ID", "VERSION", "PRIORITY", "ORIGIN", "DESCRIPTION"}};
  std::size_t from_plugins = 0;
  for (const plugin::ComponentInfo& c : registry.components()) {
    rows.push_back({c.kind, c.id, c.version.empty() ? "-" : c.version, std::to_string(c.priority),
                    c.origin, c.description});
    if (c.origin != "built-in") ++from_plugins;
  }
  std::ostringstream out;
  out << aligned_table(rows);
  out << '\n' << rows.size() - 1 << " components, " << from_plugins << " from plugins";
  const std::string path = plugin_path_variable();
  if (path.empty()) {
    out << " (PCANNO_PLUGIN_PATH is not set)\n";
  } else {
    out << " (PCANNO_PLUGIN_PATH=" << path << ")\n";
  }
  if (!registry.failures().empty()) {
    out << "\nplugins not loaded:\n";
    for (const plugin::PluginFailure& f : registry.failures()) {
      out << "  " << f.path << ": " << f.reason << '\n';
    }
  }
  std::cout << out.str();
  return kExitOk;
}

}  // namespace

void add_plugins_command(CLI::App& app, const GlobalOptions& /*global*/,
                         const plugin::Registry& registry, CommandAction& action) {
  auto opt = std::make_shared<PluginsOptions>();
  CLI::App* cmd = app.add_subcommand(
      "plugins",
      "List the readers, label codecs, tools, services and detectors, built-in and loaded from "
      "PCANNO_PLUGIN_PATH (':'-separated folders or files: *.so plugins, *.detector.json "
      "manifests of external detectors), and the plugins that failed");
  cmd->add_flag("--json", opt->json, "Machine-readable output");
  cmd->callback([opt, &registry, &action] {
    action = [opt, &registry] {
      return opt->json ? plugins_json(registry) : plugins_text(registry);
    };
  });
}

}  // namespace pcanno::app
