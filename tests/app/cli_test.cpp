// The `pcanno` executable as a user runs it: exit codes, help, and `info`.
#include <string>
#include <vector>

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

TEST(Cli, InfoListsCameras) {
  // The three KITTI object frames: image_2 with two sizes (000000.png is 1224x370, the others
  // 1242x375, shared data README).
  const std::string kitti = std::string(PCANNO_SHARED_DATA_DIR) + "/kitti_object/training";
  PCANNO_REQUIRE_DATA(kitti + "/image_2/000002.png");
  const RunResult r = run_stdout("info --json " + kitti);
  ASSERT_EQ(r.exit_code, 0) << r.out;
  const auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j["cameras"].size(), 1u) << r.out;
  EXPECT_EQ(j["cameras"][0]["channel"], "image_2");
  EXPECT_EQ(j["cameras"][0]["frames_with_image"], 3);
  ASSERT_EQ(j["cameras"][0]["sizes"].size(), 2u);
  EXPECT_EQ(j["cameras"][0]["sizes"][0]["width"], 1224);
  EXPECT_EQ(j["cameras"][0]["sizes"][0]["height"], 370);
  EXPECT_EQ(j["cameras"][0]["sizes"][1]["width"], 1242);
  const RunResult text = run_stdout("info " + kitti);
  EXPECT_NE(text.out.find("image_2          1224x370, 1242x375, 3 of 3 frames with an image"),
            std::string::npos)
      << text.out;

  // nuScenes: the six cameras in their ring order, 1600x900 each.
  const std::string nuscenes =
      std::string(PCANNO_SHARED_DATA_DIR) + "/nuscenes_cameras/v1.0-mini-scene0061";
  PCANNO_REQUIRE_DATA(nuscenes + "/v1.0-mini/sample_data.json");
  const RunResult n = run_stdout("info --json " + nuscenes);
  ASSERT_EQ(n.exit_code, 0) << n.out;
  const auto jn = nlohmann::json::parse(n.out);
  const std::vector<std::string> ring = {"CAM_FRONT_LEFT", "CAM_FRONT", "CAM_FRONT_RIGHT",
                                         "CAM_BACK_RIGHT", "CAM_BACK",  "CAM_BACK_LEFT"};
  ASSERT_EQ(jn["cameras"].size(), ring.size()) << n.out;
  for (std::size_t i = 0; i < ring.size(); ++i) {
    EXPECT_EQ(jn["cameras"][i]["channel"], ring[i]);
    EXPECT_EQ(jn["cameras"][i]["sizes"][0]["width"], 1600);
    EXPECT_EQ(jn["cameras"][i]["sizes"][0]["height"], 900);
    EXPECT_EQ(jn["cameras"][i]["frames_with_image"], 1);
  }
  const RunResult nt = run_stdout("info " + nuscenes);
  EXPECT_NE(nt.out.find("cameras      6\n    CAM_FRONT_LEFT   1600x900, 1 of 1 frames"),
            std::string::npos)
      << nt.out;

  // Lyft: seven cameras whose image files are not in the shared copy.
  const std::string lyft = std::string(PCANNO_SHARED_DATA_DIR) + "/nuscenes/lyft-tiny/v1.01-train";
  const RunResult l = run_stdout("info --json " + lyft);
  ASSERT_EQ(l.exit_code, 0) << l.out;
  const auto jl = nlohmann::json::parse(l.out);
  ASSERT_EQ(jl["cameras"].size(), 7u) << l.out;
  EXPECT_EQ(jl["cameras"][6]["channel"], "CAM_FRONT_ZOOMED");
  EXPECT_EQ(jl["cameras"][6]["missing_files"], 1);
  EXPECT_EQ(jn["cameras"][0]["missing_files"], 0);
  const RunResult lt = run_stdout("info " + lyft);
  EXPECT_NE(lt.out.find("CAM_FRONT_ZOOMED 1920x1080, 1 of 1 frames with an image (1 file missing)"),
            std::string::npos)
      << lt.out;

  // A layout without images says so.
  const std::string tracking = std::string(PCANNO_SAMPLE_DATA_DIR) + "/kitti_tracking/training";
  const RunResult none = run_stdout("info --json " + tracking);
  ASSERT_EQ(none.exit_code, 0) << none.out;
  EXPECT_TRUE(nlohmann::json::parse(none.out)["cameras"].empty());
}

}  // namespace
