// The local engine: a pool of worker processes, each `pcanno batch --task I RUNDIR`, the same
// command a Slurm array task runs. The engine only starts tasks, retries the failed ones and
// reports; every task records itself (batch_task.cpp). Killing the engine loses only the running
// tasks' unfinished work: a re-run skips every task whose state says done for the same inputs.
#include <fcntl.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <deque>
#include <iostream>
#include <map>
#include <optional>
#include <system_error>
#include <vector>

#include "batch_engine.hpp"
#include "cli_support.hpp"
#include "pcanno/formats/support/atomic_write.hpp"
#include "progress.hpp"

namespace pcanno::app::batch {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

volatile std::sig_atomic_t g_cancel = 0;
extern "C" void on_cancel(int /*signal*/) { g_cancel = 1; }

/// SIGINT (Ctrl+C) and SIGTERM (`pcanno batch cancel`) cancel the run while it lives; a second
/// Ctrl+C kills at once.
class CancelHandlers {
 public:
  CancelHandlers() {
    struct sigaction action {};
    action.sa_handler = on_cancel;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESETHAND;
    sigaction(SIGINT, &action, &int_);
    sigaction(SIGTERM, &action, &term_);
  }
  ~CancelHandlers() {
    sigaction(SIGINT, &int_, nullptr);
    sigaction(SIGTERM, &term_, nullptr);
  }

 private:
  struct sigaction int_ {
  }, term_{};
};

/// Starts `pcanno batch --task index RUNDIR`; its own output (before its log opens) goes to
/// logs/workers.log.
pid_t start_worker(const RunDir& dir, std::size_t index) {
  const std::string exe = self_exe();
  const std::string task = std::to_string(index);
  const std::string root = dir.root.string();
  const std::string workers_log = (dir.root / "logs" / "workers.log").string();
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid != 0) return pid;
  // A worker dies with its engine (kill -9 of the run included), and its command with it, so no
  // orphan keeps writing while a re-run redoes the task.
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (::getppid() != parent) ::_exit(137);
  ::signal(SIGINT, SIG_DFL);
  ::signal(SIGTERM, SIG_DFL);
  const int fd = ::open(workers_log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd >= 0) {
    ::dup2(fd, STDOUT_FILENO);  // dup2's copies do not inherit O_CLOEXEC
    ::dup2(fd, STDERR_FILENO);
  }
  ::execl(exe.c_str(), "pcanno", "batch", "--task", task.c_str(), root.c_str(),
          static_cast<char*>(nullptr));
  ::_exit(127);
}

/// One line per finished task when stderr is not a terminal; a bar when it is.
class Progress {
 public:
  Progress(std::size_t total, bool quiet)
      : bar_("batch", total, quiet),
        lines_(!quiet && ::isatty(STDERR_FILENO) != 1),
        total_(total) {}
  void finished(const TaskState& s, const std::string& note) {
    done_ += note.empty() || note == "failed" ? 1 : 0;
    bar_.update(done_);
    if (!lines_) return;
    char seconds[32];
    std::snprintf(seconds, sizeof seconds, "%.2f s", s.seconds);
    std::cerr << "[" << done_ << "/" << total_ << "] " << s.name << " " << to_string(s.status)
              << " in " << seconds << " (attempt " << s.attempts << ")";
    if (s.status != TaskStatus::kDone) std::cerr << ", exit " << s.exit_code << ": " << s.error;
    if (!note.empty()) std::cerr << "; " << note;
    std::cerr << '\n';
  }

 private:
  ProgressBar bar_;
  bool lines_;
  std::size_t total_, done_ = 0;
};

/// The state a dead worker left. The record is this attempt's only when it names the worker's
/// pid (exec keeps it) and is final: a worker that died before writing its record leaves an
/// earlier run's, which says nothing about this attempt. A task cancelled alone (a signal to it,
/// not to the run) failed.
TaskState finished_state(const RunDir& dir, const Task& task, std::size_t index, pid_t worker,
                         int wait_status, bool cancelling) {
  std::optional<TaskState> s = read_state(dir, task.name);
  TaskState state = s ? *s : TaskState{};
  state.name = task.name;
  state.index = index;
  const bool ours = s && s->pid == static_cast<std::int64_t>(worker) &&
                    s->status != TaskStatus::kRunning && s->status != TaskStatus::kPending;
  if (ours && state.status == TaskStatus::kCancelled && !cancelling) {
    state.status = TaskStatus::kFailed;
    state.error = "the task was stopped by a signal while the run went on";
    (void)write_state(dir, state);
  }
  if (!ours) {
    state.status = cancelling ? TaskStatus::kCancelled : TaskStatus::kFailed;
    state.exit_code =
        WIFSIGNALED(wait_status) ? 128 + WTERMSIG(wait_status) : WEXITSTATUS(wait_status);
    state.error = "the task process ended without recording a result (exit " +
                  std::to_string(state.exit_code) + ")";
    state.finished = utc_now();
    std::error_code ec;
    fs::remove_all(dir.staging(task.name), ec);
    (void)write_state(dir, state);
  }
  return state;
}

/// What a killed process may leave beside the records and parts: a temporary record
/// (`.<seq>.json.tmp-*`) or a replaced part moved aside (`.<seq>.old-<pid>`). No task runs while
/// the engine holds the lock (tasks are not started by hand meanwhile), so none is in use.
void remove_leftovers(const RunDir& dir) {
  std::error_code ec;
  for (const char* sub : {"state", "parts"}) {
    std::vector<fs::path> hidden;
    for (const auto& e : fs::directory_iterator(dir.root / sub, ec)) {
      if (e.path().filename().string().front() == '.') hidden.push_back(e.path());
    }
    for (const fs::path& p : hidden) fs::remove_all(p, ec);
  }
}

formats::Status write_engine_record(const RunDir& dir, const EngineOptions& options) {
  const json j = {{"engine", "local"},          {"pid", static_cast<std::int64_t>(::getpid())},
                  {"host", host_name()},        {"jobs", options.jobs},
                  {"retries", options.retries}, {"started", utc_now()}};
  return formats::write_file_atomic(dir.engine_file(), j.dump(1) + "\n", /*overwrite=*/true);
}

}  // namespace

int run_local(const Plan& plan, const RunDir& dir, const EngineOptions& options) {
  const auto t0 = std::chrono::steady_clock::now();
  // One engine per run directory at a time.
  const int lock_fd = ::open(dir.lock_file().c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (lock_fd < 0 || ::flock(lock_fd, LOCK_EX | LOCK_NB) != 0) {
    return report_message("another pcanno batch is running in " + dir.root.string() +
                          " (see `pcanno batch status " + dir.root.string() + "`)");
  }
  remove_leftovers(dir);
  if (formats::Status s = write_plan(dir, plan); !s) return report(s.error());
  if (formats::Status s = write_engine_record(dir, options); !s) return report(s.error());

  RunOutcome outcome;
  std::deque<std::size_t> queue;
  for (std::size_t i = 0; i < plan.tasks.size(); ++i) {
    const Task& task = plan.tasks[i];
    if (up_to_date(dir, read_state(dir, task.name), input_hash(plan, task))) {
      ++outcome.skipped;
    } else {
      queue.push_back(i);
    }
  }
  outcome.ran = queue.size();
  if (!options.quiet) {
    std::cerr << "pcanno batch: " << plan.spec.operation << " of " << plan.tasks.size()
              << " sequences: " << outcome.skipped << " up to date, " << queue.size()
              << " to run with " << options.jobs << " worker" << (options.jobs == 1 ? "" : "s")
              << '\n';
  }

  const CancelHandlers handlers;
  // `pcanno batch ... | head` must not kill the engine, and its workers with it, on a progress
  // line.
  ::signal(SIGPIPE, SIG_IGN);
  g_cancel = 0;
  std::optional<Progress> progress;  // cleared before the summary is printed
  progress.emplace(queue.size(), options.quiet);
  std::map<pid_t, std::size_t> running;
  std::map<std::size_t, int> attempts;  // in this run
  while (!queue.empty() || !running.empty()) {
    while (g_cancel == 0 && !queue.empty() && static_cast<int>(running.size()) < options.jobs) {
      const std::size_t index = queue.front();
      queue.pop_front();
      const pid_t pid = start_worker(dir, index);
      if (pid < 0) {
        // Out of processes: stop as a cancel does, so the running tasks end recorded.
        std::cerr << "pcanno batch: cannot start a worker process; stopping the run\n";
        g_cancel = 1;
        queue.push_front(index);
        break;
      }
      running[pid] = index;
      ++attempts[index];
    }
    if (g_cancel != 0 && !outcome.cancelled) {
      outcome.cancelled = true;
      queue.clear();
      for (const auto& [child, index] : running) ::kill(child, SIGTERM);
    }
    int status = 0;
    const pid_t pid = ::waitpid(-1, &status, 0);
    if (pid < 0) {
      if (errno != EINTR) break;
      continue;  // a signal: the loop's top sees a cancel
    }
    const auto it = running.find(pid);
    if (it == running.end()) continue;
    const std::size_t index = it->second;
    running.erase(it);
    const TaskState state =
        finished_state(dir, plan.tasks[index], index, pid, status, g_cancel != 0);
    std::string note;
    if (state.status == TaskStatus::kFailed && g_cancel == 0) {
      if (attempts[index] <= options.retries) {
        queue.push_back(index);
        note = "retrying (" + std::to_string(attempts[index]) + " of " +
               std::to_string(options.retries) + " retries)";
      } else {
        ++outcome.failed;
        note = "failed";
      }
    }
    progress->finished(state, note);
  }
  if (g_cancel != 0) outcome.cancelled = true;
  progress.reset();

  const int code = finish_run(plan, dir, outcome, t0, options.quiet);
  ::close(lock_fd);
  return code;
}

}  // namespace pcanno::app::batch
