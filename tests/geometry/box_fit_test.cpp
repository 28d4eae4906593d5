#include "pcanno/geometry/box_fit.hpp"

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include <gtest/gtest.h>

#include "pcanno/geometry/angles.hpp"
#include "pcanno/geometry/iou.hpp"

namespace pcanno::geometry {
namespace {

/// A scan as x, y, z float arrays.
struct Scan {
  std::vector<float> x, y, z;
  void add(const Eigen::Vector3d& p) {
    x.push_back(static_cast<float>(p.x()));
    y.push_back(static_cast<float>(p.y()));
    z.push_back(static_cast<float>(p.z()));
  }
  PointView view() const { return PointView::soa(x.data(), y.data(), z.data(), x.size()); }
};

/// Flat ground at z = -1.7 (a roof-mounted sensor), a little noise, 40 m around the sensor.
void add_ground(Scan& scan, std::mt19937& rng, double slope = 0.0) {
  std::normal_distribution<double> noise(0.0, 0.02);
  for (double gx = -40; gx <= 40; gx += 0.5) {
    for (double gy = -40; gy <= 40; gy += 0.5) {
      scan.add({gx, gy, -1.7 + slope * gx + noise(rng)});
    }
  }
}

/// Points on the faces of `box` the sensor at the origin sees (outward normal towards it), 4 cm
/// apart, with 1 cm noise.
void add_visible_surface(Scan& scan, const Cuboid& box, std::mt19937& rng) {
  std::normal_distribution<double> noise(0.0, 0.01);
  const Eigen::Matrix3d R = box.rotation.toRotationMatrix();
  const Eigen::Vector3d half = box.size / 2;
  for (int axis = 0; axis < 3; ++axis) {
    for (int sign = -1; sign <= 1; sign += 2) {
      const Eigen::Vector3d normal = R.col(axis) * sign;
      const Eigen::Vector3d face_centre = box.center + normal * half[axis];
      if (normal.dot(-face_centre) <= 0) continue;  // faces away from the sensor
      const int u = (axis + 1) % 3;
      const int v = (axis + 2) % 3;
      for (double a = -half[u]; a <= half[u]; a += 0.04) {
        for (double b = -half[v]; b <= half[v]; b += 0.04) {
          const Eigen::Vector3d p = face_centre + R.col(u) * a + R.col(v) * b;
          scan.add(p + Eigen::Vector3d(noise(rng), noise(rng), noise(rng)));
        }
      }
    }
  }
}

TEST(Ground, FindsTheRoadUnderCarsAndWalls) {
  std::mt19937 rng(1);
  Scan scan;
  add_ground(scan, rng);
  add_visible_surface(scan, Cuboid::from_yaw({10, 3, -0.9}, {4.2, 1.8, 1.6}, 0.3), rng);
  // A wall: many points high above the road must not win.
  for (double y = -20; y <= 20; y += 0.05) {
    for (double z = -1.7; z <= 3; z += 0.05) scan.add({15, y, z});
  }
  const std::optional<GroundModel> ground = GroundModel::fit(scan.view());
  ASSERT_TRUE(ground);
  EXPECT_NEAR(ground->global().normal.z(), 1.0, 1e-3);
  EXPECT_NEAR(ground->height_at(5, 5), -1.7, 0.03);
  // Under the car and beside the wall, the lowest car and wall points within the inlier band pull
  // the patch up a little: well inside the 0.15 m that separates objects from ground.
  EXPECT_NEAR(ground->height_above({10, 3, 0.0}), 1.7, 0.08);
}

TEST(Ground, PatchesFollowASlope) {
  std::mt19937 rng(2);
  Scan scan;
  // Flat for x < 0, rising 10% beyond: one plane cannot fit both; the patches can.
  std::normal_distribution<double> noise(0.0, 0.02);
  for (double gx = -40; gx <= 40; gx += 0.5) {
    for (double gy = -20; gy <= 20; gy += 0.5) {
      scan.add({gx, gy, -1.7 + (gx > 0 ? 0.1 * gx : 0.0) + noise(rng)});
    }
  }
  const std::optional<GroundModel> ground = GroundModel::fit(scan.view());
  ASSERT_TRUE(ground);
  EXPECT_NEAR(ground->height_at(-25, 0), -1.7, 0.1);
  EXPECT_NEAR(ground->height_at(35, 0), -1.7 + 3.5, 0.15);
}

TEST(BoxFit, LShapeFindsFootprintAndHeadingOfACar) {
  for (const double yaw : {0.0, 0.4, -1.1, 2.5}) {
    std::mt19937 rng(static_cast<unsigned>(yaw * 100 + 7));
    const Cuboid truth = Cuboid::from_yaw({12, -4, -0.9}, {4.4, 1.8, 1.6}, yaw);
    Scan scan;
    add_ground(scan, rng);
    add_visible_surface(scan, truth, rng);
    const std::optional<GroundModel> ground = GroundModel::fit(scan.view());
    ASSERT_TRUE(ground);
    FitOptions options;
    options.heading_hint = yaw + 0.3;  // motion or a previous box, roughly right
    const std::optional<FitResult> fit =
        fit_box(scan.view(), *ground, truth.center + Eigen::Vector3d(0.4, -0.3, 0), options);
    ASSERT_TRUE(fit);
    EXPECT_NEAR(angle_difference(fit->box.yaw(), yaw), 0.0, 1.0 * M_PI / 180) << yaw;
    EXPECT_GT(iou_3d(fit->box, truth), 0.85) << yaw;
    EXPECT_FALSE(fit->used_prior);
  }
}

TEST(BoxFit, InterleavedRecordsAndNonFiniteReturnsGiveTheSameBox) {
  // KITTI .bin records (x, y, z, intensity) take the strided path of the candidate search; NaN
  // returns (dropouts some drivers emit) are never candidates.
  std::mt19937 rng(17);
  const Cuboid truth = Cuboid::from_yaw({9, -4, -0.95}, {4.3, 1.8, 1.5}, 0.4);
  Scan scan;
  add_ground(scan, rng);
  add_visible_surface(scan, truth, rng);
  const std::optional<GroundModel> ground = GroundModel::fit(scan.view());
  ASSERT_TRUE(ground);
  const Eigen::Vector3d seed = truth.center + Eigen::Vector3d(0.2, 0.3, 0);
  const std::optional<FitResult> soa = fit_box(scan.view(), *ground, seed);
  ASSERT_TRUE(soa);

  const float nan = std::nanf("");
  std::vector<float> records;
  std::vector<std::size_t> original;  // record index -> scan index, NaN records excluded
  for (std::size_t i = 0; i < scan.x.size(); ++i) {
    if (i % 97 == 0) {
      for (const float v : {nan, scan.y[i], scan.z[i], 0.5f}) records.push_back(v);
      original.push_back(static_cast<std::size_t>(-1));
    }
    for (const float v : {scan.x[i], scan.y[i], scan.z[i], 0.5f}) records.push_back(v);
    original.push_back(i);
  }
  const std::optional<FitResult> strided =
      fit_box(PointView::interleaved(records.data(), original.size(), 4), *ground, seed);
  ASSERT_TRUE(strided);
  std::vector<std::size_t> mapped;
  for (const std::size_t id : strided->point_ids) mapped.push_back(original[id]);
  EXPECT_EQ(mapped, soa->point_ids);
  EXPECT_EQ(strided->box.center, soa->box.center);
  EXPECT_EQ(strided->box.size, soa->box.size);
  EXPECT_EQ(strided->box.yaw(), soa->box.yaw());
}

TEST(BoxFit, SparseObjectIsCompletedFromTheVisibleCorner) {
  std::mt19937 rng(5);
  const Cuboid truth = Cuboid::from_yaw({25, 6, -0.9}, {4.4, 1.8, 1.6}, 0.0);
  Scan scan;
  add_ground(scan, rng);
  // Only the rear face is seen, thinly: 1 point in 12.
  Scan full;
  add_visible_surface(full, truth, rng);
  for (std::size_t i = 0; i < full.x.size(); i += 12) {
    if (full.x[i] < 22.85) scan.add({full.x[i], full.y[i], full.z[i]});
  }
  const std::optional<GroundModel> ground = GroundModel::fit(scan.view());
  ASSERT_TRUE(ground);
  FitOptions options;
  options.size_prior = Eigen::Vector3d(4.4, 1.8, 1.6);
  options.heading_hint = 0.0;
  const std::optional<FitResult> without =
      fit_box(scan.view(), *ground, truth.center, FitOptions{});
  const std::optional<FitResult> with = fit_box(scan.view(), *ground, truth.center, options);
  ASSERT_TRUE(without && with);
  EXPECT_TRUE(with->used_prior);
  EXPECT_GT(iou_3d(with->box, truth), 0.8);
  EXPECT_GT(iou_3d(with->box, truth), iou_3d(without->box, truth) + 0.3);
}

// A walker 10 m ahead going the road's way, seen from behind: the scan shows the back of the body,
// a strip across the line of sight that says nothing of the heading. The box must follow the road
// (the preferred heading) and hold the body in its middle, not start at the back and grow 0.8 m
// away from the sensor across the road.
TEST(BoxFit, PedestrianSeenFromBehindFollowsTheRoadAroundItsBody) {
  std::mt19937 rng(9);
  const Cuboid truth = Cuboid::from_yaw({10, 0, -0.85}, {0.75, 0.6, 1.7}, 0.0);
  Scan scan;
  add_ground(scan, rng);
  add_visible_surface(scan, Cuboid::from_yaw(truth.center, {0.25, 0.45, 1.7}, 0.0), rng);
  const std::optional<GroundModel> ground = GroundModel::fit(scan.view());
  ASSERT_TRUE(ground);
  FitOptions options;
  options.size_prior = Eigen::Vector3d(0.8, 0.7, 1.75);
  options.object_kind = ObjectKind::kPedestrian;
  for (const Eigen::Vector3d& offset :
       {Eigen::Vector3d(0, 0, 0), Eigen::Vector3d(0.3, -0.3, 0), Eigen::Vector3d(-0.4, 0.2, 0)}) {
    const std::optional<FitResult> fit =
        fit_box(scan.view(), *ground, truth.center + offset, options);
    ASSERT_TRUE(fit);
    EXPECT_LT(std::abs(std::remainder(fit->box.yaw(), M_PI)), 5 * M_PI / 180) << fit->box.yaw();
    EXPECT_LT((fit->box.center - truth.center).head<2>().norm(), 0.2);
    EXPECT_GT(iou_bev(fit->box, truth), 0.55);
  }
}

/// The component of `start` by the definition: breadth-first over every pair, O(n^2).
std::vector<std::size_t> brute_force_component(const std::vector<Eigen::Vector3d>& points,
                                               std::size_t start, double radius) {
  std::vector<bool> in(points.size(), false);
  std::vector<std::size_t> queue{start};
  in[start] = true;
  for (std::size_t head = 0; head < queue.size(); ++head) {
    for (std::size_t j = 0; j < points.size(); ++j) {
      if (!in[j] && (points[j] - points[queue[head]]).squaredNorm() <= radius * radius) {
        in[j] = true;
        queue.push_back(j);
      }
    }
  }
  std::sort(queue.begin(), queue.end());
  return queue;
}

std::size_t nearest_in_bev(const std::vector<Eigen::Vector3d>& points, const Eigen::Vector3d& s) {
  std::size_t best = 0;
  for (std::size_t i = 1; i < points.size(); ++i) {
    if ((points[i] - s).head<2>().squaredNorm() < (points[best] - s).head<2>().squaredNorm()) {
      best = i;
    }
  }
  return best;
}

TEST(BoxFit, ClusterGrowingMatchesTheDefinitionOnRandomClumps) {
  // Compact sets use whole cells; a set spread over a kilometre in every axis is too big for that
  // grid and uses the point-by-point search. Both must give exactly the connected component.
  std::mt19937 rng(21);
  for (const double spread : {3.0, 1000.0}) {
    for (int trial = 0; trial < 20; ++trial) {
      std::vector<Eigen::Vector3d> points;
      std::uniform_real_distribution<double> centre(-spread, spread);
      std::normal_distribution<double> jitter(0.0, 0.3);
      for (int clump = 0; clump < 6; ++clump) {
        const Eigen::Vector3d c(centre(rng), centre(rng), centre(rng) * 0.3);
        for (int k = 0; k < 60; ++k) {
          points.push_back(c + Eigen::Vector3d(jitter(rng), jitter(rng), jitter(rng)));
        }
      }
      if (spread > 100.0) points.push_back({-spread, -spread, -spread});  // stretch every axis
      const Eigen::Vector3d seed = points[static_cast<std::size_t>(trial * 13) % points.size()];
      const double radius = 0.2 + 0.02 * trial;
      const std::vector<std::size_t> expected =
          brute_force_component(points, nearest_in_bev(points, seed), radius);
      EXPECT_EQ(grow_cluster(points, seed, radius), expected)
          << "spread " << spread << " trial " << trial;
    }
  }
}

TEST(BoxFit, NonFinitePointsNeverJoinACluster) {
  const double nan = std::nan("");
  std::vector<Eigen::Vector3d> points = {{0, 0, 0},   {nan, 0, 0},   {0.1, 0, 0},
                                         {0, nan, 0}, {0.2, 0, nan}, {0.2, 0, 0}};
  EXPECT_EQ(grow_cluster(points, {0, 0, 0}, 0.15), (std::vector<std::size_t>{0, 2, 5}));
}

TEST(BoxFit, ClusterStopsAtGapsAndSeedFarFromPointsFails) {
  std::vector<Eigen::Vector3d> points = {{0, 0, 0}, {0.3, 0, 0}, {0.6, 0, 0}, {2.0, 0, 0}};
  EXPECT_EQ(grow_cluster(points, {0.1, 0, 0}, 0.4).size(), 3u);
  EXPECT_EQ(grow_cluster(points, {2.1, 0, 0}, 0.4), std::vector<std::size_t>{3});
  Scan scan;
  std::mt19937 rng(9);
  add_ground(scan, rng);
  const std::optional<GroundModel> ground = GroundModel::fit(scan.view());
  ASSERT_TRUE(ground);
  EXPECT_FALSE(fit_box(scan.view(), *ground, {5, 5, 0}));  // nothing but road there
  // An object 3 m from the click is not what was clicked: within the search radius, beyond the
  // seed radius.
  add_visible_surface(scan, Cuboid::from_yaw({8, 0, -0.95}, {4.2, 1.8, 1.5}, 0.0), rng);
  const std::optional<GroundModel> with_car = GroundModel::fit(scan.view());
  ASSERT_TRUE(with_car);
  ASSERT_TRUE(fit_box(scan.view(), *with_car, {8, 0, 0}));
  EXPECT_FALSE(fit_box(scan.view(), *with_car, {8, 4.0, 0}));
}

}  // namespace
}  // namespace pcanno::geometry
