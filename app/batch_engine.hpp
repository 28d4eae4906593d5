#pragma once
#include <chrono>
#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "batch_run.hpp"
#include "pcanno/formats/support/expected.hpp"

// The pieces of `pcanno batch` that engines call: one task, the local pool, the merge, the
// reports, status and cancel.

namespace pcanno::app::batch {

/// The Slurm engine's job settings, passed to sbatch (batch_slurm.cpp).
struct SlurmOptions {
  std::string partition;                 ///< --partition; empty: the cluster's default
  std::string time;                      ///< --time of one array task ("10:00")
  std::string mem;                       ///< --mem of one array task ("4G")
  int cpus_per_task = 0;                 ///< --cpus-per-task; 0: the cluster's default
  int max_running = 0;                   ///< array tasks at once (--array=...%N); 0: no limit
  std::vector<std::string> sbatch_args;  ///< more sbatch arguments, as given
  bool wait = false;  ///< follow the jobs until the run is merged, then report
};

/// The settings of a run file's "slurm" object (also what engine.json keeps); throws
/// nlohmann::json::exception on a value of the wrong type. `wait` is the command line's.
SlurmOptions slurm_options_from(const nlohmann::json& j);

struct EngineOptions {
  std::string engine = "local";  ///< "local" or "slurm"
  int jobs = 1;
  int retries = 2;  ///< attempts after the first, per task and run
  bool quiet = false;
  SlurmOptions slurm;
};

/// `pcanno batch --task I RUNDIR` (batch_task.cpp): exit 0 done, 1 failed, 130 cancelled.
int run_task(const RunDir& dir, std::size_t index);

/// What one engine run did, for the reports.
struct RunOutcome {
  std::size_t ran = 0;      ///< tasks started at least once in this run
  std::size_t skipped = 0;  ///< up to date
  std::size_t failed = 0;   ///< still failed after the retries
  bool cancelled = false;
  std::string merge;  ///< "merged", "up to date", "not merged: ..." or an error
  bool merge_ok = false;
  double seconds = 0.0;  ///< [s] wall time of the run
};

/// The local engine (batch_local.cpp): `jobs` worker processes, each `pcanno batch --task I`.
int run_local(const Plan& plan, const RunDir& dir, const EngineOptions& options);

/// The Slurm engine (batch_slurm.cpp): submits one job array over the tasks that need work and a
/// finishing job (`pcanno batch finish RUNDIR`, afterany); with `slurm.wait`, follows them.
int run_slurm(const Plan& plan, const RunDir& dir, const EngineOptions& options);
/// `pcanno batch finish RUNDIR`, the Slurm finishing job: resubmits failed tasks while retries
/// remain, else merges and writes the summary.
int finish_slurm(const RunDir& dir, bool quiet);
/// The Slurm jobs of a run's engine record still queued or running ("" when none), and
/// `scancel` of them; both false/empty for another engine.
std::string slurm_jobs_active(const nlohmann::json& engine);
int cancel_slurm(const nlohmann::json& engine);

/// Assembles the output root from the parts (batch_merge.cpp). Skipped (`merged` false) when the
/// parts are those of the last merge and the output is there; idempotent otherwise.
formats::Status merge_outputs(const Plan& plan, const RunDir& dir, bool& merged);

/// Ends a run (batch_merge.cpp): merges when every sequence is done and not cancelled, writes
/// summary.json, prints the summary. Exit 0, 1 (a sequence not done, a failed merge) or 130.
int finish_run(const Plan& plan, const RunDir& dir, RunOutcome& outcome,
               std::chrono::steady_clock::time_point t0, bool quiet);

/// `pcanno batch merge RUNDIR`: finish_run() from the records alone, for an engine whose tasks ran
/// elsewhere (a Slurm job's finishing step). A sequence not done and up to date counts as failed.
int merge_run(const RunDir& dir, bool quiet);

/// The summary (batch_report.cpp): summary.json in the run directory and the human one on stdout.
nlohmann::json summary_json(const Plan& plan, const RunDir& dir, const RunOutcome& outcome);
void print_summary(const nlohmann::json& summary);

/// engine.json: which engine runs (ran) the run, and its facts; an empty object when missing.
nlohmann::json engine_record(const RunDir& dir);

/// `pcanno batch status RUNDIR` and `pcanno batch cancel RUNDIR`.
int print_status(const RunDir& dir, bool as_json);
int cancel_run(const RunDir& dir);

}  // namespace pcanno::app::batch
