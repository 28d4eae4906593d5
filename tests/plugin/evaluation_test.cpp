#include "pcanno/plugin/services/evaluation.hpp"

#include <cmath>
#include <string>

#include <gtest/gtest.h>

#include "pcanno/geometry/pose.hpp"

namespace pcanno::plugin {
namespace {

using formats::Annotations;
using formats::BoxState;
using formats::ShapeFrame;

constexpr double kTight = 1e-9;
const Eigen::Vector3d kCarSize(4.0, 2.0, 1.5);

/// An upright box; `along` [m] moves it along its own heading, `up` [m] along z.
geometry::Cuboid car(double yaw, double along = 0.0, double up = 0.0) {
  const Eigen::Vector3d base(10.0, -3.0, -0.9);
  const Eigen::Vector3d heading(std::cos(yaw), std::sin(yaw), 0.0);
  return geometry::Cuboid::from_yaw(base + along * heading + Eigen::Vector3d(0, 0, up), kCarSize,
                                    yaw);
}

BoxState state(std::int64_t frame, const geometry::Cuboid& box, bool keyframe = true,
               ShapeFrame shape_frame = ShapeFrame::kLidar) {
  BoxState s;
  s.frame = frame;
  s.box = box;
  s.keyframe = keyframe;
  s.shape_frame = shape_frame;
  return s;
}

/// The new track; the reference is invalidated by the next add_track() on the same document.
formats::Track& add_track(Annotations& doc, std::int64_t id, const std::string& label) {
  doc.tracks.push_back(formats::Track{id, label, {}, "", {}});
  return doc.tracks.back();
}

/// Overlap of two equal boxes shifted by a share `s` of one axis: (1 - s) / (1 + s), worked out
/// by hand from intersection = (1 - s) V and union = 2V - intersection.
double shifted_iou(double s) { return (1.0 - s) / (1.0 + s); }

TEST(Evaluation, IdenticalDocumentsScoreOneEverywhere) {
  Annotations gt;
  add_track(gt, 1, "Car");
  add_track(gt, 2, "Pedestrian");
  formats::Track& a = gt.tracks[0];
  formats::Track& b = gt.tracks[1];
  for (int f = 0; f < 4; ++f) {
    a.boxes.push_back(state(f, car(0.3 * f, 0.5 * f)));
    b.boxes.push_back(state(f, car(-1.0, -0.2 * f, 0.1)));
  }
  const auto r = evaluate(gt, gt, nullptr);
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_EQ(r->overall.boxes, 8u);
  EXPECT_EQ(r->overall.missed, 0u);
  EXPECT_NEAR(r->overall.mean_iou_3d, 1.0, kTight);
  EXPECT_NEAR(r->overall.mean_iou_bev, 1.0, kTight);
  EXPECT_EQ(r->overall.fraction_3d_70, 1.0);
  EXPECT_TRUE(r->unmatched.empty());
  ASSERT_EQ(r->classes.size(), 2u);
  EXPECT_EQ(r->classes[0].label, "Car");
  ASSERT_EQ(r->tracks.size(), 2u);
  EXPECT_EQ(r->frames.size(), 4u);
}

TEST(Evaluation, HalfALengthShiftGivesAThird) {
  for (const double yaw : {0.0, 0.7, -2.5}) {
    Annotations gt, pred;
    add_track(gt, 5, "Car").boxes.push_back(state(0, car(yaw)));
    add_track(pred, 5, "Car").boxes.push_back(state(0, car(yaw, 2.0)));  // half of l = 4 m
    const auto r = evaluate(pred, gt, nullptr);
    ASSERT_TRUE(r);
    ASSERT_EQ(r->boxes.size(), 1u);
    EXPECT_NEAR(r->boxes[0].iou_3d, 1.0 / 3.0, 1e-9) << yaw;
    EXPECT_NEAR(r->boxes[0].iou_bev, 1.0 / 3.0, 1e-9) << yaw;
  }
  // Half the height up: the footprints coincide, the volumes overlap by half.
  Annotations gt, pred;
  add_track(gt, 5, "Car").boxes.push_back(state(0, car(0.4)));
  add_track(pred, 5, "Car").boxes.push_back(state(0, car(0.4, 0.0, 0.75)));
  const auto r = evaluate(pred, gt, nullptr);
  ASSERT_TRUE(r);
  EXPECT_NEAR(r->boxes[0].iou_3d, 1.0 / 3.0, 1e-9);
  EXPECT_NEAR(r->boxes[0].iou_bev, 1.0, 1e-9);
}

TEST(Evaluation, MissedBoxesCountAsZeroAndExtraPredictionsAreListed) {
  Annotations gt, pred;
  formats::Track& g = add_track(gt, 1, "Car");
  for (int f = 0; f < 4; ++f) g.boxes.push_back(state(f, car(0.0)));
  formats::Track& p = add_track(pred, 1, "Car");
  p.boxes.push_back(state(0, car(0.0)));
  p.boxes.push_back(state(1, car(0.0)));
  p.boxes.push_back(state(5, car(0.0)));                          // no ground truth there
  add_track(pred, 9, "Car").boxes.push_back(state(0, car(1.0)));  // a track GT lacks
  const auto r = evaluate(pred, gt, nullptr);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->overall.boxes, 4u);
  EXPECT_EQ(r->overall.missed, 2u);
  EXPECT_NEAR(r->overall.mean_iou_3d, 0.5, kTight);
  EXPECT_NEAR(r->overall.fraction_3d_50, 0.5, kTight);
  EXPECT_FALSE(r->boxes[2].predicted);
  EXPECT_EQ(r->boxes[2].iou_3d, 0.0);
  ASSERT_EQ(r->unmatched.size(), 2u);
  EXPECT_EQ(r->unmatched[0].track_id, 1);
  EXPECT_EQ(r->unmatched[0].frame, 5);
  EXPECT_EQ(r->unmatched[1].track_id, 9);
  ASSERT_EQ(r->tracks.size(), 1u);
  EXPECT_EQ(r->tracks[0].worst_frame, 2);
  EXPECT_EQ(r->tracks[0].min_iou_3d, 0.0);
}

TEST(Evaluation, ClassMeansAndThresholds) {
  Annotations gt, pred;
  // Car: 1 and 1/3; Pedestrian: 0.6 (shift l/4) and 0.8 (shift l/9).
  add_track(gt, 1, "Car");
  add_track(pred, 1, "Car");
  add_track(gt, 2, "Pedestrian");
  add_track(pred, 2, "Pedestrian");
  formats::Track& gc = gt.tracks[0];
  formats::Track& pc = pred.tracks[0];
  formats::Track& gp = gt.tracks[1];
  formats::Track& pp = pred.tracks[1];
  gc.boxes = {state(0, car(0.2)), state(1, car(0.2))};
  pc.boxes = {state(0, car(0.2)), state(1, car(0.2, 2.0))};
  gp.boxes = {state(0, car(1.0)), state(1, car(1.0))};
  pp.boxes = {state(0, car(1.0, 1.0)), state(1, car(1.0, 4.0 / 9.0))};
  const auto r = evaluate(pred, gt, nullptr);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->classes.size(), 2u);
  const IouSummary& cars = r->classes[0].iou;
  const IouSummary& peds = r->classes[1].iou;
  EXPECT_NEAR(cars.mean_iou_3d, (1.0 + 1.0 / 3.0) / 2.0, 1e-9);
  EXPECT_NEAR(cars.fraction_3d_50, 0.5, kTight);
  EXPECT_NEAR(cars.fraction_3d_70, 0.5, kTight);
  EXPECT_NEAR(peds.mean_iou_3d, (shifted_iou(0.25) + shifted_iou(1.0 / 9.0)) / 2.0, 1e-9);
  EXPECT_NEAR(peds.mean_iou_3d, 0.7, 1e-9);
  EXPECT_NEAR(peds.fraction_3d_50, 1.0, kTight);
  EXPECT_NEAR(peds.fraction_3d_70, 0.5, kTight);
  EXPECT_NEAR(r->overall.mean_iou_3d, (1.0 + 1.0 / 3.0 + 0.6 + 0.8) / 4.0, 1e-9);
  EXPECT_NEAR(r->overall.fraction_3d_70, 0.5, kTight);
  ASSERT_EQ(r->frames.size(), 2u);
  EXPECT_NEAR(r->frames[0].iou.mean_iou_3d, (1.0 + 0.6) / 2.0, 1e-9);
}

TEST(Evaluation, ExcludeKeyframesScoresOnlyTheBoxesATrackerMade) {
  Annotations gt, pred;
  formats::Track& g = add_track(gt, 3, "Car");
  formats::Track& p = add_track(pred, 3, "Car");
  for (int f = 0; f < 5; ++f) {
    g.boxes.push_back(state(f, car(0.0)));
    const bool key = f == 0 || f == 4;
    p.boxes.push_back(state(f, key ? car(0.0) : car(0.0, 2.0), key));
  }
  p.boxes.push_back(state(6, car(0.0), true));  // a keyframe without ground truth: not "extra"
  EvalOptions options;
  options.exclude_keyframes = true;
  const auto r = evaluate(pred, gt, nullptr, options);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->excluded_keyframes, 2u);
  EXPECT_EQ(r->overall.boxes, 3u);
  EXPECT_NEAR(r->overall.mean_iou_3d, 1.0 / 3.0, 1e-9);
  EXPECT_TRUE(r->unmatched.empty());

  const auto all = evaluate(pred, gt, nullptr);
  ASSERT_TRUE(all);
  EXPECT_EQ(all->overall.boxes, 5u);
  EXPECT_NEAR(all->overall.mean_iou_3d, (2.0 + 3.0 / 3.0) / 5.0, 1e-9);
  EXPECT_EQ(all->unmatched.size(), 1u);
}

TEST(Evaluation, MidpointDetectionNeedsCentreSizeAndRotation) {
  const geometry::Cuboid a = car(0.2, 0.0), b = car(0.6, 3.0);
  const geometry::Cuboid mid = car(0.4, 0.0);
  geometry::Cuboid half = mid;
  half.center = 0.5 * (a.center + b.center);
  EXPECT_TRUE(is_interpolated_midpoint(a, half, b, 1e-9));
  // Order does not matter: interpolation from b back to a passes the same box.
  EXPECT_TRUE(is_interpolated_midpoint(b, half, a, 1e-9));
  geometry::Cuboid moved = half;
  moved.center.z() += 1e-3;
  EXPECT_FALSE(is_interpolated_midpoint(a, moved, b, 1e-4));
  EXPECT_TRUE(is_interpolated_midpoint(a, moved, b, 2e-3));
  geometry::Cuboid turned = half;
  turned.rotation = geometry::quaternion_from_yaw(0.41);
  EXPECT_FALSE(is_interpolated_midpoint(a, turned, b, 1e-4));
  geometry::Cuboid grown = half;
  grown.size.x() += 0.01;
  EXPECT_FALSE(is_interpolated_midpoint(a, grown, b, 1e-4));
}

TEST(Evaluation, ExcludeDerivedGroundTruthSkipsOnlyInterpolatedLabels) {
  // Frame 2 is the mean of frames 1 and 3, as a tool's linear fill between them makes it. Frame 1
  // is on the line from 0 to 2 in x but not in z, frame 3 is not halfway to the turned box at 4.
  Annotations gt, pred;
  formats::Track& g = add_track(gt, 5, "Car");
  g.boxes.push_back(state(0, car(0.0, 0.0)));
  g.boxes.push_back(state(1, car(0.0, 1.0, 0.3)));
  g.boxes.push_back(state(2, car(0.0, 2.0, 0.3)));
  g.boxes.push_back(state(3, car(0.0, 3.0, 0.3)));
  g.boxes.push_back(state(4, car(0.1, 3.5, 0.3)));
  formats::Track& p = add_track(pred, 5, "Car");
  for (const BoxState& s : g.boxes) p.boxes.push_back(state(s.frame, s.box, false));
  EvalOptions options;
  options.exclude_derived_gt = true;
  const auto r = evaluate(pred, gt, nullptr, options);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->excluded_derived, 1u);
  ASSERT_EQ(r->overall.boxes, 4u);
  for (const BoxResult& b : r->boxes) EXPECT_NE(b.frame, 2);
  // Track ends never count as derived: they have one neighbour.
  EXPECT_EQ(r->boxes.front().frame, 0);
  EXPECT_EQ(r->boxes.back().frame, 4);
}

TEST(Evaluation, FramesRestrictTheBoxesScored) {
  Annotations gt, pred;
  formats::Track& g = add_track(gt, 1, "Car");
  formats::Track& p = add_track(pred, 1, "Car");
  for (int f = 0; f < 6; ++f) {
    g.boxes.push_back(state(f, car(0.0)));
    p.boxes.push_back(state(f, f < 3 ? car(0.0) : car(0.0, 2.0)));
  }
  EvalOptions options;
  options.frames = {3, 4, 5};
  const auto r = evaluate(pred, gt, nullptr, options);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->overall.boxes, 3u);
  EXPECT_NEAR(r->overall.mean_iou_3d, 1.0 / 3.0, 1e-9);
  EXPECT_EQ(r->frames.front().frame, 3);
}

TEST(Evaluation, MixedShapeFramesMeetInTheLidarFrame) {
  formats::Sequence seq;
  seq.layout = "folder";
  for (int f = 0; f < 2; ++f) {
    formats::FrameRef frame;
    frame.T_world_lidar = geometry::make_pose(geometry::quaternion_from_yaw(0.5 + f),
                                              Eigen::Vector3d(100.0 + 7.0 * f, -20.0, 3.0));
    seq.frames.push_back(frame);
  }
  Annotations gt, pred;
  formats::Track& g = add_track(gt, 1, "Car");
  formats::Track& p = add_track(pred, 1, "Car");
  for (int f = 0; f < 2; ++f) {
    g.boxes.push_back(state(f, car(0.3)));
    // The same physical box (frame 0) and one shifted by half its length (frame 1), in the world.
    const geometry::Cuboid lidar = f == 0 ? car(0.3) : car(0.3, 2.0);
    p.boxes.push_back(
        state(f, geometry::transform(*seq.frames[static_cast<std::size_t>(f)].T_world_lidar, lidar),
              true, ShapeFrame::kWorld));
  }
  const auto r = evaluate(pred, gt, &seq);
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_NEAR(r->boxes[0].iou_3d, 1.0, 1e-9);
  EXPECT_NEAR(r->boxes[0].iou_bev, 1.0, 1e-9);
  EXPECT_NEAR(r->boxes[1].iou_3d, 1.0 / 3.0, 1e-9);

  // Compared as stored, the world box would miss the LiDAR one: without poses it is an error.
  const auto no_poses = evaluate(pred, gt, nullptr);
  ASSERT_FALSE(no_poses);
  EXPECT_EQ(no_poses.error().code, formats::ErrorCode::kUnsupported);
  EXPECT_NE(no_poses.error().message.find("frame 0"), std::string::npos);
}

TEST(Evaluation, AnotherClassOnTheSameTrackIsCountedButStillScored) {
  Annotations gt, pred;
  add_track(gt, 1, "Car").boxes.push_back(state(0, car(0.0)));
  add_track(pred, 1, "Van").boxes.push_back(state(0, car(0.0)));
  const auto r = evaluate(pred, gt, nullptr);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->label_mismatches, 1u);
  EXPECT_FALSE(r->boxes[0].same_label);
  EXPECT_NEAR(r->boxes[0].iou_3d, 1.0, 1e-9);
  EXPECT_EQ(r->classes[0].label, "Car");  // classes follow the ground truth
}

}  // namespace
}  // namespace pcanno::plugin
