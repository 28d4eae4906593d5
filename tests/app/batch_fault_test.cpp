// `pcanno batch` under faults: kill -9 of the run, of its engine alone or of one worker, Ctrl+C and
// `pcanno batch cancel` lose only unfinished tasks, and a re-run redoes exactly those, ending with
// the bytes of an uninterrupted run; one engine per run directory; tasks run by index elsewhere
// and merged, as another engine will. No sleep stands in for synchronisation: the tests poll the
// run's state records.
#include <signal.h>
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "app_test_support.hpp"
#include "batch_test_support.hpp"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using pcanno::test::CommandResult;
using pcanno::test::pcanno;
using pcanno::test::slurp;
using namespace pcanno::test::batch;

using BatchFaultTest = pcanno::test::LabelsTest;

TEST_F(BatchFaultTest, KillNineOfTheRunLosesOnlyUnfinishedSequences) {
  const int n = 24;
  const fs::path root = label_set(dir_, training_, n);
  const fs::path out = dir_ / "nus";
  const fs::path run = dir_ / "nus.batch";
  const std::string args = "batch --op convert --to nuscenes " + root.string() + " --out " +
                           out.string() + " --run-dir " + run.string();
  const pid_t pid = start_in_background(args + " -j 1", dir_ / "killed.log");
  ASSERT_TRUE(wait_for_done(run, 3, pid)) << slurp(dir_ / "killed.log");
  ::kill(-pid, SIGKILL);  // the run, its worker and the worker's command
  wait_exit(pid);
  std::map<std::string, json> done_before, interrupted;
  for (const auto& [name, j] : records(run)) {
    if (j["status"] == "done") done_before[name] = j;
    if (j["status"] == "running") interrupted[name] = j;  // killed mid-task
  }
  ASSERT_GE(done_before.size(), 3u);
  ASSERT_LT(done_before.size(), static_cast<std::size_t>(n)) << "the run ended before the kill";
  EXPECT_FALSE(fs::exists(out));

  const CommandResult rerun = pcanno(args + " -j 2");
  ASSERT_EQ(rerun.exit_code, 0) << rerun.out;
  const json summary = read_json(run / "summary.json");
  EXPECT_EQ(summary["up_to_date"], done_before.size());
  EXPECT_EQ(summary["ran"], n - static_cast<int>(done_before.size()));
  for (const auto& [name, s] : done_before) EXPECT_EQ(state(run, name), s) << name;
  for (const auto& [name, s] : interrupted) {
    EXPECT_EQ(state(run, name)["status"], "done") << name;
    EXPECT_EQ(state(run, name)["attempts"], 2) << name;  // the killed attempt, then this one
  }
  EXPECT_TRUE(empty_folder(run / "staging"));
  for (const char* sub : {"state", "parts"}) {  // no temporary record or part moved aside
    for (const auto& e : fs::directory_iterator(run / sub)) {
      EXPECT_NE(e.path().filename().string().front(), '.') << e.path();
    }
  }

  // Byte-identical to an uninterrupted run.
  const fs::path clean = dir_ / "clean";
  ASSERT_EQ(pcanno("batch --op convert --to nuscenes " + root.string() + " --out " +
                   clean.string() + " -j 2")
                .exit_code,
            0);
  const auto got = tree(out);
  EXPECT_EQ(got.size(), tree(clean).size());
  EXPECT_TRUE(got == tree(clean));
}

TEST_F(BatchFaultTest, KillNineOfTheEngineAloneTakesItsWorkersWithIt) {
  const fs::path root = label_set(dir_, training_, 24);
  const fs::path run = dir_ / "k.batch";
  const std::string args = "batch --op convert --to kitti-tracking " + root.string() + " --out " +
                           (dir_ / "k").string() + " -j 2";
  const pid_t pid = start_in_background(args, dir_ / "engine.log");
  ASSERT_TRUE(wait_for_done(run, 2, pid)) << slurp(dir_ / "engine.log");
  ::kill(pid, SIGKILL);  // the engine only, not its process group
  wait_exit(pid);
  // Its workers die with it (they would otherwise race a re-run for their staging folders).
  for (const auto& [name, j] : records(run)) {
    if (j["status"] != "running") continue;
    const auto worker = static_cast<pid_t>(j["pid"].get<std::int64_t>());
    bool gone = false;
    for (int i = 0; i < 5000 && !gone; ++i) {
      const std::string stat = slurp("/proc/" + std::to_string(worker) + "/stat");
      gone = stat.empty() || stat.find(") Z ") != std::string::npos;  // gone or a zombie
      if (!gone) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    EXPECT_TRUE(gone) << name << " pid " << worker;
  }
  const CommandResult rerun = pcanno(args);
  ASSERT_EQ(rerun.exit_code, 0) << rerun.out;
  EXPECT_EQ(tree(dir_ / "k").size(), 25u);  // 24 label files and the seqmap
}

TEST_F(BatchFaultTest, KillNineOfAWorkerLosesOnlyItsTaskWhichIsRetried) {
  const fs::path root = label_set(dir_, training_, 24);
  const fs::path run = dir_ / "o.batch";
  const pid_t pid = start_in_background("batch --op convert --to openlabel " + root.string() +
                                            " --out " + (dir_ / "o").string() + " -j 1",
                                        dir_ / "run.log");
  // Stop a worker while its record says running, so it cannot finish before the kill.
  std::string victim;
  for (int i = 0; i < 60000 && victim.empty(); ++i) {
    for (const auto& [name, j] : records(run)) {
      if (j["status"] != "running") continue;
      const auto worker = static_cast<pid_t>(j["pid"].get<std::int64_t>());
      if (::kill(worker, SIGSTOP) != 0) continue;
      if (state(run, name)["status"] == "running") {
        ::kill(worker, SIGKILL);
        victim = name;
        break;
      }
      ::kill(worker, SIGCONT);
    }
    if (victim.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ASSERT_FALSE(victim.empty()) << slurp(dir_ / "run.log");
  EXPECT_EQ(wait_exit(pid), 0) << slurp(dir_ / "run.log");
  EXPECT_EQ(state(run, victim)["status"], "done");
  EXPECT_EQ(state(run, victim)["attempts"], 2) << victim;
  EXPECT_NE(slurp(dir_ / "run.log").find(victim + " failed"), std::string::npos);
  EXPECT_EQ(tree(dir_ / "o").size(), 25u);  // 24 files and index.json
  EXPECT_TRUE(empty_folder(run / "staging"));
}

TEST_F(BatchFaultTest, CancelAndCtrlCStopTheRunAndARerunFinishesIt) {
  const int n = 24;
  const fs::path root = label_set(dir_, training_, n);
  for (const bool ctrl_c : {false, true}) {
    SCOPED_TRACE(ctrl_c ? "Ctrl+C" : "pcanno batch cancel");
    const fs::path out = dir_ / (ctrl_c ? "c" : "o");
    const fs::path run = dir_ / (ctrl_c ? "c.batch" : "o.batch");
    const std::string args =
        "batch --op convert --to openlabel " + root.string() + " --out " + out.string() + " -j 2";
    const pid_t pid = start_in_background(args, dir_ / "cancelled.log");
    ASSERT_TRUE(wait_for_done(run, 2, pid)) << slurp(dir_ / "cancelled.log");
    if (ctrl_c) {
      ::kill(-pid, SIGINT);  // what a terminal sends the foreground job
    } else {
      const CommandResult cancel = pcanno("batch cancel " + run.string());
      EXPECT_EQ(cancel.exit_code, 0) << cancel.out;
    }
    EXPECT_EQ(wait_exit(pid), 130) << slurp(dir_ / "cancelled.log");
    std::size_t done = 0;
    for (const auto& [name, j] : records(run)) {
      EXPECT_NE(j["status"], "running") << j;  // every stopped task recorded itself
      done += j["status"] == "done" ? 1 : 0;
    }
    ASSERT_LT(done, static_cast<std::size_t>(n));
    EXPECT_TRUE(empty_folder(run / "staging"));
    EXPECT_FALSE(fs::exists(out));
    EXPECT_EQ(read_json(run / "summary.json")["cancelled"], true);

    const CommandResult rerun = pcanno(args);
    ASSERT_EQ(rerun.exit_code, 0) << rerun.out;
    EXPECT_EQ(read_json(run / "summary.json")["up_to_date"], done);
    EXPECT_EQ(tree(out).size(), static_cast<std::size_t>(n) + 1);  // and index.json
  }
}

TEST_F(BatchFaultTest, ASecondEngineOnTheSameRunIsRefused) {
  const fs::path root = label_set(dir_, training_, 24);
  const fs::path run = dir_ / "o.batch";
  const std::string args = "batch --op convert --to openlabel " + root.string() + " --out " +
                           (dir_ / "o").string() + " -j 1";
  const pid_t pid = start_in_background(args, dir_ / "first.log");
  ASSERT_TRUE(wait_for_done(run, 1, pid)) << slurp(dir_ / "first.log");
  const CommandResult status = pcanno("batch status " + run.string() + " --json", false);
  const CommandResult second = pcanno(args);
  EXPECT_EQ(wait_exit(pid), 0) << slurp(dir_ / "first.log");
  EXPECT_EQ(second.exit_code, 1) << second.out;
  EXPECT_NE(second.out.find("another pcanno batch is running"), std::string::npos) << second.out;
  ASSERT_EQ(status.exit_code, 0) << status.out;
  EXPECT_EQ(json::parse(status.out)["engine_running"], true) << status.out;
  EXPECT_EQ(tree(dir_ / "o").size(), 25u);
}

// The path another engine takes (a Slurm array, then a finishing job): the plan, each task by its
// index in any order, then the merge.
TEST_F(BatchFaultTest, PreparedTasksRunByIndexThenMergeLikeOneRun) {
  const fs::path root = label_set(dir_, training_, 4);
  const fs::path out = dir_ / "nus";
  const fs::path run = dir_ / "nus.batch";
  const CommandResult prepared = pcanno("batch --prepare --op convert --to nuscenes " +
                                        root.string() + " --out " + out.string());
  ASSERT_EQ(prepared.exit_code, 0) << prepared.out;
  EXPECT_NE(prepared.out.find("prepared 4 tasks"), std::string::npos) << prepared.out;
  EXPECT_EQ(pcanno("batch --task 4 " + run.string()).exit_code, 2);  // tasks are 0..3
  for (int i = 3; i >= 1; --i) {
    const CommandResult task = pcanno("batch --task " + std::to_string(i) + " " + run.string());
    ASSERT_EQ(task.exit_code, 0) << i << ": " << task.out;
  }
  const CommandResult early = pcanno("batch merge " + run.string());
  EXPECT_EQ(early.exit_code, 1) << early.out;  // 0000 has not run
  EXPECT_NE(early.out.find("0000: pending"), std::string::npos) << early.out;
  EXPECT_FALSE(fs::exists(out));
  ASSERT_EQ(pcanno("batch --task 0 " + run.string()).exit_code, 0);
  const CommandResult merged = pcanno("batch merge " + run.string());
  ASSERT_EQ(merged.exit_code, 0) << merged.out;
  const fs::path direct = dir_ / "direct";
  ASSERT_EQ(
      pcanno("convert " + root.string() + " --to nuscenes --out " + direct.string()).exit_code, 0);
  EXPECT_TRUE(tree(out) == tree(direct));
  // Merging again changes nothing.
  const auto before = fs::last_write_time(out / "v1.0-pcanno/scene.json");
  ASSERT_EQ(pcanno("batch merge " + run.string()).exit_code, 0);
  EXPECT_EQ(fs::last_write_time(out / "v1.0-pcanno/scene.json"), before);
  EXPECT_TRUE(tree(out) == tree(direct));
}

}  // namespace
