// Ego motion against known poses: a street (road, buildings, parked cars) scanned from a car
// driving a gentle curve, written as KITTI .bin scans so that the real reader and
// the folder layout are used; the true poses are then given to the sequence as its own.
#include "pcanno/plugin/automation/ego_motion.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include <gtest/gtest.h>

#include "synthetic_street.hpp"
#include "temp_dir.hpp"

namespace pcanno::plugin {
namespace {

namespace fs = std::filesystem;

constexpr int kFrames = 12;

/// 1 m per frame, turning 0.01 rad per frame.
const test::StreetScans kStreet{kFrames};

geometry::Pose true_pose(int f) { return test::street_pose(kStreet, f); }

class EgoMotionCheckTest : public ::testing::Test {
 protected:
  void SetUp() override {
    test::write_street_scans(dir_, kStreet);
    auto seq = formats::open_sequence(dir_);
    ASSERT_TRUE(seq) << seq.error().message;
    ASSERT_EQ(seq->size(), static_cast<std::size_t>(kFrames));
    sequence_ = std::move(*seq);
  }
  test::TempDir temp_;
  const fs::path dir_ = temp_.path();
  formats::Sequence sequence_;
};

TEST_F(EgoMotionCheckTest, EstimateStaysWithinCentimetresOfTheTruePoses) {
  for (int f = 0; f < kFrames; ++f) sequence_.frames[f].T_world_lidar = true_pose(f);
  std::vector<double> progress;
  auto check = check_ego_motion(sequence_, EgoMotionOptions{}, [&](double p) {
    progress.push_back(p);
    return true;
  });
  ASSERT_TRUE(check) << check.error().describe();
  const geometry::TrajectoryError& e = check->error;
  std::printf("drift %.3f%%, max %.3f m / %.3f deg, mean step %.4f m\n", e.drift_percent,
              e.max_translation, e.max_rotation * 180 / M_PI, e.mean_step_translation);
  EXPECT_NEAR(e.path_length, kFrames - 1.0, 1e-9);
  EXPECT_LT(e.max_translation, 0.05);
  EXPECT_LT(e.max_rotation, 0.2 * M_PI / 180);
  EXPECT_LT(e.drift_percent, 0.5);
  EXPECT_LT(e.mean_step_translation, 0.01);
  EXPECT_EQ(check->estimate.T_world_lidar.size(), static_cast<std::size_t>(kFrames));
  EXPECT_FALSE(check->estimate.from_cache);
  // Several reports per frame (load, registration), rising from 0 to 1.
  ASSERT_GE(progress.size(), static_cast<std::size_t>(kFrames));
  EXPECT_EQ(progress.front(), 0.0);
  EXPECT_EQ(progress.back(), 1.0);
  EXPECT_TRUE(std::is_sorted(progress.begin(), progress.end()));
}

TEST_F(EgoMotionCheckTest, ReferencePosesThatDisagreeShowAsDrift) {
  // A reference that says the car stood still: the drift is the distance the scans show it drove.
  for (auto& frame : sequence_.frames) frame.T_world_lidar = geometry::Pose::Identity();
  auto check = check_ego_motion(sequence_);
  ASSERT_TRUE(check) << check.error().describe();
  const double driven = true_pose(kFrames - 1).translation().norm();
  EXPECT_NEAR(check->error.final_translation, driven, 0.05);
  EXPECT_NEAR(check->error.final_rotation, 0.01 * (kFrames - 1), 0.005);
  EXPECT_EQ(check->error.path_length, 0.0);
  EXPECT_EQ(check->error.drift_percent, 0.0);  // undefined without travel, reported as 0
}

TEST_F(EgoMotionCheckTest, SequenceWithoutPosesIsRefusedByName) {
  for (int f = 0; f < kFrames; ++f) sequence_.frames[f].T_world_lidar = true_pose(f);
  sequence_.frames[4].T_world_lidar.reset();
  auto check = check_ego_motion(sequence_);
  ASSERT_FALSE(check);
  EXPECT_EQ(check.error().code, formats::ErrorCode::kUnsupported);
  EXPECT_NE(check.error().message.find("frame 4"), std::string::npos) << check.error().message;
}

}  // namespace
}  // namespace pcanno::plugin
