// The `pcanno` executable as a user runs it: exit codes, help, and `info`.
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "run_command.hpp"
#include "test_data.hpp"

namespace {

using RunResult = pcanno::test::CommandResult;

RunResult run(const std::string& args) {
  return pcanno::test::run_command(std::string(PCANNO_BINARY) + " " + args + " 2>&1");
}

RunResult run_stdout(const std::string& args) { return run(args + " 2>/dev/null"); }

TEST(Cli, VersionAndHelp) {
  const RunResult version = run("--version");
  EXPECT_EQ(version.exit_code, 0);
  EXPECT_NE(version.out.find("pcanno 0."), std::string::npos) << version.out;
  const RunResult help = run("--help");
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("info"), std::string::npos) << help.out;
  EXPECT_EQ(run("info --help").exit_code, 0);
}

TEST(Cli, UsageErrorsExitWithTwo) {
  EXPECT_EQ(run("").exit_code, 2);
  EXPECT_EQ(run("no-such-command").exit_code, 2);
  EXPECT_EQ(run("--no-such-flag").exit_code, 2);
  EXPECT_EQ(run("info").exit_code, 2);  // missing PATH
  EXPECT_EQ(run("info --bogus-option x.bin").exit_code, 2);
  EXPECT_EQ(run("info x.bin --format bogus").exit_code, 2);
}

TEST(Cli, FailuresExitWithOneAndNameTheFile) {
  const RunResult missing = run("info /definitely/not/here.bin");
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.out.find("/definitely/not/here.bin"), std::string::npos) << missing.out;
  const RunResult unknown = run("info " PCANNO_SAMPLE_DATA_DIR "/README.md");
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_NE(unknown.out.find("not a recognised point-cloud file"), std::string::npos)
      << unknown.out;
}

TEST(Cli, InfoOnSampleKittiFrame) {
  const std::string path =
      std::string(PCANNO_SAMPLE_DATA_DIR) + "/kitti_tracking/training/velodyne/0000/000000.bin";
  const RunResult r = run_stdout("info --json " + path);
  ASSERT_EQ(r.exit_code, 0) << r.out;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["format"], "kitti-bin");
  EXPECT_EQ(j["points"], 123398);  // 1 974 368 bytes / 16 (formats.md section 1)
  EXPECT_EQ(j["fields"], nlohmann::json({"x", "y", "z", "intensity"}));
  // A full 360-degree sweep reaching ~80 m horizontally.
  EXPECT_LT(j["bounds"]["min"][0].get<double>(), -50.0);
  EXPECT_GT(j["bounds"]["max"][0].get<double>(), 50.0);
  EXPECT_LT(j["bounds"]["max"][1].get<double>(), 81.0);

  const RunResult text = run_stdout("info " + path);
  EXPECT_EQ(text.exit_code, 0);
  EXPECT_NE(text.out.find("123398"), std::string::npos) << text.out;
}

TEST(Cli, InfoPicksLongestSuffixForNuscenes) {
  const std::string path = std::string(PCANNO_SAMPLE_DATA_DIR) +
                           "/nuscenes/v1.0-mini-scene0061/samples/LIDAR_TOP/"
                           "n015-2018-07-24-11-22-45+0800__LIDAR_TOP__1532402927647951.pcd.bin";
  const RunResult r = run_stdout("info --json " + path);
  ASSERT_EQ(r.exit_code, 0) << r.out;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["format"], "nuscenes-bin");
  EXPECT_EQ(j["points"], 34688);  // 693 760 bytes / 20
  EXPECT_EQ(j["fields"].size(), 5u);
  // The same bytes forced through the KITTI layout are a different, wrong reading: 693760 / 16
  // points.
  const RunResult forced = run_stdout("info --json --format kitti-bin " + path);
  ASSERT_EQ(forced.exit_code, 0);
  EXPECT_EQ(nlohmann::json::parse(forced.out)["points"], 43360);
}

TEST(Cli, InfoOnSampleSequence) {
  const std::string path = std::string(PCANNO_SAMPLE_DATA_DIR) + "/kitti_tracking/training";
  const RunResult r = run_stdout("info --json --frames " + path);
  ASSERT_EQ(r.exit_code, 0) << r.out;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["kind"], "sequence");
  EXPECT_EQ(j["layout"], "kitti-tracking");
  EXPECT_EQ(j["frames"], 5);
  EXPECT_EQ(j["calibration"], true);
  EXPECT_EQ(j["poses"], false);
  // Frames 0-4 are 1974368, 1978944, 1980544, 1979200 and 1977392 bytes of 16-byte points.
  EXPECT_EQ(j["points_per_frame"]["total"], 9890448 / 16);
  EXPECT_EQ(j["points_per_frame"]["min"], 1974368 / 16);
  EXPECT_EQ(j["points_per_frame"]["max"], 1980544 / 16);
  EXPECT_DOUBLE_EQ(j["timestamps"]["span_s"].get<double>(), 0.4);

  const RunResult text = run_stdout("info " + path);
  EXPECT_EQ(text.exit_code, 0);
  EXPECT_NE(text.out.find("kitti-tracking sequence 0000"), std::string::npos) << text.out;
  const RunResult wrong = run("info --sequence 0042 " + path);
  EXPECT_EQ(wrong.exit_code, 1);
  EXPECT_NE(wrong.out.find("0042"), std::string::npos) << wrong.out;
}

}  // namespace
