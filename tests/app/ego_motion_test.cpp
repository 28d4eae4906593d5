// `pcanno ego-motion` end to end on the sample KITTI tracking frames (0-4 of 0000, real scans): the
// estimate without poses, its KITTI odometry file, and the drift report once the sequence carries
// oxts poses of its own.
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "app_test_support.hpp"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using pcanno::test::CommandResult;
using pcanno::test::pcanno;

using EgoMotionCommandTest = pcanno::test::LabelsTest;

std::vector<std::vector<double>> read_rows(const fs::path& file) {
  std::vector<std::vector<double>> rows;
  std::ifstream in(file);
  for (std::string line; std::getline(in, line);) {
    std::istringstream values(line);
    std::vector<double> row;
    for (double v; values >> v;) row.push_back(v);
    rows.push_back(row);
  }
  return rows;
}

TEST_F(EgoMotionCommandTest, WritesTheEstimateAsOdometryPoses) {
  const fs::path out = dir_ / "new/folders/poses.txt";  // made by the command
  const CommandResult r = pcanno(
      "ego-motion " + training_.string() + " --no-cache --json --out " + out.string(), false);
  ASSERT_EQ(r.exit_code, 0) << r.out;
  const json j = json::parse(r.out);
  EXPECT_EQ(j["frames"], 5);
  EXPECT_TRUE(j["reference"].is_null());  // KITTI tracking without oxts has no poses
  EXPECT_TRUE(j["weak_frames"].empty());
  // The recording car drives forward (+x) at a few metres per second: about 0.3 m per frame.
  const double travelled = j["path_length_m"].get<double>();
  EXPECT_GT(travelled, 0.5);
  EXPECT_LT(travelled, 3.0);

  const auto rows = read_rows(out);
  ASSERT_EQ(rows.size(), 5u);
  for (std::size_t f = 0; f < rows.size(); ++f) {
    ASSERT_EQ(rows[f].size(), 12u) << f;
    for (int r3 = 0; r3 < 3; ++r3) {
      for (int c = 0; c < 4; ++c) {
        EXPECT_DOUBLE_EQ(rows[f][4 * r3 + c], j["T_world_lidar"][f][r3][c].get<double>());
      }
    }
  }
  // Frame 0 defines the world.
  EXPECT_EQ(rows[0], (std::vector<double>{1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0}));
  EXPECT_GT(rows[4][3], 0.5);  // x of the last frame: ahead

  // An existing file is kept unless --force.
  const std::string before = pcanno::test::slurp(out);
  const CommandResult again = pcanno("ego-motion " + training_.string() + " --out " + out.string());
  EXPECT_NE(again.exit_code, 0);
  EXPECT_NE(again.out.find(out.string()), std::string::npos) << again.out;
  EXPECT_NE(again.out.find("--force"), std::string::npos) << again.out;
  EXPECT_EQ(pcanno::test::slurp(out), before);
  EXPECT_EQ(pcanno("ego-motion " + training_.string() + " --no-cache --force --out " + out.string())
                .exit_code,
            0);
}

TEST_F(EgoMotionCommandTest, ReportsDriftAgainstTheSequencesOwnPoses) {
  // The sample with an oxts file whose five records never move: the reference says the car stood
  // still, so the drift reported is the motion the scans show, as written by --out.
  const fs::path copy = dir_ / "training";
  fs::create_directories(copy / "oxts");
  fs::copy(training_ / "velodyne", copy / "velodyne", fs::copy_options::recursive);
  fs::copy(training_ / "calib", copy / "calib", fs::copy_options::recursive);
  {
    std::ofstream oxts(copy / "oxts/0000.txt");
    for (int f = 0; f < 5; ++f) {
      oxts << "49.011 8.422 112.8 0.02 0.01 1.2";
      for (int k = 6; k < 30; ++k) oxts << " 0";
      oxts << '\n';
    }
  }
  const fs::path out = dir_ / "estimated.txt";
  const CommandResult r =
      pcanno("ego-motion " + copy.string() + " --no-cache --json --out " + out.string(), false);
  ASSERT_EQ(r.exit_code, 0) << r.out;
  const json j = json::parse(r.out);
  ASSERT_FALSE(j["reference"].is_null()) << r.out;
  const json& e = j["reference"];
  EXPECT_EQ(e["path_length_m"].get<double>(), 0.0);
  const auto rows = read_rows(out);
  ASSERT_EQ(rows.size(), 5u);
  const double moved = std::hypot(rows[4][3], rows[4][7], rows[4][11]);
  EXPECT_NEAR(e["final_translation_m"].get<double>(), moved, 1e-6);
  EXPECT_EQ(e["translation_m"].size(), 5u);

  const CommandResult text = pcanno("ego-motion " + copy.string() + " --no-cache");
  ASSERT_EQ(text.exit_code, 0) << text.out;
  EXPECT_NE(text.out.find("against the sequence's poses"), std::string::npos) << text.out;
}

TEST_F(EgoMotionCommandTest, MissingSequenceIsAClearError) {
  const CommandResult r = pcanno("ego-motion " + (dir_ / "nothing").string());
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_NE(r.out.find("nothing"), std::string::npos) << r.out;
}

}  // namespace
