// Ego motion against known poses: a street (road, buildings, parked cars) scanned from a car
// driving a gentle curve, written as KITTI .bin scans so that the real reader and
// the folder layout are used; the true poses are then given to the sequence as its own.
#include "pcanno/plugin/automation/ego_motion.hpp"

#include <cmath>
#include <cstdio>
#include <fstream>
#include <random>

#include <gtest/gtest.h>

namespace pcanno::plugin {
namespace {

namespace fs = std::filesystem;

constexpr int kFrames = 12;

/// T_world_lidar of frame f: 1 m per frame, turning 0.01 rad per frame.
geometry::Pose true_pose(int f) {
  geometry::Pose T = geometry::Pose::Identity();
  const geometry::Pose step =
      geometry::make_pose(geometry::quaternion_from_yaw(0.01), Eigen::Vector3d(1.0, 0.0, 0.0));
  for (int i = 0; i < f; ++i) T = T * step;
  return T;
}

/// Points on the faces of an axis-aligned block [m], 0.2 m apart (no bottom).
void add_block(std::vector<Eigen::Vector3d>& pts, const Eigen::Vector3d& lo,
               const Eigen::Vector3d& hi) {
  for (double x = lo.x(); x <= hi.x(); x += 0.2) {
    for (double z = lo.z(); z <= hi.z(); z += 0.2) {
      pts.emplace_back(x, lo.y(), z);
      pts.emplace_back(x, hi.y(), z);
    }
    for (double y = lo.y(); y <= hi.y(); y += 0.2) pts.emplace_back(x, y, hi.z());
  }
  for (double y = lo.y(); y <= hi.y(); y += 0.2) {
    for (double z = lo.z(); z <= hi.z(); z += 0.2) {
      pts.emplace_back(lo.x(), y, z);
      pts.emplace_back(hi.x(), y, z);
    }
  }
}

/// The static world [m]: a road at z = -1.7 between rows of buildings of different lengths, gaps
/// and set-backs, with cars parked along both kerbs, as a street looks to a LiDAR.
std::vector<Eigen::Vector3d> world() {
  std::vector<Eigen::Vector3d> pts;
  for (double x = -30; x <= 60; x += 0.2) {
    for (double y = -16; y <= 16; y += 0.2) pts.emplace_back(x, y, -1.7);
  }
  const double lengths[] = {9.0, 14.0, 7.0, 11.0, 16.0, 8.0, 12.0};
  const double setbacks[] = {0.0, 1.5, 0.6, 2.2, 0.3, 1.1, 0.0};
  for (const double side : {-1.0, 1.0}) {
    double x = side < 0 ? -30.0 : -25.0;
    for (int i = 0; x < 60.0; ++i) {
      const double length = lengths[i % 7];
      const double near = 9.0 + setbacks[(i + (side > 0 ? 3 : 0)) % 7];
      add_block(pts, {x, side < 0 ? -near - 6.0 : near, -1.7},
                {x + length, side < 0 ? -near : near + 6.0, 6.0});
      x += length + 3.0;  // a gap between buildings
    }
    for (double c = -28.0 + (side > 0 ? 4.0 : 0.0); c < 60.0; c += 11.0) {
      const double y = side * 6.5;
      add_block(pts, {c, y - 0.9, -1.4}, {c + 4.3, y + 0.9, -0.2});
    }
  }
  return pts;
}

class EgoMotionCheckTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ =
        fs::temp_directory_path() /
        ("pcanno_ego_motion_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
         "_" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    const std::vector<Eigen::Vector3d> points = world();
    std::mt19937 rng(3);
    std::normal_distribution<double> noise(0.0, 0.01);
    for (int f = 0; f < kFrames; ++f) {
      const geometry::Pose T_lidar_world = geometry::invert(true_pose(f));
      char name[32];
      std::snprintf(name, sizeof(name), "%06d.bin", f);
      std::ofstream out(dir_ / name, std::ios::binary);
      for (const Eigen::Vector3d& w : points) {
        const Eigen::Vector3d p =
            T_lidar_world * w + Eigen::Vector3d(noise(rng), noise(rng), noise(rng));
        if (p.head<2>().norm() > 40.0) continue;
        const float v[4] = {static_cast<float>(p.x()), static_cast<float>(p.y()),
                            static_cast<float>(p.z()), 0.3f};
        out.write(reinterpret_cast<const char*>(v), sizeof(v));
      }
    }
    auto seq = formats::open_sequence(dir_);
    ASSERT_TRUE(seq) << seq.error().message;
    ASSERT_EQ(seq->size(), static_cast<std::size_t>(kFrames));
    sequence_ = std::move(*seq);
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path dir_;
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
  EXPECT_EQ(progress.size(), static_cast<std::size_t>(kFrames));
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
