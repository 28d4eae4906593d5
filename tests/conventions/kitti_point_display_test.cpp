// Accumulation on real KITTI tracking 0000. The shared data has no oxts for it, so the frames are
// placed by the estimated ego motion (the pose source the engine falls back on): with the ground
// hidden, the static structure seen from frames t-2..t+2 must land on the current frame's points.
#include <cstdio>

#include <gtest/gtest.h>

#include "kitti_posed.hpp"
#include "pcanno/geometry/registration.hpp"
#include "pcanno/plugin/display/point_display.hpp"

namespace pcanno {
namespace {

/// Share of the points of `offset` within `radius` of a current-frame point (offset 0), over the
/// non-ground points within 25 m (downsampled to 0.1 m: the score is about places, not density).
double overlap(const formats::PointCloud& built, float offset, double radius) {
  const std::vector<float>& f = *built.attribute(plugin::kFrameOffsetAttribute);
  std::vector<Eigen::Vector3d> current, other;
  for (std::size_t i = 0; i < built.size(); ++i) {
    const Eigen::Vector3d p = built.point(i);
    if (p.head<2>().norm() > 25.0) continue;
    if (f[i] == 0.0f) current.push_back(p);
    if (f[i] == offset) other.push_back(p);
  }
  return geometry::fraction_within(geometry::voxel_downsample(other, 0.1), current, radius);
}

TEST(KittiPointDisplay, StaticStructureFromNeighbouringFramesLinesUp) {
  PCANNO_REQUIRE_DATA(test::kitti_tracking_root() / "velodyne/0000/000019.bin");
  std::unique_ptr<formats::Sequence> seq = test::kitti_0000_with_estimated_poses();
  ASSERT_TRUE(seq);
  formats::FrameCacheOptions cache_options;
  cache_options.threads = 0;
  formats::FrameCache cache = formats::make_frame_cache(*seq, cache_options);
  plugin::DisplaySource source;
  source.frames = &cache;
  source.T_world_lidar = plugin::sequence_poses(*seq);
  plugin::DisplayOptions options;
  options.past = 2;
  options.future = 2;
  options.hide_ground = true;
  plugin::PointDisplay display;
  auto built = display.build(source, 10, options);
  ASSERT_TRUE(built) << built.error().describe();
  EXPECT_EQ(display.stats().frames, (std::vector<std::int64_t>{8, 9, 10, 11, 12}));
  EXPECT_GT(display.stats().ground_hidden, 0u);

  // The same frames with no motion compensation (every pose the identity): the car moves about
  // 0.3 m per frame, so the structure smears.
  plugin::DisplaySource still = source;
  for (auto& pose : still.T_world_lidar) pose = geometry::Pose::Identity();
  plugin::PointDisplay raw;
  auto unaligned = raw.build(still, 10, options);
  ASSERT_TRUE(unaligned) << unaligned.error().describe();

  for (const float offset : {-2.0f, -1.0f, 1.0f, 2.0f}) {
    const double aligned = overlap(**built, offset, 0.15);
    const double smeared = overlap(**unaligned, offset, 0.15);
    std::printf("offset %+.0f: %.3f of the points within 15 cm aligned, %.3f unaligned\n", offset,
                aligned, smeared);
    EXPECT_GT(aligned, 0.75) << offset;
    EXPECT_GT(aligned, smeared + 0.1) << offset;
  }
}

}  // namespace
}  // namespace pcanno
