// The class-aware one-click fit on ray-cast scenes: a pedestrian beside a wall and a parked car
// against a hedge, each merged with its surroundings by the region growing. The scan is cast the
// way a spinning LiDAR sees it (KITTI HDL-64 geometry: 64 beams from +2 to -24.8 degrees, 0.08
// degree azimuth steps, range noise, dropouts), so only the faces towards the sensor return
// points, in scan-line rings, and a hedge returns from anywhere inside its porous foliage.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <random>
#include <vector>

#include <gtest/gtest.h>

#include "pcanno/geometry/angles.hpp"
#include "pcanno/geometry/box_fit.hpp"
#include "pcanno/geometry/iou.hpp"

namespace pcanno::geometry {
namespace {

constexpr double kDeg = M_PI / 180.0;
constexpr double kSensorHeight = 1.73;  ///< [m] above the road; the road is at z = -1.73

/// A solid box of the scene (yaw-only). Porous solids (foliage) stop a ray at an exponentially
/// distributed depth inside them, `mean_free_path` [m] on average, or let it through.
struct Solid {
  Cuboid box;
  double mean_free_path = 0.0;  ///< 0: an opaque surface
};

/// Distance along the unit ray `d` from `o` to where it enters and leaves `box`; nullopt on a miss.
std::optional<std::pair<double, double>> slab(const Cuboid& box, const Eigen::Vector3d& o,
                                              const Eigen::Vector3d& d) {
  const Eigen::Matrix3d R = box.rotation.toRotationMatrix();
  const Eigen::Vector3d lo = R.transpose() * (o - box.center);
  const Eigen::Vector3d dir = R.transpose() * d;
  double t0 = 0.0;
  double t1 = 1e9;
  for (int a = 0; a < 3; ++a) {
    const double h = box.size[a] / 2;
    if (std::abs(dir[a]) < 1e-12) {
      if (std::abs(lo[a]) > h) return std::nullopt;
      continue;
    }
    double ta = (-h - lo[a]) / dir[a];
    double tb = (h - lo[a]) / dir[a];
    if (ta > tb) std::swap(ta, tb);
    t0 = std::max(t0, ta);
    t1 = std::min(t1, tb);
    if (t0 > t1) return std::nullopt;
  }
  return std::make_pair(t0, t1);
}

/// A scan as x, y, z float arrays in the sensor's frame.
struct Scan {
  std::vector<float> x, y, z;
  PointView view() const { return PointView::soa(x.data(), y.data(), z.data(), x.size()); }
};

/// Casts the HDL-64's beams over azimuths [from, to] [rad] through the road and `solids`.
Scan cast(const std::vector<Solid>& solids, double from, double to, std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> range_noise(0.0, 0.02);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  std::vector<double> elevations;  // [deg]: the upper block a third of a degree apart, the lower
  for (int i = 0; i < 32; ++i) elevations.push_back(2.0 - i * (10.33 / 31));  // a half
  for (int i = 0; i < 32; ++i) elevations.push_back(-8.83 - i * (15.97 / 31));
  Scan scan;
  for (double azimuth = from; azimuth <= to; azimuth += 0.08 * kDeg) {
    for (const double elevation : elevations) {
      if (unit(rng) < 0.05) continue;  // dropout
      const double e = elevation * kDeg;
      const Eigen::Vector3d d(std::cos(e) * std::cos(azimuth), std::cos(e) * std::sin(azimuth),
                              std::sin(e));
      double t = d.z() < 0 ? -kSensorHeight / d.z() : 1e9;  // the road
      for (const Solid& s : solids) {
        const auto hit = slab(s.box, Eigen::Vector3d::Zero(), d);
        if (!hit) continue;
        double at = hit->first;
        if (s.mean_free_path > 0) {
          at += -std::log(1.0 - unit(rng)) * s.mean_free_path;
          if (at > hit->second) continue;  // through the foliage
        }
        t = std::min(t, at);
      }
      if (t > 80.0) continue;
      const Eigen::Vector3d p = d * (t + range_noise(rng));
      scan.x.push_back(static_cast<float>(p.x()));
      scan.y.push_back(static_cast<float>(p.y()));
      scan.z.push_back(static_cast<float>(p.z()));
    }
  }
  return scan;
}

/// A walking person as the scan sees one: two legs a stride apart, a torso, arms, a head; the box
/// around them is the truth.
std::vector<Solid> person(const Eigen::Vector2d& at, double heading, Cuboid& truth) {
  const Eigen::Vector2d f(std::cos(heading), std::sin(heading));
  const Eigen::Vector2d l(-f.y(), f.x());
  const double z0 = -kSensorHeight;
  const auto part = [&](double along, double across, double bottom, double top, double length,
                        double width) {
    const Eigen::Vector2d c = at + f * along + l * across;
    return Solid{Cuboid::from_yaw({c.x(), c.y(), z0 + (bottom + top) / 2},
                                  {length, width, top - bottom}, heading)};
  };
  truth = Cuboid::from_yaw({at.x(), at.y(), z0 + 0.86}, {0.7, 0.52, 1.72}, heading);
  return {part(0.2, 0.1, 0.0, 0.85, 0.3, 0.14),   part(-0.2, -0.1, 0.0, 0.85, 0.3, 0.14),
          part(0.0, 0.0, 0.85, 1.45, 0.26, 0.42), part(0.1, 0.21, 0.9, 1.4, 0.16, 0.1),
          part(-0.1, -0.21, 0.9, 1.4, 0.16, 0.1), part(0.0, 0.0, 1.5, 1.72, 0.2, 0.18)};
}

/// A car: the body and the cabin above it, on wheels 0.3 m off the road (the wheels' own returns
/// are left out: they sit inside the footprint).
std::vector<Solid> car(const Eigen::Vector2d& at, double heading, Cuboid& truth) {
  const double z0 = -kSensorHeight;
  truth = Cuboid::from_yaw({at.x(), at.y(), z0 + 0.725}, {4.3, 1.75, 1.45}, heading);
  const Eigen::Vector2d f(std::cos(heading), std::sin(heading));
  const Eigen::Vector2d cabin = at - f * 0.2;
  return {Solid{Cuboid::from_yaw({at.x(), at.y(), z0 + 0.65}, {4.3, 1.75, 0.7}, heading)},
          Solid{Cuboid::from_yaw({cabin.x(), cabin.y(), z0 + 1.22}, {2.3, 1.6, 0.45}, heading)},
          Solid{Cuboid::from_yaw({at.x(), at.y(), z0 + 0.15}, {3.2, 1.5, 0.3}, heading)}};
}

/// Seeds up to 0.5 m off `centre` (uniform in a disc, fixed seed), as a click may miss it.
std::vector<Eigen::Vector3d> seeds_around(const Eigen::Vector3d& centre, int n) {
  std::mt19937 rng(42);
  std::uniform_real_distribution<double> unit(-1.0, 1.0);
  std::vector<Eigen::Vector3d> out;
  while (static_cast<int>(out.size()) < n) {
    const Eigen::Vector2d o(unit(rng) * 0.5, unit(rng) * 0.5);
    if (o.norm() <= 0.5) out.push_back(centre + Eigen::Vector3d(o.x(), o.y(), 0.0));
  }
  return out;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

TEST(BoxFitScene, PedestrianBesideAWallGetsAPersonSizedBox) {
  // A person walking along a 3 m wall, 0.3 m from it: closer than the region growing's 0.5 m, so
  // person and wall are one component 12 m long. Near and far, facing along the wall or across.
  for (const double range : {8.0, 15.0}) {
    for (const double heading : {0.0, 1.2}) {
      SCOPED_TRACE(testing::Message() << "range " << range << " heading " << heading);
      Cuboid truth;
      std::vector<Solid> scene = person({range, -4.0}, heading, truth);
      // The wall's near face is 0.3 m beyond the person's far side, seen from the sensor.
      const double wall_y = -4.0 - 0.35 - 0.3 - 0.1;
      scene.push_back(
          Solid{Cuboid::from_yaw({range, wall_y, -kSensorHeight + 1.5}, {12.0, 0.2, 3.0}, 0.0)});
      const Scan scan = cast(scene, std::atan2(-4.0, range) - 0.5, std::atan2(-4.0, range) + 0.5,
                             static_cast<std::uint32_t>(range * 10 + heading * 100));
      const std::optional<GroundModel> ground = GroundModel::fit(scan.view());
      ASSERT_TRUE(ground);

      FitOptions plain;  // no class: the merged component, as before
      const std::optional<FitResult> merged = fit_box(scan.view(), *ground, truth.center, plain);
      ASSERT_TRUE(merged);
      EXPECT_GT(merged->box.size.x(), 5.0) << "the scene must merge person and wall";

      FitOptions options;
      options.size_prior = Eigen::Vector3d(0.8, 0.7, 1.75);  // the default schema's Pedestrian
      options.object_kind = ObjectKind::kPedestrian;
      std::vector<double> ious;
      for (const Eigen::Vector3d& seed : seeds_around(truth.center, 9)) {
        const std::optional<FitResult> fit = fit_box(scan.view(), *ground, seed, options);
        ASSERT_TRUE(fit);
        EXPECT_TRUE(fit->used_prior);
        EXPECT_TRUE(fit->cut_to_prior);
        // A person's box, where the person is: not a stretch of the wall.
        EXPECT_LT(fit->box.size.x(), 1.2);
        EXPECT_LT(fit->box.size.y(), 1.0);
        EXPECT_NEAR(fit->box.size.z(), truth.size.z(), 0.2);
        EXPECT_LT((fit->box.center - truth.center).head<2>().norm(), 0.3);
        ious.push_back(iou_bev(fit->box, truth));
      }
      // 0.59-0.61 measured: a person's box is small, so centimetres cost much IoU.
      EXPECT_GT(median(ious), 0.55);
    }
  }
}

TEST(BoxFitScene, CarAgainstAHedgeGetsACarSizedBox) {
  // A car parked 0.3 m from a hedge (porous, rough, longer than the car), lower or higher than
  // the car; seen from behind-left and from the side.
  for (const double hedge_height : {1.1, 2.0}) {
    for (const Eigen::Vector2d& at : {Eigen::Vector2d(14.0, 4.0), Eigen::Vector2d(6.0, 5.0)}) {
      SCOPED_TRACE(testing::Message()
                   << "hedge " << hedge_height << " m, car at " << at.x() << ", " << at.y());
      Cuboid truth;
      std::vector<Solid> scene = car(at, 0.0, truth);
      const double hedge_y = at.y() + 1.75 / 2 + 0.3 + 0.5;  // 1 m thick, beyond the car
      scene.push_back(
          Solid{Cuboid::from_yaw({at.x() + 1.0, hedge_y, -kSensorHeight + hedge_height / 2},
                                 {12.0, 1.0, hedge_height}, 0.0),
                0.25});
      const double bearing = std::atan2(at.y(), at.x());
      const Scan scan = cast(scene, bearing - 0.6, bearing + 0.6,
                             static_cast<std::uint32_t>(at.x() * 10 + hedge_height * 100));
      const std::optional<GroundModel> ground = GroundModel::fit(scan.view());
      ASSERT_TRUE(ground);

      FitOptions plain;
      const std::optional<FitResult> merged = fit_box(scan.view(), *ground, truth.center, plain);
      ASSERT_TRUE(merged);
      EXPECT_GT(std::max(merged->box.size.x(), merged->box.size.y()), 6.0)
          << "the scene must merge car and hedge";

      FitOptions options;
      options.size_prior = Eigen::Vector3d(4.0, 1.8, 1.6);  // the default schema's Car
      options.object_kind = ObjectKind::kVehicle;
      std::vector<double> ious;
      for (const Eigen::Vector3d& seed : seeds_around(truth.center, 9)) {
        const std::optional<FitResult> fit = fit_box(scan.view(), *ground, seed, options);
        ASSERT_TRUE(fit);
        EXPECT_TRUE(fit->used_prior);
        EXPECT_TRUE(fit->cut_to_prior);
        EXPECT_NEAR(fit->box.size.x(), truth.size.x(), 0.5);
        EXPECT_NEAR(fit->box.size.y(), truth.size.y(), 0.3);
        EXPECT_NEAR(angle_difference(2 * fit->box.yaw(), 2 * truth.yaw()), 0.0, 6 * kDeg);
        // The car, not a car-sized stretch of the hedge.
        EXPECT_LT((fit->box.center - truth.center).head<2>().norm(), 0.4);
        ious.push_back(iou_bev(fit->box, truth));
      }
      EXPECT_GT(median(ious), 0.9);  // 0.94-0.97 measured
    }
  }
}

TEST(BoxFitScene, CarBesideABushTallerThanItIsCutByHeight) {
  // A car 30 m ahead, seen from behind, with a short bush 2.1 m high 0.4 m beside its rear half
  // (KITTI object frame 000002 shows one): the region growing takes in the bush's near end, but
  // the component stays within a car's footprint, so the footprint cut does not fire. The bush's
  // points rise above any car; without leaving them out the box leans towards the bush (BEV IoU
  // 0.18, the box turned across). The bush is on the sensor's side of the car's line of sight.
  // Not yet solved: the mirrored scene (bush on the far side, its face half hidden behind the
  // car) keeps a few foliage returns lower than 1.94 m and away from the high ones, which still
  // turn the box (BEV IoU 0.26).
  {
    Cuboid truth;
    const Eigen::Vector2d at(30.0, -2.0);
    std::vector<Solid> scene = car(at, 0.0, truth);
    const double bush_y = at.y() + 1.75 / 2 + 0.4 + 0.3;  // 0.6 m thick, towards the x axis
    scene.push_back(Solid{
        Cuboid::from_yaw({at.x() - 1.6, bush_y, -kSensorHeight + 1.05}, {2.0, 0.6, 2.1}, 0.0),
        0.25});
    const double bearing = std::atan2(at.y(), at.x());
    const Scan scan = cast(scene, bearing - 0.2, bearing + 0.2, 12u);
    const std::optional<GroundModel> ground = GroundModel::fit(scan.view());
    ASSERT_TRUE(ground);
    FitOptions options;
    options.size_prior = Eigen::Vector3d(4.0, 1.8, 1.6);  // the default schema's Car
    options.object_kind = ObjectKind::kVehicle;
    std::vector<double> ious;
    for (const Eigen::Vector3d& seed : seeds_around(truth.center, 9)) {
      const std::optional<FitResult> fit = fit_box(scan.view(), *ground, seed, options);
      ASSERT_TRUE(fit);
      EXPECT_TRUE(fit->used_prior);
      EXPECT_TRUE(fit->cut_to_prior);
      // The car's height, not the bush's, and the car's place.
      EXPECT_LT(fit->box.size.z(), 1.75);
      EXPECT_LT((fit->box.center - truth.center).head<2>().norm(), 0.5);
      ious.push_back(iou_bev(fit->box, truth));
      if (std::getenv("PCANNO_TEST_VERBOSE")) {
        std::printf("car beside a bush: fit %.2f x %.2f x %.2f m, yaw %.1f deg, centre off %.2f m, "
                    "BEV IoU %.3f\n",
                    fit->box.size.x(), fit->box.size.y(), fit->box.size.z(), fit->box.yaw() / kDeg,
                    (fit->box.center - truth.center).head<2>().norm(), ious.back());
      }
    }
    EXPECT_GT(median(ious), 0.8);  // 0.865 measured
  }
}

TEST(BoxFitScene, ACarInTheOpenIsNotCut) {
  // Nothing near the car: the component fits the class and is not cut. Seen corner-on, its faces
  // show its length and width; seen from behind, its back is no wider than a car is wide, so the
  // prior says that the unseen length runs away from the sensor. Straight ahead at 10 m (the lead
  // car) its footprint is smaller than a cyclist's: the class, not that footprint, says it is a
  // vehicle.
  struct Case {
    Eigen::Vector2d at;
    double yaw;
    bool corner_on;
  };
  for (const Case& c : {Case{{9.0, 3.0}, -0.6, true}, Case{{9.0, 3.0}, 0.35, false},
                        Case{{10.0, 0.0}, 0.0, false}}) {
    SCOPED_TRACE(testing::Message() << "at " << c.at.transpose() << " yaw " << c.yaw);
    Cuboid truth;
    const std::vector<Solid> scene = car(c.at, c.yaw, truth);
    const Scan scan = cast(scene, -0.3, 0.9, 7);
    const std::optional<GroundModel> ground = GroundModel::fit(scan.view());
    ASSERT_TRUE(ground);
    FitOptions options;
    options.size_prior = Eigen::Vector3d(4.0, 1.8, 1.6);
    options.object_kind = ObjectKind::kVehicle;
    const std::optional<FitResult> fit =
        fit_box(scan.view(), *ground, truth.center + Eigen::Vector3d(0.3, -0.2, 0), options);
    ASSERT_TRUE(fit);
    EXPECT_FALSE(fit->cut_to_prior);
    EXPECT_EQ(fit->used_prior, !c.corner_on);
    EXPECT_NEAR(angle_difference(fit->box.yaw(), c.yaw), 0.0, 3 * kDeg);
    EXPECT_GT(iou_bev(fit->box, truth), c.corner_on ? 0.85 : 0.75);
  }
}

}  // namespace
}  // namespace pcanno::geometry
