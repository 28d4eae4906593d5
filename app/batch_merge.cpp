// The merge step of `pcanno batch`: the output root assembled from the per-sequence parts in the
// run directory, built beside it and renamed into place. Where the format is one dataset, one
// dataset: nuScenes (one dataroot, formats::merge_nuscenes_dataroots), KITTI tracking (the label
// files and one seqmap); otherwise one output per sequence plus index.json. The same parts give
// the same bytes; merge.json remembers which parts the output holds, so a re-run with nothing
// changed does not merge again. finish_run() ends every run, whichever engine ran the tasks.
#include <algorithm>
#include <chrono>
#include <fstream>
#include <set>
#include <sstream>
#include <system_error>

#include "batch_engine.hpp"
#include "batch_ops.hpp"
#include "cli_support.hpp"
#include "pcanno/formats/labels/kitti/codecs.hpp"
#include "pcanno/formats/labels/nuscenes/merge.hpp"
#include "pcanno/formats/support/atomic_write.hpp"
#include "pcanno/formats/support/output_folder.hpp"

namespace pcanno::app::batch {
namespace {

namespace fs = std::filesystem;
using formats::Error;
using formats::ErrorCode;
using nlohmann::json;

formats::Status link_or_copy(const fs::path& from, const fs::path& to) {
  std::error_code ec;
  fs::create_directories(to.parent_path(), ec);
  if (!ec) fs::create_hard_link(from, to, ec);
  if (ec) {
    ec.clear();
    fs::copy_file(from, to, ec);
  }
  if (ec) return Error{ErrorCode::kIo, "cannot copy: " + ec.message(), from.string()};
  return {};
}

/// Every file under `from` into `to`, keeping relative paths; `skip` names files left out.
formats::Status link_tree(const fs::path& from, const fs::path& to,
                          const std::set<std::string>& skip, std::vector<std::string>& files) {
  std::error_code ec;
  std::vector<fs::path> found;
  if (!fs::is_directory(from, ec)) {
    return Error{ErrorCode::kNotFound, "a finished sequence's part is missing", from.string()};
  }
  for (auto it = fs::recursive_directory_iterator(from, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    if (it->is_regular_file(ec)) found.push_back(it->path());
  }
  if (ec) return Error{ErrorCode::kIo, "cannot list the part: " + ec.message(), from.string()};
  std::sort(found.begin(), found.end());
  for (const fs::path& f : found) {
    const fs::path rel = f.lexically_relative(from);
    if (skip.count(rel.string()) > 0) continue;
    if (fs::exists(to / rel, ec)) {
      return Error{ErrorCode::kConflict, "two sequences write " + rel.string(), f.string()};
    }
    if (formats::Status s = link_or_copy(f, to / rel); !s) return s;
    files.push_back(rel.string());
  }
  return {};
}

/// Which parts, with which inputs, the output is made of.
json merge_record(const Plan& plan, const RunDir& dir) {
  json parts = json::array();
  for (const Task& t : plan.tasks) {
    const std::optional<TaskState> s = read_state(dir, t.name);
    parts.push_back({{"name", t.name},
                     {"input_hash", s ? s->input_hash : ""},
                     {"finished", s ? s->finished : ""}});
  }
  return {{"output", plan.spec.output.string()}, {"parts", parts}};
}

/// One file or folder per sequence, and index.json naming them.
formats::Status merge_each(const Plan& plan, const RunDir& dir, const fs::path& root,
                           bool kitti_tracking) {
  json index = json::array();
  std::vector<std::string> seqmap;
  const std::set<std::string> skip = {formats::kKittiTrackingSeqmapName};
  for (const Task& t : plan.tasks) {
    const fs::path part = dir.part(t.name);
    std::vector<std::string> files;
    // Parts hold <name>.json, <name>.pcanno.json or a folder: kitti/ (files), out/ (-> <name>/).
    const bool folder_out = fs::is_directory(part / "out");
    const fs::path from = kitti_tracking ? part / "kitti" : folder_out ? part / "out" : part;
    const fs::path to = folder_out ? root / t.name : root;
    if (formats::Status s = link_tree(from, to, skip, files); !s) return s;
    if (folder_out) {
      for (std::string& f : files) f = (fs::path(t.name) / f).string();
    }
    if (kitti_tracking) {
      std::istringstream lines(slurp(from / formats::kKittiTrackingSeqmapName));
      for (std::string line; std::getline(lines, line);) {
        if (!line.empty()) seqmap.push_back(line + "\n");
      }
    }
    const std::optional<TaskState> s = read_state(dir, t.name);
    index.push_back({{"name", t.name},
                     {"files", files},
                     {"counts", s ? s->counts : json::object()},
                     {"warnings", s ? s->warnings : std::vector<std::string>()}});
  }
  if (kitti_tracking) {
    std::sort(seqmap.begin(), seqmap.end());
    seqmap.erase(std::unique(seqmap.begin(), seqmap.end()), seqmap.end());
    std::string text;
    for (const std::string& line : seqmap) text += line;
    return formats::write_staged_file(root / formats::kKittiTrackingSeqmapName, text);
  }
  const json j = {
      {"operation", plan.spec.operation}, {"options", plan.spec.options}, {"sequences", index}};
  return formats::write_staged_file(root / "index.json", j.dump(1) + "\n");
}

}  // namespace

formats::Status merge_outputs(const Plan& plan, const RunDir& dir, bool& merged) {
  merged = false;
  const json record = merge_record(plan, dir);
  std::error_code ec;
  const fs::path out = plan.spec.output;
  if (fs::exists(out, ec) && fs::exists(dir.merge_file(), ec)) {
    const json last = json::parse(slurp(dir.merge_file()), nullptr, false);
    if (!last.is_discarded() && last == record) return {};
  }
  const std::string to = output_format(plan.spec);
  if (to == "nuscenes") {
    std::vector<fs::path> parts;
    for (const Task& t : plan.tasks) parts.push_back(dir.part(t.name) / "nuscenes");
    if (formats::Status s = formats::merge_nuscenes_dataroots(parts, out, true); !s) return s;
  } else {
    formats::OutputFolders folders;
    if (formats::Status made = folders.create(out.parent_path()); !made) return made;
    auto staged = formats::StagedDirectory::begin(out, /*overwrite=*/true);
    if (!staged) return std::move(staged).error();
    const bool kitti = to == "kitti-tracking";
    if (formats::Status s = merge_each(plan, dir, staged->path(), kitti); !s) return s;
    if (formats::Status s = staged->commit(); !s) return s;
    folders.keep();
  }
  merged = true;
  return formats::write_file_atomic(dir.merge_file(), record.dump(1) + "\n", true);
}

int finish_run(const Plan& plan, const RunDir& dir, RunOutcome& outcome,
               std::chrono::steady_clock::time_point t0, bool quiet) {
  // Only parts of the current inputs are merged: a record an engine trusted by mistake (a stale
  // "done") must not reach the output.
  std::size_t stale = 0;
  for (const Task& t : plan.tasks) {
    if (!up_to_date(dir, read_state(dir, t.name), input_hash(plan, t))) ++stale;
  }
  if (outcome.cancelled) {
    outcome.merge = "not merged: the run was cancelled";
  } else if (outcome.failed == 0 && stale > 0) {
    outcome.failed = stale;
    outcome.merge = "not merged: " + std::to_string(stale) + " sequence" + (stale == 1 ? "" : "s") +
                    " not done for the current inputs";
  } else if (outcome.failed > 0) {
    outcome.merge = "not merged: " + std::to_string(outcome.failed) + " sequence" +
                    (outcome.failed == 1 ? "" : "s") + " not done";
  } else {
    bool merged = false;
    const formats::Status s = merge_outputs(plan, dir, merged);
    outcome.merge_ok = static_cast<bool>(s);
    outcome.merge =
        s ? (merged ? "merged" : "up to date") : "merge failed: " + s.error().describe();
  }
  outcome.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const json summary = summary_json(plan, dir, outcome);
  const formats::Status written =
      formats::write_file_atomic(dir.summary_file(), summary.dump(1) + "\n", /*overwrite=*/true);
  if (!quiet) print_summary(summary);
  if (!written) return report(written.error());
  if (outcome.cancelled) {
    return report(formats::Error{formats::ErrorCode::kCancelled, "cancelled", ""});
  }
  if (outcome.failed > 0 || !outcome.merge_ok) return kExitFailure;
  return kExitOk;
}

int merge_run(const RunDir& dir, bool quiet) {
  const auto t0 = std::chrono::steady_clock::now();
  auto plan = read_plan(dir);
  if (!plan) return report(plan.error());
  RunOutcome outcome;
  // Tasks that ran for this run (an engine that submitted them, like Slurm's) count as run.
  const std::string since = engine_record(dir).value("submitted", "");
  for (const Task& t : plan->tasks) {
    const std::optional<TaskState> s = read_state(dir, t.name);
    if (up_to_date(dir, s, input_hash(*plan, t))) {
      if (!since.empty() && s->started >= since) {
        ++outcome.ran;
      } else {
        ++outcome.skipped;
      }
    } else {
      ++outcome.failed;  // failed, interrupted, never run, or its inputs changed since
    }
  }
  return finish_run(*plan, dir, outcome, t0, quiet);
}

}  // namespace pcanno::app::batch
