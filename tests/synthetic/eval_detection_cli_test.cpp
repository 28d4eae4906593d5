// `pcanno eval --detection` end to end on a synthetic sequence: its truth as ground truth, and
// predictions made from it with known hits, misses and false alarms.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "pcanno/formats/datasets/sequence.hpp"
#include "pcanno/formats/labels/kitti/codecs.hpp"
#include "run_command.hpp"
#include "synthetic/lidar_sequence.hpp"
#include "temp_dir.hpp"

namespace pcanno::synthetic {
namespace {

using nlohmann::json;

constexpr int kFrames = 12;

/// What the predictions were built to hold, per class.
struct Planted {
  std::size_t ground_truth = 0;
  std::size_t hits = 0;
  std::size_t false_alarms = 0;
};

class EvalDetectionCli : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new test::TempDir("pcanno_eval_det_");
    ScenarioOptions o;
    o.frames = kFrames;
    o.seed = 11;
    ASSERT_TRUE(write_kitti_tracking(make_scenario(o), dir_->path()));
    auto seq = formats::open_sequence(dir_->path());
    ASSERT_TRUE(seq) << seq.error().describe();
    auto gt = formats::read_kitti_tracking_annotations(gt_path());
    ASSERT_TRUE(gt) << gt.error().describe();
    // Every fourth box is missed; the rest are found 5 cm off along x (IoU above 0.84 even for a
    // 0.6 m pedestrian) with score 0.9. Each frame has a false car at 30 m to the left, inside a
    // building, ranked first with score 0.95.
    formats::Annotations pred = *gt;
    std::size_t n = 0;
    for (formats::Track& track : pred.tracks) {
      std::vector<formats::BoxState> kept;
      for (formats::BoxState& box : track.boxes) {
        ++planted_[track.label].ground_truth;
        if (n++ % 4 == 3) continue;
        box.box.center.x() += 0.05;
        box.score = 0.9;
        box.provenance = formats::Provenance::kModel;
        kept.push_back(box);
        ++planted_[track.label].hits;
      }
      track.boxes = kept;
    }
    formats::Track ghost{9999, "Car", {}, "", {}};
    for (int f = 0; f < kFrames; ++f) {
      formats::BoxState box;
      box.frame = f;
      box.box = geometry::Cuboid::from_yaw({0.0, 30.0, -1.0}, {4.2, 1.8, 1.5}, 0.3);
      box.score = 0.95;
      box.provenance = formats::Provenance::kModel;
      ghost.boxes.push_back(box);
      ++planted_["Car"].false_alarms;
    }
    pred.tracks.push_back(ghost);
    formats::LabelContext context;
    context.sequence = &*seq;
    context.include_outside_fov = true;
    auto written = formats::write_kitti_tracking_annotations(pred, pred_path(), context);
    ASSERT_TRUE(written) << written.error().describe();
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }

  static std::filesystem::path gt_path() { return dir_->path() / "label_02" / "0000.txt"; }
  static std::filesystem::path pred_path() { return dir_->path() / "pred" / "0000.txt"; }

  static test::CommandResult eval(const std::string& args) {
    return test::run_command(std::string(PCANNO_BINARY) + " eval --detection " +
                             pred_path().string() + " " + gt_path().string() + " --sequence " +
                             dir_->path().string() + " " + args + " 2>&1");
  }

  static json metric(const json& cls, const std::string& kind, double iou) {
    for (const json& m : cls.at("metrics")) {
      if (m.at("kind") == kind && std::abs(m.at("iou").get<double>() - iou) < 1e-9) return m;
    }
    ADD_FAILURE() << "no " << kind << "@" << iou;
    return json::object();
  }

  static test::TempDir* dir_;
  static std::map<std::string, Planted> planted_;
};

test::TempDir* EvalDetectionCli::dir_ = nullptr;
std::map<std::string, Planted> EvalDetectionCli::planted_;

TEST_F(EvalDetectionCli, ScoresPlantedHitsMissesAndFalseAlarms) {
  const test::CommandResult r = eval("--json");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  const json j = json::parse(r.out);
  ASSERT_GE(j.at("classes").size(), 3u);
  for (const json& cls : j.at("classes")) {
    const Planted& p = planted_.at(cls.at("label").get<std::string>());
    EXPECT_EQ(cls.at("ground_truth"), p.ground_truth);
    for (const char* kind : {"bev", "3d"}) {
      for (double iou : {0.5, 0.7}) {
        const json m = metric(cls, kind, iou);
        EXPECT_EQ(m.at("true_positives"), p.hits) << cls.at("label") << " " << kind << iou;
        EXPECT_EQ(m.at("false_positives"), p.false_alarms);
        const double tp = static_cast<double>(p.hits), fp = static_cast<double>(p.false_alarms);
        EXPECT_NEAR(m.at("precision").get<double>(), tp / (tp + fp), 1e-9);
        EXPECT_NEAR(m.at("recall").get<double>(), tp / p.ground_truth, 1e-9);
        // The false alarms rank first, then every hit: precision climbs to tp / (tp + fp) at the
        // last hit, which is the interpolated precision at every recall point up to the recall.
        const double points = std::floor(40.0 * tp / p.ground_truth + 1e-9);
        EXPECT_NEAR(m.at("ap_r40").get<double>(), points / 40.0 * tp / (tp + fp), 1e-9);
      }
    }
  }
}

TEST_F(EvalDetectionCli, FiltersByClassRangeAndScore) {
  test::CommandResult r = eval("--json --classes Pedestrian");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  json j = json::parse(r.out);
  ASSERT_EQ(j.at("classes").size(), 1u);
  EXPECT_EQ(j.at("classes")[0].at("label"), "Pedestrian");
  // Above 0.92 only the false cars are left.
  r = eval("--json --classes Car --min-score 0.92");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  j = json::parse(r.out);
  const json m = metric(j.at("classes")[0], "3d", 0.7);
  EXPECT_EQ(m.at("true_positives"), 0);
  EXPECT_EQ(m.at("false_positives"), kFrames);
  // 20 m keeps fewer boxes than all; the false cars at 30 m are left out.
  r = eval("--json --max-range 20");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  j = json::parse(r.out);
  std::size_t all_gt = 0;
  for (const auto& [label, p] : planted_) all_gt += p.ground_truth;
  EXPECT_LT(j.at("ground_truth").get<std::size_t>(), all_gt);
  EXPECT_GT(j.at("ground_truth").get<std::size_t>(), 0u);
  for (const json& cls : j.at("classes"))
    EXPECT_EQ(metric(cls, "bev", 0.5).at("false_positives"), 0);
}

TEST_F(EvalDetectionCli, SparseGroundTruthIsIgnoredWithMinPoints) {
  const test::CommandResult r = eval("--json --min-points 30");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  const json j = json::parse(r.out);
  EXPECT_GT(j.at("ignored_ground_truth").get<std::size_t>(), 0u);
  std::size_t counted = 0;
  for (const json& cls : j.at("classes")) {
    counted += metric(cls, "3d", 0.5).at("ground_truth").get<std::size_t>();
  }
  EXPECT_EQ(counted + j.at("ignored_ground_truth").get<std::size_t>(),
            j.at("ground_truth").get<std::size_t>());
}

TEST_F(EvalDetectionCli, TextTableAndBadInput) {
  test::CommandResult r = eval("");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("BEV AP"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Pedestrian"), std::string::npos) << r.out;

  r = eval("--max-range -3");
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_NE(r.out.find("--max-range: expected a distance above 0"), std::string::npos) << r.out;
  r = eval("--classes Car,,Van");
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_NE(r.out.find("--classes"), std::string::npos) << r.out;
  r = eval("--plot out.png");
  EXPECT_EQ(r.exit_code, 2) << r.out;
  r = test::run_command(std::string(PCANNO_BINARY) + " eval " + pred_path().string() + " " +
                        gt_path().string() + " --min-score 0.5 2>&1");
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_NE(r.out.find("--min-score applies to --detection only"), std::string::npos) << r.out;

  // A broken prediction file is named with its line.
  test::TempDir bad("pcanno_eval_det_bad_");
  const auto file = bad.write("label_02/0000.txt", "0 1 Car 0 0 0 1 2 3 4 1.5 1.8 4.0 x 1 10 0\n");
  r = test::run_command(std::string(PCANNO_BINARY) + " eval --detection " + file.string() + " " +
                        gt_path().string() + " --sequence " + dir_->path().string() + " 2>&1");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.out.find("0000.txt:1"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace pcanno::synthetic
