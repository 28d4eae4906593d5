#include "cli_support.hpp"

#include <iostream>

#include "pcanno/plugin/registry.hpp"

namespace pcanno::app {

int report(const formats::Error& error) { return report_message(error.describe()); }

int report_message(const std::string& message) {
  std::cerr << "pcanno: error: " << message << '\n';
  return kExitFailure;
}

int report_usage(const std::string& message) {
  std::cerr << "pcanno: error: " << message << '\n';
  return kExitUsage;
}

void warn_plugin_failures(const plugin::Registry& registry) {
  for (const plugin::PluginFailure& f : registry.failures()) {
    std::cerr << "pcanno: warning: plugin " << f.path << " not loaded: " << f.reason << '\n';
  }
}

}  // namespace pcanno::app
