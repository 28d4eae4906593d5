// `pcanno prelabel` end to end on the sample KITTI tracking frames (0-4 of 0000), with the
// scripted detector "test-movers" of a test plugin (tests/plugin/test_plugins/
// movers_detector_plugin.cpp) loaded through PCANNO_PLUGIN_PATH: a car 1 m further each frame
// (score 0.8) and a crossing pedestrian (0.4), in each frame's LiDAR frame.
#include <cmath>
#include <filesystem>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "app_test_support.hpp"
#include "pcanno/formats/labels/document/document.hpp"

namespace pcanno::test {
namespace {

namespace fs = std::filesystem;

class PrelabelCommand : public LabelsTest {
 protected:
  /// `pcanno prelabel` on the sample frames with the test plugin, the ego-motion cache in the
  /// test's folder.
  CommandResult prelabel(const std::string& args) {
    return run_command("env XDG_CACHE_HOME='" + (dir_ / "cache").string() +
                       "' PCANNO_PLUGIN_PATH='" + PCANNO_TEST_MOVERS_PLUGIN + "' " + PCANNO_BINARY +
                       " prelabel " + training_.string() + " " + args + " 2>&1");
  }
  const fs::path out_ = dir_ / "pre.pcanno.json";
};

TEST_F(PrelabelCommand, WritesModelTracksWithScores) {
  const CommandResult r = prelabel("--detector test-movers --out " + out_.string());
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("2 tracks, 10 boxes"), std::string::npos) << r.out;
  auto doc = formats::read_pcanno_document(out_);
  ASSERT_TRUE(doc) << doc.error().describe();
  ASSERT_EQ(doc->tracks.size(), 2u);
  const formats::Track& car = doc->tracks[0];
  const formats::Track& walker = doc->tracks[1];
  EXPECT_EQ(car.label, "Car");
  EXPECT_EQ(walker.label, "Pedestrian");
  ASSERT_EQ(car.boxes.size(), 5u);
  ASSERT_EQ(walker.boxes.size(), 5u);
  for (std::size_t i = 0; i < 5; ++i) {
    const formats::BoxState& b = car.boxes[i];
    EXPECT_EQ(b.frame, static_cast<std::int64_t>(i));
    EXPECT_EQ(b.provenance, formats::Provenance::kModel);
    EXPECT_FALSE(b.keyframe);
    ASSERT_TRUE(b.score);
    EXPECT_DOUBLE_EQ(*b.score, 0.8);
    EXPECT_DOUBLE_EQ(*walker.boxes[i].score, 0.4);
    // Stored in the LiDAR frame, where the detector put it (10 m + 1 m per frame ahead): the
    // world-frame filter smooths, but within the ego motion's error.
    EXPECT_EQ(b.shape_frame, formats::ShapeFrame::kLidar);
    EXPECT_NEAR(b.box.center.x(), 10.0 + static_cast<double>(i), 0.3) << i;
    EXPECT_NEAR(b.box.center.y(), 3.0, 0.3) << i;
  }
  EXPECT_EQ(doc->frames.size(), 5u);
}

TEST_F(PrelabelCommand, MinScoreFramesAndGhosts) {
  CommandResult r = prelabel(
      "--detector test-movers --min-score 0.5 --frames 1-3 "
      "--detector-param ghost=true --out " +
      out_.string());
  ASSERT_EQ(r.exit_code, 0) << r.out;
  auto doc = formats::read_pcanno_document(out_);
  ASSERT_TRUE(doc) << doc.error().describe();
  // The pedestrian (0.4) is below 0.5; the one-frame ghost makes no track.
  ASSERT_EQ(doc->tracks.size(), 1u);
  EXPECT_EQ(doc->tracks[0].label, "Car");
  ASSERT_EQ(doc->tracks[0].boxes.size(), 3u);
  EXPECT_EQ(doc->tracks[0].boxes.front().frame, 1);
  EXPECT_EQ(doc->tracks[0].boxes.back().frame, 3);
  EXPECT_NE(r.out.find("(3 below --min-score)"), std::string::npos) << r.out;
}

TEST_F(PrelabelCommand, WritesKittiTrackingWithScores) {
  const fs::path out = dir_ / "kitti" / "0000.txt";
  const CommandResult r =
      prelabel("--detector test-movers --frames 0 --to kitti-tracking --out " + out.string());
  ASSERT_EQ(r.exit_code, 0) << r.out;
  // Two rows: frame, track id, class, ..., and the score as the 18th column.
  std::istringstream rows(slurp(out));
  std::map<std::string, double> score;
  for (std::string line; std::getline(rows, line);) {
    std::istringstream in(line);
    std::vector<std::string> cols;
    for (std::string c; in >> c;) cols.push_back(c);
    ASSERT_EQ(cols.size(), 18u) << line;
    score[cols[2]] = std::stod(cols[17]);
  }
  ASSERT_EQ(score.size(), 2u);
  EXPECT_DOUBLE_EQ(score["Car"], 0.8);
  EXPECT_DOUBLE_EQ(score["Pedestrian"], 0.4);
}

TEST_F(PrelabelCommand, ReportsUnknownClasses) {
  const CommandResult r =
      prelabel("--detector test-movers --detector-param class=Spaceship --out " + out_.string());
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("warning: 5 detections of class 'Spaceship' left out: not in the class "
                       "schema"),
            std::string::npos)
      << r.out;
  auto doc = formats::read_pcanno_document(out_);
  ASSERT_TRUE(doc);
  ASSERT_EQ(doc->tracks.size(), 1u);
  EXPECT_EQ(doc->tracks[0].label, "Pedestrian");
}

TEST_F(PrelabelCommand, ClearErrors) {
  // An unknown detector lists the registered ones.
  CommandResult r = prelabel("--detector nope --out " + out_.string());
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_NE(r.out.find("no detector 'nope'"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("test-movers"), std::string::npos) << r.out;
  r = prelabel("--detector test-movers --frames 2-9 --out " + out_.string());
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_NE(r.out.find("the sequence has frames 0-4"), std::string::npos) << r.out;
  r = prelabel("--detector test-movers --detector-param speed=3 --out " + out_.string());
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_NE(r.out.find("detector 'test-movers': unknown parameter 'speed'"), std::string::npos)
      << r.out;
  r = prelabel("--detector test-movers --detector-param ghost --out " + out_.string());
  EXPECT_EQ(r.exit_code, 2) << r.out;
  r = prelabel("--detector test-movers --detector-param fail_at=2 --out " + out_.string());
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_NE(r.out.find("frame 2: test-movers failed on purpose"), std::string::npos) << r.out;
  EXPECT_FALSE(fs::exists(out_));
  // An existing output is kept without --force, replaced with it.
  temp_.write("pre.pcanno.json", "keep me");
  r = prelabel("--detector test-movers --out " + out_.string());
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_NE(r.out.find("--force"), std::string::npos) << r.out;
  EXPECT_EQ(slurp(out_), "keep me");
  r = prelabel("--detector test-movers --frames 0 --force --out " + out_.string());
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_TRUE(formats::read_pcanno_document(out_));
}

TEST_F(PrelabelCommand, CtrlCCancelsAndLeavesNoOutput) {
  // The detector waits for its stop predicate: only Ctrl+C ends the run.
  const CommandResult r = run_command(
      "env XDG_CACHE_HOME='" + (dir_ / "cache").string() + "' PCANNO_PLUGIN_PATH='" +
      PCANNO_TEST_MOVERS_PLUGIN + "' timeout --preserve-status -s INT 2 " + PCANNO_BINARY +
      " prelabel " + training_.string() + " --frames 0 --detector test-movers " +
      "--detector-param wait=true --out " + out_.string() + " 2>&1");
  EXPECT_EQ(r.exit_code, 130) << r.out;
  EXPECT_NE(r.out.find("pcanno: cancelled"), std::string::npos) << r.out;
  EXPECT_FALSE(fs::exists(out_));
  for (const auto& entry : fs::directory_iterator(dir_)) {
    EXPECT_EQ(entry.path().filename().string().find(".tmp"), std::string::npos) << entry.path();
  }
}

}  // namespace
}  // namespace pcanno::test
