// What the `project` subcommands share: opening the store from --db/--user, the datasets the
// store refers to, and the way tasks are shown.
#include <filesystem>
#include <iostream>
#include <system_error>
#include <utility>

#include <CLI/CLI.hpp>

#include "pcanno/plugin/registry.hpp"
#include "pcanno/store/open_store.hpp"
#include "project_command.hpp"
#include "report_json.hpp"

namespace pcanno::app {

void add_store_options(CLI::App* cmd, StoreArgs& args) {
  cmd->add_option("--db", args.db,
                  "The store: sqlite:PATH (one file, single-user), postgresql://USER@HOST/DB or "
                  "postgresql:KEY=VALUE ... (libpq: PGHOST, PGPASSFILE and service files apply)")
      ->envname("PCANNO_DB");
  cmd->add_option("--user", args.user,
                  "SQLite only: who acts (default: $PCANNO_USER, else $USER). A SQLite store has "
                  "no logins, so this is only a name; on PostgreSQL the login role is the user");
}

std::unique_ptr<store::ProjectStore> open_project_store(const StoreArgs& args, bool create,
                                                        int& exit_code) {
  if (args.db.empty()) {
    exit_code = report_usage(
        "--db: no store named; pass --db sqlite:PATH or --db postgresql://..., or set PCANNO_DB");
    return nullptr;
  }
  if (!args.user.empty() && args.db.rfind("sqlite:", 0) != 0) {
    exit_code = report_usage(
        "--user applies to SQLite stores only: on PostgreSQL the login role (the URL's user, "
        "PGUSER or the service file's) is the user");
    return nullptr;
  }
  store::StoreOptions options;
  options.user = args.user;
  options.create = create;
  auto opened = store::open_store(args.db, options);
  if (!opened) {
    // A URL of no known scheme is a usage error; everything else happened while opening.
    exit_code = opened.error().code == formats::ErrorCode::kInvalidArgument
                    ? report_usage(opened.error().describe())
                    : report(opened.error());
    return nullptr;
  }
  return std::move(*opened);
}

formats::Expected<std::map<std::int64_t, store::SequenceRecord>> sequences_by_id(
    store::ProjectStore& store, std::int64_t project_id) {
  auto listed = store.sequences(project_id);
  if (!listed) return std::move(listed).error();
  std::map<std::int64_t, store::SequenceRecord> out;
  for (store::SequenceRecord& record : *listed) out[record.id] = std::move(record);
  return out;
}

std::optional<formats::Sequence> open_recorded_sequence(const store::SequenceRecord& record,
                                                        const plugin::Registry& registry) {
  std::error_code ec;
  if (record.uri.empty() || !std::filesystem::exists(record.uri, ec)) return std::nullopt;
  formats::SequenceOptions options;
  options.layout = record.layout;
  options.name = record.name;
  options.readers = registry.shared_readers();
  auto opened = formats::open_sequence(record.uri, options);
  if (!opened) return std::nullopt;
  return std::move(*opened);
}

std::string frame_range_text(const store::Task& task) {
  return std::to_string(task.first_frame) + "-" + std::to_string(task.last_frame);
}

plugin::ReportValue task_report(const store::Task& task, const std::string& sequence_name) {
  plugin::ReportValue out = plugin::ReportValue::object();
  out.add("id", task.id);
  out.add("project_id", task.project_id);
  out.add("sequence", sequence_name);
  out.add("sequence_id", task.sequence_id);
  out.add("first_frame", task.first_frame);
  out.add("last_frame", task.last_frame);
  out.add("label_kinds", store::label_kinds_to_string(task.label_kinds));
  out.add("state", store::to_string(task.state));
  out.add("assignee", task.assignee);
  out.add("version", task.version);
  out.add("lease_holder", task.lease_holder);
  return out;
}

void print_report_json(const plugin::ReportValue& value) {
  std::cout << to_json(value).dump(2) << '\n';
}

formats::Annotations crop_to_frames(const formats::Annotations& document, std::int64_t first,
                                    std::int64_t last) {
  const auto inside = [first, last](std::int64_t frame) { return frame >= first && frame <= last; };
  formats::Annotations out = document;
  out.tracks.clear();
  for (const formats::Track& track : document.tracks) {
    formats::Track kept = track;
    kept.boxes.clear();
    for (const formats::BoxState& box : track.boxes) {
      if (inside(box.frame)) kept.boxes.push_back(box);
    }
    if (!kept.boxes.empty()) out.tracks.push_back(std::move(kept));
  }
  out.polylines.clear();
  for (const formats::PolylineTrack& polyline : document.polylines) {
    formats::PolylineTrack kept = polyline;
    kept.states.clear();
    for (const formats::PolylineState& state : polyline.states) {
      if (inside(state.frame)) kept.states.push_back(state);
    }
    if (!kept.states.empty()) out.polylines.push_back(std::move(kept));
  }
  out.ignore_regions.clear();
  for (const formats::IgnoreRegion& region : document.ignore_regions) {
    if (inside(region.frame)) out.ignore_regions.push_back(region);
  }
  return out;
}

}  // namespace pcanno::app
