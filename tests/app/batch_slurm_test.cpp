// `pcanno batch --engine slurm` on a throw-away single-node cluster (tests/batch/slurm_cluster.sh):
// the 21 KITTI tracking label files become the same nuScenes bytes as one direct conversion; a
// failing task is retried by the finishing job, then reported; scancel of one array task, and a
// re-run redoes that sequence alone, ending with the bytes of an uninterrupted run. Where the
// cluster cannot run (not root, Slurm missing) the tests skip, and fail when CI is set.
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "app_test_support.hpp"
#include "batch_test_support.hpp"
#include "pcanno/formats/datasets/nuscenes_db.hpp"
#include "test_data.hpp"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using pcanno::test::CommandResult;
using pcanno::test::pcanno;
using pcanno::test::run_command;
using namespace pcanno::test::batch;

class BatchSlurmTest : public pcanno::test::LabelsTest {
 protected:
  void SetUp() override {
    LabelsTest::SetUp();
    state_ = dir_ / "slurm";
    const std::string script = PCANNO_SLURM_CLUSTER_SCRIPT;
    const CommandResult up = run_command(script + " up " + state_.string() + " 2>&1");
    if (up.exit_code != 0) {
      started_ = up.exit_code != 3;  // 3: this machine cannot run it; else its folder stays
      const std::string why = "no Slurm cluster: " + up.out;
      if (up.exit_code != 3 || std::getenv("CI")) FAIL() << why;
      GTEST_SKIP() << why;
    }
    started_ = true;
    ::setenv("SLURM_CONF", (state_ / "slurm.conf").c_str(), 1);
  }
  void TearDown() override {
    if (started_)
      run_command(std::string(PCANNO_SLURM_CLUSTER_SCRIPT) + " down " + state_.string());
    ::unsetenv("SLURM_CONF");
    LabelsTest::TearDown();
  }

  /// Waits until the run's Slurm jobs have all ended (its status says so).
  bool wait_for_jobs(const fs::path& run_dir) {
    for (int i = 0; i < 600; ++i) {
      const CommandResult s = pcanno("batch status --json " + run_dir.string(), false);
      const json j = json::parse(s.out, nullptr, false);
      if (!j.is_discarded() && j.value("slurm_jobs", "x").empty()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
  }

  fs::path state_;
  bool started_ = false;
};

TEST_F(BatchSlurmTest, All21KittiTrackingSequencesBecomeTheBytesOfOneConversion) {
  const fs::path training = pcanno::test::shared_data_dir() / "kitti_tracking/training";
  PCANNO_REQUIRE_DATA(training / "label_02/0020.txt");
  const fs::path out = dir_ / "nuscenes";
  const CommandResult r = pcanno("batch --op convert --to nuscenes " + training.string() +
                                 " --out " + out.string() + " --engine slurm --wait");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("21 of 21 sequences done"), std::string::npos) << r.out;
  const auto db = pcanno::formats::load_nuscenes_db(out);
  ASSERT_TRUE(db) << db.error().describe();
  EXPECT_EQ(db->scenes.size(), 21u);
  EXPECT_EQ(db->sample_annotations.size(), 46612u);  // the non-DontCare rows (batch_test.cpp)
  const fs::path direct = dir_ / "direct";
  ASSERT_EQ(
      pcanno("convert " + training.string() + " --to nuscenes --quiet --out " + direct.string())
          .exit_code,
      0);
  EXPECT_TRUE(tree(out) == tree(direct));
}

TEST_F(BatchSlurmTest, AFailingTaskIsRetriedByTheFinishingJobThenReported) {
  const fs::path root = label_set(dir_, training_, 3);
  std::ofstream(root / "label_02/0001.txt") << "0 0 Car 0 0 oops\n";
  const fs::path out = dir_ / "out";
  const CommandResult r = pcanno("batch --op convert --to kitti-tracking " + root.string() +
                                 " --out " + out.string() + " --engine slurm --wait --retries 1");
  EXPECT_EQ(r.exit_code, 1) << r.out;
  const fs::path run = dir_ / "out.batch";
  EXPECT_EQ(state(run, "0001")["status"], "failed");
  EXPECT_EQ(state(run, "0001")["attempts"], 2) << "the first try and one retry";
  EXPECT_EQ(state(run, "0000")["attempts"], 1);
  const json engine = read_json(run / "engine.json");
  ASSERT_EQ(engine["rounds"].size(), 2u) << engine.dump();
  EXPECT_EQ(engine["rounds"][1]["tasks"], json::array({1}));
  const json summary = read_json(run / "summary.json");
  EXPECT_EQ(summary["failed"], 1);
  EXPECT_NE(r.out.find("0001"), std::string::npos) << r.out;
}

TEST_F(BatchSlurmTest, ScancelOfOneArrayTaskAndARerunRedoOnlyThatSequence) {
  const fs::path root = label_set(dir_, training_, 5);
  const fs::path out = dir_ / "out";
  const std::string args = "batch --op convert --to openlabel " + root.string() + " --out " +
                           out.string() + " --engine slurm --max-running 1";
  const CommandResult submitted = pcanno(args);
  ASSERT_EQ(submitted.exit_code, 0) << submitted.out;
  const fs::path run = dir_ / "out.batch";
  const std::string array = read_json(run / "engine.json")["rounds"][0]["array"];
  // One task at a time: the last one waits in the queue when it is cancelled.
  ASSERT_EQ(run_command("scancel " + array + "_4").exit_code, 0);
  ASSERT_TRUE(wait_for_jobs(run));
  EXPECT_EQ(count_done(run), 4u);
  EXPECT_NE(records(run).count("0004") ? records(run)["0004"].value("status", "") : "", "done");
  EXPECT_FALSE(fs::exists(out)) << "not merged while a sequence is missing";

  const CommandResult again = pcanno(args + " --wait");
  ASSERT_EQ(again.exit_code, 0) << again.out;
  for (const char* name : {"0000", "0001", "0002", "0003", "0004"}) {
    EXPECT_EQ(state(run, name)["attempts"], 1) << name << ": run once, over both runs";
  }
  const fs::path local = dir_ / "local";
  ASSERT_EQ(pcanno("batch --op convert --to openlabel " + root.string() + " --out " +
                   local.string() + " -j 2")
                .exit_code,
            0);
  EXPECT_TRUE(tree(out) == tree(local)) << "the bytes of an uninterrupted run";
}

}  // namespace
