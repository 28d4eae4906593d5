// Detections into tracks (AB3DMOT-style association) on scripted scenes with known truth: noisy
// detections of objects on straight paths, misses, false positives and flipped headings.
#include "pcanno/plugin/automation/association.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <random>
#include <set>

#include <gtest/gtest.h>

#include "pcanno/geometry/angles.hpp"
#include "pcanno/geometry/box_kalman.hpp"

namespace pcanno::plugin {
namespace {

using geometry::Cuboid;

/// An object moving at constant velocity [m, m/s] from `start`, heading along its motion.
struct Mover {
  std::string class_name;
  Eigen::Vector3d start;
  Eigen::Vector2d velocity;
  Eigen::Vector3d size;
  Cuboid at(double t) const {
    const Eigen::Vector3d c = start + Eigen::Vector3d(velocity.x(), velocity.y(), 0.0) * t;
    return Cuboid::from_yaw(c, size, std::atan2(velocity.y(), velocity.x()));
  }
};

const Eigen::Vector3d kCar(4.2, 1.8, 1.5);
const Eigen::Vector3d kPedestrian(0.8, 0.6, 1.75);

/// Detections of `movers` at 10 Hz for `frames` frames with centre noise `sigma` [m] and size
/// noise; `keep(frame, object)` false leaves a detection out (a miss).
std::vector<FrameDetections> detect(const std::vector<Mover>& movers, int frames, double sigma,
                                    unsigned seed,
                                    const std::function<bool(int, std::size_t)>& keep = {}) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> noise(0.0, sigma);
  std::vector<FrameDetections> out;
  for (int f = 0; f < frames; ++f) {
    FrameDetections fd{f, 0.1 * f, {}};
    for (std::size_t i = 0; i < movers.size(); ++i) {
      if (keep && !keep(f, i)) continue;
      Cuboid b = movers[i].at(0.1 * f);
      b.center += Eigen::Vector3d(noise(rng), noise(rng), 0.3 * noise(rng));
      b.size += Eigen::Vector3d(noise(rng), noise(rng), noise(rng)) * 0.5;
      fd.detections.push_back({movers[i].class_name, b, 0.9, {}});
    }
    out.push_back(std::move(fd));
  }
  return out;
}

/// Which mover each output box is nearest to; a track must follow one mover only.
std::set<std::size_t> followed(const AssociatedTrack& track, const std::vector<Mover>& movers) {
  std::set<std::size_t> ids;
  for (const AssociatedBox& b : track.boxes) {
    std::size_t best = 0;
    double best_d = 1e9;
    for (std::size_t i = 0; i < movers.size(); ++i) {
      const double d = (movers[i].at(0.1 * b.frame).center - b.box_in_world.center).norm();
      if (d < best_d) {
        best_d = d;
        best = i;
      }
    }
    ids.insert(best);
  }
  return ids;
}

TEST(BoxKalman, AlignHeadingTurnsByPiOnlyWhenCloser) {
  const double pi = geometry::kPi;
  for (double ref = -3.0; ref <= 3.0; ref += 0.5) {
    for (double d = -1.4; d <= 1.4; d += 0.2) {
      // Within pi/2 already: unchanged up to whole turns.
      EXPECT_NEAR(geometry::align_heading(ref + d, ref), ref + d, 1e-9);
      EXPECT_NEAR(geometry::align_heading(ref + d + 2 * pi, ref), ref + d, 1e-9);
      // The reverse heading comes back turned by pi.
      EXPECT_NEAR(geometry::align_heading(ref + d + pi, ref), ref + d, 1e-9);
      EXPECT_NEAR(geometry::align_heading(ref + d - pi, ref), ref + d, 1e-9);
    }
  }
}

TEST(BoxKalman, AlignBoxDescribesTheSameBoxWithTheNearestAxes) {
  std::mt19937 rng(7);
  std::uniform_real_distribution<double> angle(-10.0, 10.0), side(0.3, 6.0);
  for (int i = 0; i < 500; ++i) {
    const Cuboid box = Cuboid::from_yaw(Eigen::Vector3d(1.0, -2.0, 0.5),
                                        Eigen::Vector3d(side(rng), side(rng), 1.5), angle(rng));
    const double reference = angle(rng);
    const Cuboid aligned = geometry::align_box(box, reference);
    EXPECT_LE(std::abs(geometry::angle_difference(aligned.yaw(), reference)),
              0.25 * geometry::kPi + 1e-9);
    // The same eight corners, in some order.
    for (const Eigen::Vector3d& c : box.corners()) {
      double nearest = 1e9;
      for (const Eigen::Vector3d& a : aligned.corners()) nearest = std::min(nearest, (a - c).norm());
      EXPECT_LT(nearest, 1e-9) << i;
    }
  }
}

TEST(BoxKalman, ADetectionWithLengthAndWidthSwappedDoesNotTurnTheBox) {
  // A near-square footprint's L-shape fit may call either side the length: the same box,
  // described a quarter turn away.
  const Mover car{"Car", {0, 0, 0}, {8.0, 0.0}, kCar};
  geometry::BoxKalman filter(car.at(0.0));
  for (int f = 1; f <= 10; ++f) {
    filter.predict(0.1);
    Cuboid b = car.at(0.1 * f);
    if (f % 2 == 0) {
      b = Cuboid::from_yaw(b.center, Eigen::Vector3d(b.size.y(), b.size.x(), b.size.z()),
                           b.yaw() + 0.5 * geometry::kPi);
    }
    filter.update(b);
    EXPECT_LT(std::abs(geometry::angle_difference(filter.box().yaw(), 0.0)), 0.05) << f;
    EXPECT_NEAR(filter.box().size.x(), car.at(0.0).size.x(), 0.05) << f;
  }
}

TEST(BoxKalman, ALongBoxMeasuredFarOffTurnsTheHeadingNotTheSize) {
  // A car detected 60 degrees off: not the same box a quarter turn away (its length does not fit
  // the track's width), so its size must not be folded in as a square footprint.
  const Mover car{"Car", {0, 0, 0}, {8.0, 0.0}, kCar};
  geometry::BoxKalman filter(car.at(0.0));
  filter.predict(0.1);
  const Cuboid truth = car.at(0.1);
  filter.update(Cuboid::from_yaw(truth.center, truth.size, truth.yaw() + 1.05));
  EXPECT_NEAR(filter.box().size.x(), truth.size.x(), 0.05);
  EXPECT_NEAR(filter.box().size.y(), truth.size.y(), 0.05);
}

TEST(BoxKalman, LearnsTheVelocityOfAMovingBox) {
  const Mover car{"Car", {5, 2, -0.8}, {6.0, -2.0}, kCar};
  geometry::BoxKalman filter(car.at(0.0));
  for (int f = 1; f <= 30; ++f) {
    filter.predict(0.1);
    filter.update(car.at(0.1 * f));
  }
  EXPECT_NEAR(filter.velocity().x(), 6.0, 0.05);
  EXPECT_NEAR(filter.velocity().y(), -2.0, 0.05);
  filter.predict(1.0);  // one second ahead on the learned velocity
  EXPECT_LT((filter.box().center - car.at(4.0).center).norm(), 0.1);
}

TEST(BoxKalman, AFlippedDetectionDoesNotTurnTheBox) {
  const Mover car{"Car", {0, 0, 0}, {8.0, 0.0}, kCar};
  geometry::BoxKalman filter(car.at(0.0));
  for (int f = 1; f <= 10; ++f) {
    filter.predict(0.1);
    Cuboid b = car.at(0.1 * f);
    if (f % 2 == 0) b = geometry::flipped_heading(b);  // the detector's front/back confusion
    filter.update(b);
    EXPECT_LT(std::abs(geometry::angle_difference(filter.box().yaw(), 0.0)), 0.05) << f;
  }
}

TEST(Association, CrossingPedestriansKeepTheirIds) {
  // Two pedestrians walk towards each other 0.7 m apart and pass at frame 20.
  const std::vector<Mover> movers = {{"Pedestrian", {-3, 0, -1}, {1.5, 0.0}, kPedestrian},
                                     {"Pedestrian", {3, 0.7, -1}, {-1.5, 0.0}, kPedestrian}};
  for (unsigned seed = 1; seed <= 10; ++seed) {
    const AssociationResult r = associate(detect(movers, 40, 0.05, seed));
    ASSERT_EQ(r.tracks.size(), 2u) << "seed " << seed;
    std::set<std::size_t> all;
    for (const AssociatedTrack& t : r.tracks) {
      const std::set<std::size_t> f = followed(t, movers);
      EXPECT_EQ(f.size(), 1u) << "seed " << seed << ": track " << t.id << " switched objects";
      EXPECT_EQ(t.boxes.size(), 40u);
      all.insert(f.begin(), f.end());
    }
    EXPECT_EQ(all.size(), 2u);
  }
}

TEST(Association, CarsOnCrossingPathsKeepTheirIds) {
  // Car 0 drives along +x through the crossing at t = 1.5 s, car 1 along +y through it at
  // t = 2.0 s: where car 0 was, car 1 arrives half a second later.
  const std::vector<Mover> movers = {{"Car", {-15, 0, -0.8}, {10.0, 0.0}, kCar},
                                     {"Car", {0, -20, -0.8}, {0.0, 10.0}, kCar}};
  for (unsigned seed = 1; seed <= 10; ++seed) {
    const AssociationResult r = associate(detect(movers, 40, 0.1, seed));
    ASSERT_EQ(r.tracks.size(), 2u) << "seed " << seed;
    for (const AssociatedTrack& t : r.tracks) {
      EXPECT_EQ(followed(t, movers).size(), 1u) << "seed " << seed << ": track " << t.id;
      EXPECT_EQ(t.boxes.size(), 40u);
    }
  }
}

TEST(Association, AMissedDetectionIsBridged) {
  const std::vector<Mover> movers = {{"Car", {0, 3, -0.8}, {12.0, 0.0}, kCar}};
  const auto frames = detect(movers, 30, 0.05, 7, [](int f, std::size_t) {
    return f != 12 && f != 13;  // two frames missed, e.g. an occlusion
  });
  const AssociationResult r = associate(frames);
  ASSERT_EQ(r.tracks.size(), 1u);
  const AssociatedTrack& t = r.tracks.front();
  ASSERT_EQ(t.boxes.size(), 30u);
  for (const AssociatedBox& b : t.boxes) {
    EXPECT_EQ(b.detected, b.frame != 12 && b.frame != 13) << b.frame;
    // The bridged boxes lie where the car was: the filter had its velocity.
    EXPECT_LT((b.box_in_world.center - movers[0].at(0.1 * b.frame).center).norm(), 0.3) << b.frame;
    EXPECT_NEAR(b.score, 0.9, 1e-12);
  }
}

TEST(Association, FalsePositivesThatAppearOnceMakeNoTrack) {
  const std::vector<Mover> movers = {{"Car", {-10, 4, -0.8}, {8.0, 0.0}, kCar},
                                     {"Pedestrian", {5, -6, -1}, {0.0, 1.2}, kPedestrian}};
  auto frames = detect(movers, 30, 0.05, 3);
  std::mt19937 rng(11);
  std::uniform_real_distribution<double> where(-30.0, 30.0);
  std::size_t false_positives = 0;
  for (FrameDetections& fd : frames) {
    for (int k = 0; k < 3; ++k) {  // three one-off ghosts per frame, anywhere
      const Eigen::Vector3d c(where(rng), where(rng), -0.8);
      fd.detections.push_back(
          {k == 0 ? "Pedestrian" : "Car", Cuboid::from_yaw(c, kCar, 0.3), 0.6, {}});
      ++false_positives;
    }
  }
  const AssociationResult r = associate(frames);
  ASSERT_EQ(r.tracks.size(), 2u);
  EXPECT_EQ(r.unused, false_positives);
  EXPECT_EQ(r.detections, false_positives + 60u);
}

TEST(Association, AnObjectSeenTwiceIsNotBornWithThreeHits) {
  const std::vector<Mover> movers = {{"Car", {0, 0, -0.8}, {5.0, 0.0}, kCar}};
  const auto frames = detect(movers, 10, 0.05, 5, [](int f, std::size_t) { return f < 2; });
  EXPECT_TRUE(associate(frames).tracks.empty());
  AssociationOptions two;
  two.min_hits = 2;
  EXPECT_EQ(associate(frames, two).tracks.size(), 1u);
}

TEST(Association, ASingleFrameMakesATrackOfEveryDetection) {
  const std::vector<Mover> movers = {{"Car", {0, 0, -0.8}, {5.0, 0.0}, kCar},
                                     {"Pedestrian", {4, 4, -1}, {0.0, 1.0}, kPedestrian}};
  const AssociationResult r = associate(detect(movers, 1, 0.05, 5));
  ASSERT_EQ(r.tracks.size(), 2u);
  EXPECT_EQ(r.tracks[0].class_name, "Car");
  EXPECT_EQ(r.tracks[1].class_name, "Pedestrian");
}

TEST(Association, ClassesDoNotMix) {
  // A cyclist passes a parked car's spot right after the car leaves it: same place, other class.
  const std::vector<Mover> movers = {{"Car", {0, 0, -0.8}, {0.0, 0.0}, kCar}};
  auto frames = detect(movers, 20, 0.03, 2);
  for (FrameDetections& fd : frames) {
    fd.detections.push_back(
        {"Cyclist", Cuboid::from_yaw({0.3, 0.0, -0.8}, {1.8, 0.6, 1.7}, 0.0), 0.8, {}});
  }
  const AssociationResult r = associate(frames);
  ASSERT_EQ(r.tracks.size(), 2u);
  for (const AssociatedTrack& t : r.tracks) EXPECT_EQ(t.boxes.size(), 20u) << t.class_name;
}

TEST(Association, MovingTracksHeadAlongTheirMotion) {
  // The detector gets the heading backwards in a third of the frames, and in the first.
  const std::vector<Mover> movers = {{"Car", {0, 0, -0.8}, {-7.0, 3.0}, kCar}};
  auto frames = detect(movers, 30, 0.05, 9);
  for (FrameDetections& fd : frames) {
    if (fd.frame % 3 == 0) {
      fd.detections[0].box_in_world = geometry::flipped_heading(fd.detections[0].box_in_world);
    }
  }
  const AssociationResult r = associate(frames);
  ASSERT_EQ(r.tracks.size(), 1u);
  const double truth = std::atan2(3.0, -7.0);
  for (const AssociatedBox& b : r.tracks[0].boxes) {
    EXPECT_LT(std::abs(geometry::angle_difference(b.box_in_world.yaw(), truth)), 0.2) << b.frame;
  }
}

TEST(Association, IdsFollowTheOrderOfFirstDetection) {
  const std::vector<Mover> movers = {{"Car", {0, 0, -0.8}, {5.0, 0.0}, kCar},
                                     {"Car", {0, 10, -0.8}, {5.0, 0.0}, kCar}};
  // The second car appears first.
  const auto frames =
      detect(movers, 20, 0.05, 4, [](int f, std::size_t i) { return i == 1 || f >= 5; });
  const AssociationResult r = associate(frames);
  ASSERT_EQ(r.tracks.size(), 2u);
  EXPECT_EQ(r.tracks[0].id, 0);
  EXPECT_EQ(r.tracks[0].boxes.front().frame, 0);
  EXPECT_GT(r.tracks[0].boxes.front().box_in_world.center.y(), 5.0);
  EXPECT_EQ(r.tracks[1].boxes.front().frame, 5);
}

}  // namespace
}  // namespace pcanno::plugin
