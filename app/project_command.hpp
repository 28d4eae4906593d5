#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "cli_support.hpp"
#include "pcanno/formats/datasets/sequence.hpp"
#include "pcanno/formats/labels/annotations.hpp"
#include "pcanno/plugin/services/report_value.hpp"
#include "pcanno/store/project_store.hpp"

// `pcanno project`: a labelling team's project store from the command line (project_command.cpp
// registers it and holds the simple verbs; project_tasks.cpp, project_status.cpp and
// project_export.cpp the others). The pieces here are shared by those files.

namespace CLI {
class App;
}

namespace pcanno::app {

/// Where the store is and who acts: every `project` subcommand takes them.
struct StoreArgs {
  std::string db;    ///< --db URL, else $PCANNO_DB
  std::string user;  ///< --user NAME: SQLite only
};

/// Adds --db (falling back to $PCANNO_DB) and --user to `cmd`.
void add_store_options(CLI::App* cmd, StoreArgs& args);

/// Opens the store of `args` (`create`: make or migrate it, as `project init`). On failure it
/// reports why, sets `exit_code` (2 for a missing --db or --user given for PostgreSQL, 1 for a
/// store that does not open) and returns null.
std::unique_ptr<store::ProjectStore> open_project_store(const StoreArgs& args, bool create,
                                                        int& exit_code);

/// The sequence names of a project's sequences by id, for listings.
formats::Expected<std::map<std::int64_t, store::SequenceRecord>> sequences_by_id(
    store::ProjectStore& store, std::int64_t project_id);

/// The dataset a sequence record refers to, opened with the registry's readers when its uri still
/// exists and opens; else none (the record's labels and tasks stay usable without points).
std::optional<formats::Sequence> open_recorded_sequence(const store::SequenceRecord& record,
                                                        const plugin::Registry& registry);

/// "0-4" for a task's frames.
std::string frame_range_text(const store::Task& task);

/// A task as the --json outputs print it.
plugin::ReportValue task_report(const store::Task& task, const std::string& sequence_name);

/// Prints a report tree as indented JSON on stdout.
void print_report_json(const plugin::ReportValue& value);

/// A copy of `document` holding only the boxes, polyline states and ignore regions on frames
/// `first`..`last` (inclusive); frames, classes and tracks' other fields are kept, so that frame
/// indices stay those of the sequence. Tracks and polylines left empty are dropped.
formats::Annotations crop_to_frames(const formats::Annotations& document, std::int64_t first,
                                    std::int64_t last);

/// The `project` subcommands that live in their own files.
void add_project_task_commands(CLI::App* project, const GlobalOptions& global,
                               const plugin::Registry& registry, CommandAction& action);
void add_project_status_command(CLI::App* project, const GlobalOptions& global,
                                const plugin::Registry& registry, CommandAction& action);
void add_project_export_command(CLI::App* project, const GlobalOptions& global,
                                const plugin::Registry& registry, CommandAction& action);

}  // namespace pcanno::app
