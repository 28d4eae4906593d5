#include "pcanno/plugin/services/detection_eval.hpp"

#include <cmath>
#include <limits>
#include <string>

#include <gtest/gtest.h>

#include "pcanno/formats/datasets/kitti_calib.hpp"
#include "pcanno/formats/labels/kitti/codecs.hpp"
#include "test_data.hpp"

namespace pcanno::plugin {
namespace {

constexpr double kTight = 1e-12;
const Eigen::Vector3d kCarSize(4.0, 2.0, 1.5);

DetectionBox box(std::int64_t frame, const std::string& label, double x, double score = 1.0,
                 double z = 0.0, double y = 0.0) {
  DetectionBox b;
  b.frame = frame;
  b.label = label;
  b.box = geometry::Cuboid::from_yaw({x, y, z}, kCarSize, 0.0);
  b.score = score;
  return b;
}

const DetectionMetrics& metric(const DetectionReport& r, const std::string& label, OverlapKind kind,
                               double threshold) {
  for (const DetectionClassResult& c : r.classes) {
    if (c.label != label) continue;
    const DetectionMetrics* m = c.find(kind, threshold);
    if (m != nullptr) return *m;
  }
  static const DetectionMetrics missing;
  ADD_FAILURE() << "no " << label << " " << to_string(kind) << "@" << threshold;
  return missing;
}

// Three cars A (x = 0), B (x = 10), C (x = 20), 4 x 2 x 1.5 m, and five predictions:
//   p1 0.9 on A exactly                      -> TP at every threshold
//   p2 0.8 at x = 40, on nothing             -> FP
//   p3 0.7 on B moved 1 m along x            -> IoU (4-1)/(4+1) = 0.6 in BEV and 3D
//   p4 0.6 on C raised 0.3 m                 -> BEV IoU 1, 3D IoU 1.2/1.8 = 0.667
//   p5 0.5 on A again                        -> FP (A is taken by p1)
// Ranked TP/FP, precision and recall after each, and R40 AP (recall points r = k/40):
//   BEV@0.5, 3D@0.5: T F T T F; P 1 .5 .67 .75 .6;  R 1/3 1/3 2/3 1 1.
//     k = 1..13 (r <= 1/3): max P = 1; k = 14..40: max P over ranks 3-5 = .75
//     AP = (13 * 1 + 27 * .75) / 40 = 0.83125; precision 3/5, recall 1.
//   BEV@0.7: T F F T F; P 1 .5 .33 .5 .4; R 1/3 1/3 1/3 2/3 2/3.
//     k = 1..13: 1; k = 14..26 (r <= 2/3): .5; k = 27..40: none, 0
//     AP = (13 + 13 * .5) / 40 = 0.4875; precision 2/5, recall 2/3.
//   3D@0.7: T F F F F; recall never passes 1/3: AP = 13 / 40 = 0.325; precision 1/5, recall 1/3.
TEST(DetectionEval, HandComputedPrecisionRecallAndAp) {
  const std::vector<DetectionBox> gt{box(0, "Car", 0.0), box(0, "Car", 10.0), box(0, "Car", 20.0)};
  const std::vector<DetectionBox> pred{box(0, "Car", 40.0, 0.8), box(0, "Car", 20.0, 0.6, 0.3),
                                       box(0, "Car", 0.0, 0.5), box(0, "Car", 11.0, 0.7),
                                       box(0, "Car", 0.0, 0.9)};
  const auto r = evaluate_detection(pred, gt);
  ASSERT_TRUE(r) << r.error().describe();
  ASSERT_EQ(r->classes.size(), 1u);
  EXPECT_EQ(r->classes[0].ground_truth, 3u);
  EXPECT_EQ(r->classes[0].predictions, 5u);
  for (OverlapKind kind : {OverlapKind::kBev, OverlapKind::k3d}) {
    const DetectionMetrics& m = metric(*r, "Car", kind, 0.5);
    EXPECT_EQ(m.true_positives, 3u);
    EXPECT_EQ(m.false_positives, 2u);
    EXPECT_NEAR(*m.precision, 0.6, kTight);
    EXPECT_NEAR(*m.recall, 1.0, kTight);
    EXPECT_NEAR(*m.ap_r40, 0.83125, kTight);
  }
  const DetectionMetrics& bev70 = metric(*r, "Car", OverlapKind::kBev, 0.7);
  EXPECT_NEAR(*bev70.precision, 0.4, kTight);
  EXPECT_NEAR(*bev70.recall, 2.0 / 3.0, kTight);
  EXPECT_NEAR(*bev70.ap_r40, 0.4875, kTight);
  const DetectionMetrics& d70 = metric(*r, "Car", OverlapKind::k3d, 0.7);
  EXPECT_NEAR(*d70.precision, 0.2, kTight);
  EXPECT_NEAR(*d70.recall, 1.0 / 3.0, kTight);
  EXPECT_NEAR(*d70.ap_r40, 0.325, kTight);
  ASSERT_EQ(r->mean.size(), 4u);
  EXPECT_NEAR(*r->mean[3].ap_r40, 0.325, kTight);  // one class: the mean is that class
}

TEST(DetectionEval, ApOfRankedListsByHand) {
  // Perfect ranking of everything: precision 1 at every recall.
  EXPECT_NEAR(average_precision_r40({true, true, true, true}, 4), 1.0, kTight);
  // Half the objects found, first: recall 1/2 reaches k = 1..20.
  EXPECT_NEAR(average_precision_r40({true, false}, 2), 0.5, kTight);
  // A false positive first: precision 1/2 then 2/3 at full recall, interpolated 2/3 everywhere.
  EXPECT_NEAR(average_precision_r40({false, true, true}, 2), 2.0 / 3.0, kTight);
  EXPECT_EQ(average_precision_r40({}, 3), 0.0);
}

TEST(DetectionEval, TiedScoresCountTogetherWhateverTheirOrder) {
  // Two objects; a hit and a false positive with the same score. A threshold keeps both or
  // neither: recall 1/2 at precision 1/2, so k = 1..20 score 1/2 each and AP = 20 * 0.5 / 40.
  const std::vector<double> tied{1.0, 1.0};
  EXPECT_NEAR(average_precision_r40({true, false}, 2, tied), 0.25, kTight);
  EXPECT_NEAR(average_precision_r40({false, true}, 2, tied), 0.25, kTight);
  // Through the evaluation: equal scores (as predictions without one all get 1), in either order.
  const std::vector<DetectionBox> gt{box(0, "Car", 0.0), box(1, "Car", 10.0)};
  for (const bool hit_first : {true, false}) {
    std::vector<DetectionBox> pred{box(0, "Car", 0.0), box(1, "Car", 30.0)};  // hit, miss
    if (!hit_first) pred = {box(0, "Car", 30.0), box(1, "Car", 10.0)};
    const auto r = evaluate_detection(pred, gt);
    ASSERT_TRUE(r) << r.error().describe();
    const DetectionMetrics* m = r->classes.at(0).find(OverlapKind::kBev, 0.5);
    ASSERT_NE(m, nullptr);
    EXPECT_NEAR(*m->ap_r40, 0.25, kTight) << (hit_first ? "hit first" : "hit second");
  }
}

TEST(DetectionEval, ClassesAndFramesMustMatch) {
  const std::vector<DetectionBox> gt{box(0, "Car", 0.0), box(1, "Car", 10.0)};
  // A van on the car, and a car one frame late.
  const std::vector<DetectionBox> pred{box(0, "Van", 0.0), box(0, "Car", 10.0)};
  const auto r = evaluate_detection(pred, gt);
  ASSERT_TRUE(r) << r.error().describe();
  const DetectionMetrics& car = metric(*r, "Car", OverlapKind::k3d, 0.5);
  EXPECT_EQ(car.true_positives, 0u);
  EXPECT_EQ(car.false_positives, 1u);
  EXPECT_EQ(car.ground_truth, 2u);
  EXPECT_NEAR(*car.recall, 0.0, kTight);
  EXPECT_NEAR(*car.ap_r40, 0.0, kTight);
  const DetectionMetrics& van = metric(*r, "Van", OverlapKind::k3d, 0.5);
  EXPECT_EQ(van.false_positives, 1u);
  EXPECT_FALSE(van.recall.has_value());  // no van to find
  EXPECT_FALSE(van.ap_r40.has_value());
  // The mean AP is over the classes with ground truth only.
  EXPECT_NEAR(*r->mean[2].ap_r40, 0.0, kTight);
  EXPECT_EQ(r->mean[2].false_positives, 2u);
}

TEST(DetectionEval, IgnoredBoxesCountNeitherWay) {
  std::vector<DetectionBox> gt{box(0, "Car", 0.0), box(0, "Car", 10.0)};
  gt[1].ignore = true;  // too few points
  std::vector<DetectionBox> pred{box(0, "Car", 0.0, 0.9), box(0, "Car", 10.0, 0.8),
                                 box(0, "Car", 10.2, 0.7), box(0, "Car", 30.0, 0.6),
                                 box(0, "Car", 50.0, 0.5)};
  pred[3].ignore = true;  // in a DontCare region, matches nothing: not a false positive
  const auto r = evaluate_detection(pred, gt);
  ASSERT_TRUE(r) << r.error().describe();
  const DetectionMetrics& m = metric(*r, "Car", OverlapKind::kBev, 0.5);
  EXPECT_EQ(m.ground_truth, 1u);
  EXPECT_EQ(r->classes[0].ignored_ground_truth, 1u);
  EXPECT_EQ(m.true_positives, 1u);
  EXPECT_EQ(m.ignored_predictions, 3u);  // two on the ignored car, one in DontCare
  EXPECT_EQ(m.false_positives, 1u);      // x = 50
  EXPECT_NEAR(*m.precision, 0.5, kTight);
  EXPECT_NEAR(*m.recall, 1.0, kTight);
  // Ranked T F: the one car is found first, so AP is 1.
  EXPECT_NEAR(*m.ap_r40, 1.0, kTight);

  // A DontCare prediction that does match a car is a true positive.
  pred = {box(0, "Car", 0.0, 0.9)};
  pred[0].ignore = true;
  const auto matched = evaluate_detection(pred, {box(0, "Car", 0.0)});
  ASSERT_TRUE(matched);
  EXPECT_EQ(metric(*matched, "Car", OverlapKind::k3d, 0.7).true_positives, 1u);
}

TEST(DetectionEval, RejectsBadInput) {
  const std::vector<DetectionBox> gt{box(0, "Car", 0.0)};
  auto r = evaluate_detection(gt, gt, DetectionEvalOptions{{0.5, 0.0}});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, formats::ErrorCode::kInvalidArgument);
  EXPECT_NE(r.error().message.find("outside (0, 1]"), std::string::npos);
  std::vector<DetectionBox> pred{box(3, "Car", 0.0, std::nan(""))};
  r = evaluate_detection(pred, gt);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("frame 3, class 'Car'"), std::string::npos) << r.error().message;
  pred = {box(0, "Car", 0.0)};
  pred[0].box.size.x() = 0.0;
  r = evaluate_detection(pred, gt);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("not positive"), std::string::npos);
}

formats::BoxState state(std::int64_t frame, double x, std::optional<double> score, double y = 0.0) {
  formats::BoxState s;
  s.frame = frame;
  s.box = geometry::Cuboid::from_yaw({x, y, 0.0}, kCarSize, 0.0);
  s.score = score;
  return s;
}

TEST(DetectionInput, FiltersByFrameClassScoreAndRange) {
  formats::Annotations gt, pred;
  gt.tracks.push_back(formats::Track{1, "Car", {}, "", {state(0, 10, {}), state(1, 45, {})}});
  gt.tracks.push_back(formats::Track{2, "Pedestrian", {}, "", {state(0, 5, {})}});
  pred.tracks.push_back(
      formats::Track{7,
                     "Car",
                     {},
                     "",
                     {state(0, 10, 0.9), state(0, 12, 0.2), state(1, 45, {}), state(2, 3, 0.8)}});
  DetectionInputOptions o;
  o.frames = {0, 1};
  o.classes = {"Car"};
  o.min_score = 0.5;
  o.max_range = 40.0;
  const auto in = detection_input(pred, gt, nullptr, o);
  ASSERT_TRUE(in) << in.error().describe();
  ASSERT_EQ(in->gt.size(), 1u);  // frame 1's car is 45 m away, the pedestrian is not a car
  EXPECT_EQ(in->gt[0].box.center.x(), 10.0);
  ASSERT_EQ(in->pred.size(), 1u);  // 0.2 is below the score, frame 2 is not selected
  EXPECT_EQ(in->pred[0].score, 0.9);
  EXPECT_EQ(in->unscored_predictions, 0u);  // the one without a score is 45 m away
  o = {};
  const auto all = detection_input(pred, gt, nullptr, o);
  ASSERT_TRUE(all);
  EXPECT_EQ(all->pred.size(), 4u);
  EXPECT_EQ(all->pred[2].score, 1.0);  // no score: counts as 1
  EXPECT_EQ(all->unscored_predictions, 1u);
}

TEST(DetectionInput, WorldBoxesNeedPoses) {
  formats::Annotations gt, pred;
  formats::BoxState s = state(0, 10, {});
  s.shape_frame = formats::ShapeFrame::kWorld;
  gt.tracks.push_back(formats::Track{1, "Car", {}, "", {s}});
  const auto in = detection_input(pred, gt, nullptr);
  ASSERT_FALSE(in);
  EXPECT_NE(in.error().describe().find("frame 0"), std::string::npos) << in.error().describe();
}

TEST(DetectionInput, PredictionsInDontCareRegionsAreMarked) {
  // KITTI tracking 0000's camera: a car 15 m ahead of the LiDAR projects to about x 520-700 px.
  const char* calib_text =
      "P2: 7.215377e+02 0 6.095593e+02 4.485728e+01 0 7.215377e+02 1.728540e+02 2.163791e-01 0 0 "
      "1 2.745884e-03\n"
      "R_rect 9.999239e-01 9.837760e-03 -7.445048e-03 -9.869795e-03 9.999421e-01 -4.278459e-03 "
      "7.402527e-03 4.351614e-03 9.999631e-01\n"
      "Tr_velo_cam 7.533745e-03 -9.999714e-01 -6.166020e-04 -4.069766e-03 1.480249e-02 "
      "7.280733e-04 -9.998902e-01 -7.631618e-02 9.998621e-01 7.523790e-03 1.480755e-02 "
      "-2.717806e-01\n";
  auto calib = formats::parse_kitti_calib(calib_text, "calib.txt");
  ASSERT_TRUE(calib) << calib.error().describe();
  formats::Sequence seq;
  seq.calibrations.push_back(formats::Calibration{*calib, std::nullopt, "calib.txt"});
  formats::FrameRef frame;
  frame.calibration = 0;
  seq.frames.push_back(frame);

  formats::Annotations gt, pred;
  gt.frames.resize(1);
  gt.ignore_regions.push_back(formats::IgnoreRegion{0, {400.0, 100.0, 800.0, 300.0}, "DontCare"});
  // Ahead (inside the region), 15 m to the left (outside it) and behind the car (not projected).
  pred.tracks.push_back(formats::Track{
      1, "Car", {}, "", {state(0, 15.0, 0.9), state(0, 15.0, 0.8, 15.0), state(0, -15.0, 0.7)}});
  const auto in = detection_input(pred, gt, &seq);
  ASSERT_TRUE(in) << in.error().describe();
  ASSERT_EQ(in->pred.size(), 3u);
  EXPECT_TRUE(in->pred[0].ignore);
  EXPECT_FALSE(in->pred[1].ignore);
  EXPECT_FALSE(in->pred[2].ignore);
  EXPECT_EQ(in->dont_care_predictions, 1u);
  EXPECT_EQ(in->dont_care_regions, 1u);
  DetectionInputOptions off;
  off.dont_care = false;
  const auto unmarked = detection_input(pred, gt, &seq, off);
  ASSERT_TRUE(unmarked);
  EXPECT_FALSE(unmarked->pred[0].ignore);
}

// Real KITTI tracking 0000 (frames 0-19 have clouds): its labels against themselves score 1
// everywhere, and a small box placed in frame 0's first DontCare region (219-246 x 188-219 px) is
// found there through the sequence's own calibration.
TEST(DetectionInput, RealKittiLabelsAndDontCare) {
  const auto root = test::shared_data_dir() / "kitti_tracking" / "training";
  PCANNO_REQUIRE_DATA(root / "label_02" / "0000.txt");
  formats::SequenceOptions so;
  so.name = "0000";
  auto seq = formats::open_sequence(root, so);
  ASSERT_TRUE(seq) << seq.error().describe();
  formats::LabelContext context;
  context.sequence = &*seq;
  context.frames_beyond_sequence = true;
  auto gt = formats::read_kitti_tracking_annotations(root / "label_02" / "0000.txt", context);
  ASSERT_TRUE(gt) << gt.error().describe();
  ASSERT_FALSE(gt->ignore_regions.empty());

  DetectionInputOptions o;
  o.frames = {0};
  formats::Annotations pred = *gt;
  // The centre of the region at 40 m in rectified camera 0, back to the LiDAR frame.
  const formats::KittiCalib& calib = *seq->calibrations[0].kitti;
  const double z = 40.0, f = calib.P[2](0, 0);
  const Eigen::Vector4d in_rect((232.4 - calib.P[2](0, 2)) * z / f,
                                (203.5 - calib.P[2](1, 2)) * z / f, z, 1.0);
  const Eigen::Vector4d in_lidar = calib.T_rect_velo().inverse() * in_rect;
  formats::BoxState ghost;
  ghost.frame = 0;
  ghost.box = geometry::Cuboid::from_yaw(in_lidar.head<3>(), {0.5, 0.5, 0.5}, 0.0);
  ghost.score = 0.99;
  pred.tracks.push_back(formats::Track{1000, "Car", {}, "", {ghost}});
  const auto in = detection_input(pred, *gt, &*seq, o);
  ASSERT_TRUE(in) << in.error().describe();
  EXPECT_EQ(in->dont_care_regions, 2u);  // frame 0 has two
  EXPECT_EQ(in->dont_care_predictions, 1u);
  const auto r = evaluate_detection(in->pred, in->gt);
  ASSERT_TRUE(r) << r.error().describe();
  for (const DetectionClassResult& c : r->classes) {
    for (const DetectionMetrics& m : c.metrics) {
      EXPECT_EQ(m.false_positives, 0u) << c.label;
      if (c.label == "Car") continue;  // frame 0 has no car: the ghost alone, ignored
      ASSERT_TRUE(m.ap_r40.has_value()) << c.label;
      EXPECT_NEAR(*m.ap_r40, 1.0, kTight) << c.label;
    }
  }
  EXPECT_EQ(r->classes.size(), 4u);  // Car (the ghost), Cyclist, Pedestrian, Van
  EXPECT_EQ(metric(*r, "Car", OverlapKind::k3d, 0.7).ignored_predictions, 1u);

  o.dont_care = false;
  const auto counted = detection_input(pred, *gt, &*seq, o);
  ASSERT_TRUE(counted);
  const auto r2 = evaluate_detection(counted->pred, counted->gt);
  ASSERT_TRUE(r2);
  EXPECT_EQ(metric(*r2, "Car", OverlapKind::k3d, 0.7).false_positives, 1u);
}

}  // namespace
}  // namespace pcanno::plugin
