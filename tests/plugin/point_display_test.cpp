// Displayed points on synthetic frames with known poses: accumulation through the world frame,
// per-point frame offsets, hidden ground, crops, the intensity window, focus and track stacking.
#include "pcanno/plugin/display/point_display.hpp"

#include <cmath>

#include <map>
#include <string>

#include <gtest/gtest.h>

namespace pcanno::plugin {
namespace {

using formats::PointCloud;

constexpr int kFrames = 6;

/// The car drives 1.5 m per frame along world +x while turning 4 degrees per frame.
geometry::Pose pose_of(int k) {
  geometry::Pose T = geometry::Pose::Identity();
  T.linear() = Eigen::AngleAxisd(0.07 * k, Eigen::Vector3d::UnitZ()).toRotationMatrix();
  T.translation() = Eigen::Vector3d(1.5 * k, 0.3 * k, 0.05 * k);
  return T;
}

/// A point fixed in the world, seen from every frame.
const Eigen::Vector3d kLandmark(12.0, -3.0, 0.5);

/// A moving object: its box slides 2 m per frame along world +y.
geometry::Cuboid object_in_world(int k) {
  return geometry::Cuboid::from_yaw(Eigen::Vector3d(8.0, -6.0 + 2.0 * k, 0.0),
                                    Eigen::Vector3d(4.0, 2.0, 1.6), 0.3 + 0.05 * k);
}

/// Offsets of the object's points in its box frame [m].
const std::vector<Eigen::Vector3d> kObjectPoints = {
    {1.5, 0.5, 0.2}, {-1.2, -0.6, 0.5}, {0.3, 0.8, -0.4}, {-1.8, 0.1, 0.7}};

void add_point(PointCloud& c, const Eigen::Vector3d& p, float intensity) {
  c.x.push_back(static_cast<float>(p.x()));
  c.y.push_back(static_cast<float>(p.y()));
  c.z.push_back(static_cast<float>(p.z()));
  c.attribute(formats::attribute_names::kIntensity)->push_back(intensity);
}

/// Frame k: the landmark (intensity 0.9), the object's points (0.5), `10 + k` filler points far
/// off (0.1), and a ground grid 1.7 m under the sensor (0.2), all in frame k's LiDAR frame.
PointCloud make_frame(int k, bool ground) {
  PointCloud c;
  c.add_attribute(std::string(formats::attribute_names::kIntensity));
  const geometry::Pose T_lidar_world = pose_of(k).inverse();
  add_point(c, T_lidar_world * kLandmark, 0.9f);
  const geometry::Cuboid box = object_in_world(k);
  for (const Eigen::Vector3d& q : kObjectPoints)
    add_point(c, T_lidar_world * (box.pose() * q), 0.5f);
  for (int i = 0; i < 10 + k; ++i) add_point(c, Eigen::Vector3d(-30.0 - i, 25.0, 3.0), 0.1f);
  if (ground) {
    for (int ix = -10; ix <= 10; ++ix) {
      for (int iy = -10; iy <= 10; ++iy)
        add_point(c, Eigen::Vector3d(2.0 * ix, 2.0 * iy, -1.7), 0.2f);
    }
  }
  return c;
}

std::size_t frame_size(int k, bool ground) { return make_frame(k, ground).size(); }

class PointDisplayTest : public ::testing::Test {
 protected:
  void make_cache(bool ground) {
    formats::FrameCacheOptions options;
    options.threads = 0;
    cache_.emplace(
        kFrames,
        [ground](std::size_t k, const std::atomic<bool>&) -> formats::Expected<PointCloud> {
          return make_frame(static_cast<int>(k), ground);
        },
        options);
    source_.frames = &*cache_;
    source_.T_world_lidar.clear();
    for (int k = 0; k < kFrames; ++k) source_.T_world_lidar.push_back(pose_of(k));
    // The object's track, stored in each frame's LiDAR frame as KITTI labels are.
    formats::Track track;
    track.id = 7;
    track.label = "Car";
    for (int k = 0; k < kFrames; ++k) {
      formats::BoxState s;
      s.frame = k;
      s.box = geometry::transform(pose_of(k).inverse(), object_in_world(k));
      track.boxes.push_back(s);
    }
    doc_.tracks = {track};
    source_.document = &doc_;
  }
  void SetUp() override { make_cache(false); }

  std::shared_ptr<const PointCloud> build(std::size_t frame, const DisplayOptions& options) {
    auto built = display_.build(source_, frame, options);
    EXPECT_TRUE(built) << (built ? "" : built.error().describe());
    return built ? *built : nullptr;
  }

  std::optional<formats::FrameCache> cache_;
  formats::Annotations doc_;
  DisplaySource source_;
  PointDisplay display_;
};

const std::vector<float>& offsets(const PointCloud& c) {
  const std::vector<float>* f = c.attribute(kFrameOffsetAttribute);
  EXPECT_NE(f, nullptr);
  static const std::vector<float> none;
  return f ? *f : none;
}

TEST_F(PointDisplayTest, PlainOptionsShowTheFramesOwnCloud) {
  auto own = cache_->get(2);
  ASSERT_TRUE(own);
  auto built = build(2, DisplayOptions{});
  EXPECT_EQ(built.get(), own->get());
  EXPECT_EQ(display_.stats().points_shown, frame_size(2, false));
}

TEST_F(PointDisplayTest, AWorldPointLandsWhereTheCurrentFrameSeesItFromEveryFrame) {
  DisplayOptions options;
  options.past = 2;
  options.future = 2;
  auto built = build(3, options);
  ASSERT_TRUE(built);
  const Eigen::Vector3d expected = pose_of(3).inverse() * kLandmark;
  // The landmark is the only point of intensity 0.9 in each frame.
  const std::vector<float>& intensity = *built->attribute(formats::attribute_names::kIntensity);
  std::map<int, int> seen;
  for (std::size_t i = 0; i < built->size(); ++i) {
    if (std::abs(intensity[i] - 0.9f) > 1e-6f) continue;
    ++seen[static_cast<int>(offsets(*built)[i])];
    EXPECT_LT((built->point(i) - expected).norm(), 1e-4) << "offset " << offsets(*built)[i];
  }
  EXPECT_EQ(seen, (std::map<int, int>{{-2, 1}, {-1, 1}, {0, 1}, {1, 1}, {2, 1}}));
}

TEST_F(PointDisplayTest, CountsAreTheSumOfTheFramesAndClampAtTheEnds) {
  DisplayOptions options;
  options.past = 3;
  options.future = 1;
  auto built = build(1, options);  // frames 0..2: the past is clamped at the start
  ASSERT_TRUE(built);
  std::map<int, std::size_t> per_offset;
  for (float f : offsets(*built)) ++per_offset[static_cast<int>(f)];
  EXPECT_EQ(per_offset,
            (std::map<int, std::size_t>{
                {-1, frame_size(0, false)}, {0, frame_size(1, false)}, {1, frame_size(2, false)}}));
  EXPECT_EQ(display_.stats().frames, (std::vector<std::int64_t>{0, 1, 2}));
  // The current frame's points come first, unchanged.
  auto own = cache_->get(1);
  for (std::size_t i = 0; i < (*own)->size(); ++i) {
    ASSERT_EQ(built->x[i], (*own)->x[i]);
    ASSERT_EQ(offsets(*built)[i], 0.0f);
  }
}

TEST_F(PointDisplayTest, FramesWithoutAPoseAreSkippedAndSaid) {
  source_.T_world_lidar[2].reset();
  DisplayOptions options;
  options.past = 2;
  auto built = build(3, options);
  ASSERT_TRUE(built);
  EXPECT_EQ(built->size(), frame_size(3, false) + frame_size(1, false));
  ASSERT_EQ(display_.stats().warnings.size(), 1u);
  EXPECT_NE(display_.stats().warnings[0].find("frame 2"), std::string::npos);
}

TEST_F(PointDisplayTest, TimeOffsetsComeFromTimestamps) {
  for (int k = 0; k < kFrames; ++k) source_.timestamps_us.push_back(1'000'000 + 100'000 * k);
  DisplayOptions options;
  options.past = 1;
  auto built = build(2, options);
  const std::vector<float>* t = built->attribute(kTimeOffsetAttribute);
  ASSERT_NE(t, nullptr);
  for (std::size_t i = 0; i < built->size(); ++i) {
    EXPECT_NEAR((*t)[i], 0.1f * offsets(*built)[i], 1e-6f);
  }
}

TEST_F(PointDisplayTest, HideGroundDropsTheGroundAndKeepsTheRest) {
  make_cache(true);
  DisplayOptions options;
  options.hide_ground = true;
  options.past = 1;
  auto built = build(2, options);
  ASSERT_TRUE(built);
  const std::size_t ground_per_frame = 21 * 21;
  EXPECT_EQ(display_.stats().ground_hidden, 2 * ground_per_frame);
  EXPECT_EQ(built->size(), frame_size(2, false) + frame_size(1, false));
  // No point of a ground grid is left: every point left is 1 m or more above it.
  for (std::size_t i = 0; i < built->size(); ++i) EXPECT_GT(built->z[i], -1.2f);
}

TEST_F(PointDisplayTest, CropToARegionAndToATrackBox) {
  DisplayOptions options;
  options.past = 2;
  // 10 cm around the landmark where the current frame sees it: its three sightings only.
  const Eigen::Vector3d at = pose_of(2).inverse() * kLandmark;
  options.crop_region =
      DisplayRegion{at - Eigen::Vector3d::Constant(0.1), at + Eigen::Vector3d::Constant(0.1)};
  auto built = build(2, options);
  ASSERT_TRUE(built);
  ASSERT_EQ(built->size(), 3u);
  EXPECT_EQ(offsets(*built), (std::vector<float>{0.0f, -2.0f, -1.0f}));

  DisplayOptions track;
  track.crop_track = 7;
  auto in_box = build(2, track);
  ASSERT_TRUE(in_box);
  EXPECT_EQ(in_box->size(), kObjectPoints.size());
}

TEST_F(PointDisplayTest, FocusKeepsThePointsNearTheBox) {
  DisplayOptions options;
  options.focus_track = 7;
  options.focus_margin = 0.0;
  auto built = build(4, options);
  ASSERT_TRUE(built);
  EXPECT_EQ(built->size(), kObjectPoints.size());
  // A margin that reaches the landmark: the object's box at frame 4 is centred at (8, 2, 0).
  const geometry::Cuboid box = geometry::transform(pose_of(4).inverse(), object_in_world(4));
  const Eigen::Vector3d landmark = pose_of(4).inverse() * kLandmark;
  options.focus_margin = 8.0;
  ASSERT_TRUE(box.contains(landmark, 8.0));
  auto wider = build(4, options);
  EXPECT_EQ(wider->size(), kObjectPoints.size() + 1);

  options.focus_track = 99;
  auto missing = display_.build(source_, 4, options);
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("track 99 has no box in frame 4"), std::string::npos);
}

TEST_F(PointDisplayTest, IntensityWindowKeepsOnlyPointsInside) {
  DisplayOptions options;
  options.past = 1;
  options.intensity_min = 0.4f;
  options.intensity_max = 0.95f;
  auto built = build(3, options);
  ASSERT_TRUE(built);
  EXPECT_EQ(built->size(),
            2 * (1 + kObjectPoints.size()));  // the landmark and the object, 2 frames
  for (float v : *built->attribute(formats::attribute_names::kIntensity)) {
    EXPECT_TRUE(v >= 0.4f && v <= 0.95f);
  }
  options.intensity_min = 1.0f;
  auto bad = display_.build(source_, 3, options);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, formats::ErrorCode::kInvalidArgument);
}

TEST_F(PointDisplayTest, StackingPutsAMovingObjectsPointsOnItsCurrentBox) {
  DisplayOptions options;
  options.past = 2;
  options.future = 2;
  options.intensity_min = 0.45f;  // the object's points (0.5) only
  options.intensity_max = 0.55f;
  const geometry::Cuboid box_now = geometry::transform(pose_of(2).inverse(), object_in_world(2));

  // Through the world frame the object smears along its path: most of its points miss the box.
  auto smeared = build(2, options);
  ASSERT_TRUE(smeared);
  std::size_t inside = 0;
  for (std::size_t i = 0; i < smeared->size(); ++i) inside += box_now.contains(smeared->point(i));
  EXPECT_EQ(inside, kObjectPoints.size());  // only the current frame's

  options.stack_track = 7;
  auto stacked = build(2, options);
  ASSERT_TRUE(stacked);
  ASSERT_EQ(stacked->size(), 5 * kObjectPoints.size());
  EXPECT_EQ(display_.stats().stacked, 4 * kObjectPoints.size());
  // Every frame's object points land on the same spots of the current box.
  for (std::size_t i = 0; i < stacked->size(); ++i) {
    const Eigen::Vector3d q = box_now.pose().inverse() * stacked->point(i);
    double nearest = 1e9;
    for (const Eigen::Vector3d& o : kObjectPoints) nearest = std::min(nearest, (q - o).norm());
    EXPECT_LT(nearest, 1e-4) << "offset " << offsets(*stacked)[i];
  }
}

TEST_F(PointDisplayTest, ReusesItsBuffersOnceTheViewsLetGo) {
  DisplayOptions options;
  options.past = 1;
  const PointCloud* first = build(2, options).get();  // dropped at once: the buffer is free
  const PointCloud* second = build(3, options).get();
  EXPECT_EQ(first, second);
  auto held = build(2, options);
  auto other = build(3, options);  // the first is still shown: the other buffer
  EXPECT_NE(held.get(), other.get());
}

TEST_F(PointDisplayTest, RefusesNegativeCountsAndFramesOutOfRange) {
  DisplayOptions options;
  options.past = -1;
  auto bad = display_.build(source_, 2, options);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, formats::ErrorCode::kInvalidArgument);
  auto out = display_.build(source_, kFrames, DisplayOptions{});
  ASSERT_FALSE(out);
  EXPECT_EQ(out.error().code, formats::ErrorCode::kNotFound);
  // A negative margin would silently show nothing: refused, naming the value.
  DisplayOptions margin;
  margin.focus_margin = -5.0;
  auto negative = display_.build(source_, 2, margin);
  ASSERT_FALSE(negative);
  EXPECT_EQ(negative.error().code, formats::ErrorCode::kInvalidArgument);
  EXPECT_NE(negative.error().message.find("focus margin"), std::string::npos)
      << negative.error().message;
  EXPECT_NE(negative.error().message.find("-5"), std::string::npos) << negative.error().message;
}

}  // namespace
}  // namespace pcanno::plugin
