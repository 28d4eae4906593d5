// Scan-to-scan registration on KITTI tracking 0000, which has no poses: consecutive frames must
// register consistently (forward then backward closes within centimetres), at a plausible speed.
#include <cmath>
#include <cstdio>

#include <gtest/gtest.h>

#include "pcanno/formats/raw_bin.hpp"
#include "pcanno/geometry/registration.hpp"
#include "test_data.hpp"

namespace pcanno {
namespace {

std::vector<Eigen::Vector3d> scan(int frame) {
  char name[64];
  std::snprintf(name, sizeof(name), "kitti_tracking/training/velodyne/0000/%06d.bin", frame);
  const auto cloud = formats::read_kitti_bin(test::shared_data_dir() / name);
  EXPECT_TRUE(cloud);
  return cloud ? geometry::voxel_downsample(cloud->view(), 0.5, 60.0)
               : std::vector<Eigen::Vector3d>{};
}

TEST(KittiEgoMotion, ConsecutiveScansRegisterConsistently) {
  PCANNO_REQUIRE_DATA(test::shared_data_dir() / "kitti_tracking/training/velodyne/0000/000009.bin");
  geometry::Pose prior = geometry::Pose::Identity();
  std::vector<Eigen::Vector3d> previous = scan(0);
  for (int frame = 1; frame < 10; ++frame) {
    const std::vector<Eigen::Vector3d> current = scan(frame);
    const geometry::IcpResult forward = geometry::register_point_to_plane(current, previous, prior);
    ASSERT_TRUE(forward.converged) << frame;
    const geometry::IcpResult backward =
        geometry::register_point_to_plane(previous, current, forward.T_target_source.inverse());
    ASSERT_TRUE(backward.converged) << frame;
    const geometry::Pose loop = forward.T_target_source * backward.T_target_source;
    EXPECT_LT(loop.translation().norm(), 0.03) << frame;
    EXPECT_LT(Eigen::AngleAxisd(loop.linear()).angle(), 0.1 * M_PI / 180) << frame;
    // The recording car drives slowly forward through a bend: 0.3 m and 0.7 degrees per frame.
    const double step = forward.T_target_source.translation().norm();
    EXPECT_GT(step, 0.2) << frame;
    EXPECT_LT(step, 0.5) << frame;
    EXPECT_GT(forward.fitness, 0.8) << frame;
    prior = forward.T_target_source;
    previous = current;
  }
}

}  // namespace
}  // namespace pcanno
