#pragma once
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "pcanno/formats/error.hpp"
#include "pcanno/formats/sequence.hpp"

namespace CLI {
class App;
}
namespace pcanno::plugin {
class Registry;
}

namespace pcanno::app {

/// Exit codes shared by every subcommand.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;  ///< the command ran and failed; a message went to stderr
inline constexpr int kExitUsage = 2;    ///< bad arguments

/// The work a parsed subcommand will do. Parsing fills it; main runs it, so that every subcommand
/// reports errors and exit codes the same way.
using CommandAction = std::function<int()>;

/// Options every subcommand shares.
struct GlobalOptions {
  bool quiet = false;  ///< no progress output
};

/// Prints `pcanno: error: <file:line: message>` to stderr and returns kExitFailure.
int report(const formats::Error& error);
int report_message(const std::string& message);
/// Prints `pcanno: error: <message>` and returns kExitUsage, for arguments only checkable after
/// parsing (format ids that plugins may supply).
int report_usage(const std::string& message);
/// Opens sequence `name` of the dataset at `path` for a command that works on one `frame`. On
/// failure it reports why and sets `exit_code`: 1 for an unreadable dataset, 2 for a frame the
/// sequence does not have. `readers`: the cloud readers (plugin ones included); null: built-ins.
std::optional<formats::Sequence> open_sequence_at_frame(
    const std::filesystem::path& path, const std::string& name, std::int64_t frame, int& exit_code,
    std::shared_ptr<const formats::CloudReaderRegistry> readers = nullptr);
/// Prints one `pcanno: warning: plugin <file> not loaded: <reason>` per failed plugin. Never fatal.
void warn_plugin_failures(const plugin::Registry& registry);

/// Registration hooks, one per subcommand file. Commands that use codecs or list components get the
/// registry: built-ins plus the plugins of PCANNO_PLUGIN_PATH.
void add_info_command(CLI::App& app, const GlobalOptions& global, const plugin::Registry& registry,
                      CommandAction& action);
void add_convert_command(CLI::App& app, const GlobalOptions& global,
                         const plugin::Registry& registry, CommandAction& action);
void add_fit_command(CLI::App& app, const GlobalOptions& global, const plugin::Registry& registry,
                     CommandAction& action);
void add_ego_motion_command(CLI::App& app, const GlobalOptions& global, CommandAction& action);
void add_track_command(CLI::App& app, const GlobalOptions& global, const plugin::Registry& registry,
                       CommandAction& action);
void add_plugins_command(CLI::App& app, const GlobalOptions& global,
                         const plugin::Registry& registry, CommandAction& action);
void add_eval_command(CLI::App& app, const GlobalOptions& global, const plugin::Registry& registry,
                      CommandAction& action);
void add_check_command(CLI::App& app, const GlobalOptions& global, const plugin::Registry& registry,
                       CommandAction& action);
/// `pcanno view` (the Qt workstation); only in builds with Qt and VTK (PCANNO_HAVE_WORKSTATION).
void add_view_command(CLI::App& app, const GlobalOptions& global, CommandAction& action);
#ifdef PCANNO_WITH_VIEWER
void add_render_command(CLI::App& app, const GlobalOptions& global,
                        const plugin::Registry& registry, CommandAction& action);
#endif

}  // namespace pcanno::app
