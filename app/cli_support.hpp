#pragma once
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "pcanno/formats/datasets/sequence.hpp"
#include "pcanno/formats/labels/label_codec.hpp"
#include "pcanno/formats/support/error.hpp"
#include "pcanno/plugin/services/label_input.hpp"

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
/// Ctrl+C stopped the command (128 + SIGINT, what shells report for an interrupted command);
/// "pcanno: cancelled" went to stderr and no output was left behind.
inline constexpr int kExitCancelled = 130;

/// The work a parsed subcommand will do. Parsing fills it; main runs it, so that every subcommand
/// reports errors and exit codes the same way.
using CommandAction = std::function<int()>;

/// Options every subcommand shares.
struct GlobalOptions {
  bool quiet = false;  ///< no progress output
};

/// Prints `pcanno: error: <file:line: message>` to stderr and returns kExitFailure; a cancelled
/// step (ErrorCode::kCancelled: Ctrl+C, see progress.hpp) prints `pcanno: cancelled` and returns
/// kExitCancelled.
int report(const formats::Error& error);
int report_message(const std::string& message);
/// Prints `pcanno: error: <message>` and returns kExitUsage, for arguments only checkable after
/// parsing (format ids that plugins may supply).
int report_usage(const std::string& message);
/// Opens sequence `name` of the dataset at `path` for a command that works on one `frame`. On
/// failure it reports why and sets `exit_code`: 1 for an unreadable dataset, 2 for a frame the
/// sequence does not have. `readers`: the cloud readers (plugin ones included); null: built-ins.
/// `sweeps`: nuScenes/Lyft with every LiDAR sweep (frame numbers count them); a usage error (2)
/// for a layout without sweeps.
std::optional<formats::Sequence> open_sequence_at_frame(
    const std::filesystem::path& path, const std::string& name, std::int64_t frame, int& exit_code,
    std::shared_ptr<const formats::CloudReaderRegistry> readers = nullptr, bool sweeps = false);
/// What a label writer did, on stdout: "wrote N boxes[, P polyline states][, I ignore regions] as
/// ID:", one line per file or folder written, then "dropped N: <what and why>" per reason.
void print_write_report(const formats::WriteReport& report, const std::string& codec_id);

/// The folder holding the output `out` (an engine service, shared with the Python module).
using plugin::output_parent;

/// The paths among `paths` that exist already.
std::vector<std::filesystem::path> existing_paths(const std::vector<std::filesystem::path>& paths);

/// Refuses to replace existing output without --force: prints `pcanno: error: would replace N
/// existing outputs: a, b, ...; pass --force to replace them` (files or folders, at most 10
/// named) and returns kExitFailure.
int refuse_to_replace(const std::vector<std::filesystem::path>& existing);

/// Text columns padded to their widest cell plus two spaces; the last column is not padded.
std::string aligned_table(const std::vector<std::vector<std::string>>& rows);

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
/// `pcanno prelabel` (detector pre-labels): prelabel_command.cpp.
void add_prelabel_command(CLI::App& app, const GlobalOptions& global,
                          const plugin::Registry& registry, CommandAction& action);
/// `pcanno project` (the project store: tasks, review, status, export): project_command.cpp.
void add_project_command(CLI::App& app, const GlobalOptions& global,
                         const plugin::Registry& registry, CommandAction& action);
/// `pcanno batch` (one operation over many sequences): batch_command.cpp.
void add_batch_command(CLI::App& app, const GlobalOptions& global, CommandAction& action);
/// `pcanno edit` (track repair): edit_command.cpp.
void add_edit_command(CLI::App& app, const GlobalOptions& global, const plugin::Registry& registry,
                      CommandAction& action);
/// `pcanno view` (the Qt workstation); only in builds with Qt and VTK (PCANNO_HAVE_WORKSTATION).
void add_view_command(CLI::App& app, const GlobalOptions& global, CommandAction& action);
#ifdef PCANNO_WITH_VIEWER
void add_render_command(CLI::App& app, const GlobalOptions& global,
                        const plugin::Registry& registry, CommandAction& action);
#endif

/// Makes the renames in `folder` durable (fsync of the folder).
formats::Status sync_folder(const std::filesystem::path& folder);

}  // namespace pcanno::app
