#pragma once
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "pcanno/formats/support/expected.hpp"

// `pcanno batch`: the run file, the run directory and the per-sequence state records that every
// engine shares (docs/batch.md). The engine that starts tasks (local worker processes now, a
// Slurm array later) only decides where `pcanno batch --task I RUNDIR` runs; what a task does and
// what it records is here and in batch_task.cpp.

namespace pcanno::app::batch {

/// What the user asked for: a run file, or the same built from inline flags.
struct RunSpec {
  std::string operation;  ///< convert, check
  /// Options of the single-sequence command, by long name without dashes: {"to": "nuscenes"};
  /// true adds a flag, false leaves it out, an array repeats the option.
  nlohmann::json options = nlohmann::json::object();
  std::filesystem::path dataset;  ///< dataset root holding the sequences (KITTI training/, ...)
  std::vector<std::string> sequences;  ///< subset of the dataset's sequences; empty: all
  std::vector<std::string> files;      ///< label files or glob patterns, one sequence each
  std::filesystem::path output;        ///< output root
  std::filesystem::path run_dir;       ///< empty: `<output>.batch`
  std::optional<int> jobs;             ///< local engine: worker processes
  std::optional<int> retries;          ///< attempts after the first one
  std::optional<std::string> engine;   ///< "local" (default) or "slurm"
  /// Slurm engine: partition, time, mem, cpus_per_task, max_running, sbatch_args
  /// (docs/batch.md).
  nlohmann::json slurm = nlohmann::json::object();
};

/// Reads a run file (JSON, docs/batch.md); relative paths are taken from the file's folder.
formats::Expected<RunSpec> read_run_file(const std::filesystem::path& file);
/// The spec as a run file with absolute paths (the copy kept in the run directory).
nlohmann::json to_json(const RunSpec& spec);
formats::Expected<RunSpec> run_spec_from_json(const nlohmann::json& j,
                                              const std::filesystem::path& base);

/// One sequence's task: what it reads and what identifies its inputs.
struct Task {
  std::string name;           ///< sequence name, also the name of its state, log and part
  std::string input;          ///< what the command reads (dataset root or label file)
  std::string labels;         ///< the sequence's own label file or folder
  std::string dataset;        ///< dataset for calibration, poses, clouds (may be empty)
  std::string sequence_name;  ///< sequence inside `dataset` / `input` (may be empty)
  /// Files whose bytes identify the inputs, and folders (clouds) whose listing does: names,
  /// sizes and modification times, since reading gigabytes to decide to skip would cost as much
  /// as the work.
  std::vector<std::string> files;
  std::vector<std::string> folders;
};

/// The resolved run: the spec and its tasks in a fixed order (task I of every engine).
struct Plan {
  RunSpec spec;
  std::vector<Task> tasks;
};

/// Lists the sequences of the spec's inputs. `codec_id` names the label codec that reads the
/// dataset (kitti-tracking, nuscenes), found by the caller through the plugin registry.
formats::Expected<Plan> make_plan(const RunSpec& spec, const std::string& codec_id);

/// Paths inside the run directory.
struct RunDir {
  std::filesystem::path root;
  std::filesystem::path run_file() const { return root / "run.json"; }
  std::filesystem::path plan_file() const { return root / "plan.json"; }
  std::filesystem::path engine_file() const { return root / "engine.json"; }
  std::filesystem::path summary_file() const { return root / "summary.json"; }
  std::filesystem::path merge_file() const { return root / "merge.json"; }
  std::filesystem::path lock_file() const { return root / "lock"; }
  std::filesystem::path state(const std::string& name) const {
    return root / "state" / (name + ".json");
  }
  std::filesystem::path log(const std::string& name) const {
    return root / "logs" / (name + ".log");
  }
  std::filesystem::path staging(const std::string& name) const { return root / "staging" / name; }
  std::filesystem::path part(const std::string& name) const { return root / "parts" / name; }
};

/// The run directory of a spec: `run_dir`, else `<output>.batch` beside the output.
std::filesystem::path default_run_dir(const RunSpec& spec);

/// Makes the folders of a run directory.
formats::Status make_run_dir(const RunDir& dir);

formats::Status write_plan(const RunDir& dir, const Plan& plan);
formats::Expected<Plan> read_plan(const RunDir& dir);

/// How a task ended (or that it is under way).
enum class TaskStatus { kPending, kRunning, kDone, kFailed, kCancelled };
std::string to_string(TaskStatus s);

/// One sequence's record, `state/<name>.json`, written atomically by the task itself (and by the
/// engine when a worker died without writing it).
struct TaskState {
  std::string name;
  std::size_t index = 0;
  TaskStatus status = TaskStatus::kPending;
  std::string input_hash;  ///< hash of the inputs' bytes, operation, options and pcanno version
  int attempts = 0;        ///< since the inputs last changed
  int exit_code = 0;       ///< of the sequence's command; 128+N when killed by signal N
  std::string started;     ///< UTC, ISO 8601
  std::string finished;
  double seconds = 0.0;  ///< [s] of the last attempt
  std::string log;       ///< relative to the run directory
  std::int64_t pid = 0;  ///< the task process while running
  std::string host;
  std::string error;                                 ///< the last error line of a failed attempt
  nlohmann::json counts = nlohmann::json::object();  ///< what the operation counted
  std::vector<std::string> warnings;
};

std::optional<TaskState> read_state(const RunDir& dir, const std::string& name);
formats::Status write_state(const RunDir& dir, const TaskState& state);

/// The input hash of `task` under `plan`'s operation and options (32 hex digits).
std::string input_hash(const Plan& plan, const Task& task);

/// True when the task needs no work: done, same input hash, its part in place.
bool up_to_date(const RunDir& dir, const std::optional<TaskState>& state, const std::string& hash);

/// True when process `pid` lives and runs pcanno batch (not a reused pid), and its command line
/// holds `also` (" --task 3 ": that task).
bool is_batch_process(std::int64_t pid, const std::string& also = "");

/// Now in UTC, ISO 8601 with milliseconds.
std::string utc_now();
std::string host_name();
/// The bytes of `file`, empty when it cannot be read (reports and records that may be missing).
std::string slurp(const std::filesystem::path& file);
/// This program's path (/proc/self/exe), for starting `pcanno batch --task` elsewhere.
std::string self_exe();

}  // namespace pcanno::app::batch
