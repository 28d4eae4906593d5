// The Slurm engine: the cluster's scheduler, not one of ours. One job array runs
// `pcanno batch --task I RUNDIR` for the tasks that need work, on the shared filesystem, and a
// finishing job that depends on the whole array (afterany: it runs whether tasks failed or not)
// runs `pcanno batch finish RUNDIR`. That step resubmits the failed tasks while retries remain
// (a new array and a new finishing job: a round), and otherwise merges and writes the summary.
// Every task records itself as it does under the local engine, so a task that was cancelled,
// killed or never ran is simply not done, and the next run redoes it alone.
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <iostream>
#include <map>
#include <thread>
#include <vector>

#include "batch_engine.hpp"
#include "cli_support.hpp"
#include "pcanno/formats/support/atomic_write.hpp"

extern char** environ;

namespace pcanno::app::batch {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

struct Output {
  int exit_code = -1;
  std::string text;  ///< stdout and stderr together
};

/// Runs `argv` (found on PATH) and collects what it prints; no shell in between.
Output run_program(const std::vector<std::string>& argv) {
  Output out;
  int pipe_fds[2];
  if (::pipe(pipe_fds) != 0) return out;
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDERR_FILENO);
  posix_spawn_file_actions_addclose(&actions, pipe_fds[0]);
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = 0;
  const int spawned = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(pipe_fds[1]);
  if (spawned != 0) {
    ::close(pipe_fds[0]);
    out.text = argv[0] + ": cannot be started (is Slurm installed and on PATH?)";
    return out;
  }
  char buffer[4096];
  ssize_t n = 0;
  while ((n = ::read(pipe_fds[0], buffer, sizeof buffer)) > 0) out.text.append(buffer, n);
  ::close(pipe_fds[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  out.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  while (!out.text.empty() && (out.text.back() == '\n' || out.text.back() == ' ')) {
    out.text.pop_back();
  }
  return out;
}

/// `text` as one word for sh (the array's --wrap script): paths may hold spaces or quotes.
std::string shell_word(const std::string& text) {
  std::string out = "'";
  for (const char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

/// The sbatch options every job of the run shares.
std::vector<std::string> job_options(const SlurmOptions& slurm) {
  std::vector<std::string> args;
  if (!slurm.partition.empty()) args.push_back("--partition=" + slurm.partition);
  if (!slurm.time.empty()) args.push_back("--time=" + slurm.time);
  return args;
}

formats::Expected<std::string> sbatch(std::vector<std::string> args) {
  args.insert(args.begin(), {"sbatch", "--parsable"});
  const Output out = run_program(args);
  // --parsable prints "jobid" or "jobid;cluster".
  const std::string id = out.text.substr(0, out.text.find(';'));
  if (out.exit_code != 0 || id.empty() || id.find_first_not_of("0123456789") != std::string::npos) {
    return formats::Error{formats::ErrorCode::kIo, "sbatch refused the job: " + out.text, ""};
  }
  return id;
}

/// One round: an array over `indices` and its finishing job. Returns {array, finish}.
formats::Expected<std::pair<std::string, std::string>> submit_round(
    const RunDir& dir, const std::vector<std::size_t>& indices, const SlurmOptions& slurm) {
  std::string list;
  for (const std::size_t i : indices) list += (list.empty() ? "" : ",") + std::to_string(i);
  if (slurm.max_running > 0) list += "%" + std::to_string(slurm.max_running);
  const std::string exe = shell_word(self_exe());
  const std::string root = shell_word(dir.root.string());
  std::vector<std::string> array = job_options(slurm);
  array.push_back("--job-name=pcanno-batch");
  array.push_back("--array=" + list);
  array.push_back("--output=" + (dir.root / "logs" / "slurm-%A_%a.out").string());
  if (!slurm.mem.empty()) array.push_back("--mem=" + slurm.mem);
  if (slurm.cpus_per_task > 0) {
    array.push_back("--cpus-per-task=" + std::to_string(slurm.cpus_per_task));
  }
  array.insert(array.end(), slurm.sbatch_args.begin(), slurm.sbatch_args.end());
  array.push_back("--wrap=exec " + exe + " batch --task \"$SLURM_ARRAY_TASK_ID\" " + root);
  auto array_id = sbatch(array);
  if (!array_id) return std::move(array_id).error();
  std::vector<std::string> finish = job_options(slurm);
  finish.push_back("--job-name=pcanno-batch-finish");
  finish.push_back("--dependency=afterany:" + *array_id);
  finish.push_back("--output=" + (dir.root / "logs" / "slurm-finish-%j.out").string());
  finish.push_back("--wrap=exec " + exe + " batch finish " + root);
  auto finish_id = sbatch(finish);
  if (!finish_id) {
    run_program({"scancel", *array_id});  // no array without its finishing job
    return std::move(finish_id).error();
  }
  return std::make_pair(*array_id, *finish_id);
}

json slurm_options_json(const SlurmOptions& s) {
  return {{"partition", s.partition},
          {"time", s.time},
          {"mem", s.mem},
          {"cpus_per_task", s.cpus_per_task},
          {"max_running", s.max_running},
          {"sbatch_args", s.sbatch_args}};
}

/// Every job id the engine record names, arrays and finishing jobs of every round.
std::vector<std::string> job_ids(const json& engine) {
  std::vector<std::string> ids;
  for (const json& round : engine.value("rounds", json::array())) {
    ids.push_back(round.value("array", ""));
    ids.push_back(round.value("finish", ""));
  }
  return ids;
}

/// Follows the run until its last finishing job has ended (rounds may be added meanwhile), with
/// one line per task that finished; then the summary it wrote decides the exit code.
int wait_for_run(const Plan& plan, const RunDir& dir, bool quiet) {
  std::map<std::string, std::string> seen;
  std::size_t finished = 0;
  while (true) {
    for (const Task& t : plan.tasks) {
      const std::optional<TaskState> s = read_state(dir, t.name);
      if (!s || s->status == TaskStatus::kRunning || s->status == TaskStatus::kPending) continue;
      const std::string key = to_string(s->status) + "@" + s->finished;
      if (seen[t.name] == key) continue;
      seen[t.name] = key;
      ++finished;
      if (!quiet) {
        std::cerr << "[" << finished << "] " << t.name << " " << to_string(s->status)
                  << " (attempt " << s->attempts << ")"
                  << (s->status == TaskStatus::kDone ? "" : ": " + s->error) << '\n';
      }
    }
    if (slurm_jobs_active(engine_record(dir)).empty()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  std::ifstream in(dir.summary_file());
  const json summary = json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (summary.is_discarded()) {
    return report_message("the run's finishing job ended without a summary; see " +
                          (dir.root / "logs").string());
  }
  if (!quiet) print_summary(summary);
  const std::string merge = summary.value("merge", "");
  const bool ok = summary.value("failed", 1) == 0 && !summary.value("cancelled", false) &&
                  (merge == "merged" || merge == "up to date");
  return ok ? kExitOk : kExitFailure;
}

}  // namespace

SlurmOptions slurm_options_from(const json& j) {
  SlurmOptions s;
  s.partition = j.value("partition", "");
  s.time = j.value("time", "");
  s.mem = j.value("mem", "");
  s.cpus_per_task = j.value("cpus_per_task", 0);
  s.max_running = j.value("max_running", 0);
  s.sbatch_args = j.value("sbatch_args", std::vector<std::string>());
  return s;
}

std::string slurm_jobs_active(const json& engine) {
  if (engine.value("engine", "") != "slurm") return "";
  std::string list;
  for (const std::string& id : job_ids(engine)) list += (list.empty() ? "" : ",") + id;
  if (list.empty()) return "";
  // Pending and running jobs (array tasks appear as ARRAY_I); ended jobs are not listed.
  const Output out = run_program({"squeue", "-h", "-j", list, "-o", "%i"});
  return out.exit_code == 0 ? out.text : "";
}

int cancel_slurm(const json& engine) {
  std::vector<std::string> args = {"scancel"};
  for (const std::string& id : job_ids(engine)) args.push_back(id);
  if (args.size() == 1) return kExitOk;
  const Output out = run_program(args);
  if (out.exit_code != 0) return report_message("scancel: " + out.text);
  std::cout << "cancelled Slurm jobs";
  for (std::size_t i = 1; i < args.size(); ++i) std::cout << ' ' << args[i];
  std::cout << '\n';
  return kExitOk;
}

int run_slurm(const Plan& plan, const RunDir& dir, const EngineOptions& options) {
  // Jobs of an earlier submission still queued or running would run the same tasks twice.
  const json previous = engine_record(dir);
  if (const std::string active = slurm_jobs_active(previous); !active.empty()) {
    return report_message("Slurm jobs of this run are still queued or running (" + active +
                          "); wait for them, or `pcanno batch cancel " + dir.root.string() + "`");
  }
  if (formats::Status s = write_plan(dir, plan); !s) return report(s.error());
  std::vector<std::size_t> indices;
  json base = json::object();  // attempts before this run, so that retries count from here
  for (std::size_t i = 0; i < plan.tasks.size(); ++i) {
    const Task& task = plan.tasks[i];
    const std::optional<TaskState> s = read_state(dir, task.name);
    if (up_to_date(dir, s, input_hash(plan, task))) continue;
    indices.push_back(i);
    base[task.name] = s && s->input_hash == input_hash(plan, task) ? s->attempts : 0;
  }
  if (!options.quiet) {
    std::cerr << "pcanno batch: " << plan.spec.operation << " of " << plan.tasks.size()
              << " sequences on Slurm: " << plan.tasks.size() - indices.size() << " up to date, "
              << indices.size() << " to run\n";
  }
  if (indices.empty()) return merge_run(dir, options.quiet);  // only the merge is left
  auto round = submit_round(dir, indices, options.slurm);
  if (!round) return report(round.error());
  const json engine = {
      {"engine", "slurm"},
      {"retries", options.retries},
      {"slurm", slurm_options_json(options.slurm)},
      {"base_attempts", base},
      {"submitted", utc_now()},
      {"rounds",
       json::array({{{"array", round->first}, {"finish", round->second}, {"tasks", indices}}})}};
  if (formats::Status s = formats::write_file_atomic(dir.engine_file(), engine.dump(1) + "\n",
                                                     /*overwrite=*/true);
      !s) {
    cancel_slurm(engine);
    return report(s.error());
  }
  std::error_code ec;
  fs::remove(dir.summary_file(), ec);  // the finishing job writes this run's
  if (!options.quiet) {
    std::cerr << "submitted job array " << round->first << " (" << indices.size()
              << " tasks) and finishing job " << round->second << "; `pcanno batch status "
              << dir.root.string() << "` follows them\n";
  }
  return options.slurm.wait ? wait_for_run(plan, dir, options.quiet) : kExitOk;
}

int finish_slurm(const RunDir& dir, bool quiet) {
  auto plan = read_plan(dir);
  if (!plan) return report(plan.error());
  json engine = engine_record(dir);
  if (engine.value("engine", "") != "slurm") {
    return report_message(dir.root.string() + " was not run by the Slurm engine");
  }
  const int retries = engine.value("retries", 2);
  const json base = engine.value("base_attempts", json::object());
  std::vector<std::size_t> again;
  for (std::size_t i = 0; i < plan->tasks.size(); ++i) {
    const Task& task = plan->tasks[i];
    const std::optional<TaskState> s = read_state(dir, task.name);
    // Failed on its own: retried while this run's attempts allow. Cancelled (scancel) or never
    // recorded stays for the next run.
    if (!s || s->status != TaskStatus::kFailed) continue;
    const int attempts = s->attempts - base.value(task.name, 0);
    if (attempts >= 1 && attempts <= retries) again.push_back(i);
  }
  if (!again.empty()) {
    auto round = submit_round(dir, again, slurm_options_from(engine.value("slurm", json())));
    if (!round) return report(round.error());
    engine["rounds"].push_back(
        {{"array", round->first}, {"finish", round->second}, {"tasks", again}});
    if (formats::Status s = formats::write_file_atomic(dir.engine_file(), engine.dump(1) + "\n",
                                                       /*overwrite=*/true);
        !s) {
      return report(s.error());
    }
    if (!quiet) {
      std::cerr << "retrying " << again.size() << " failed tasks: job array " << round->first
                << ", finishing job " << round->second << '\n';
    }
    return kExitOk;
  }
  return merge_run(dir, quiet);
}

}  // namespace pcanno::app::batch
