// The built-in `classical` detector on a synthetic scan: only the surfaces facing the sensor are
// sampled, at the angular spacing of a spinning LiDAR, over a flat ground. Cars (one at an angle,
// one seen straight from behind) and a pedestrian must be found; a wall, a hedge, a pole and a
// tree must not.
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "pcanno/formats/clouds/point_cloud.hpp"
#include "pcanno/geometry/iou.hpp"
#include "pcanno/plugin/registry.hpp"

namespace pcanno {
namespace {

constexpr double kGround = -1.73;  ///< [m] road height in the LiDAR frame (KITTI's mounting)

struct Scene {
  std::vector<Eigen::Vector3d> points;
  std::mt19937 rng{7};

  /// Sampling step [m] at the range of `p`: a 0.2 degree beam spacing.
  static double step_at(const Eigen::Vector3d& p) {
    return std::max(0.03, p.head<2>().norm() * 0.2 * M_PI / 180.0);
  }
  void add(const Eigen::Vector3d& p, double jitter = 0.01) {
    std::normal_distribution<double> n(0.0, jitter);
    points.emplace_back(p.x() + n(rng), p.y() + n(rng), p.z() + n(rng));
  }
  /// A rectangle from `corner` spanning `a` and `b`.
  void face(const Eigen::Vector3d& corner, const Eigen::Vector3d& a, const Eigen::Vector3d& b,
            double jitter = 0.01) {
    const Eigen::Vector3d centre = corner + 0.5 * (a + b);
    const double s = step_at(centre);
    for (double u = 0; u <= a.norm(); u += s) {
      for (double v = 0; v <= b.norm(); v += s) {
        add(corner + a.normalized() * u + b.normalized() * v, jitter);
      }
    }
  }
  /// The sides and top of an upright box that face the sensor.
  void box(const geometry::Cuboid& b, double lift = 0.3, double jitter = 0.01) {
    const auto c = b.corners();  // 0..3 bottom, 4..7 top
    const Eigen::Vector3d up(0, 0, b.size.z() - lift);
    const Eigen::Vector3d raise(0, 0, lift);
    for (int i = 0; i < 4; ++i) {
      const Eigen::Vector3d p0 = c[static_cast<std::size_t>(i)] + raise;
      const Eigen::Vector3d p1 = c[static_cast<std::size_t>((i + 1) % 4)] + raise;
      const Eigen::Vector3d outward = (0.5 * (p0 + p1) - b.center).normalized();
      if (outward.head<2>().dot(-(0.5 * (p0 + p1)).head<2>()) > 0) face(p0, p1 - p0, up, jitter);
    }
    face(c[4], c[5] - c[4], c[7] - c[4], jitter);  // the roof, seen from above
  }
  /// The sensor-facing half of a vertical cylinder.
  void cylinder(const Eigen::Vector2d& centre, double radius, double z0, double z1) {
    const double toward = std::atan2(-centre.y(), -centre.x());
    const double s = step_at(Eigen::Vector3d(centre.x(), centre.y(), 0));
    for (double a = -M_PI / 2; a <= M_PI / 2; a += s / radius) {
      const Eigen::Vector2d p = centre + radius * Eigen::Vector2d(std::cos(toward + a),
                                                                   std::sin(toward + a));
      for (double z = z0; z <= z1; z += s) add(Eigen::Vector3d(p.x(), p.y(), z));
    }
  }
  void ground(double range) {
    for (double x = -range; x <= range; x += 0.25) {
      for (double y = -range; y <= range; y += 0.25) {
        if (std::hypot(x, y) > 2.5 && std::hypot(x, y) < range) add({x, y, kGround}, 0.02);
      }
    }
  }
  formats::PointCloud cloud() const {
    formats::PointCloud c;
    for (const Eigen::Vector3d& p : points) {
      c.x.push_back(static_cast<float>(p.x()));
      c.y.push_back(static_cast<float>(p.y()));
      c.z.push_back(static_cast<float>(p.z()));
    }
    return c;
  }
};

geometry::Cuboid on_ground(double x, double y, double l, double w, double h, double yaw) {
  return geometry::Cuboid::from_yaw({x, y, kGround + h / 2}, {l, w, h}, yaw);
}

struct Street {
  geometry::Cuboid car_angled = on_ground(12.0, 5.0, 4.2, 1.8, 1.5, 0.5);
  geometry::Cuboid car_ahead = on_ground(16.0, -0.5, 4.0, 1.7, 1.45, 0.0);
  Eigen::Vector2d pedestrian{8.0, -4.0};
  geometry::Cuboid wall = on_ground(15.0, -9.0, 12.0, 0.3, 2.5, 0.0);
  geometry::Cuboid hedge = on_ground(20.0, 8.0, 4.5, 1.0, 1.5, 0.0);
  Eigen::Vector2d pole{10.0, -6.5};
  Eigen::Vector2d tree{24.0, -5.5};
  formats::PointCloud cloud;

  Street() {
    Scene s;
    s.ground(35.0);
    s.box(car_angled);
    s.box(car_ahead);
    s.cylinder(pedestrian, 0.25, kGround + 0.05, kGround + 1.75);
    s.box(wall, 0.0);
    // A hedge: its leaves scatter the returns by a decimetre or more around its outline.
    s.box(hedge, 0.0, 0.12);
    s.cylinder(pole, 0.1, kGround, kGround + 5.0);
    s.cylinder(tree, 0.2, kGround, kGround + 2.5);  // the trunk
    std::uniform_real_distribution<double> unit(-1.0, 1.0);
    for (int i = 0; i < 3000; ++i) {  // the crown: a ball of leaves from 2.5 m up
      Eigen::Vector3d d(unit(s.rng), unit(s.rng), unit(s.rng));
      if (d.norm() > 1.0) continue;
      s.add(Eigen::Vector3d(tree.x(), tree.y(), kGround + 4.5) + 2.0 * d, 0.0);
    }
    cloud = s.cloud();
  }
};

std::vector<plugin::Detection> run_classical(const formats::PointCloud& cloud,
                                             const formats::AttributeMap& parameters = {}) {
  const plugin::Registry registry = plugin::Registry::with_builtins();
  const plugin::DetectorFactory* factory = registry.detector("classical");
  EXPECT_NE(factory, nullptr);
  if (factory == nullptr) return {};
  auto detector = factory->create(parameters);
  EXPECT_TRUE(detector) << detector.error().describe();
  if (!detector) return {};
  plugin::DetectorFrame frame;
  frame.cloud = &cloud;
  auto found = (*detector)->detect(frame, [] { return false; });
  EXPECT_TRUE(found) << found.error().describe();
  return found ? *found : std::vector<plugin::Detection>{};
}

double bev_distance(const plugin::Detection& d, const Eigen::Vector2d& p) {
  return (d.box_in_lidar.center.head<2>() - p).norm();
}

TEST(ClassicalDetector, FindsCarsAndPedestriansButNotWallsHedgesPolesOrTrees) {
  const Street street;
  const std::vector<plugin::Detection> found = run_classical(street.cloud);
  for (const plugin::Detection& d : found) {
    std::printf("%-10s score %.2f at (%.1f, %.1f) size %.2f x %.2f x %.2f\n", d.class_name.c_str(),
                d.score, d.box_in_lidar.center.x(), d.box_in_lidar.center.y(),
                d.box_in_lidar.size.x(), d.box_in_lidar.size.y(), d.box_in_lidar.size.z());
  }
  const auto best_iou = [&](const geometry::Cuboid& truth, const std::string& cls) {
    double best = 0.0;
    for (const plugin::Detection& d : found) {
      if (d.class_name == cls) best = std::max(best, geometry::iou_bev(d.box_in_lidar, truth));
    }
    return best;
  };
  EXPECT_GE(best_iou(street.car_angled, "Car"), 0.6);
  // Seen straight from behind: only the back face, completed to a car's length away from us.
  EXPECT_GE(best_iou(street.car_ahead, "Car"), 0.5);
  int pedestrians = 0;
  for (const plugin::Detection& d : found) {
    EXPECT_GT(d.score, 0.0);
    EXPECT_LE(d.score, 1.0);
    if (d.class_name == "Pedestrian" && bev_distance(d, street.pedestrian) < 0.5) ++pedestrians;
    EXPECT_EQ(geometry::iou_bev(d.box_in_lidar, street.wall), 0.0) << d.class_name << " on the wall";
    EXPECT_EQ(geometry::iou_bev(d.box_in_lidar, street.hedge), 0.0) << d.class_name
                                                                     << " on the hedge";
    EXPECT_GT(bev_distance(d, street.pole), 1.0) << d.class_name << " on the pole";
    EXPECT_GT(bev_distance(d, street.tree), 2.5) << d.class_name << " on the tree";
  }
  EXPECT_EQ(pedestrians, 1);
  EXPECT_EQ(found.size(), 3u);
  for (std::size_t i = 1; i < found.size(); ++i) EXPECT_GE(found[i - 1].score, found[i].score);
}

TEST(ClassicalDetector, ACarOnItsWheelsIsFoundAShedOfItsSizeIsNot) {
  // The same smooth 4.2 x 1.8 x 1.5 m box twice: once a car's body 0.3 m up on four wheels (the
  // beams pass under it between them), once standing on the ground (a shed, a skip, a garage).
  const geometry::Cuboid car = on_ground(10.0, 6.0, 4.2, 1.8, 1.5, 0.0);
  const geometry::Cuboid shed = on_ground(10.0, -6.0, 4.2, 1.8, 1.5, 0.0);
  Scene s;
  s.ground(30.0);
  s.box(car, 0.3);
  s.box(shed, 0.0);
  // The wheels on the car's side facing the sensor: 0.62 m tall, 0.6 m long, 0.3 m in from the
  // ends plus a tenth of the length (the synthetic generator's layout).
  const auto c = car.corners();
  const Eigen::Vector3d along = (c[1] - c[0]).normalized();
  const Eigen::Vector3d up(0, 0, 0.62);
  for (std::size_t i = 0; i < 4; ++i) {
    const Eigen::Vector3d a = c[i];
    const Eigen::Vector3d b = c[(i + 1) % 4];
    const Eigen::Vector3d dir = (b - a).normalized();
    const Eigen::Vector3d mid = 0.5 * (a + b);
    if ((mid - car.center).head<2>().dot(-mid.head<2>()) <= 0) continue;  // faces away
    if (std::abs(dir.dot(along)) < 0.5) continue;  // the wheels are on the long sides
    const double inset = 0.3 + 0.1 * car.size.x();
    s.face(a + dir * inset, dir * 0.6, up);
    s.face(b - dir * (inset + 0.6), dir * 0.6, up);
  }
  const auto found = run_classical(s.cloud());
  double car_iou = 0.0;
  for (const plugin::Detection& d : found) {
    std::printf("%-10s score %.2f at (%.1f, %.1f) size %.2f x %.2f x %.2f\n", d.class_name.c_str(),
                d.score, d.box_in_lidar.center.x(), d.box_in_lidar.center.y(),
                d.box_in_lidar.size.x(), d.box_in_lidar.size.y(), d.box_in_lidar.size.z());
    if (d.class_name == "Car") car_iou = std::max(car_iou, geometry::iou_bev(d.box_in_lidar, car));
    EXPECT_EQ(geometry::iou_bev(d.box_in_lidar, shed), 0.0) << d.class_name << " on the shed";
  }
  EXPECT_GE(car_iou, 0.6);
}

TEST(ClassicalDetector, FewerPointsScoreLower) {
  // The same car at 10 m and at 30 m: the far one has a ninth of the returns.
  Scene near_scene;
  near_scene.ground(40.0);
  near_scene.box(on_ground(10.0, 3.0, 4.2, 1.8, 1.5, 0.4));
  Scene far_scene;
  far_scene.ground(40.0);
  far_scene.box(on_ground(30.0, 9.0, 4.2, 1.8, 1.5, 0.4));
  const auto near = run_classical(near_scene.cloud());
  const auto far = run_classical(far_scene.cloud());
  ASSERT_EQ(near.size(), 1u);
  ASSERT_EQ(far.size(), 1u);
  EXPECT_EQ(near[0].class_name, "Car");
  EXPECT_EQ(far[0].class_name, "Car");
  EXPECT_GT(near[0].score, far[0].score);
}

TEST(ClassicalDetector, ParametersAreCheckedAndMaxRangeApplies) {
  const plugin::Registry registry = plugin::Registry::with_builtins();
  const plugin::DetectorFactory* factory = registry.detector("classical");
  ASSERT_NE(factory, nullptr);
  const auto unknown = factory->create({{"max_rnage", "30"}});
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, formats::ErrorCode::kInvalidArgument);
  EXPECT_NE(unknown.error().message.find("max_rnage"), std::string::npos);
  EXPECT_NE(unknown.error().message.find("max_range"), std::string::npos);
  EXPECT_NE(unknown.error().message.find("min_points"), std::string::npos);
  const auto bad = factory->create({{"max_range", "-3"}});
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("max_range"), std::string::npos);
  EXPECT_FALSE(factory->create({{"min_score", "1.5"}}));

  const Street street;  // the nearest object is the pedestrian at 8.9 m, the cars beyond 12 m
  const auto within_ten = run_classical(street.cloud, {{"max_range", "10"}});
  ASSERT_EQ(within_ten.size(), 1u);
  EXPECT_EQ(within_ten[0].class_name, "Pedestrian");
}

TEST(ClassicalDetector, StopCancels) {
  const Street street;
  const plugin::Registry registry = plugin::Registry::with_builtins();
  auto detector = registry.detector("classical")->create({});
  ASSERT_TRUE(detector);
  plugin::DetectorFrame frame;
  frame.cloud = &street.cloud;
  int polls = 0;
  const auto result = (*detector)->detect(frame, [&] { return ++polls > 2; });
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, formats::ErrorCode::kCancelled);
}

}  // namespace
}  // namespace pcanno
