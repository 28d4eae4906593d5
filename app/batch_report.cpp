// What `pcanno batch` tells: the summary at the end of a run (summary.json and the human one),
// `pcanno batch status` and `pcanno batch cancel`, all read from the run directory's records, so
// they work whichever engine ran the tasks.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>

#include "batch_engine.hpp"
#include "cli_support.hpp"

namespace pcanno::app::batch {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::string seconds_text(double s) {
  char out[32];
  std::snprintf(out, sizeof out, "%.2f s", s);
  return out;
}

/// squeue's lines as one: "12_3 12_4 13".
std::string one_line(std::string text) {
  for (char& c : text) c = c == '\n' ? ' ' : c;
  return text;
}

/// A record that says running while its process (on this host) is gone was killed: "interrupted".
std::string status_of(const TaskState& s) {
  if (s.status == TaskStatus::kRunning && s.host == host_name() &&
      !is_batch_process(s.pid, " --task " + std::to_string(s.index) + " ")) {
    return "interrupted";
  }
  return to_string(s.status);
}

std::string counts_text(const json& counts) {
  std::string out;
  for (const auto& [key, value] : counts.items()) {
    if (!out.empty()) out += ", ";
    out += key + " " + value.dump();
  }
  return out;
}

}  // namespace

json engine_record(const RunDir& dir) {
  std::ifstream in(dir.engine_file());
  std::ostringstream text;
  text << in.rdbuf();
  const json j = json::parse(text.str(), nullptr, false);
  return j.is_discarded() ? json::object() : j;
}

json summary_json(const Plan& plan, const RunDir& dir, const RunOutcome& outcome) {
  json sequences = json::array();
  json totals = json::object();
  std::size_t done = 0;
  for (const Task& t : plan.tasks) {
    const std::optional<TaskState> s = read_state(dir, t.name);
    json entry = {{"name", t.name}};
    if (!s) {
      entry["status"] = "pending";
    } else {
      entry.update({{"status", status_of(*s)},
                    {"attempts", s->attempts},
                    {"exit_code", s->exit_code},
                    {"seconds", s->seconds},
                    {"finished", s->finished},
                    {"log", (dir.root / s->log).string()},
                    {"counts", s->counts},
                    {"warnings", s->warnings}});
      if (s->status != TaskStatus::kDone) entry["error"] = s->error;
      done += s->status == TaskStatus::kDone ? 1 : 0;
      for (const auto& [key, value] : s->counts.items()) {
        if (value.is_number_integer()) {
          totals[key] = totals.value(key, std::int64_t{0}) + value.get<std::int64_t>();
        }
      }
    }
    sequences.push_back(entry);
  }
  return {{"operation", plan.spec.operation},
          {"options", plan.spec.options},
          {"output", plan.spec.output.string()},
          {"run_dir", dir.root.string()},
          {"engine", engine_record(dir).value("engine", "local")},
          {"sequences", sequences},
          {"totals", totals},
          {"done", done},
          {"failed", outcome.failed},
          {"ran", outcome.ran},
          {"up_to_date", outcome.skipped},
          {"cancelled", outcome.cancelled},
          {"merge", outcome.merge},
          {"seconds", outcome.seconds}};
}

void print_summary(const json& summary) {
  const std::size_t total = summary["sequences"].size();
  std::cout << "pcanno batch " << summary["operation"].get<std::string>() << ": "
            << summary["done"].get<std::size_t>() << " of " << total << " sequences done ("
            << summary["ran"].get<std::size_t>() << " run, "
            << summary["up_to_date"].get<std::size_t>() << " up to date), "
            << summary["failed"].get<std::size_t>() << " failed, in "
            << seconds_text(summary["seconds"].get<double>()) << '\n';
  for (const json& s : summary["sequences"]) {
    if (s["status"] == "done") continue;
    std::cout << "  " << s["name"].get<std::string>() << ": " << s["status"].get<std::string>();
    if (s.contains("attempts")) {
      std::cout << " after " << s["attempts"].get<int>() << " attempt"
                << (s["attempts"].get<int>() == 1 ? "" : "s") << " (exit "
                << s["exit_code"].get<int>() << "): " << s.value("error", "") << "; log "
                << s["log"].get<std::string>();
    }
    std::cout << '\n';
  }
  if (!summary["totals"].empty()) std::cout << "total: " << counts_text(summary["totals"]) << '\n';
  std::cout << "output: " << summary["output"].get<std::string>() << " ("
            << summary["merge"].get<std::string>() << ")\n";
  std::cout << "summary: " << summary["run_dir"].get<std::string>() << "/summary.json\n";
}

int print_status(const RunDir& dir, bool as_json) {
  auto plan = read_plan(dir);
  if (!plan) return report(plan.error());
  const json engine = engine_record(dir);
  const std::int64_t pid = engine.value("pid", std::int64_t{0});
  // The Slurm engine runs as jobs: running while any of them is queued or running.
  const std::string jobs = slurm_jobs_active(engine);
  const bool alive = is_batch_process(pid) || !jobs.empty();
  json rows = json::array();
  std::vector<std::vector<std::string>> table = {
      {"sequence", "status", "attempts", "exit", "time", "finished", "log"}};
  for (const Task& t : plan->tasks) {
    const std::optional<TaskState> s = read_state(dir, t.name);
    json row = {{"name", t.name}, {"status", s ? status_of(*s) : "pending"}};
    if (s) {
      row.update({{"attempts", s->attempts},
                  {"exit_code", s->exit_code},
                  {"seconds", s->seconds},
                  {"started", s->started},
                  {"finished", s->finished},
                  {"log", (dir.root / s->log).string()},
                  {"error", s->error},
                  {"counts", s->counts}});
    }
    rows.push_back(row);
    table.push_back({t.name, row["status"].get<std::string>(),
                     s ? std::to_string(s->attempts) : "0",
                     s && s->status != TaskStatus::kRunning ? std::to_string(s->exit_code) : "",
                     s && !s->finished.empty() ? seconds_text(s->seconds) : "",
                     s ? s->finished : "", s ? s->log : ""});
  }
  if (as_json) {
    std::cout << json({{"run_dir", dir.root.string()},
                       {"operation", plan->spec.operation},
                       {"engine", engine},
                       {"engine_running", alive},
                       {"slurm_jobs", one_line(jobs)},
                       {"sequences", rows}})
                     .dump(2)
              << '\n';
    return kExitOk;
  }
  std::cout << "run " << dir.root.string() << ": " << plan->spec.operation << " of "
            << plan->tasks.size() << " sequences, engine " << engine.value("engine", "none")
            << (!jobs.empty() ? " running (Slurm jobs " + one_line(jobs) + ")"
                : alive       ? " running (pid " + std::to_string(pid) + ")"
                              : " not running")
            << '\n';
  std::cout << aligned_table(table);
  return kExitOk;
}

int cancel_run(const RunDir& dir) {
  auto plan = read_plan(dir);
  if (!plan) return report(plan.error());
  const json engine = engine_record(dir);
  if (engine.value("engine", "") == "slurm") return cancel_slurm(engine);
  std::size_t signalled = 0;
  const std::int64_t pid = engine.value("pid", std::int64_t{0});
  if (is_batch_process(pid) && ::kill(static_cast<pid_t>(pid), SIGTERM) == 0) ++signalled;
  // Tasks whose engine is gone (killed) are stopped one by one; each records itself cancelled.
  for (const Task& t : plan->tasks) {
    const std::optional<TaskState> s = read_state(dir, t.name);
    if (s && s->status == TaskStatus::kRunning && is_batch_process(s->pid) &&
        ::kill(static_cast<pid_t>(s->pid), SIGTERM) == 0) {
      ++signalled;
    }
  }
  std::cout << (signalled == 0 ? "nothing running in "
                               : "cancel sent to " + std::to_string(signalled) + " processes of ")
            << dir.root.string() << '\n';
  return kExitOk;
}

}  // namespace pcanno::app::batch
