#pragma once
#include <signal.h>
#include <sys/types.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "files.hpp"
#include "scoped_env.hpp"
#include "test_data.hpp"

// Shared by the tests of external-process detectors (tests/plugin) and of `pcanno prelabel` with
// one (tests/app): which python3 plays the detector, and whether a process it started is gone.

namespace pcanno::test {

/// The system's python3 when there is one (a version manager's shim on PATH can take seconds to
/// start, and may lack numpy), else the first on PATH.
inline std::string python3() {
  return std::filesystem::exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
}

inline bool have_python3() {
  return std::system((python3() + " -c 'import json' > /dev/null 2>&1").c_str()) == 0;
}

/// A python3 with numpy, /usr/bin's first: the example detector's manifest runs `python3` from
/// PATH, so a test puts this one's folder first there. Empty when there is none.
inline std::string numpy_python() {
  for (const std::string candidate : {"/usr/bin/python3", "python3"}) {
    if (std::system((candidate + " -c 'import numpy' > /dev/null 2>&1").c_str()) == 0) {
      return candidate;
    }
  }
  return {};
}

/// True when `pid` names no process: for a child of this test process (the process pcanno's
/// ChildProcess starts is one), that it was killed and reaped, since until this process waits for
/// it a zombie keeps the pid. The check that catches a host that never reaps its child.
inline bool process_reaped(pid_t pid) { return ::kill(pid, 0) != 0 && errno == ESRCH; }

/// True when `pid` names no process, or a zombie: killed, and waiting for its (new) parent, which
/// in a container need not be an init that reaps. For grandchildren only: a direct child left a
/// zombie is a host that did not reap it (process_reaped()).
inline bool process_gone(pid_t pid) {
  if (::kill(pid, 0) != 0 && errno == ESRCH) return true;
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  const std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::size_t name_end = stat.rfind(')');  // "pid (comm) S ...": comm may hold blanks
  return name_end != std::string::npos && name_end + 2 < stat.size() &&
         (stat[name_end + 2] == 'Z' || stat[name_end + 2] == 'X');
}

/// Whether `pid` is gone (`reaped`: and not a zombie) within 10 s: a SIGKILL is delivered
/// asynchronously, so a process killed a moment ago may still be listed. The bound only keeps a
/// failing test from hanging.
inline bool process_gone_soon(pid_t pid, bool reaped = false) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!(reaped ? process_reaped(pid) : process_gone(pid))) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

/// The pid a fake detector wrote to `file`; 0 when the file is missing or holds no pid (never a
/// pid to signal: kill(0, ...) would reach the test's own process group).
inline pid_t read_pid(const std::filesystem::path& file) {
  if (!std::filesystem::exists(file)) return 0;
  const long pid = std::atol(slurp(file).c_str());
  return pid > 1 ? static_cast<pid_t>(pid) : 0;
}

/// Who started the wrapper of fake_detectors/group_detector.sh.
enum class WrapperParent {
  kThisProcess,  ///< a detector run in the test process: the wrapper must also be reaped
  kAnother,      ///< the pcanno binary: once it has exited, a zombie wrapper is init's to reap
};

/// Expects that the processes whose pids the fake detectors/group_detector.sh wrote to `dir` (the
/// wrapper, its background helper, the detector proper) are gone; the wrapper also reaped when
/// the test process is its parent.
inline void expect_group_gone(const std::filesystem::path& dir, WrapperParent parent) {
  for (const char* name : {"wrapper.pid", "helper.pid", "detector.pid"}) {
    const pid_t pid = read_pid(dir / name);
    ASSERT_GT(pid, 0) << name << " was not written";
    const bool reaped = parent == WrapperParent::kThisProcess && name == std::string("wrapper.pid");
    EXPECT_TRUE(process_gone_soon(pid, reaped))
        << name << ": process " << pid << (reaped ? " was not reaped" : " survived the run");
    if (!process_gone(pid)) ::kill(pid, SIGKILL);  // do not leave it behind for other tests
  }
}

}  // namespace pcanno::test

/// Skips without python3 (visibly), fails under CI.
#define PCANNO_REQUIRE_PYTHON3()                                                     \
  do {                                                                               \
    if (!::pcanno::test::have_python3()) {                                           \
      if (::pcanno::test::running_in_ci()) FAIL() << "python3 is required under CI"; \
      GTEST_SKIP() << "python3 is not available to play the external detector";      \
    }                                                                                \
  } while (0)

/// Sets `dir` (a new const std::string) to the folder of a python3 with numpy (empty: the one on
/// PATH has it), to put first on PATH; skips without one (visibly), fails under CI.
#define PCANNO_REQUIRE_NUMPY_PYTHON(dir)                                      \
  const std::string pcanno_python_ = ::pcanno::test::numpy_python();          \
  if (pcanno_python_.empty()) {                                               \
    if (::pcanno::test::running_in_ci())                                      \
      FAIL() << "python3 with numpy is required under CI (setup.sh)";         \
    GTEST_SKIP() << "no python3 with numpy: the example detector cannot run"; \
  }                                                                           \
  const std::string dir = pcanno_python_ == "python3"                         \
                              ? std::string()                                 \
                              : std::filesystem::path(pcanno_python_).parent_path().string()
