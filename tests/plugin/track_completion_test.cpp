#include "pcanno/plugin/automation/track_completion.hpp"

#include <cmath>

#include <gtest/gtest.h>

#include "pcanno/geometry/iou.hpp"

namespace pcanno::plugin {
namespace {

using formats::BoxState;

/// A sequence of `n` frames at 10 Hz whose ego vehicle drives a 20 m-radius left turn at 8 m/s.
formats::Sequence turning_ego(int n) {
  formats::Sequence seq;
  seq.layout = "folder";
  for (int i = 0; i < n; ++i) {
    formats::FrameRef f;
    f.name = std::to_string(i);
    f.timestamp_us = i * 100000;
    const double angle = 8.0 * 0.1 * i / 20.0;
    f.T_world_lidar =
        geometry::make_pose(Eigen::Quaterniond(Eigen::AngleAxisd(angle, Eigen::Vector3d::UnitZ())),
                            Eigen::Vector3d(20 * std::sin(angle), 20 - 20 * std::cos(angle), 0));
    seq.frames.push_back(f);
  }
  return seq;
}

/// A car driving straight along world x at 5 m/s: its box in frame i's LiDAR frame.
geometry::Cuboid car_in_world(int i) {
  return geometry::Cuboid::from_yaw(Eigen::Vector3d(10 + 0.5 * i, 5, -0.9),
                                    Eigen::Vector3d(4.2, 1.8, 1.5), 0.0);
}

formats::Annotations keyframes(const formats::Sequence& seq, std::initializer_list<int> frames) {
  formats::Annotations doc;
  for (const auto& f : seq.frames) doc.frames.push_back({f.name, f.timestamp_us, {}, ""});
  formats::Track t;
  t.id = 3;
  t.label = "Car";
  for (const int i : frames) {
    BoxState s;
    s.frame = i;
    s.shape_frame = formats::ShapeFrame::kLidar;  // as KITTI labels are
    s.box = geometry::transform(seq.frames[i].T_world_lidar->inverse(), car_in_world(i));
    s.provenance = formats::Provenance::kImported;
    t.boxes.push_back(s);
  }
  doc.tracks.push_back(t);
  return doc;
}

TEST(TrackCompletion, WorldFrameInterpolationFollowsTheObjectNotTheEgoTurn) {
  const formats::Sequence seq = turning_ego(21);
  formats::Annotations world = keyframes(seq, {0, 10, 20});
  formats::Annotations linear = world;
  CompletionOptions options;
  options.method = CompletionMethod::kInterpolate;
  const auto done = complete_tracks(world, seq, options);
  ASSERT_TRUE(done) << done.error().describe();
  EXPECT_EQ(done->boxes_added, 18u);
  options.method = CompletionMethod::kLinear;
  ASSERT_TRUE(complete_tracks(linear, seq, options));
  ASSERT_EQ(world.tracks[0].boxes.size(), 21u);
  ASSERT_EQ(linear.tracks[0].boxes.size(), 21u);
  double worst_world = 1.0;
  double worst_linear = 1.0;
  for (int i = 0; i <= 20; ++i) {
    const BoxState& w = world.tracks[0].boxes[i];
    const BoxState& l = linear.tracks[0].boxes[i];
    EXPECT_EQ(w.frame, i);
    EXPECT_EQ(w.shape_frame, formats::ShapeFrame::kLidar);  // stored as the keyframes are
    EXPECT_EQ(w.keyframe, i % 10 == 0);
    if (i % 10 != 0) {
      EXPECT_EQ(w.provenance, formats::Provenance::kInterpolated);
    }
    const geometry::Cuboid truth =
        geometry::transform(seq.frames[i].T_world_lidar->inverse(), car_in_world(i));
    worst_world = std::min(worst_world, geometry::iou_3d(w.box, truth));
    worst_linear = std::min(worst_linear, geometry::iou_3d(l.box, truth));
  }
  // Straight constant-velocity motion is reproduced exactly in the world frame; the sensor-frame
  // numbers bend it by the ego turn.
  EXPECT_GT(worst_world, 0.999);
  EXPECT_LT(worst_linear, 0.8);
}

TEST(TrackCompletion, InterpolationNeedsPoses) {
  formats::Sequence seq = turning_ego(5);
  formats::Annotations doc = keyframes(seq, {0, 4});
  for (auto& f : seq.frames) f.T_world_lidar.reset();
  CompletionOptions options;
  options.method = CompletionMethod::kInterpolate;
  const auto done = complete_tracks(doc, seq, options);
  ASSERT_FALSE(done);
  EXPECT_NE(done.error().message.find("no pose"), std::string::npos);
}

TEST(TrackCompletion, KeyframesEveryKAndCropping) {
  const formats::Sequence seq = turning_ego(21);
  formats::Annotations doc =
      keyframes(seq, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20});
  formats::Annotations cropped = doc;
  EXPECT_EQ(crop_to_frames(cropped, 15), 6u);
  EXPECT_EQ(cropped.tracks[0].boxes.back().frame, 14);
  EXPECT_EQ(cropped.frames.size(), 15u);
  keep_keyframes_every(doc, 8);
  std::vector<std::int64_t> frames;
  for (const BoxState& b : doc.tracks[0].boxes) frames.push_back(b.frame);
  EXPECT_EQ(frames, (std::vector<std::int64_t>{0, 8, 16, 20}));
  EXPECT_EQ(completion_method_from_string("interpolate"), CompletionMethod::kInterpolate);

  // Polylines are thinned the same way, and what is kept becomes a keyframe.
  formats::PolylineTrack lane;
  lane.id = 7;
  for (std::int64_t f = 0; f <= 20; ++f) {
    formats::PolylineState state;
    state.frame = f;
    state.line.vertices = {{0.0, 0.0, 0.0}, {5.0, 0.0, 0.0}};
    state.keyframe = f == 0;
    lane.states.push_back(state);
  }
  formats::Annotations lines;
  lines.polylines = {lane};
  keep_keyframes_every(lines, 8);
  std::vector<std::int64_t> kept;
  for (const formats::PolylineState& state : lines.polylines[0].states) {
    kept.push_back(state.frame);
    EXPECT_TRUE(state.keyframe) << state.frame;
  }
  EXPECT_EQ(kept, (std::vector<std::int64_t>{0, 8, 16, 20}));
  keep_keyframes_every(lines, 0, false);
  ASSERT_EQ(lines.polylines[0].states.size(), 1u);
  EXPECT_EQ(lines.polylines[0].states[0].frame, 0);
  EXPECT_FALSE(completion_method_from_string("spline"));
}

}  // namespace
}  // namespace pcanno::plugin
