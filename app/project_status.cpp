// `pcanno project status --project P`: where a project stands. One row per task (state, who,
// version, lease, open review comments, QA findings), throughput per person from the label log and
// the workflow's events, and totals. The QA findings are those of the engine's check service
// (plugin/services/qa.hpp, what `pcanno check` runs) on the task's current labels cropped to the
// task's frames, so that tasks sharing a sequence do not count each other's findings.
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "pcanno/plugin/registry.hpp"
#include "pcanno/plugin/services/qa.hpp"
#include "progress.hpp"
#include "project_command.hpp"

namespace pcanno::app {
namespace {

struct StatusOptions {
  StoreArgs store;
  std::string project;
  bool no_points = false;
  bool json = false;
};

struct Findings {
  std::size_t errors = 0, warnings = 0, infos = 0;

  void add(const Findings& other) {
    errors += other.errors;
    warnings += other.warnings;
    infos += other.infos;
  }
  plugin::ReportValue report() const {
    return plugin::ReportValue::object()
        .add("error", errors)
        .add("warning", warnings)
        .add("info", infos);
  }
  std::string text() const {
    return std::to_string(errors) + "/" + std::to_string(warnings) + "/" + std::to_string(infos);
  }
};

struct TaskStatus {
  store::Task task;
  std::string sequence;
  std::size_t open_comments = 0;
  Findings findings;
  bool points_counted = false;  ///< the sequence's clouds were there to count points in boxes
};

/// What one person did, over the project's tasks.
struct Throughput {
  std::size_t commits = 0;    ///< label commits authored
  std::size_t edits = 0;      ///< edits in them (one DocumentEdit each)
  std::size_t submitted = 0;  ///< moves to submitted made
  std::size_t accepted = 0;   ///< submissions of theirs that were accepted
  std::size_t reviews = 0;    ///< accept or reject decisions made
};

/// The task's commits and events, added to `people`; returns how many commits and edits.
formats::Status add_throughput(store::ProjectStore& store, const store::Task& task,
                               std::map<std::string, Throughput>& people, std::size_t& commits,
                               std::size_t& edits) {
  auto log = store.history(task.id, 0);
  if (!log) return std::move(log).error();
  for (const store::LabelCommit& commit : *log) {
    Throughput& who = people[commit.author];
    ++who.commits;
    who.edits += commit.edits.size();
    ++commits;
    edits += commit.edits.size();
  }
  auto events = store.task_events(task.id);
  if (!events) return std::move(events).error();
  std::string submitter;  // whose submission a decision is about
  for (const store::TaskEvent& event : *events) {
    if (!event.from || *event.from == event.to) continue;  // creation, assignment
    if (event.to == store::TaskState::kSubmitted) {
      ++people[event.who].submitted;
      submitter = event.who;
    } else if (event.to == store::TaskState::kAccepted || event.to == store::TaskState::kRejected) {
      ++people[event.who].reviews;
      if (event.to == store::TaskState::kAccepted && !submitter.empty()) {
        ++people[submitter].accepted;
      }
    }
  }
  return {};
}

/// The check service's findings on the task's labels in its frames.
formats::Expected<Findings> check_task(store::ProjectStore& store, const store::Task& task,
                                       const formats::Sequence* sequence,
                                       plugin::QaOptions options) {
  auto labels = store.labels(task.id);
  if (!labels) return std::move(labels).error();
  const formats::Annotations cropped =
      crop_to_frames(labels->document, task.first_frame, task.last_frame);
  auto checked = plugin::check_annotations(cropped, sequence, options);
  if (!checked) return std::move(checked).error();
  Findings out;
  out.errors = checked->count(plugin::Severity::kError);
  out.warnings = checked->count(plugin::Severity::kWarning);
  out.infos = checked->count(plugin::Severity::kInfo);
  return out;
}

void print_text(const std::string& project, const std::vector<TaskStatus>& rows,
                const std::map<std::string, Throughput>& people, std::size_t commits,
                std::size_t edits, const Findings& total) {
  std::map<std::string, std::size_t> states;
  for (const TaskStatus& row : rows) ++states[store::to_string(row.task.state)];
  std::cout << "project " << project << ": " << rows.size()
            << (rows.size() == 1 ? " task" : " tasks");
  std::string sep = " (";
  for (const auto& [state, n] : states) {
    std::cout << sep << n << " " << state;
    sep = ", ";
  }
  std::cout << (states.empty() ? "" : ")") << "\n\n";

  std::vector<std::vector<std::string>> table{{"ID", "SEQUENCE", "FRAMES", "STATE", "ASSIGNEE",
                                               "VERSION", "LEASE", "OPEN COMMENTS",
                                               "QA ERR/WARN/INFO"}};
  for (const TaskStatus& row : rows) {
    table.push_back({std::to_string(row.task.id), row.sequence, frame_range_text(row.task),
                     store::to_string(row.task.state),
                     row.task.assignee.empty() ? "-" : row.task.assignee,
                     std::to_string(row.task.version),
                     row.task.lease_holder.empty() ? "-" : row.task.lease_holder,
                     std::to_string(row.open_comments),
                     row.findings.text() + (row.points_counted ? "" : " (no points)")});
  }
  std::cout << aligned_table(table) << '\n';
  std::vector<std::vector<std::string>> by_person{
      {"PERSON", "COMMITS", "EDITS", "SUBMITTED", "ACCEPTED", "REVIEWS"}};
  for (const auto& [name, t] : people) {
    by_person.push_back({name, std::to_string(t.commits), std::to_string(t.edits),
                         std::to_string(t.submitted), std::to_string(t.accepted),
                         std::to_string(t.reviews)});
  }
  if (by_person.size() > 1) std::cout << aligned_table(by_person) << '\n';
  std::cout << "total: " << commits << " commits, " << edits
            << " edits; QA findings: " << total.errors << " errors, " << total.warnings
            << " warnings, " << total.infos << " info\n";
}

plugin::ReportValue json_report(const std::vector<TaskStatus>& rows,
                                const std::map<std::string, Throughput>& people,
                                std::size_t commits, std::size_t edits, const Findings& total) {
  plugin::ReportValue tasks = plugin::ReportValue::array();
  std::map<std::string, std::size_t> states;
  std::size_t open_comments = 0;
  for (const TaskStatus& row : rows) {
    plugin::ReportValue t = task_report(row.task, row.sequence);
    t.add("open_comments", row.open_comments);
    t.add("findings", row.findings.report());
    t.add("points_counted", row.points_counted);
    tasks.push(std::move(t));
    ++states[store::to_string(row.task.state)];
    open_comments += row.open_comments;
  }
  plugin::ReportValue persons = plugin::ReportValue::array();
  for (const auto& [name, t] : people) {
    persons.push(plugin::ReportValue::object()
                     .add("name", name)
                     .add("commits", t.commits)
                     .add("edits", t.edits)
                     .add("submitted", t.submitted)
                     .add("accepted", t.accepted)
                     .add("reviews", t.reviews));
  }
  plugin::ReportValue by_state = plugin::ReportValue::object();
  for (const auto& [state, n] : states) by_state.add(state, n);
  plugin::ReportValue totals = plugin::ReportValue::object()
                                   .add("tasks", rows.size())
                                   .add("states", by_state)
                                   .add("commits", commits)
                                   .add("edits", edits)
                                   .add("open_comments", open_comments)
                                   .add("findings", total.report());
  return plugin::ReportValue::object()
      .add("tasks", tasks)
      .add("people", persons)
      .add("totals", totals);
}

int run_status(const StatusOptions& opt, const GlobalOptions& global,
               const plugin::Registry& registry) {
  warn_plugin_failures(registry);
  int code = kExitOk;
  auto store = open_project_store(opt.store, false, code);
  if (!store) return code;
  auto project = store->project(opt.project);
  if (!project) return report(project.error());
  auto records = sequences_by_id(*store, project->id);
  if (!records) return report(records.error());
  store::TaskFilter filter;
  filter.project_id = project->id;
  auto tasks = store->tasks(filter);
  if (!tasks) return report(tasks.error());

  std::map<std::int64_t, std::optional<formats::Sequence>> opened;  // by sequence id, once each
  std::map<std::string, Throughput> people;
  std::size_t commits = 0, edits = 0;
  Findings total;
  std::vector<TaskStatus> rows;
  ProgressBar bar("checking tasks", tasks->size(), global.quiet || opt.json);
  for (const store::Task& task : *tasks) {
    TaskStatus row;
    row.task = task;
    const auto record = records->find(task.sequence_id);
    row.sequence = record != records->end() ? record->second.name : std::string();
    if (formats::Status s = add_throughput(*store, task, people, commits, edits); !s) {
      return report(s.error());
    }
    auto comments = store->comments(task.id);
    if (!comments) return report(comments.error());
    for (const store::Comment& c : *comments) row.open_comments += c.resolved ? 0 : 1;

    if (!opened.count(task.sequence_id)) {
      opened[task.sequence_id] = record != records->end() && !opt.no_points
                                     ? open_recorded_sequence(record->second, registry)
                                     : std::nullopt;
    }
    const std::optional<formats::Sequence>& sequence = opened[task.sequence_id];
    row.points_counted = sequence.has_value();
    plugin::QaOptions options;
    options.check_points = sequence.has_value();
    auto findings = check_task(*store, task, sequence ? &*sequence : nullptr, options);
    if (!findings) return report(findings.error());
    row.findings = *findings;
    total.add(row.findings);
    rows.push_back(std::move(row));
    bar.update(rows.size());
    if (formats::Status cancelled = CancelToken::check(); !cancelled) {
      return report(cancelled.error());
    }
  }
  if (opt.json) {
    print_report_json(json_report(rows, people, commits, edits, total));
  } else {
    print_text(project->name, rows, people, commits, edits, total);
  }
  return kExitOk;
}

}  // namespace

void add_project_status_command(CLI::App* project, const GlobalOptions& global,
                                const plugin::Registry& registry, CommandAction& action) {
  auto opt = std::make_shared<StatusOptions>();
  CLI::App* cmd = project->add_subcommand(
      "status",
      "Where a project stands: each task's state, assignee, version, lease, open comments and QA "
      "findings (the checks of `pcanno check` on its frames), and each person's throughput");
  add_store_options(cmd, opt->store);
  cmd->add_option("--project", opt->project, "The project")->required();
  cmd->add_flag("--no-points", opt->no_points,
                "Do not read the sequences' clouds (QA without the few-points check)");
  cmd->add_flag("--json", opt->json,
                "One JSON object: \"tasks\", \"people\", \"totals\" (app/README.md)");
  cmd->callback([opt, &global, &registry, &action] {
    action = [opt, &global, &registry] { return run_status(*opt, global, registry); };
  });
}

}  // namespace pcanno::app
