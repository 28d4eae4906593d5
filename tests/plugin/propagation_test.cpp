// Propagation on a synthetic street: a car drives and turns across a ground plane, written as KITTI
// .bin scans so that the real reader and sequence layout are used.
#include "pcanno/plugin/automation/propagation.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <functional>
#include <random>

#include <gtest/gtest.h>

#include "pcanno/geometry/angles.hpp"
#include "temp_dir.hpp"

namespace pcanno::plugin {
namespace {

namespace fs = std::filesystem;

constexpr int kFrames = 10;

/// The car's true box at frame f [world = lidar]: 8 m/s at 10 Hz, turning 2 degrees per frame.
geometry::Cuboid car_at(int f) {
  const double yaw = 0.035 * f;
  Eigen::Vector3d centre(6.0, 3.0, -0.95);
  for (int i = 0; i < f; ++i) {
    const double a = 0.035 * i + 0.0175;
    centre += 0.8 * Eigen::Vector3d(std::cos(a), std::sin(a), 0.0);
  }
  return geometry::Cuboid::from_yaw(centre, Eigen::Vector3d(4.2, 1.8, 1.5), yaw);
}

/// A ground grid and, unless `car` is false, the car's sides and roof, with 1 cm noise.
std::vector<Eigen::Vector3d> scene(int f, bool car, std::mt19937& rng) {
  std::normal_distribution<double> noise(0.0, 0.01);
  std::vector<Eigen::Vector3d> pts;
  for (double x = -10; x <= 30; x += 0.25) {
    for (double y = -8; y <= 12; y += 0.25) pts.emplace_back(x, y, -1.7 + noise(rng));
  }
  if (car) {
    const geometry::Cuboid box = car_at(f);
    const geometry::Pose T = geometry::make_pose(
        Eigen::Quaterniond(Eigen::AngleAxisd(box.yaw(), Eigen::Vector3d::UnitZ())), box.center);
    const Eigen::Vector3d h = 0.5 * box.size;
    for (double a = -h.x(); a <= h.x(); a += 0.08) {
      for (double z = -h.z() + 0.25; z <= h.z(); z += 0.08) {
        pts.push_back(T * Eigen::Vector3d(a, -h.y(), z));  // the side facing the sensor
        pts.push_back(T * Eigen::Vector3d(a, h.y(), z));
      }
      for (double b = -h.y(); b <= h.y(); b += 0.08)
        pts.push_back(T * Eigen::Vector3d(a, b, h.z()));
    }
    for (double b = -h.y(); b <= h.y(); b += 0.08) {
      for (double z = -h.z() + 0.25; z <= h.z(); z += 0.08) {
        pts.push_back(T * Eigen::Vector3d(-h.x(), b, z));
      }
    }
  }
  for (Eigen::Vector3d& p : pts) p += Eigen::Vector3d(noise(rng), noise(rng), 0.0);
  return pts;
}

class Propagation : public ::testing::Test {
 protected:
  /// Writes the scans; the car is missing from frame `vanish` until before `reappear`.
  void write_scans(int vanish = kFrames, int reappear = kFrames) {
    std::mt19937 rng(5);
    for (int f = 0; f < kFrames; ++f) {
      char name[32];
      std::snprintf(name, sizeof(name), "%06d.bin", f);
      std::ofstream out(dir_ / name, std::ios::binary);
      for (const Eigen::Vector3d& p : scene(f, f < vanish || f >= reappear, rng)) {
        const float v[4] = {static_cast<float>(p.x()), static_cast<float>(p.y()),
                            static_cast<float>(p.z()), 0.5f};
        out.write(reinterpret_cast<const char*>(v), sizeof(v));
      }
    }
    auto seq = formats::open_sequence(dir_);
    ASSERT_TRUE(seq) << seq.error().message;
    ASSERT_EQ(seq->size(), static_cast<std::size_t>(kFrames));
    for (auto& frame : seq->frames) frame.T_world_lidar = geometry::Pose::Identity();
    sequence_ = std::move(*seq);
  }
  test::TempDir temp_;
  const fs::path dir_ = temp_.path();
  formats::Sequence sequence_;
};

void expect_on_track(const PropagationResult& r, std::size_t expected) {
  ASSERT_EQ(r.boxes.size(), expected);
  for (const PropagatedBox& b : r.boxes) {
    const geometry::Cuboid truth = car_at(static_cast<int>(b.frame));
    EXPECT_LT((b.box_in_world.center - truth.center).norm(), 0.1) << b.frame;
    EXPECT_LT(std::abs(geometry::angle_difference(b.box_in_world.yaw(), truth.yaw())), 0.02)
        << b.frame;
    EXPECT_NEAR(b.box_in_world.size.x(), truth.size.x(), 1e-12);
    EXPECT_GT(b.confidence, 0.8) << b.frame;
    EXPECT_GT(b.points, 100u) << b.frame;
  }
}

TEST_F(Propagation, FollowsADrivingTurningCarForward) {
  write_scans();
  SequenceClouds clouds(sequence_);
  std::vector<double> progress;
  auto r = propagate_box(clouds, 0, car_at(0), kFrames - 1, std::nullopt, {},
                         [&](double p) { return progress.push_back(p), true; });
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_FALSE(r->lost) << *r->lost;
  expect_on_track(*r, kFrames - 1);
  EXPECT_EQ(r->boxes.front().frame, 1);
  // At least once per frame, rising from 0 to 1.
  ASSERT_GE(progress.size(), static_cast<std::size_t>(kFrames - 1));
  EXPECT_EQ(progress.front(), 0.0);
  EXPECT_EQ(progress.back(), 1.0);
  EXPECT_TRUE(std::is_sorted(progress.begin(), progress.end()));
}

TEST_F(Propagation, FollowsItBackward) {
  write_scans();
  SequenceClouds clouds(sequence_);
  auto r = propagate_box(clouds, kFrames - 1, car_at(kFrames - 1), 0);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_FALSE(r->lost);
  expect_on_track(*r, kFrames - 1);
  EXPECT_EQ(r->boxes.back().frame, 0);
}

TEST_F(Propagation, AVelocityPriorFromTheFrameBeforeIsUsed) {
  write_scans();
  SequenceClouds clouds(sequence_);
  // A prior pointing the wrong way by 3 m per frame puts the prediction beyond the search margin:
  // the object is then missed, which shows the prior is what the search starts from.
  geometry::Cuboid wrong = car_at(0);
  wrong.center.x() += 3.0;
  auto misled = propagate_box(clouds, 0, car_at(0), 3, wrong);
  ASSERT_TRUE(misled);
  EXPECT_TRUE(misled->boxes.empty() ||
              (misled->boxes[0].box_in_world.center - car_at(1).center).norm() > 0.5);
  auto r = propagate_box(clouds, 1, car_at(1), kFrames - 1, car_at(0));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_FALSE(r->lost);
  expect_on_track(*r, kFrames - 2);
}

TEST_F(Propagation, CoastsWhereTheObjectVanishedAndFlagsThoseBoxes) {
  write_scans(6);
  SequenceClouds clouds(sequence_);
  auto r = propagate_box(clouds, 0, car_at(0), kFrames - 1);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_FALSE(r->lost);  // 0.4 s unseen is within the coast
  ASSERT_EQ(r->boxes.size(), static_cast<std::size_t>(kFrames - 1));
  EXPECT_EQ(r->coasted, 4u);
  std::vector<PropagatedBox> seen(r->boxes.begin(), r->boxes.begin() + 5);
  expect_on_track(PropagationResult{seen, std::nullopt, -1, 0, 0}, 5);
  double last_score = 1.0;
  for (std::size_t i = 5; i < r->boxes.size(); ++i) {
    const PropagatedBox& b = r->boxes[i];
    EXPECT_TRUE(b.coasted) << b.frame;
    EXPECT_LT(b.confidence, kReviewScore) << b.frame;
    EXPECT_LT(b.confidence, last_score) << b.frame;  // decays per coasted frame
    last_score = b.confidence;
    // The motion model carries it on along its turn: within half a metre after 0.4 s.
    const geometry::Cuboid truth = car_at(static_cast<int>(b.frame));
    EXPECT_LT((b.box_in_world.center - truth.center).head<2>().norm(), 0.5) << b.frame;
  }
}

TEST_F(Propagation, ReacquiresTheObjectWhenItComesBack) {
  write_scans(4, 7);  // hidden in frames 4-6
  SequenceClouds clouds(sequence_);
  auto r = propagate_box(clouds, 0, car_at(0), kFrames - 1);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_FALSE(r->lost);
  ASSERT_EQ(r->boxes.size(), static_cast<std::size_t>(kFrames - 1));
  EXPECT_EQ(r->coasted, 3u);
  EXPECT_EQ(r->reacquired, 1u);
  for (const PropagatedBox& b : r->boxes) {
    EXPECT_EQ(b.coasted, b.frame >= 4 && b.frame <= 6) << b.frame;
  }
  // From frame 7 on it is followed as before: on the car, confidently.
  std::vector<PropagatedBox> after(r->boxes.begin() + 6, r->boxes.end());
  expect_on_track(PropagationResult{after, std::nullopt, -1, 0, 0}, 3);
}

TEST_F(Propagation, ALongCoastEndsTheTrackWithANote) {
  write_scans(6);
  SequenceClouds clouds(sequence_);
  PropagationOptions options;
  options.max_coast_s = 0.25;
  auto r = propagate_box(clouds, 0, car_at(0), kFrames - 1, std::nullopt, options);
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_TRUE(r->lost);
  // Last seen at frame 5; frames 6 and 7 coasted (0.1, 0.2 s); frame 8 is 0.3 s unseen.
  EXPECT_EQ(r->lost_at, 8);
  EXPECT_NE(r->lost->find("since frame 5, ended at frame 8"), std::string::npos) << *r->lost;
  EXPECT_EQ(r->boxes.size(), 7u);
  EXPECT_EQ(r->coasted, 2u);
}

/// A pedestrian (0.7 x 0.7 x 1.75 m) 12 m to the sensor's left walking along +x at 1.2 m/s,
/// 0.3 m from a wall behind it: its side facing the sensor is a handful of returns (20), the wall
/// hundreds.
geometry::Cuboid walker_at(int f) {
  return geometry::Cuboid::from_yaw(Eigen::Vector3d(3.0 + 0.12 * f, 12.0, -0.825),
                                    Eigen::Vector3d(0.7, 0.7, 1.75), 0.0);
}

/// Writes kFrames scans of a ground grid, a walker at `walker(f)` (the side facing the sensor: 4
/// columns of 5 returns, 2 cm noise) and, with `wall`, a wall at y = 12.65; the sequence's poses
/// are the identity.
formats::Sequence write_walker_scans(const fs::path& dir,
                                     const std::function<geometry::Cuboid(int)>& walker,
                                     bool wall) {
  std::mt19937 rng(9);
  std::normal_distribution<double> noise(0.0, 0.02);
  for (int f = 0; f < kFrames; ++f) {
    std::vector<Eigen::Vector3d> pts;
    for (double x = -5; x <= 12; x += 0.25) {
      for (double y = 8; y <= 14; y += 0.25) pts.emplace_back(x, y, -1.7 + 0.2 * noise(rng));
      if (!wall) continue;
      for (double z = -1.5; z <= 1.0; z += 0.2) pts.emplace_back(x, 12.65, z);
    }
    const geometry::Cuboid w = walker(f);
    const Eigen::Vector2d along(std::cos(w.yaw()), std::sin(w.yaw()));
    const Eigen::Vector2d near_side = w.center.head<2>() - Eigen::Vector2d(0.0, 0.3);
    for (int i = 0; i < 4; ++i) {
      for (int k = 0; k < 5; ++k) {
        const Eigen::Vector2d at = near_side + (-0.25 + 0.15 * i) * along;
        pts.emplace_back(at.x() + noise(rng), at.y() + noise(rng), -1.4 + 0.3 * k);
      }
    }
    char name[32];
    std::snprintf(name, sizeof(name), "%06d.bin", f);
    std::ofstream out(dir / name, std::ios::binary);
    for (const Eigen::Vector3d& p : pts) {
      const float v[4] = {static_cast<float>(p.x()), static_cast<float>(p.y()),
                          static_cast<float>(p.z()), 0.5f};
      out.write(reinterpret_cast<const char*>(v), sizeof(v));
    }
  }
  auto seq = formats::open_sequence(dir);
  EXPECT_TRUE(seq) << seq.error().message;
  if (!seq) return {};
  for (auto& frame : seq->frames) frame.T_world_lidar = geometry::Pose::Identity();
  return std::move(*seq);
}

TEST_F(Propagation, FollowsASparsePedestrianBesideAWallNotTheWall) {
  formats::Sequence seq = write_walker_scans(dir_, walker_at, true);
  ASSERT_EQ(seq.size(), static_cast<std::size_t>(kFrames));
  SequenceClouds clouds(seq);
  PropagationOptions options;
  options.motion = geometry::pedestrian_motion();
  auto r = propagate_box(clouds, 0, walker_at(0), kFrames - 1, std::nullopt, options);
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->boxes.size(), static_cast<std::size_t>(kFrames - 1));
  for (const PropagatedBox& b : r->boxes) {
    const geometry::Cuboid truth = walker_at(static_cast<int>(b.frame));
    EXPECT_LT((b.box_in_world.center - truth.center).head<2>().norm(), 0.25) << b.frame;
    EXPECT_FALSE(b.coasted) << b.frame;
    EXPECT_EQ(b.box_in_world.size, truth.size);  // the keyframe's size
  }
}

/// A walker crossing at 1.4 m/s, 40 degrees off the x axis, facing its walk.
geometry::Cuboid crossing_walker_at(int f) {
  const double heading = 0.7;
  const Eigen::Vector3d start(3.0, 11.0, -0.825);
  return geometry::Cuboid::from_yaw(
      start + 0.14 * f * Eigen::Vector3d(std::cos(heading), std::sin(heading), 0.0),
      Eigen::Vector3d(0.8, 0.6, 1.75), heading);
}

TEST_F(Propagation, AWalkerKeepsFacingItsWalk) {
  // 20 returns on a shape half a metre wide pin its heading down poorly; where it walks does.
  formats::Sequence seq = write_walker_scans(dir_, crossing_walker_at, false);
  ASSERT_EQ(seq.size(), static_cast<std::size_t>(kFrames));
  SequenceClouds clouds(seq);
  PropagationOptions options;
  options.motion = geometry::pedestrian_motion();
  auto r = propagate_box(clouds, 0, crossing_walker_at(0), kFrames - 1, std::nullopt, options);
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->boxes.size(), static_cast<std::size_t>(kFrames - 1));
  for (const PropagatedBox& b : r->boxes) {
    const geometry::Cuboid truth = crossing_walker_at(static_cast<int>(b.frame));
    EXPECT_LT((b.box_in_world.center - truth.center).head<2>().norm(), 0.25) << b.frame;
    // Its first steps are too few to tell a walk (the registration's heading then wanders by up
    // to 0.26 rad here); from 0.6 s on the box turns to where it goes.
    if (b.frame >= 6) {
      EXPECT_LT(std::abs(geometry::angle_difference(b.box_in_world.yaw(), truth.yaw())), 0.15)
          << b.frame;
    }
  }
}

TEST_F(Propagation, ByDefaultACoastGoesOnUntilTheObjectComesBack) {
  // One frame a second: the car is hidden for 5 s (frames 3-7), longer than any fixed coast
  // limit that would end its track; a missed box helps nobody, so it is coasted and re-acquired.
  write_scans(3, 8);
  for (std::size_t f = 0; f < sequence_.frames.size(); ++f) {
    sequence_.frames[f].timestamp_us = static_cast<std::int64_t>(f) * 1000000;
  }
  ASSERT_TRUE(sequence_.has_timestamps());
  SequenceClouds clouds(sequence_);
  auto r = propagate_box(clouds, 0, car_at(0), kFrames - 1);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_FALSE(r->lost) << *r->lost;
  ASSERT_EQ(r->boxes.size(), static_cast<std::size_t>(kFrames - 1));
  EXPECT_EQ(r->coasted, 5u);
  EXPECT_EQ(r->reacquired, 1u);
  for (const PropagatedBox& b : r->boxes) {
    EXPECT_EQ(b.coasted, b.frame >= 3 && b.frame <= 7) << b.frame;
    if (b.frame < 8) continue;
    // Back on the car, confidently.
    const geometry::Cuboid truth = car_at(static_cast<int>(b.frame));
    EXPECT_LT((b.box_in_world.center - truth.center).head<2>().norm(), 0.25) << b.frame;
    EXPECT_GT(b.confidence, 0.8) << b.frame;
  }
}

TEST_F(Propagation, AnUnseenObjectTheSensorDrivesAwayFromEndsOutOfRange) {
  // Hidden from frame 6 on while the recording car races ahead of it along +x (40 m a frame): the
  // coasted car drives towards the sensor, never away, yet the sensor leaves it behind.
  write_scans(6);
  for (std::size_t f = 6; f < sequence_.frames.size(); ++f) {
    sequence_.frames[f].T_world_lidar =
        geometry::make_pose(Eigen::Quaterniond::Identity(),
                            Eigen::Vector3d(6.0 + 40.0 * static_cast<double>(f - 5), 0.0, 0.0));
  }
  SequenceClouds clouds(sequence_);
  auto r = propagate_box(clouds, 0, car_at(0), kFrames - 1);
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_TRUE(r->lost);
  // The sensor at x = 166 m, the coasted car near 14 m: beyond the 120 m range at frame 9.
  EXPECT_EQ(r->lost_at, 9);
  EXPECT_NE(r->lost->find("left the sensor's range"), std::string::npos) << *r->lost;
  EXPECT_EQ(r->boxes.size(), 8u);
}

TEST_F(Propagation, ABoxInEmptySpaceIsLostAtOnce) {
  write_scans();
  SequenceClouds clouds(sequence_);
  const geometry::Cuboid nowhere =
      geometry::Cuboid::from_yaw({20, -6, 5}, Eigen::Vector3d(4, 2, 1.5), 0.0);
  auto r = propagate_box(clouds, 0, nowhere, kFrames - 1);
  ASSERT_TRUE(r);
  ASSERT_TRUE(r->lost);
  EXPECT_EQ(r->lost_at, 0);
  EXPECT_TRUE(r->boxes.empty());
  EXPECT_NE(r->lost->find("points in the starting box"), std::string::npos) << *r->lost;
}

TEST_F(Propagation, AFrameWithoutItsCloudStopsWithTheReadError) {
  write_scans();
  fs::remove(dir_ / "000004.bin");
  SequenceClouds clouds(sequence_);
  auto r = propagate_box(clouds, 0, car_at(0), kFrames - 1);
  ASSERT_TRUE(r);
  ASSERT_TRUE(r->lost);
  EXPECT_EQ(r->lost_at, 4);
  EXPECT_NE(r->lost->find("cannot be read"), std::string::npos) << *r->lost;
  EXPECT_NE(r->lost->find("000004.bin"), std::string::npos) << *r->lost;
  EXPECT_EQ(r->boxes.size(), 3u);
}

TEST_F(Propagation, OutOfRangeStartsAndCancellationAreErrors) {
  write_scans();
  SequenceClouds clouds(sequence_);
  auto bad = propagate_box(clouds, 42, car_at(0), 0);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, formats::ErrorCode::kNotFound);
  auto cancelled = propagate_box(clouds, 0, car_at(0), kFrames - 1, std::nullopt, {},
                                 [](double) { return false; });
  ASSERT_FALSE(cancelled);
  EXPECT_EQ(cancelled.error().code, formats::ErrorCode::kCancelled);
}

}  // namespace
}  // namespace pcanno::plugin
