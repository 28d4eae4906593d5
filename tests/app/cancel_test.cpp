// Ctrl+C on the command line: SIGINT to `pcanno track` while it estimates the ego motion of a
// long sequence without poses stops it within about a second, with exit code 130, "cancelled" on
// stderr, and neither the output nor a temporary file nor an ego-motion cache left behind.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "app_test_support.hpp"
#include "long_sequence.hpp"
#include "pcanno/formats/labels/document/document.hpp"

namespace pcanno::test {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

/// Starts `argv` with stdout and stderr going to `log` and XDG_CACHE_HOME set to `cache`.
pid_t spawn(const std::vector<std::string>& argv, const fs::path& log, const fs::path& cache) {
  const pid_t pid = ::fork();
  if (pid != 0) return pid;
  ::setenv("XDG_CACHE_HOME", cache.c_str(), 1);
  FILE* out = std::freopen(log.c_str(), "w", stdout);
  if (out == nullptr || ::dup2(::fileno(stdout), STDERR_FILENO) < 0) ::_exit(127);
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  ::execv(args[0], args.data());
  ::_exit(127);
}

/// Waits up to `timeout` for `pid`; its wait status, or nullopt when it is still running.
std::optional<int> wait_for(pid_t pid, std::chrono::milliseconds timeout) {
  const Clock::time_point until = Clock::now() + timeout;
  for (;;) {
    int status = 0;
    if (::waitpid(pid, &status, WNOHANG) == pid) return status;
    if (Clock::now() > until) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

TEST(Cancel, CtrlCStopsTrackWithExit130AndLeavesNoOutput) {
  const TempDir temp;
  const fs::path& dir = temp.path();
  write_street_scans(dir / "scans", long_street());
  auto seq = formats::open_sequence(dir / "scans");
  ASSERT_TRUE(seq) << seq.error().describe();
  std::ofstream(dir / "labels.pcanno.json")
      << formats::serialize_pcanno_document(parked_car_document(*seq));
  const fs::path out = dir / "out" / "completed.pcanno.json";
  fs::create_directories(out.parent_path());

  const pid_t pid =
      spawn({PCANNO_BINARY, "track", (dir / "scans").string(),
             (dir / "labels.pcanno.json").string(), "--out", out.string(), "--to", "pcanno"},
            dir / "log.txt", dir / "cache");
  ASSERT_GT(pid, 0);
  // A second in, it is estimating the ego motion of the 600 frames (many seconds' work).
  std::this_thread::sleep_for(std::chrono::seconds(1));
  ASSERT_FALSE(wait_for(pid, std::chrono::milliseconds(0))) << "track ended before the Ctrl+C";
  ASSERT_EQ(::kill(pid, SIGINT), 0);
  const Clock::time_point sent = Clock::now();
  std::optional<int> status = wait_for(pid, std::chrono::seconds(1));
  const double took = std::chrono::duration<double>(Clock::now() - sent).count();
  if (!status) {
    ::kill(pid, SIGKILL);
    status = wait_for(pid, std::chrono::seconds(10));
  }
  const std::string log = slurp(dir / "log.txt");
  std::printf("exited %.3f s after SIGINT: %s", took, log.c_str());
  ASSERT_TRUE(status.has_value());
  EXPECT_LE(took, 1.0) << "still running " << took << " s after SIGINT";
  ASSERT_TRUE(WIFEXITED(*status)) << "killed by signal " << WTERMSIG(*status) << "\n" << log;
  EXPECT_EQ(WEXITSTATUS(*status), 130) << log;
  EXPECT_NE(log.find("pcanno: cancelled"), std::string::npos) << log;
  // Nothing half-written: the output folder is as it was (empty), no cache either.
  EXPECT_TRUE(fs::is_empty(out.parent_path())) << "output left behind";
  EXPECT_FALSE(fs::exists(dir / "cache" / "pcanno")) << "ego-motion cache written";
}

}  // namespace
}  // namespace pcanno::test
