// `pcanno batch --task I RUNDIR`: one sequence of a run, exactly what a local worker process and a
// Slurm array task execute. The task records itself in state/<name>.json, runs the sequence's
// command (batch_ops.cpp; in a forked child of this process) into staging/<name>/ with its output
// in logs/<name>.log, and renames the staging folder to parts/<name>/ only when the command
// succeeded: a task killed at any point leaves at most a staging folder, which the next attempt
// removes.
#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>
#include <system_error>

#include <CLI/CLI.hpp>

#include "batch_engine.hpp"
#include "batch_ops.hpp"
#include "cli_support.hpp"
#include "pcanno/plugin/plugin_loader.hpp"
#include "pcanno/plugin/registry.hpp"
#include "progress.hpp"

namespace pcanno::app::batch {
namespace {

namespace fs = std::filesystem;

volatile std::sig_atomic_t g_stop = 0;
extern "C" void on_stop(int /*signal*/) { g_stop = 1; }

/// The sequence's command, run in this (forked) process as main() would run it: the binary and
/// its libraries are loaded already, which saves a program start per task.
int run_in_process(const std::vector<std::string>& args) {
  CLI::App app{"pcanno", "pcanno"};
  app.require_subcommand(1);
  GlobalOptions global;
  app.add_flag("-q,--quiet", global.quiet, "Suppress progress output");
  plugin::Registry registry = plugin::Registry::with_builtins();
  plugin::load_plugins_from_environment(registry);
  CommandAction action;
  add_convert_command(app, global, registry, action);
  add_check_command(app, global, registry, action);
  add_track_command(app, global, registry, action);
  add_prelabel_command(app, global, registry, action);
  add_eval_command(app, global, registry, action);
#ifdef PCANNO_WITH_VIEWER
  add_render_command(app, global, registry, action);
#endif
  std::vector<std::string> reversed(args.rbegin(), args.rend());  // CLI11 takes them reversed
  try {
    app.parse(reversed);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return kExitUsage;
  }
  if (!action) return kExitUsage;
  const CancelToken cancel;
  try {
    return action();
  } catch (const std::exception& e) {
    return report_message(std::string("unexpected failure: ") + e.what());
  }
}

/// Starts the command with stdout/stderr on `log_fd` (stdout on `out_fd` when >= 0). The child
/// dies with the task (PR_SET_PDEATHSIG), so `kill -9` of a task leaves no orphan writing.
pid_t start_command(const std::vector<std::string>& args, int log_fd, int out_fd) {
  const pid_t parent = ::getpid();
  std::cout.flush();
  std::cerr.flush();
  std::fflush(nullptr);
  const pid_t pid = ::fork();
  if (pid != 0) return pid;
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (::getppid() != parent) ::_exit(137);
  ::signal(SIGINT, SIG_DFL);
  ::signal(SIGTERM, SIG_DFL);
  ::signal(SIGHUP, SIG_DFL);
  ::dup2(out_fd >= 0 ? out_fd : log_fd, STDOUT_FILENO);
  ::dup2(log_fd, STDERR_FILENO);
  int code = kExitFailure;
  try {
    code = run_in_process(args);
  } catch (...) {
  }
  std::cout.flush();
  std::cerr.flush();
  std::fflush(nullptr);
  ::_exit(code);
}

/// Waits for `pid`; a stop request (SIGTERM, SIGINT, SIGHUP) kills it. 128+N when killed by N.
int wait_command(pid_t pid, bool& stopped) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return 127;
    if (g_stop != 0 && !stopped) {
      stopped = true;
      ::kill(pid, SIGKILL);
    }
  }
  if (g_stop != 0) stopped = true;
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return 128 + WTERMSIG(status);
}

std::string read_from(const fs::path& file, std::streamoff offset) {
  std::ifstream in(file, std::ios::binary);
  in.seekg(offset);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

/// The first "pcanno: error: ..." line (the cause; later ones sum up), else the last line.
std::string first_error(const std::string& log) {
  std::istringstream lines(log);
  std::string last;
  for (std::string line; std::getline(lines, line);) {
    if (line.empty() || line.rfind("== ", 0) == 0) continue;
    if (line.find("error:") != std::string::npos) return line;
    last = line;
  }
  return last;
}

/// Moves the finished staging folder to parts/<name>, replacing an earlier part.
formats::Status commit_part(const RunDir& dir, const std::string& name) {
  std::error_code ec;
  const fs::path part = dir.part(name);
  const fs::path aside = dir.root / "parts" / ("." + name + ".old-" + std::to_string(::getpid()));
  const bool had = fs::exists(part, ec);
  if (had) fs::rename(part, aside, ec);
  if (!ec) fs::rename(dir.staging(name), part, ec);
  if (ec) {
    return formats::Error{formats::ErrorCode::kIo,
                          "cannot move the output into place: " + ec.message(), part.string()};
  }
  if (had) fs::remove_all(aside, ec);
  return sync_folder(dir.root / "parts");
}

}  // namespace

int run_task(const RunDir& dir, std::size_t index) {
  auto plan = read_plan(dir);
  if (!plan) return report(plan.error());
  if (index >= plan->tasks.size()) {
    return report_usage("--task " + std::to_string(index) + ": the run has " +
                        std::to_string(plan->tasks.size()) + " tasks (0.." +
                        std::to_string(plan->tasks.size() - 1) + ")");
  }
  const Task& task = plan->tasks[index];
  struct sigaction action {};
  action.sa_handler = on_stop;
  sigemptyset(&action.sa_mask);
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) sigaction(sig, &action, nullptr);

  TaskState state;
  state.name = task.name;
  state.index = index;
  state.input_hash = input_hash(*plan, task);
  const std::optional<TaskState> before = read_state(dir, task.name);
  // A duplicate (a requeued array task, an array run again) finds the work done: it keeps the
  // record and the part rather than redo them, or turn "done" into a cancelled attempt.
  if (up_to_date(dir, before, state.input_hash)) {
    std::cerr << "task " << index << " (" << task.name << ") is up to date\n";
    return kExitOk;
  }
  // Two processes must not share a staging folder: a task still running here is left alone.
  if (before && before->status == TaskStatus::kRunning && before->host == host_name() &&
      before->pid != ::getpid() &&
      is_batch_process(before->pid, " --task " + std::to_string(index) + " ")) {
    return report_message("task " + std::to_string(index) + " (" + task.name +
                          ") is running already: pid " + std::to_string(before->pid));
  }
  state.attempts = (before && before->input_hash == state.input_hash ? before->attempts : 0) + 1;
  state.status = TaskStatus::kRunning;
  state.started = utc_now();
  state.log = fs::path("logs") / (task.name + ".log");
  state.pid = ::getpid();
  state.host = host_name();
  if (formats::Status s = write_state(dir, state); !s) return report(s.error());

  // Whatever an earlier, killed attempt left in staging is not ours to keep.
  const fs::path staging = dir.staging(task.name);
  std::error_code ec;
  fs::remove_all(staging, ec);
  // What could not be removed (a busy file on NFS) would end up in the part.
  if (!ec && fs::exists(staging, ec)) ec = std::make_error_code(std::errc::directory_not_empty);
  if (!ec) fs::create_directories(staging, ec);
  const fs::path log = dir.log(task.name);
  const int log_fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (ec || log_fd < 0) {
    return report_message("cannot prepare " + staging.string() + " and " + log.string());
  }
  const std::streamoff log_start = ::lseek(log_fd, 0, SEEK_END);
  const TaskCommand command = task_command(*plan, task, staging);
  std::string header = "== " + state.started + " attempt " + std::to_string(state.attempts) +
                       " on " + state.host + ": pcanno";
  for (const std::string& a : command.args) header += " " + a;
  header += "\n";
  (void)!::write(log_fd, header.data(), header.size());
  const int out_fd =
      command.stdout_file.empty()
          ? -1
          : ::open(command.stdout_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (!command.stdout_file.empty() && out_fd < 0) {  // the report would land in the log instead
    ::close(log_fd);
    return report_message("cannot write " + command.stdout_file.string());
  }

  const auto t0 = std::chrono::steady_clock::now();
  bool stopped = false;
  int code = 127;
  if (g_stop == 0) {
    const pid_t pid = start_command(command.args, log_fd, out_fd);
    code = pid < 0 ? 127 : wait_command(pid, stopped);
  } else {
    stopped = true;
  }
  if (out_fd >= 0) ::close(out_fd);
  state.exit_code = code;
  state.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const std::string attempt_log = read_from(log, log_start);

  if (!stopped && task_succeeded(*plan, code, staging, task)) {
    if (formats::Status s = commit_part(dir, task.name); !s) {
      state.status = TaskStatus::kFailed;
      state.error = s.error().describe();
    } else {
      state.status = TaskStatus::kDone;
      collect_counts(*plan, attempt_log, dir.part(task.name), state);
    }
  } else {
    state.status = stopped ? TaskStatus::kCancelled : TaskStatus::kFailed;
    state.error = stopped ? "cancelled" : first_error(attempt_log);
    fs::remove_all(staging, ec);
  }
  state.finished = utc_now();
  const std::string footer = "== " + state.finished + " " + to_string(state.status) + " (exit " +
                             std::to_string(code) + ")\n";
  (void)!::write(log_fd, footer.data(), footer.size());
  ::close(log_fd);
  if (formats::Status s = write_state(dir, state); !s) return report(s.error());
  if (state.status == TaskStatus::kDone) return kExitOk;
  return state.status == TaskStatus::kCancelled ? kExitCancelled : kExitFailure;
}

}  // namespace pcanno::app::batch
