// `pcanno view`: the Qt workstation on a dataset, with labels or a native document.
#include <filesystem>
#include <memory>

#include <CLI/CLI.hpp>

#include "cli_support.hpp"
#include "pcanno/viewer/workstation/task_mode.hpp"
#include "pcanno/viewer/workstation/workstation_app.hpp"

namespace pcanno::app {
namespace {

struct ViewCommandOptions {
  std::string sequence;
  std::string labels;
  std::string from;
  std::string document;
  std::string screenshot;
  std::string layout_report;
  std::string tool;
  std::string schema;
  std::string sequence_name;  // sequences
  bool sweeps = false;        // sequences
  std::string db;             // project store tasks
  std::string user;
  std::int64_t task = 0;
  bool review = false;
  bool recover = false;
  bool discard_recovery = false;
};

int run_view(const ViewCommandOptions& opt, const char* program) {
  viewer::workstation::WorkstationOptions options;
  options.sequence = opt.sequence;
  options.store_url = opt.db;
  options.store_user = opt.user;
  options.task_id = opt.task;
  options.review = opt.review;
  if (opt.task > 0 && viewer::workstation::default_store_url(opt.db).empty()) {
    return report_usage("--task needs --db URL (or PCANNO_DB)");
  }
  // A schema loads as an edit of the labels; a task's labels, classes included, are the store's,
  // so that every annotator of a project labels against the same classes.
  if (opt.task > 0 && !opt.schema.empty()) {
    return report_usage(
        "--schema does not apply to --task: a task's classes come with its "
        "labels from the store");
  }
  if (options.sequence.empty() && opt.task == 0) {
    // The repo's sample data, so that `pcanno view` alone shows something.
    const std::filesystem::path sample(PCANNO_SAMPLE_DATA_DIR);
    std::error_code ec;
    if (!std::filesystem::is_directory(sample, ec)) {
      return report_message("no SEQUENCE given and the sample data is missing (" + sample.string() +
                            "); pass a dataset folder");
    }
    options.sequence = sample;
  }
  options.labels = opt.labels;
  options.labels_format = opt.from;
  options.document = opt.document;
  options.screenshot = opt.screenshot;
  options.layout_report = opt.layout_report;
  options.tool = opt.tool;
  options.schema = opt.schema;
  options.sequence_name = opt.sequence_name;
  options.include_sweeps = opt.sweeps;
  if (opt.recover) options.recovery = plugin::RecoveryPolicy::kRecover;
  if (opt.discard_recovery) options.recovery = plugin::RecoveryPolicy::kDiscard;
  return viewer::workstation::run_workstation(options, program);
}

}  // namespace

void add_view_command(CLI::App& app, const GlobalOptions& /*global*/, CommandAction& action) {
  auto opt = std::make_shared<ViewCommandOptions>();
  CLI::App* cmd = app.add_subcommand(
      "view", "Open the annotation workstation (Qt window; F1 lists the shortcuts)");
  cmd->add_option("sequence", opt->sequence,
                  "Dataset root or folder of clouds (default: the repo's sample_data/)");
  cmd->add_option("--labels", opt->labels, "Labels to open, in any registered format");
  cmd->add_option("--from", opt->from, "Codec id of --labels (default: detected)");
  cmd->add_option("--document", opt->document,
                  "Native document to edit; every edit is journalled beside it (autosave), "
                  "created on first save when missing");
  // sequences: which sequence or scene, and nuScenes/Lyft sweeps.
  cmd->add_option("--sequence-name", opt->sequence_name,
                  "Sequence or scene inside the dataset (KITTI tracking 0001, nuScenes "
                  "scene-0061; default: the first; `pcanno info --json` and File > Open "
                  "sequence list them)");
  cmd->add_flag("--sweeps", opt->sweeps,
                "nuScenes/Lyft: step through every LiDAR sweep, keyframes marked on the "
                "timeline (refused for layouts without sweeps)");
  cmd->add_option("--tool", opt->tool,
                  "Tool to start with, by id: a built-in or a plugin's (`pcanno plugins` lists "
                  "them; default: the box editor)");
  cmd->add_option("--schema", opt->schema,
                  "Class schema file (docs/class_schema.md) to label against: its classes, "
                  "attributes and tags replace the document's of the same name (one undo step); "
                  "not with --task, whose classes come from the store");
  // Project store tasks (docs/architecture.md, store/).
  cmd->add_option("--db", opt->db,
                  "Project store URL (sqlite:PATH, postgresql://...; default $PCANNO_DB): "
                  "File > Open task lists its tasks");
  cmd->add_option("--user", opt->user, "Who acts on a SQLite store (default $PCANNO_USER, $USER)");
  cmd->add_option("--task", opt->task,
                  "Open task ID of the store: its sequence and labels, every edit sent to the "
                  "store (Task > Submit hands it in)");
  cmd->add_flag("--review", opt->review,
                "Open --task for review: read-only labels, Review > Accept / Reject / Comment");
  CLI::Option* recover = cmd->add_flag(
      "--recover", opt->recover,
      "Replay unsaved edits that a session which ended without saving left for these labels "
      "(default: ask in a dialog)");
  cmd->add_flag("--discard-recovery", opt->discard_recovery,
                "Set such unsaved edits aside (kept as <journal>.discarded) and open the saved "
                "state")
      ->excludes(recover);
  cmd->add_option("--screenshot", opt->screenshot, "Save a PNG of the window, then quit")
      ->group("");  // hidden: docs and tests
  cmd->add_option("--layout-report", opt->layout_report,
                  "Write the views' screen geometry as JSON (tests)")
      ->group("");
  cmd->callback([opt, &action] { action = [opt] { return run_view(*opt, "pcanno"); }; });
}

}  // namespace pcanno::app
