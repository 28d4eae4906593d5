// The parts of scan registration that ego motion leans on for its speed: thinning by an
// open-addressing voxel set, and the point-to-plane target that searches only planar points and
// only the cells that can still hold a nearer match. Each is checked against a plain reference.
#include <cmath>
#include <random>
#include <set>
#include <tuple>
#include <vector>

#include <gtest/gtest.h>

#include "../../geometry/src/plane_map.hpp"  // internal: the search is checked point by point
#include "pcanno/geometry/registration.hpp"

namespace pcanno::geometry {
namespace {

/// The first point of every voxel, in input order, by an ordered set: slow and obviously right.
std::vector<Eigen::Vector3d> reference_thinning(const std::vector<Eigen::Vector3d>& points,
                                                double voxel) {
  std::set<std::tuple<long, long, long>> seen;
  std::vector<Eigen::Vector3d> out;
  for (const Eigen::Vector3d& p : points) {
    const auto key = std::make_tuple(static_cast<long>(std::floor(p.x() / voxel)),
                                     static_cast<long>(std::floor(p.y() / voxel)),
                                     static_cast<long>(std::floor(p.z() / voxel)));
    if (seen.insert(key).second) out.push_back(p);
  }
  return out;
}

TEST(EgoRegistration, ThinningKeepsTheFirstPointOfEveryVoxel) {
  std::mt19937 rng(5);
  std::uniform_real_distribution<double> xy(-60.0, 60.0);
  std::uniform_real_distribution<double> z(-3.0, 10.0);
  std::vector<Eigen::Vector3d> scan;
  for (int i = 0; i < 60000; ++i) scan.emplace_back(xy(rng), xy(rng), z(rng));
  // Repeats, so that many points fall into voxels already taken.
  for (int i = 0; i < 20000; ++i) scan.push_back(scan[static_cast<std::size_t>(i) * 3] * 1.0001);
  EXPECT_EQ(voxel_downsample(scan, 0.5), reference_thinning(scan, 0.5));
  // Voxel indices beyond 2^20 on some axis (5 km at 4 mm) take the set's other path; both must
  // agree on which voxels are new.
  std::uniform_real_distribution<double> wide(-5000.0, 5000.0);
  std::vector<Eigen::Vector3d> spread;
  for (int i = 0; i < 20000; ++i) {
    spread.emplace_back(wide(rng), xy(rng), z(rng));
    spread.push_back(spread.back() + Eigen::Vector3d(0.001, 0.0, 0.0));
  }
  EXPECT_EQ(voxel_downsample(spread, 0.004), reference_thinning(spread, 0.004));
}

TEST(EgoRegistration, ThinningAScanDropsFarAndNonFinitePoints) {
  std::mt19937 rng(6);
  std::uniform_real_distribution<double> xy(-80.0, 80.0);
  std::vector<float> x, y, z;
  std::vector<Eigen::Vector3d> kept_by_range;
  for (int i = 0; i < 30000; ++i) {
    const Eigen::Vector3d p(xy(rng), xy(rng), -1.7);
    x.push_back(static_cast<float>(p.x()));
    y.push_back(static_cast<float>(p.y()));
    z.push_back(static_cast<float>(p.z()));
    const Eigen::Vector3d as_read(x.back(), y.back(), z.back());
    if (as_read.norm() <= 60.0) kept_by_range.push_back(as_read);
  }
  x.push_back(NAN);
  y.push_back(0.f);
  z.push_back(0.f);
  const auto thinned = voxel_downsample(
      PointView::soa(x.data(), y.data(), z.data(), x.size()), 0.5, 60.0);
  EXPECT_EQ(thinned, reference_thinning(kept_by_range, 0.5));
}

/// A corner of a street: road and two walls at 0.25 m, and a tree crown (a random ball of
/// points, no plane) in front of one wall: its points are often nearer than any plane.
std::vector<Eigen::Vector3d> corner_with_a_tree(std::mt19937& rng) {
  std::normal_distribution<double> noise(0.0, 0.005);
  std::vector<Eigen::Vector3d> out;
  const auto add = [&](double px, double py, double pz) {
    out.emplace_back(px + noise(rng), py + noise(rng), pz + noise(rng));
  };
  for (double a = -20; a <= 20; a += 0.25) {
    for (double b = -10; b <= 10; b += 0.25) add(a, b, -1.7);
    for (double h = -1.7; h <= 5; h += 0.25) {
      add(a, 10 + 0.1 * a, h);  // a wall not parallel to the x axis
      add(20.0, a / 2, h);
    }
  }
  std::uniform_real_distribution<double> ball(-1.0, 1.0);
  for (int i = 0; i < 3000; ++i) {
    const Eigen::Vector3d d(ball(rng), ball(rng), ball(rng));
    if (d.norm() <= 1.0) out.push_back(Eigen::Vector3d(5.0, 8.2, 1.0) + 1.2 * d);
  }
  return out;
}

TEST(EgoRegistration, PointToPlaneMatchesPlanesPastAScatteredCrown) {
  std::mt19937 rng(7);
  const std::vector<Eigen::Vector3d> target = voxel_downsample(corner_with_a_tree(rng), 0.3);
  const Pose T_target_source =
      make_pose(Eigen::Quaterniond(Eigen::AngleAxisd(1.5 * M_PI / 180, Eigen::Vector3d::UnitZ())),
                Eigen::Vector3d(0.8, -0.15, 0.01));
  std::vector<Eigen::Vector3d> source;
  for (const Eigen::Vector3d& p : corner_with_a_tree(rng)) {
    source.push_back(T_target_source.inverse() * p);
  }
  source = voxel_downsample(source, 0.3);
  // Far returns beyond the target's extent by more than the search radius find nothing.
  const std::size_t seen = source.size();
  for (int i = 0; i < 500; ++i) source.emplace_back(200.0 + i * 0.1, -150.0, 30.0);
  const IcpResult r = register_point_to_plane(source, target, Pose::Identity());
  ASSERT_TRUE(r.converged);
  const Pose error = T_target_source.inverse() * r.T_target_source;
  EXPECT_LT(error.translation().norm(), 0.01);
  EXPECT_LT(Eigen::AngleAxisd(error.linear()).angle(), 0.05 * M_PI / 180);
  // The far returns never pair.
  EXPECT_LE(r.pairs, seen);
  EXPECT_LT(r.fitness, static_cast<double>(seen) / static_cast<double>(source.size()));
  EXPECT_GT(r.fitness, 0.6);
}

TEST(EgoRegistration, PlaneMapFindsTheNearestPlanarPointLikeABruteForceSearch) {
  std::mt19937 rng(8);
  const std::vector<Eigen::Vector3d> target = voxel_downsample(corner_with_a_tree(rng), 0.3);
  const detail::PlaneMap map(target, 1.0, 1.0);
  ASSERT_GT(map.size(), target.size() / 2);
  for (std::size_t k = 0; k < map.size(); ++k) {
    ASSERT_NEAR(map.normal(k).norm(), 1.0, 1e-9);
  }
  // Queries over the scene and a metre beyond its bounds, some with a hint (a stored point that
  // is not the answer), which must not change it.
  std::uniform_real_distribution<double> x(-21.5, 21.5);
  std::uniform_real_distribution<double> y(-11.5, 13.5);
  std::uniform_real_distribution<double> z(-3.0, 6.5);
  std::uniform_int_distribution<std::size_t> any(0, map.size() - 1);
  std::size_t found = 0;
  for (int i = 0; i < 20000; ++i) {
    const Eigen::Vector3d q(x(rng), y(rng), z(rng));
    std::size_t best = detail::PlaneMap::npos;
    double best_d2 = 1.0;
    for (std::size_t k = 0; k < map.size(); ++k) {
      const double d2 = (map.point(k) - q).squaredNorm();
      if (d2 < best_d2) {
        best_d2 = d2;
        best = k;
      }
    }
    const std::size_t hint = i % 2 == 0 ? detail::PlaneMap::npos : any(rng);
    const std::size_t got = map.nearest(q, hint);
    ASSERT_EQ(got == detail::PlaneMap::npos, best == detail::PlaneMap::npos) << i;
    if (best == detail::PlaneMap::npos) continue;
    ++found;
    ASSERT_EQ((map.point(got) - q).squaredNorm(), best_d2) << i;
  }
  EXPECT_GT(found, 2000u);  // the queries reached the surfaces, not only the air
}

}  // namespace
}  // namespace pcanno::geometry
