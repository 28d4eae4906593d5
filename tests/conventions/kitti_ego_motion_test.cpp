// Scan-to-scan registration on KITTI tracking 0000, which has no poses: consecutive frames must
// register consistently (forward then backward closes within centimetres), at a plausible speed.
#include <cmath>
#include <cstdio>

#include <gtest/gtest.h>

#include <map>

#include "kitti_fixtures.hpp"
#include "pcanno/formats/clouds/raw_bin.hpp"
#include "pcanno/formats/datasets/kitti_calib.hpp"
#include "pcanno/formats/datasets/sequence.hpp"
#include "pcanno/formats/labels/kitti/label.hpp"
#include "pcanno/geometry/kitti_convention.hpp"
#include "pcanno/geometry/registration.hpp"
#include "pcanno/plugin/automation/ego_motion.hpp"
#include "test_data.hpp"

namespace pcanno {
namespace {

std::vector<Eigen::Vector3d> scan(int frame) {
  char name[64];
  std::snprintf(name, sizeof(name), "velodyne/0000/%06d.bin", frame);
  const auto cloud = formats::read_kitti_bin(test::kitti_tracking_root() / name);
  EXPECT_TRUE(cloud);
  return cloud ? geometry::voxel_downsample(cloud->view(), 0.5, 60.0)
               : std::vector<Eigen::Vector3d>{};
}

TEST(KittiEgoMotion, ConsecutiveScansRegisterConsistently) {
  PCANNO_REQUIRE_DATA(test::kitti_tracking_root() / "velodyne/0000/000009.bin");
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

// Sequence 0000 has no GT poses. Objects standing still must stay still in the world the estimated
// ego motion builds: their labelled boxes, moved to the world frame, barely move.
TEST(KittiEgoMotion, ParkedObjectsStayPutInTheEstimatedWorld) {
  const std::filesystem::path root = test::kitti_tracking_root();
  PCANNO_REQUIRE_DATA(root / "velodyne/0000/000019.bin");
  formats::SequenceOptions options;
  options.name = "0000";
  auto seq = formats::open_sequence(root, options);
  ASSERT_TRUE(seq) << seq.error().message;
  auto motion = plugin::estimate_ego_motion(*seq, plugin::EgoMotionOptions{});
  ASSERT_TRUE(motion) << motion.error().message;
  // The recording car itself moves: about 0.3 m per frame, several metres in all.
  const double travelled = motion->T_world_lidar.back().translation().norm();
  EXPECT_GT(travelled, 4.0);
  const auto calib = formats::read_kitti_calib(root / "calib/0000.txt");
  const auto rows = formats::read_kitti_tracking_labels(root / "label_02/0000.txt");
  ASSERT_TRUE(calib && rows);
  // Per track: world-frame centres over frames 0-19.
  std::map<int, std::pair<std::string, std::vector<Eigen::Vector3d>>> centres;
  for (const auto& row : *rows) {
    if (row.track_id < 0 || row.frame >= 20) continue;
    const geometry::Cuboid in_lidar =
        geometry::kitti_camera_to_lidar(row.box, calib->T_rect_velo());
    centres[row.track_id].first = row.type;
    centres[row.track_id].second.push_back(motion->T_world_lidar[row.frame] * in_lidar.center);
  }
  int parked = 0;
  for (const auto& [id, entry] : centres) {
    const auto& [type, c] = entry;
    Eigen::Vector3d mean = Eigen::Vector3d::Zero();
    for (const auto& p : c) mean += p;
    mean /= static_cast<double>(c.size());
    double spread = 0.0;  // largest distance from the mean, bird's-eye view
    for (const auto& p : c) spread = std::max(spread, (p - mean).head<2>().norm());
    const double span = (c.back() - c.front()).head<2>().norm();
    std::printf("track %d %-10s frames %2zu: world-frame span %.2f m, spread %.2f m\n", id,
                type.c_str(), c.size(), span, spread);
    // Van 3 is parked: in the world it stays within label noise over its 15 frames, while the
    // car records from 4 m and more away. Van 0 and the cyclist drive ahead; the pedestrian walks.
    if (id == 3) {
      ++parked;
      EXPECT_LT(spread, 0.25);
      EXPECT_LT(span, 0.25);
    } else if (id == 0) {
      EXPECT_GT(span, 5.0);
    }
  }
  EXPECT_EQ(parked, 1);
}

}  // namespace
}  // namespace pcanno
