// `pcanno project tasks create|list`: units of work, a frame range of one sequence each. A task
// starts from the sequence's labels when it has some, read by the engine's label input service
// (the code `pcanno eval` and `check` use), whole: the task's range says where to work, the other
// frames stay as context.
#include <algorithm>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <CLI/CLI.hpp>

#include "pcanno/plugin/automation/prelabel.hpp"
#include "pcanno/plugin/registry.hpp"
#include "pcanno/plugin/services/label_input.hpp"
#include "project_command.hpp"

namespace pcanno::app {
namespace {

struct TasksOptions {
  StoreArgs store;
  std::string project;
  std::string sequence;
  std::string frames;
  std::int64_t chunk = 0;  ///< 0: one task for the whole range
  std::string kinds = "boxes";
  bool mine = false;
  std::string state;
  bool json = false;
};

/// The starting labels of `record` ("<codec>:<path>"), read with its dataset when that opens.
formats::Expected<std::optional<formats::Annotations>> starting_labels(
    const store::SequenceRecord& record, const plugin::Registry& registry) {
  if (record.labels_uri.empty()) return std::optional<formats::Annotations>();
  const std::size_t colon = record.labels_uri.find(':');
  const std::string codec = colon == std::string::npos ? "" : record.labels_uri.substr(0, colon);
  const std::string path =
      colon == std::string::npos ? record.labels_uri : record.labels_uri.substr(colon + 1);
  const std::optional<formats::Sequence> sequence = open_recorded_sequence(record, registry);
  auto labels = plugin::read_labels(registry, path, codec, sequence ? &*sequence : nullptr);
  if (!labels) {
    formats::Error e = std::move(labels).error();
    e.message = "the labels of sequence " + record.name + ": " + e.message;
    return e;
  }
  return std::optional<formats::Annotations>(std::move(*labels));
}

int run_tasks_create(const TasksOptions& opt, const plugin::Registry& registry) {
  warn_plugin_failures(registry);
  const std::optional<unsigned> kinds = store::parse_label_kinds(opt.kinds);
  if (!kinds) return report_usage("--kinds: expected boxes, polylines or boxes,polylines");
  if (opt.chunk < 0) return report_usage("--chunk: expected a number of frames >= 1");
  std::optional<std::pair<std::int64_t, std::int64_t>> range;
  if (!opt.frames.empty()) {
    auto parsed = plugin::parse_frame_range(opt.frames);
    if (!parsed) return report_usage("--frames: " + parsed.error().message);
    range = *parsed;
  }

  int code = kExitOk;
  auto store = open_project_store(opt.store, false, code);
  if (!store) return code;
  auto project = store->project(opt.project);
  if (!project) return report(project.error());
  auto sequences = store->sequences(project->id);
  if (!sequences) return report(sequences.error());
  const store::SequenceRecord* record = nullptr;
  std::string known;
  for (const store::SequenceRecord& s : *sequences) {
    known += (known.empty() ? "" : ", ") + s.name;
    if (s.name == opt.sequence) record = &s;
  }
  if (record == nullptr) {
    return report_usage("--sequence: project " + project->name + " has no sequence '" +
                        opt.sequence + "'" + (known.empty() ? "" : " (it has " + known + ")"));
  }
  const std::int64_t first = range ? range->first : 0;
  const std::int64_t last = range ? range->second : record->frame_count - 1;
  if (formats::Status s = plugin::check_frame_range(
          first, last, static_cast<std::size_t>(std::max<std::int64_t>(record->frame_count, 0)));
      !s) {
    return report_usage("--frames: " + s.error().message + " (sequence " + record->name + ")");
  }

  auto labels = starting_labels(*record, registry);
  if (!labels) return report(labels.error());
  const std::int64_t chunk = opt.chunk > 0 ? opt.chunk : last - first + 1;
  for (std::int64_t a = first; a <= last; a += chunk) {
    store::NewTask spec;
    spec.sequence_id = record->id;
    spec.first_frame = a;
    spec.last_frame = std::min(last, a + chunk - 1);
    spec.label_kinds = *kinds;
    spec.labels = *labels;
    auto task = store->create_task(spec);
    if (!task) return report(task.error());
    std::cout << "created task " << task->id << ": sequence " << record->name << " frames "
              << frame_range_text(*task) << " (" << store::label_kinds_to_string(task->label_kinds)
              << (*labels ? ", from " + record->labels_uri : std::string()) << ")\n";
  }
  return kExitOk;
}

int run_tasks_list(const TasksOptions& opt) {
  int code = kExitOk;
  auto store = open_project_store(opt.store, false, code);
  if (!store) return code;
  store::TaskFilter filter;
  if (!opt.project.empty()) {
    auto project = store->project(opt.project);
    if (!project) return report(project.error());
    filter.project_id = project->id;
  }
  if (opt.mine) filter.assignee = store->user();
  if (!opt.state.empty()) filter.state = store::parse_task_state(opt.state);
  auto tasks = store->tasks(filter);
  if (!tasks) return report(tasks.error());

  // Sequence names, looked up once per project the tasks belong to.
  std::map<std::int64_t, std::string> names;
  std::map<std::int64_t, bool> projects_read;
  for (const store::Task& task : *tasks) {
    if (projects_read[task.project_id]) continue;
    projects_read[task.project_id] = true;
    auto records = sequences_by_id(*store, task.project_id);
    if (!records) return report(records.error());
    for (const auto& [id, record] : *records) names[id] = record.name;
  }

  if (opt.json) {
    plugin::ReportValue list = plugin::ReportValue::array();
    for (const store::Task& task : *tasks) list.push(task_report(task, names[task.sequence_id]));
    print_report_json(list);
    return kExitOk;
  }
  std::vector<std::vector<std::string>> rows{
      {"ID", "SEQUENCE", "FRAMES", "KINDS", "STATE", "ASSIGNEE", "VERSION", "LEASE"}};
  for (const store::Task& task : *tasks) {
    rows.push_back({std::to_string(task.id), names[task.sequence_id], frame_range_text(task),
                    store::label_kinds_to_string(task.label_kinds), store::to_string(task.state),
                    task.assignee.empty() ? "-" : task.assignee, std::to_string(task.version),
                    task.lease_holder.empty() ? "-" : task.lease_holder});
  }
  std::cout << aligned_table(rows);
  return kExitOk;
}

}  // namespace

void add_project_task_commands(CLI::App* project, const GlobalOptions&,
                               const plugin::Registry& registry, CommandAction& action) {
  CLI::App* tasks = project->add_subcommand("tasks", "Units of work: a frame range of a sequence");
  tasks->require_subcommand(1);

  auto create = std::make_shared<TasksOptions>();
  CLI::App* cmd = tasks->add_subcommand(
      "create", "Create tasks over a sequence's frames, starting from its labels when it has some");
  add_store_options(cmd, create->store);
  cmd->add_option("--project", create->project, "The project")->required();
  cmd->add_option("--sequence", create->sequence, "The sequence's name in the project")->required();
  cmd->add_option("--frames", create->frames, "Frames A-B (inclusive); default: all");
  cmd->add_option("--chunk", create->chunk,
                  "One task per N frames of the range (default: one task for all of it)");
  cmd->add_option("--kinds", create->kinds, "Label kinds: boxes, polylines or boxes,polylines")
      ->capture_default_str();
  cmd->callback([create, &action, &registry] {
    action = [create, &registry] { return run_tasks_create(*create, registry); };
  });

  auto list = std::make_shared<TasksOptions>();
  cmd = tasks->add_subcommand("list", "List the tasks this user may see");
  add_store_options(cmd, list->store);
  cmd->add_option("--project", list->project, "Only this project's");
  cmd->add_flag("--mine", list->mine, "Only tasks assigned to me");
  cmd->add_option("--state", list->state, "Only tasks in this state")
      ->check(
          CLI::IsMember({"new", "in_progress", "submitted", "in_review", "accepted", "rejected"}));
  cmd->add_flag("--json", list->json, "Machine-readable output: an array of tasks");
  cmd->callback([list, &action] { action = [list] { return run_tasks_list(*list); }; });
}

}  // namespace pcanno::app
