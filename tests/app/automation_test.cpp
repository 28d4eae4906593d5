// `pcanno fit` and `pcanno track` end to end on the sample KITTI tracking frames (0-4 of 0000,
// no poses: track estimates the ego motion), including the bad inputs the issue names.
#include <array>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "app_test_support.hpp"
#include "test_data.hpp"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using pcanno::test::CommandResult;
using pcanno::test::pcanno;

using AutomationCommandTest = pcanno::test::LabelsTest;

double yaw_of(const json& box) {
  const json& q = box["rotation_wxyz"];
  return 2.0 * std::atan2(q[3].get<double>(), q[0].get<double>());
}

/// Heading difference modulo a half turn [rad]: a footprint does not know front from back.
double axis_difference(double a, double b) {
  double d = std::fmod(std::abs(a - b), M_PI);
  return std::min(d, M_PI - d);
}

TEST_F(AutomationCommandTest, FitFindsTheVanNextToTheClick) {
  const json truth = native_labels()["tracks"][0]["boxes"][0];  // the Van in frame 0
  ASSERT_EQ(truth["frame"], 0);
  const double x = truth["center"][0].get<double>() + 0.3;
  const double y = truth["center"][1].get<double>() - 0.2;
  const CommandResult r =
      pcanno("fit " + training_.string() + " --frame 0 --class Van --json --seed " +
                 std::to_string(x) + "," + std::to_string(y) + ",-0.8",
             false);
  ASSERT_EQ(r.exit_code, 0) << r.out;
  const json fit = json::parse(r.out);
  EXPECT_EQ(fit["frame_of_reference"], "lidar");
  EXPECT_GT(fit["points"].get<int>(), 500);
  for (int i = 0; i < 2; ++i) {
    EXPECT_NEAR(fit["center"][i].get<double>(), truth["center"][i].get<double>(), 0.35) << i;
    EXPECT_NEAR(fit["size"][i].get<double>(), truth["size"][i].get<double>(), 0.35) << i;
  }
  EXPECT_LT(axis_difference(fit["yaw"].get<double>(), yaw_of(truth)), 5.0 * M_PI / 180);

  // The text form says the same.
  const CommandResult text = pcanno("fit " + training_.string() + " --frame 0 --class Van --seed " +
                                    std::to_string(x) + "," + std::to_string(y) + ",-0.8");
  ASSERT_EQ(text.exit_code, 0) << text.out;
  EXPECT_NE(text.out.find("Van in frame 0 (LiDAR frame)"), std::string::npos) << text.out;

  // Without --class the box gets the default class schema's default class.
  const CommandResult unnamed = pcanno("fit " + training_.string() + " --frame 0 --seed " +
                                       std::to_string(x) + "," + std::to_string(y) + ",-0.8");
  ASSERT_EQ(unnamed.exit_code, 0) << unnamed.out;
  EXPECT_NE(unnamed.out.find("Car in frame 0 (LiDAR frame)"), std::string::npos) << unnamed.out;
}

TEST_F(AutomationCommandTest, FitReportsEmptySpaceAndBadArguments) {
  const CommandResult empty =
      pcanno("fit " + training_.string() + " --frame 0 --seed 0,60,0 --class Van");
  EXPECT_EQ(empty.exit_code, 1);
  EXPECT_NE(empty.out.find("frame 0: no object within 2.5 m of the seed (0,60,0)"),
            std::string::npos)
      << empty.out;

  const CommandResult seed = pcanno("fit " + training_.string() + " --frame 0 --seed 1,2");
  EXPECT_EQ(seed.exit_code, 2);
  EXPECT_NE(seed.out.find("--seed: expected x,y,z"), std::string::npos) << seed.out;

  const CommandResult frame = pcanno("fit " + training_.string() + " --frame 9 --seed 1,2,0");
  EXPECT_EQ(frame.exit_code, 2);
  EXPECT_NE(frame.out.find("--frame: 9 is outside 0..4"), std::string::npos) << frame.out;
}

TEST_F(AutomationCommandTest, TrackFillsTheGapsWithProvenanceFromKeyframesInAnyOrder) {
  json doc = native_labels();
  // Keyframes at 0, 2 and 4 only, listed backwards: order in the file must not matter.
  for (json& track : doc["tracks"]) {
    json kept = json::array();
    for (const json& b : track["boxes"]) {
      if (b["frame"].get<int>() % 2 == 0) kept.insert(kept.begin(), b);
    }
    track["boxes"] = kept;
  }
  const fs::path in = write(doc, "keys.pcanno.json");
  const fs::path out = dir_ / "done.pcanno.json";
  const CommandResult r = pcanno("track " + training_.string() + " " + in.string() +
                                 " --method interpolate --no-cache --quiet --out " + out.string());
  ASSERT_EQ(r.exit_code, 0) << r.out;
  const json done = json::parse(pcanno::test::slurp(out));
  std::size_t interpolated = 0;
  for (const json& track : done["tracks"]) {
    int expected_frame = track["boxes"][0]["frame"].get<int>();
    for (const json& b : track["boxes"]) {
      EXPECT_EQ(b["frame"].get<int>(), expected_frame++);  // sorted, no gaps
      const bool key = b["frame"].get<int>() % 2 == 0;
      EXPECT_EQ(b["keyframe"].get<bool>(), key);
      EXPECT_EQ(b["provenance"], key ? "imported" : "interpolated");
      interpolated += key ? 0 : 1;
    }
  }
  EXPECT_EQ(interpolated, 6u);  // frames 1 and 3 of the 3 tracks
}

TEST_F(AutomationCommandTest, TrackRejectsDuplicateKeyframesAndReportsLabelsWithoutClouds) {
  json doc = native_labels();
  json duplicate = doc["tracks"][0]["boxes"][1];
  doc["tracks"][0]["boxes"].push_back(duplicate);
  const fs::path dup = write(doc, "dup.pcanno.json");
  const CommandResult twice = pcanno("track " + training_.string() + " " + dup.string() +
                                     " --no-cache --out " + (dir_ / "x.json").string());
  EXPECT_EQ(twice.exit_code, 1);
  EXPECT_NE(twice.out.find("the track has a box in frame 1 already"), std::string::npos)
      << twice.out;
  EXPECT_FALSE(fs::exists(dir_ / "x.json"));

  // KITTI labels (which name no frame count) at a frame the sequence has no cloud for: the box is
  // dropped, and said so.
  fs::create_directories(dir_ / "kitti/label_02");
  fs::create_directories(dir_ / "kitti/calib");
  fs::copy_file(training_ / "calib/0000.txt", dir_ / "kitti/calib/0000.txt");
  std::string rows = pcanno::test::slurp(labels_);
  const std::size_t van = rows.rfind('\n', rows.find(" Van ")) + 1;  // a row with a box
  const std::string row = rows.substr(van, rows.find('\n', van) - van);
  rows += "40" + row.substr(row.find(' ')) + "\n";
  std::ofstream(dir_ / "kitti/label_02/0000.txt") << rows;
  const fs::path out = dir_ / "beyond_out.pcanno.json";
  const CommandResult r =
      pcanno("track " + training_.string() + " " + (dir_ / "kitti/label_02/0000.txt").string() +
             " --method linear --no-cache --to pcanno --out " + out.string());
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("warning: 1 input box lies beyond the 5 frames with clouds"),
            std::string::npos)
      << r.out;
  const json done = json::parse(pcanno::test::slurp(out));
  for (const json& b : done["tracks"][0]["boxes"]) EXPECT_LT(b["frame"].get<int>(), 5);
}

/// The rows of a KITTI tracking label text whose frame `keep` accepts.
template <typename Keep>
std::string rows_where(const std::string& text, Keep keep) {
  std::istringstream lines(text);
  std::string out;
  for (std::string line; std::getline(lines, line);) {
    if (!line.empty() && keep(std::stoi(line.substr(0, line.find(' '))))) out += line + "\n";
  }
  return out;
}

/// Frame, track id and 3D centre (x y z, camera frame) of each object row.
std::vector<std::array<double, 5>> centres(const std::string& text) {
  std::vector<std::array<double, 5>> out;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    std::istringstream in(line);
    std::vector<std::string> f;
    for (std::string s; in >> s;) f.push_back(s);
    if (f.size() < 17 || f[2] == "DontCare") continue;
    out.push_back(
        {std::stod(f[0]), std::stod(f[1]), std::stod(f[13]), std::stod(f[14]), std::stod(f[15])});
  }
  return out;
}

// The keyframe file lies outside the dataset, with no calibration beside it: `track` reads it
// with the dataset's calibration (it used to ask for a --sequence option `track` does not have).
TEST_F(AutomationCommandTest, TrackReadsKeyframesOutsideTheDatasetWithItsCalibration) {
  fs::create_directories(dir_ / "elsewhere");
  const std::string keys =
      rows_where(pcanno::test::slurp(labels_), [](int frame) { return frame % 2 == 0; });
  std::ofstream(dir_ / "elsewhere/keyframes.txt") << keys;
  const fs::path out = dir_ / "made/here";  // --out folders are made too
  const CommandResult r =
      pcanno("track " + training_.string() + " " + (dir_ / "elsewhere/keyframes.txt").string() +
             " --method linear --no-cache --out " + out.string());
  ASSERT_EQ(r.exit_code, 0) << r.out;
  const std::string done = pcanno::test::slurp(out / "0000.txt");
  // Keyframe rows come back verbatim; frames 1 and 3 gain the three objects.
  EXPECT_EQ(rows_where(done, [](int frame) { return frame % 2 == 0; }), keys);
  EXPECT_EQ(centres(rows_where(done, [](int frame) { return frame % 2 == 1; })).size(), 6u);

  // Rows past the dataset's clouds are left out, and said so.
  const std::size_t van = keys.rfind('\n', keys.find(" Van ")) + 1;  // a row with a box
  const std::string row = keys.substr(van, keys.find('\n', van) - van);
  std::ofstream(dir_ / "elsewhere/beyond.txt") << keys << "40" << row.substr(row.find(' ')) << "\n";
  const CommandResult beyond =
      pcanno("track " + training_.string() + " " + (dir_ / "elsewhere/beyond.txt").string() +
             " --method linear --no-cache --to pcanno --out " + (dir_ / "b.json").string());
  ASSERT_EQ(beyond.exit_code, 0) << beyond.out;
  EXPECT_NE(beyond.out.find("1 input box lies beyond the 5 frames with clouds"), std::string::npos)
      << beyond.out;
}

TEST_F(AutomationCommandTest, TrackCompletesRealKeyframesFromATemporaryFolder) {
  const fs::path training = pcanno::test::shared_data_dir() / "kitti_tracking/training";
  PCANNO_REQUIRE_DATA(training / "velodyne/0000/000019.bin");
  const std::string truth = pcanno::test::slurp(training / "label_02/0000.txt");
  const auto key = [](int frame) { return frame % 5 == 0 || frame == 19; };
  const std::string keys = rows_where(truth, key);
  std::ofstream(dir_ / "keys.txt") << keys;
  const CommandResult r =
      pcanno("track " + training.string() + " " + (dir_ / "keys.txt").string() +
             " --method linear --no-cache --quiet --out " + (dir_ / "out").string());
  ASSERT_EQ(r.exit_code, 0) << r.out;
  const std::string done = pcanno::test::slurp(dir_ / "out/0000.txt");
  EXPECT_EQ(rows_where(done, key), keys);
  // Every ground-truth box between two keyframes of its track is filled in, within 0.5 m of the
  // annotators' box (KITTI's own labels are linear between their keyframes too).
  const auto filled = centres(rows_where(done, [&key](int f) { return !key(f); }));
  std::size_t compared = 0;
  for (const auto& gt : centres(rows_where(truth, [&key](int f) { return !key(f); }))) {
    for (const auto& box : filled) {
      if (box[0] != gt[0] || box[1] != gt[1]) continue;
      const double d = std::hypot(box[2] - gt[2], box[3] - gt[3], box[4] - gt[4]);
      EXPECT_LT(d, 0.5) << "frame " << gt[0] << " track " << gt[1];
      ++compared;
    }
  }
  EXPECT_GT(compared, 30u);
}

TEST_F(AutomationCommandTest, TrackPropagationReportsALostObject) {
  json doc = native_labels();
  // One keyframe per track; the Van's box is lifted 30 m into the empty air.
  for (json& track : doc["tracks"]) {
    json first = track["boxes"][0];
    track["boxes"] = json::array({first});
  }
  doc["tracks"][0]["boxes"][0]["center"][2] = 30.0;
  const fs::path in = write(doc, "one.pcanno.json");
  const fs::path out = dir_ / "prop.pcanno.json";
  const CommandResult r = pcanno("track " + training_.string() + " " + in.string() +
                                 " --method propagate --no-cache --out " + out.string());
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("track 0 lost at frame 0"), std::string::npos) << r.out;
  const json done = json::parse(pcanno::test::slurp(out));
  EXPECT_EQ(done["tracks"][0]["boxes"].size(), 1u);  // nothing invented for the lost van
  std::size_t tracked = 0;
  for (const json& track : done["tracks"]) {
    for (const json& b : track["boxes"]) {
      if (b["provenance"] == "tracked") {
        ++tracked;
        EXPECT_GT(b["score"].get<double>(), 0.5);  // the registration's confidence
      }
    }
  }
  EXPECT_EQ(tracked, 8u);  // the other two tracks, frames 1-4
}

}  // namespace
