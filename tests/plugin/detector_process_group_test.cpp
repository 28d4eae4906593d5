// External-process detectors leave nothing running: the fake detector behind a shell wrapper
// (fake_detectors/group_detector.sh) starts a background helper and runs the detector proper as a
// grandchild; on every end of a run (a clean shutdown, the child exiting, a timeout, a cancel, a
// child that ignores SIGTERM and the shutdown) the wrapper, the helper and the detector are gone,
// and a cancel returns even when the killed child cannot be reaped yet (held by a tracer).
// Also: a manifest's relative program path is found beside the manifest, whatever the host's
// working folder.
#include <signal.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "pcanno/formats/datasets/sequence.hpp"
#include "pcanno/formats/labels/annotations.hpp"
#include "pcanno/plugin/automation/prelabel.hpp"
#include "pcanno/plugin/detectors/process_detector.hpp"
#include "pcanno/plugin/plugin_loader.hpp"
#include "pcanno/plugin/registry.hpp"
#include "process_detectors.hpp"
#include "temp_dir.hpp"
#include "test_data.hpp"

namespace pcanno {
namespace {

namespace fs = std::filesystem;
using plugin::ProcessDetectorOptions;

const fs::path kFakes = PCANNO_FAKE_DETECTORS_DIR;

/// The wrapped fake in `mode`, its pid files written to `dir`.
ProcessDetectorOptions group_options(const fs::path& dir, const std::string& mode,
                                     double timeout_s = 60.0) {
  ProcessDetectorOptions o;
  o.id = "group";
  o.command = {"/bin/sh", (kFakes / "group_detector.sh").string(), mode};
  o.working_directory = dir.string();
  o.timeout_s = timeout_s;
  return o;
}

formats::PointCloud one_point() {
  formats::PointCloud c;
  c.x.push_back(10.0f);
  c.y.push_back(0.0f);
  c.z.push_back(-1.0f);
  return c;
}

formats::Expected<std::vector<plugin::Detection>> run_frame(plugin::Detector& detector,
                                                            std::int64_t index,
                                                            const std::function<bool()>& stop) {
  const formats::PointCloud cloud = one_point();
  plugin::DetectorFrame frame;
  frame.index = index;
  frame.cloud = &cloud;
  return detector.detect(frame, stop);
}

bool never() { return false; }

/// Starts `body` on another thread; its future is ready when it has returned.
std::future<void> start_thread(std::function<void()> body) {
  auto done = std::make_shared<std::promise<void>>();
  std::future<void> finished = done->get_future();
  std::thread([body = std::move(body), done] {
    body();
    done->set_value();
  }).detach();
  return finished;
}

/// Whether `body` returns within 10 s. If not, the processes whose pids group_detector.sh wrote
/// to `dir` are killed, which ends a `body` waiting for them, and `body` is waited for: it may use
/// the caller's locals, so it must be done before the caller's scope ends.
bool returns_within_10s(const fs::path& dir, std::function<void()> body) {
  std::future<void> returned = start_thread(std::move(body));
  if (returned.wait_for(std::chrono::seconds(10)) == std::future_status::ready) return true;
  for (const char* name : {"wrapper.pid", "helper.pid", "detector.pid"}) {
    const pid_t pid = test::read_pid(dir / name);
    if (pid > 0 && !test::process_gone(pid)) ::kill(pid, SIGKILL);
  }
  returned.wait();
  return false;
}

TEST(ProcessDetectorGroup, ACleanShutdownLeavesNoHelperRunning) {
  test::TempDir dir("pcanno_group_");
  {
    auto detector = plugin::start_process_detector(group_options(dir.path(), "ok"));
    ASSERT_TRUE(detector) << detector.error().describe();
    const auto boxes = run_frame(**detector, 0, never);
    ASSERT_TRUE(boxes) << boxes.error().describe();
    EXPECT_EQ(boxes->size(), 1u);
  }  // shutdown: the detector exits 0, the wrapper too; the helper must not outlive them
  test::expect_group_gone(dir.path(), test::WrapperParent::kThisProcess);
}

TEST(ProcessDetectorGroup, AChildThatExitsMidRunIsReportedAndTakesItsGroup) {
  test::TempDir dir("pcanno_group_");
  auto detector = plugin::start_process_detector(group_options(dir.path(), "exit"));
  ASSERT_TRUE(detector) << detector.error().describe();
  // The helper keeps the wrapper's stdout open: the exit is seen by the process, not by an end of
  // file, and well before the 60 s timeout.
  const auto boxes = run_frame(**detector, 4, never);
  ASSERT_FALSE(boxes);
  const std::string& message = boxes.error().message;
  for (const std::string needle : {"detector 'group'", "group_detector.sh exit", "frame 4",
                                   "exited with status 3", "giving up"}) {
    EXPECT_NE(message.find(needle), std::string::npos) << "'" << needle << "' not in " << message;
  }
  test::expect_group_gone(dir.path(), test::WrapperParent::kThisProcess);
}

TEST(ProcessDetectorGroup, ATimeoutKillsTheGroup) {
  test::TempDir dir("pcanno_group_");
  auto detector = plugin::start_process_detector(group_options(dir.path(), "hang", 0.5));
  ASSERT_TRUE(detector) << detector.error().describe();
  const auto boxes = run_frame(**detector, 2, never);
  ASSERT_FALSE(boxes);
  EXPECT_NE(boxes.error().message.find("no response within 0.5 s"), std::string::npos)
      << boxes.error().message;
  test::expect_group_gone(dir.path(), test::WrapperParent::kThisProcess);
}

TEST(ProcessDetectorGroup, ACancelKillsTheGroup) {
  test::TempDir dir("pcanno_group_");
  auto detector = plugin::start_process_detector(group_options(dir.path(), "hang"));
  ASSERT_TRUE(detector) << detector.error().describe();
  const auto boxes =
      run_frame(**detector, 2, [&] { return fs::exists(dir.path() / "detecting.txt"); });
  ASSERT_FALSE(boxes);
  EXPECT_EQ(boxes.error().code, formats::ErrorCode::kCancelled) << boxes.error().describe();
  EXPECT_NE(boxes.error().message.find("frame 2"), std::string::npos) << boxes.error().message;
  test::expect_group_gone(dir.path(), test::WrapperParent::kThisProcess);
}

TEST(ProcessDetectorGroup, AChildIgnoringSigtermAndShutdownIsKilledAndTheCallReturns) {
  test::TempDir dir("pcanno_group_");
  // Cancelled mid-frame: the kill does not wait for a polite exit.
  {
    auto detector = plugin::start_process_detector(group_options(dir.path(), "stubborn"));
    ASSERT_TRUE(detector) << detector.error().describe();
    formats::Status cancelled;
    EXPECT_TRUE(returns_within_10s(dir.path(), [&] {
      const auto boxes =
          run_frame(**detector, 0, [&] { return fs::exists(dir.path() / "detecting.txt"); });
      cancelled = boxes ? formats::Status{} : formats::Status{boxes.error()};
    }));
    ASSERT_FALSE(cancelled);
    EXPECT_EQ(cancelled.error().code, formats::ErrorCode::kCancelled);
    test::expect_group_gone(dir.path(), test::WrapperParent::kThisProcess);
  }
  // Ended after the hello: the shutdown request and the end of stdin are ignored, so the
  // destructor's grace runs out and the group is killed; the destructor still returns.
  test::TempDir idle("pcanno_group_");
  auto detector = plugin::start_process_detector(group_options(idle.path(), "stubborn"));
  ASSERT_TRUE(detector) << detector.error().describe();
  auto* owned = detector->release();
  EXPECT_TRUE(returns_within_10s(idle.path(), [owned] { delete owned; }));
  test::expect_group_gone(idle.path(), test::WrapperParent::kThisProcess);
}

/// A process that ptrace-attaches to `pid` and then sleeps: while it lives, `pid`'s death is
/// reported to the tracer first, never to its parent, so a waitpid() on it in the parent blocks.
/// 0 when the attach is refused (no ptrace in this container).
pid_t start_tracer_of(pid_t pid) {
  int report[2];
  if (::pipe(report) != 0) return 0;
  const pid_t tracer = ::fork();
  if (tracer == 0) {
    const char ok = ::ptrace(PTRACE_SEIZE, pid, nullptr, nullptr) == 0 ? 1 : 0;
    ssize_t ignored = ::write(report[1], &ok, 1);
    (void)ignored;
    ::sleep(60);
    ::_exit(0);
  }
  ::close(report[1]);
  char ok = 0;
  if (tracer < 0 || ::read(report[0], &ok, 1) != 1 || ok != 1) {
    if (tracer > 0) {
      ::kill(tracer, SIGKILL);
      ::waitpid(tracer, nullptr, 0);
    }
    ::close(report[0]);
    return 0;
  }
  ::close(report[0]);
  return tracer;
}

TEST(ProcessDetectorGroup, ACancelReturnsWhenTheKilledChildCannotBeReaped) {
  test::TempDir dir("pcanno_group_");
  auto detector = plugin::start_process_detector(group_options(dir.path(), "hang"));
  ASSERT_TRUE(detector) << detector.error().describe();
  const pid_t child = test::read_pid(dir.path() / "wrapper.pid");  // the process pcanno started
  ASSERT_GT(child, 0);
  const pid_t tracer = start_tracer_of(child);
  if (tracer == 0) GTEST_SKIP() << "ptrace is not permitted here: cannot hold the child unreaped";
  formats::Status cancelled;
  std::future<void> returned = start_thread([&] {
    const auto boxes =
        run_frame(**detector, 0, [&] { return fs::exists(dir.path() / "detecting.txt"); });
    cancelled = boxes ? formats::Status{} : formats::Status{boxes.error()};
  });
  const bool in_time = returned.wait_for(std::chrono::seconds(10)) == std::future_status::ready;
  // The tracer's end releases the child's exit to whoever waits for it.
  ::kill(tracer, SIGKILL);
  ::waitpid(tracer, nullptr, 0);
  returned.wait();
  EXPECT_TRUE(in_time) << "the cancel waited for a child that could not be reaped";
  ASSERT_FALSE(cancelled);
  EXPECT_EQ(cancelled.error().code, formats::ErrorCode::kCancelled);
  test::expect_group_gone(dir.path(), test::WrapperParent::kThisProcess);
}

TEST(ProcessDetectorGroup, CancellingAPrelabelRunThroughItsProgressLeavesNoProcess) {
  const fs::path training = test::sample_data_dir() / "kitti_tracking/training";
  PCANNO_REQUIRE_DATA(training / "velodyne/0000/000000.bin");
  const auto sequence = formats::open_sequence(training);
  ASSERT_TRUE(sequence) << sequence.error().describe();
  test::TempDir dir("pcanno_group_");
  std::ofstream(dir.path() / "group.detector.json")
      << R"({"id": "group", "command": ["/bin/sh", ")" << (kFakes / "group_detector.sh").string()
      << R"(", "hang"]})";
  plugin::Registry registry = plugin::Registry::with_builtins();
  const formats::Status loaded = plugin::load_plugin(registry, dir.path() / "group.detector.json");
  ASSERT_TRUE(loaded) << loaded.error().describe();
  ASSERT_NE(registry.detector("group"), nullptr);
  auto detector = registry.detector("group")->create({});
  ASSERT_TRUE(detector) << detector.error().describe();
  // The cancel token of a host (the workstation's job, the CLI's Ctrl+C) is the progress callback.
  std::atomic<bool> cancel{false};
  plugin::PrelabelOptions options;
  options.first_frame = 0;
  options.last_frame = 0;
  const auto run = plugin::run_prelabel(
      **detector, *sequence, options, plugin::schema_classes(formats::Annotations{}), [&](double) {
        if (fs::exists(dir.path() / "detecting.txt")) cancel = true;
        return !cancel;
      });
  ASSERT_FALSE(run);
  EXPECT_EQ(run.error().code, formats::ErrorCode::kCancelled) << run.error().describe();
  EXPECT_TRUE(cancel);
  test::expect_group_gone(dir.path(), test::WrapperParent::kThisProcess);
}

/// The process's working folder changed for the scope.
class ScopedWorkingFolder {
 public:
  explicit ScopedWorkingFolder(const fs::path& to) : saved_(fs::current_path()) {
    fs::current_path(to);
  }
  ~ScopedWorkingFolder() {
    std::error_code ec;
    fs::current_path(saved_, ec);
  }

 private:
  fs::path saved_;
};

TEST(DetectorManifest, ARelativeProgramIsFoundBesideTheManifestNotInTheWorkingFolder) {
  test::TempDir manifests("pcanno_manifests_");
  test::TempDir elsewhere("pcanno_cwd_");
  // The program in a sub-folder of the manifest's folder, named without "./".
  fs::create_directories(manifests.path() / "bin");
  for (const char* file : {"group_detector.sh", "group_detector.py"}) {
    fs::copy_file(kFakes / file, manifests.path() / "bin" / file);
  }
  fs::permissions(manifests.path() / "bin/group_detector.sh", fs::perms::owner_exec,
                  fs::perm_options::add);
  std::ofstream(manifests.path() / "beside.detector.json")
      << R"({"id": "beside", "command": ["bin/group_detector.sh", "ok"]})";
  // A program that exists only relative to the host's working folder must not be taken.
  fs::create_directories(elsewhere.path() / "tools");
  fs::copy_file(kFakes / "group_detector.sh", elsewhere.path() / "tools/only_here.sh");
  std::ofstream(manifests.path() / "astray.detector.json")
      << R"({"id": "astray", "command": ["tools/only_here.sh", "ok"]})";

  const ScopedWorkingFolder cwd(elsewhere.path());
  plugin::Registry registry = plugin::Registry::with_builtins();
  const formats::Status beside =
      plugin::load_plugin(registry, manifests.path() / "beside.detector.json");
  ASSERT_TRUE(beside) << beside.error().describe();
  const formats::Status astray =
      plugin::load_plugin(registry, manifests.path() / "astray.detector.json");
  ASSERT_FALSE(astray);
  EXPECT_NE(astray.error().describe().find((manifests.path() / "tools/only_here.sh").string()),
            std::string::npos)
      << astray.error().describe();

  {
    auto detector = registry.detector("beside")->create({});
    ASSERT_TRUE(detector) << detector.error().describe();
    const auto boxes = run_frame(**detector, 0, never);
    ASSERT_TRUE(boxes) << boxes.error().describe();
    EXPECT_EQ(boxes->size(), 1u);
  }
  // It ran in the manifest's folder: its pid files are there, not in the working folder.
  test::expect_group_gone(manifests.path(), test::WrapperParent::kThisProcess);
  EXPECT_FALSE(fs::exists(elsewhere.path() / "wrapper.pid"));
}

}  // namespace
}  // namespace pcanno
