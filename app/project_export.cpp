// `pcanno project export --project P --to CODEC --out DIR`: the accepted work of a project, one
// output per sequence, in any format of the registry. A sequence's accepted tasks are merged: each
// task contributes what lies in its own frame range. The writing is `pcanno convert`'s for a set of
// sequences (convert_set.cpp: staged beside --out, moved in only when all were written, existing
// outputs refused without --force), fed by a reader that hands over the merged documents.
#include <algorithm>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <system_error>
#include <utility>
#include <variant>
#include <vector>

#include <CLI/CLI.hpp>

#include "convert_set.hpp"
#include "label_input.hpp"
#include "pcanno/formats/labels/document/document.hpp"
#include "pcanno/formats/labels/document/edit.hpp"
#include "pcanno/plugin/registry.hpp"
#include "project_command.hpp"

namespace pcanno::app {
namespace {

namespace fs = std::filesystem;

struct ExportOptions {
  StoreArgs store;
  std::string project;
  std::string to;
  std::string out;
  bool force = false;
};

/// One sequence of the project and its tasks, accepted or not.
struct SequenceTasks {
  store::SequenceRecord record;
  std::vector<store::Task> accepted;
  std::vector<store::Task> skipped;
};

bool inside(std::int64_t frame, const store::Task& task) {
  return frame >= task.first_frame && frame <= task.last_frame;
}

/// The track and polyline ids of a task's starting labels (version 0) that the task kept. Tasks of
/// a sequence start from the same labels, so these ids name the same objects in every task; an id
/// a task made itself names that task's object only, whatever another task made under the same
/// number. The engine numbers a new object after the highest id, so an object deleted in the task
/// may lend its id to a new one: an id the task's log ever deleted counts as the task's own.
struct StartingIds {
  std::set<std::int64_t> tracks, polylines;
};

formats::Expected<StartingIds> starting_ids(store::ProjectStore& store, std::int64_t task_id) {
  auto snapshot = store.snapshot(task_id, 0);
  if (!snapshot) return std::move(snapshot).error();
  auto document = formats::parse_pcanno_document(snapshot->document_json,
                                                 "task " + std::to_string(task_id) + " snapshot 0");
  if (!document) return std::move(document).error();
  auto log = store.history(task_id, snapshot->version);
  if (!log) return std::move(log).error();
  StartingIds ids;
  for (const formats::Track& t : document->tracks) ids.tracks.insert(t.id);
  for (const formats::PolylineTrack& p : document->polylines) ids.polylines.insert(p.id);
  for (const store::LabelCommit& commit : *log) {
    for (const formats::DocumentEdit& edit : commit.edits) {
      if (const auto* t = std::get_if<formats::TrackEdit>(&edit); t && !t->track) {
        ids.tracks.erase(t->track_id);
      }
      if (const auto* p = std::get_if<formats::PolylineEdit>(&edit); p && !p->polyline) {
        ids.polylines.erase(p->polyline_id);
      }
    }
  }
  return ids;
}

/// Where an object of a task goes in the merge: the same-id object for a starting id, else a new
/// object, under a fresh id when another task's object already holds this one.
template <typename Object, typename Find>
Object* merge_target(std::vector<Object>& merged, const Object& own,
                     const std::set<std::int64_t>& starting, std::int64_t& next_free, Find find) {
  Object* into = find(own.id);
  if (into != nullptr && starting.count(own.id) != 0) return into;
  merged.push_back(own);
  if (into != nullptr) merged.back().id = next_free++;
  return nullptr;
}

template <typename Object>
std::int64_t after_last_id(const std::vector<Object>& a, const std::vector<Object>& b) {
  std::int64_t last = 0;
  for (const Object& o : a) last = std::max(last, o.id);
  for (const Object& o : b) last = std::max(last, o.id);
  return last + 1;
}

/// Puts `task`'s labels on its frames into `merged`, replacing what an earlier task had there (a
/// later task owns frames that overlap). Objects of the starting labels keep their ids, so an
/// object crossing a task boundary stays one track; objects a task added are its own.
void take_task_frames(formats::Annotations& merged, const formats::Annotations& labels,
                      const store::Task& task, const StartingIds& starting) {
  for (formats::Track& track : merged.tracks) {
    auto& boxes = track.boxes;
    boxes.erase(std::remove_if(boxes.begin(), boxes.end(),
                               [&](const formats::BoxState& b) { return inside(b.frame, task); }),
                boxes.end());
  }
  for (formats::PolylineTrack& polyline : merged.polylines) {
    auto& states = polyline.states;
    states.erase(
        std::remove_if(states.begin(), states.end(),
                       [&](const formats::PolylineState& s) { return inside(s.frame, task); }),
        states.end());
  }
  auto& regions = merged.ignore_regions;
  regions.erase(
      std::remove_if(regions.begin(), regions.end(),
                     [&](const formats::IgnoreRegion& r) { return inside(r.frame, task); }),
      regions.end());

  const formats::Annotations own = crop_to_frames(labels, task.first_frame, task.last_frame);
  std::int64_t next_track = after_last_id(merged.tracks, own.tracks);
  for (const formats::Track& track : own.tracks) {
    formats::Track* into = merge_target(merged.tracks, track, starting.tracks, next_track,
                                        [&](std::int64_t id) { return merged.track(id); });
    if (into != nullptr)
      into->boxes.insert(into->boxes.end(), track.boxes.begin(), track.boxes.end());
  }
  std::int64_t next_polyline = after_last_id(merged.polylines, own.polylines);
  for (const formats::PolylineTrack& polyline : own.polylines) {
    formats::PolylineTrack* into =
        merge_target(merged.polylines, polyline, starting.polylines, next_polyline,
                     [&](std::int64_t id) { return merged.polyline(id); });
    if (into != nullptr) {
      into->states.insert(into->states.end(), polyline.states.begin(), polyline.states.end());
    }
  }
  regions.insert(regions.end(), own.ignore_regions.begin(), own.ignore_regions.end());
  for (const formats::ClassSpec& spec : labels.classes) {
    if (merged.class_spec(spec.name) == nullptr) merged.classes.push_back(spec);
  }
  if (labels.frames.size() > merged.frames.size()) merged.frames = labels.frames;
  merged.normalize();
}

/// The accepted tasks' labels of one sequence as one document.
formats::Expected<formats::Annotations> merge_accepted(store::ProjectStore& store,
                                                       const SequenceTasks& sequence) {
  std::vector<store::Task> order = sequence.accepted;
  std::sort(order.begin(), order.end(),
            [](const store::Task& a, const store::Task& b) { return a.id < b.id; });
  formats::Annotations merged;
  for (std::size_t i = 0; i < order.size(); ++i) {
    auto labels = store.labels(order[i].id);
    if (!labels) return std::move(labels).error();
    if (i == 0) {
      // The document's own facts (sequence, frames, schema, tags) come from the first task.
      merged = labels->document;
      merged.tracks.clear();
      merged.polylines.clear();
      merged.ignore_regions.clear();
    }
    auto starting = starting_ids(store, order[i].id);
    if (!starting) return std::move(starting).error();
    take_task_frames(merged, labels->document, order[i], *starting);
  }
  merged.tracks.erase(std::remove_if(merged.tracks.begin(), merged.tracks.end(),
                                     [](const formats::Track& t) { return t.boxes.empty(); }),
                      merged.tracks.end());
  merged.polylines.erase(
      std::remove_if(merged.polylines.begin(), merged.polylines.end(),
                     [](const formats::PolylineTrack& p) { return p.states.empty(); }),
      merged.polylines.end());
  return merged;
}

std::string task_list(const std::vector<store::Task>& tasks, bool with_state) {
  std::ostringstream out;
  for (std::size_t i = 0; i < tasks.size(); ++i) {
    out << (i ? ", " : "") << tasks[i].id << " (frames " << frame_range_text(tasks[i])
        << (with_state ? std::string(", ") + store::to_string(tasks[i].state) : "") << ")";
  }
  return out.str();
}

/// Frame ranges of the sequence no accepted task covers: "5-9, 12-12".
std::string uncovered_frames(const SequenceTasks& sequence) {
  std::string out;
  std::int64_t start = -1;
  for (std::int64_t f = 0; f <= sequence.record.frame_count; ++f) {
    const bool covered = f == sequence.record.frame_count ||
                         std::any_of(sequence.accepted.begin(), sequence.accepted.end(),
                                     [f](const store::Task& t) { return inside(f, t); });
    if (!covered && start < 0) start = f;
    if (covered && start >= 0) {
      out += (out.empty() ? "" : ", ") + std::to_string(start) + "-" + std::to_string(f - 1);
      start = -1;
    }
  }
  return out;
}

int run_export(const ExportOptions& opt, const GlobalOptions& global,
               const plugin::Registry& registry) {
  warn_plugin_failures(registry);
  const formats::LabelCodec* writer = registry.codecs().find(opt.to);
  if (writer == nullptr || !writer->write) {
    std::string ids;
    for (const formats::LabelCodec& c : registry.codecs().codecs()) {
      if (c.write) ids += (ids.empty() ? "" : ", ") + c.id;
    }
    return report_usage("--to: cannot write labels as '" + opt.to + "'; output formats: " + ids);
  }
  int code = kExitOk;
  auto store = open_project_store(opt.store, false, code);
  if (!store) return code;
  auto project = store->project(opt.project);
  if (!project) return report(project.error());
  auto records = store->sequences(project->id);
  if (!records) return report(records.error());
  store::TaskFilter filter;
  filter.project_id = project->id;
  auto tasks = store->tasks(filter);
  if (!tasks) return report(tasks.error());

  std::vector<SequenceTasks> sequences;
  for (const store::SequenceRecord& record : *records) {
    SequenceTasks s;
    s.record = record;
    for (const store::Task& task : *tasks) {
      if (task.sequence_id != record.id) continue;
      (task.state == store::TaskState::kAccepted ? s.accepted : s.skipped).push_back(task);
    }
    sequences.push_back(std::move(s));
  }

  // The merged documents, handed to convert_set() by a reader that looks them up by unit.
  auto documents = std::make_shared<std::map<std::string, formats::Annotations>>();
  std::vector<LabelUnit> units;
  for (const SequenceTasks& s : sequences) {
    if (!global.quiet) {
      if (s.accepted.empty()) {
        std::cout << "sequence " << s.record.name << ": skipped, no accepted task"
                  << (s.skipped.empty() ? "" : " (" + task_list(s.skipped, true) + ")") << '\n';
      } else {
        std::cout << "sequence " << s.record.name << ": exporting task"
                  << (s.accepted.size() == 1 ? " " : "s ") << task_list(s.accepted, false) << '\n';
        if (!s.skipped.empty()) {
          std::cout << "  skipped, not accepted: " << task_list(s.skipped, true) << '\n';
        }
        const std::string gaps = uncovered_frames(s);
        if (!gaps.empty()) {
          std::cout << "  frames " << gaps << " are in no accepted task: exported unlabelled\n";
        }
      }
    }
    if (s.accepted.empty()) continue;
    auto merged = merge_accepted(*store, s);
    if (!merged) return report(merged.error());
    LabelUnit unit;
    unit.name = s.record.name;
    unit.labels = std::to_string(s.record.id);
    unit.sequence = open_recorded_sequence(s.record, registry);
    (*documents)[unit.labels.string()] = std::move(*merged);
    units.push_back(std::move(unit));
  }
  if (units.empty()) {
    return report_message("nothing to export: project " + project->name + " has no accepted task");
  }

  formats::LabelCodec reader;
  reader.id = "project";
  reader.read = [documents](const fs::path& key, const formats::LabelContext&) {
    return formats::Expected<formats::Annotations>((*documents)[key.string()]);
  };
  ConvertOptions convert;
  convert.input = "project " + project->name;
  convert.to = opt.to;
  convert.out = opt.out;
  convert.force = opt.force;
  // One sequence is written as `convert` writes one document: to --out itself, which is refused
  // here when it exists (several are checked by convert_set()).
  std::error_code ec;
  if (units.size() == 1 && !opt.force && fs::exists(fs::symlink_status(opt.out, ec))) {
    return refuse_to_replace({fs::path(opt.out)});
  }
  formats::LabelContext context;
  context.overwrite = opt.force;
  return convert_set(convert, global, reader, *writer, std::move(units), context);
}

}  // namespace

void add_project_export_command(CLI::App* project, const GlobalOptions& global,
                                const plugin::Registry& registry, CommandAction& action) {
  auto opt = std::make_shared<ExportOptions>();
  CLI::App* cmd = project->add_subcommand(
      "export",
      "Write the accepted labels of every sequence that has accepted tasks, in any output "
      "format; several accepted tasks of a sequence are merged, each giving its own frames");
  add_store_options(cmd, opt->store);
  cmd->add_option("--project", opt->project, "The project")->required();
  cmd->add_option("--to", opt->to, "Output format (as `pcanno convert --to`)")->required();
  cmd->add_option("--out", opt->out,
                  "As `pcanno convert --out`: one sequence is written to this path; several go "
                  "into this folder, one output per sequence (nuScenes: one dataroot)")
      ->required();
  cmd->add_flag("-f,--force", opt->force, "Replace existing output");
  cmd->callback([opt, &global, &registry, &action] {
    action = [opt, &global, &registry] { return run_export(*opt, global, registry); };
  });
}

}  // namespace pcanno::app
