#include "cli_support.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <iostream>
#include <sstream>

#include "pcanno/plugin/registry.hpp"
#include "pcanno/plugin/sequence_frames.hpp"

namespace pcanno::app {

int report(const formats::Error& error) {
  if (error.code == formats::ErrorCode::kCancelled) {
    std::cerr << "pcanno: cancelled\n";
    return kExitCancelled;
  }
  return report_message(error.describe());
}

int report_message(const std::string& message) {
  std::cerr << "pcanno: error: " << message << '\n';
  return kExitFailure;
}

std::string aligned_table(const std::vector<std::vector<std::string>>& rows) {
  std::vector<std::size_t> widths;
  for (const auto& row : rows) {
    widths.resize(std::max(widths.size(), row.size()), 0);
    for (std::size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
  }
  std::ostringstream out;
  for (const auto& row : rows) {
    for (std::size_t i = 0; i < row.size(); ++i) {
      out << row[i];
      if (i + 1 < row.size()) out << std::string(widths[i] - row[i].size() + 2, ' ');
    }
    out << '\n';
  }
  return out.str();
}

int report_usage(const std::string& message) {
  std::cerr << "pcanno: error: " << message << '\n';
  return kExitUsage;
}

std::optional<formats::Sequence> open_sequence_at_frame(
    const std::filesystem::path& path, const std::string& name, std::int64_t frame, int& exit_code,
    std::shared_ptr<const formats::CloudReaderRegistry> readers, bool sweeps) {
  formats::SequenceOptions options;
  options.name = name;
  options.readers = std::move(readers);
  options.include_sweeps = sweeps;
  auto sequence = formats::open_sequence(path, options);
  if (!sequence) {
    exit_code = report(sequence.error());
    return std::nullopt;
  }
  if (sweeps && !plugin::layout_has_sweeps(sequence->layout)) {
    exit_code = report_usage("--sweeps: " + path.string() + " is a " + sequence->layout +
                             " dataset, which has no sweeps (only nuScenes and Lyft scenes have "
                             "LiDAR sweeps between their keyframes)");
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

void print_write_report(const formats::WriteReport& report, const std::string& codec_id) {
  std::cout << "wrote " << report.boxes_written << (report.boxes_written == 1 ? " box" : " boxes");
  if (report.polyline_states_written > 0) {
    std::cout << ", " << report.polyline_states_written << " polyline states";
  }
  if (report.ignore_regions_written > 0) {
    std::cout << ", " << report.ignore_regions_written << " ignore regions";
  }
  std::cout << " as " << codec_id << ":\n";
  for (const auto& path : report.written) std::cout << "  " << path.string() << '\n';
  for (const auto& [reason, count] : report.dropped) {
    std::cout << "dropped " << count << ": " << reason << '\n';
  }
  for (const auto& [reason, count] : report.warnings) {
    std::cout << "warning: " << count << " " << reason << '\n';
  }
}

std::vector<std::filesystem::path> existing_paths(const std::vector<std::filesystem::path>& paths) {
  std::vector<std::filesystem::path> out;
  std::error_code ec;
  for (const auto& p : paths) {
    if (std::filesystem::exists(std::filesystem::symlink_status(p, ec))) out.push_back(p);
  }
  return out;
}

int refuse_to_replace(const std::vector<std::filesystem::path>& existing) {
  constexpr std::size_t kNamed = 10;
  std::string names;
  for (std::size_t i = 0; i < existing.size() && i < kNamed; ++i) {
    names += (i == 0 ? "" : ", ") + existing[i].string();
  }
  if (existing.size() > kNamed) {
    names += " and " + std::to_string(existing.size() - kNamed) + " more";
  }
  return report_message("would replace " + std::to_string(existing.size()) + " existing " +
                        (existing.size() == 1 ? "output" : "outputs") + ": " + names +
                        "; pass --force to replace " + (existing.size() == 1 ? "it" : "them"));
}

void warn_plugin_failures(const plugin::Registry& registry) {
  for (const plugin::PluginFailure& f : registry.failures()) {
    std::cerr << "pcanno: warning: plugin " << f.path << " not loaded: " << f.reason << '\n';
  }
}

formats::Status sync_folder(const std::filesystem::path& folder) {
  const int fd = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  const int synced = fd >= 0 ? ::fsync(fd) : -1;
  const int err = errno;
  if (fd >= 0) ::close(fd);
  if (synced != 0) {
    return formats::Error{formats::ErrorCode::kIo,
                          std::string("cannot flush the folder: ") + std::strerror(err),
                          folder.string()};
  }
  return {};
}

}  // namespace pcanno::app
