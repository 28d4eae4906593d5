#include "pcanno/geometry/trajectory_error.hpp"

#include <cmath>
#include <random>

#include <gtest/gtest.h>

namespace pcanno::geometry {
namespace {

/// A drive along a gentle left curve: 1 m per frame, turning `turn` [rad] per frame.
std::vector<Pose> drive(int frames, double step = 1.0, double turn = 0.02) {
  std::vector<Pose> poses{Pose::Identity()};
  for (int i = 1; i < frames; ++i) {
    const Pose motion = make_pose(quaternion_from_yaw(turn), Eigen::Vector3d(step, 0.0, 0.0));
    poses.push_back(poses.back() * motion);
  }
  return poses;
}

TEST(TrajectoryError, IdenticalTrajectoriesHaveNoError) {
  const std::vector<Pose> ref = drive(20);
  const auto e = trajectory_error(ref, ref);
  ASSERT_TRUE(e);
  EXPECT_NEAR(e->max_translation, 0.0, 1e-12);
  EXPECT_NEAR(e->max_rotation, 0.0, 1e-7);
  EXPECT_NEAR(e->mean_step_translation, 0.0, 1e-12);
  EXPECT_NEAR(e->path_length, 19.0, 1e-9);
  EXPECT_EQ(e->translation.size(), 20u);
}

TEST(TrajectoryError, AnotherWorldFrameIsNotAnError) {
  // The same motion expressed in a world rotated and shifted (an estimate starts at the identity,
  // oxts at the first GPS fix): anchoring at frame 0 removes it.
  const std::vector<Pose> ref = drive(15);
  const Pose T_other_world =
      make_pose(quaternion_from_yaw_pitch_roll({1.2, 0.1, -0.05}), Eigen::Vector3d(100, -40, 3));
  std::vector<Pose> est;
  for (const Pose& p : ref) est.push_back(T_other_world * p);
  const auto e = trajectory_error(est, ref);
  ASSERT_TRUE(e);
  EXPECT_NEAR(e->max_translation, 0.0, 1e-9);
  EXPECT_NEAR(e->max_rotation, 0.0, 1e-7);
}

TEST(TrajectoryError, ScaleDriftIsReportedPerMetre) {
  // Straight line; the estimate overshoots every step by 2 cm: 0.38 m after 19 m, 2%.
  const std::vector<Pose> ref = drive(20, 1.0, 0.0);
  const std::vector<Pose> est = drive(20, 1.02, 0.0);
  const auto e = trajectory_error(est, ref);
  ASSERT_TRUE(e);
  EXPECT_NEAR(e->final_translation, 0.38, 1e-9);
  EXPECT_NEAR(e->max_translation, 0.38, 1e-9);
  EXPECT_NEAR(e->drift_percent, 2.0, 1e-9);
  EXPECT_NEAR(e->mean_step_translation, 0.02, 1e-12);
  EXPECT_NEAR(e->translation[10], 0.2, 1e-9);
}

TEST(TrajectoryError, HeadingErrorGrowsIntoLateralError) {
  // The estimate turns 0.01 rad per frame less: after n frames the heading is off by 0.01 n.
  const std::vector<Pose> ref = drive(11, 1.0, 0.03);
  const std::vector<Pose> est = drive(11, 1.0, 0.02);
  const auto e = trajectory_error(est, ref);
  ASSERT_TRUE(e);
  EXPECT_NEAR(e->final_rotation, 0.1, 1e-9);
  EXPECT_NEAR(e->mean_step_rotation, 0.01, 1e-9);
  EXPECT_GT(e->final_translation, 0.2);  // the lateral miss of a slower turn
  for (std::size_t i = 1; i < e->rotation.size(); ++i) {
    EXPECT_GT(e->rotation[i], e->rotation[i - 1]);
  }
}

TEST(TrajectoryError, MismatchedOrEmptyInputIsRefused) {
  EXPECT_FALSE(trajectory_error({}, {}));
  EXPECT_FALSE(trajectory_error(drive(3), drive(4)));
  const auto one = trajectory_error(drive(1), drive(1));
  ASSERT_TRUE(one);
  EXPECT_EQ(one->drift_percent, 0.0);
  EXPECT_EQ(one->mean_step_translation, 0.0);
}

}  // namespace
}  // namespace pcanno::geometry
