#pragma once
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "app_test_support.hpp"

// Shared by the `pcanno batch` tests: label sets made from the sample, output trees as bytes, the
// run directory's records, and runs started in the background.

namespace pcanno::test::batch {

namespace fs = std::filesystem;
using nlohmann::json;

/// Every regular file under `root` by relative path, with its bytes.
inline std::map<std::string, std::string> tree(const fs::path& root) {
  std::map<std::string, std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(root)) {
    if (e.is_regular_file()) out[e.path().lexically_relative(root).string()] = slurp(e.path());
  }
  return out;
}

/// A KITTI tracking training folder: the sample labels and calibration under `n` sequence names.
inline fs::path label_set(const fs::path& dir, const fs::path& sample_training, int n) {
  const fs::path root = dir / "set/training";
  fs::create_directories(root / "label_02");
  fs::create_directories(root / "calib");
  for (int s = 0; s < n; ++s) {
    char name[16];
    std::snprintf(name, sizeof name, "%04d", s);
    fs::copy_file(sample_training / "label_02/0000.txt",
                  root / "label_02" / (name + std::string(".txt")));
    fs::copy_file(sample_training / "calib/0000.txt",
                  root / "calib" / (name + std::string(".txt")));
  }
  return root;
}

inline json read_json(const fs::path& file) { return json::parse(slurp(file)); }

inline json state(const fs::path& run_dir, const std::string& name) {
  return read_json(run_dir / "state" / (name + ".json"));
}

/// The state records by sequence; a killed write may leave its temporary `.<name>.tmp-*` beside
/// them, which is not a record.
inline std::map<std::string, json> records(const fs::path& run_dir) {
  std::map<std::string, json> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(run_dir / "state", ec)) {
    if (e.path().filename().string().front() == '.') continue;
    const json j = json::parse(slurp(e.path()), nullptr, false);
    if (!j.is_discarded()) out[e.path().stem().string()] = j;
  }
  return out;
}

inline std::size_t count_done(const fs::path& run_dir) {
  std::size_t n = 0;
  for (const auto& [name, j] : records(run_dir)) n += j.value("status", "") == "done" ? 1 : 0;
  return n;
}

/// Starts `pcanno args` in its own process group (so that a test can kill the run, its workers
/// and their commands at once, as `kill -9` of a job would); returns the group's leader.
inline pid_t start_in_background(const std::string& args, const fs::path& log) {
  const std::string command =
      std::string(PCANNO_BINARY) + " " + args + " > " + log.string() + " 2>&1";
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::setsid();
    ::execl("/bin/sh", "sh", "-c", ("exec " + command).c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  return pid;
}

inline int wait_exit(pid_t pid) {
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/// Polls the state records until `n` say done (the run writes them; no sleep stands in for it).
inline bool wait_for_done(const fs::path& run_dir, std::size_t n, pid_t run) {
  for (int i = 0; i < 60000; ++i) {
    if (count_done(run_dir) >= n) return true;
    int status = 0;
    if (::waitpid(run, &status, WNOHANG) == run) return false;  // finished or died first
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return false;
}

inline bool empty_folder(const fs::path& dir) {
  std::error_code ec;
  return !fs::exists(dir, ec) || fs::is_empty(dir, ec);
}

}  // namespace pcanno::test::batch
