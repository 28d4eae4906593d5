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

std::optional<formats::Sequence> open_sequence_at_frame(
    const std::filesystem::path& path, const std::string& name, std::int64_t frame, int& exit_code,
    std::shared_ptr<const formats::CloudReaderRegistry> readers) {
  formats::SequenceOptions options;
  options.name = name;
  options.readers = std::move(readers);
  auto sequence = formats::open_sequence(path, options);
  if (!sequence) {
    exit_code = report(sequence.error());
    return std::nullopt;
  }
  if (frame < 0 || static_cast<std::size_t>(frame) >= sequence->size()) {
    exit_code = report_usage("--frame: " + std::to_string(frame) + " is outside 0.." +
                             std::to_string(static_cast<std::int64_t>(sequence->size()) - 1) +
                             " (the sequence has " + std::to_string(sequence->size()) + " frames)");
    return std::nullopt;
  }
  return std::move(*sequence);
}

void warn_plugin_failures(const plugin::Registry& registry) {
  for (const plugin::PluginFailure& f : registry.failures()) {
    std::cerr << "pcanno: warning: plugin " << f.path << " not loaded: " << f.reason << '\n';
  }
}

}  // namespace pcanno::app
