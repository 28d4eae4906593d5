#include "pcanno/geometry/iou.hpp"

#include <algorithm>
#include <cmath>
#include <random>

#include <gtest/gtest.h>

#include "pcanno/geometry/angles.hpp"
#include "random_boxes.hpp"

namespace pcanno::geometry {
namespace {

Cuboid unit_cube(const Eigen::Vector3d& center = Eigen::Vector3d::Zero()) {
  return Cuboid{center, Eigen::Vector3d::Ones(), Eigen::Quaterniond::Identity()};
}

TEST(Iou, IdenticalBoxesGiveOne) {
  std::mt19937_64 rng(21);
  for (int i = 0; i < 300; ++i) {
    const Cuboid a = test::random_box(rng, Eigen::Vector3d(300, -1200, 5), 50.0, i % 2 == 0);
    EXPECT_NEAR(iou_3d(a, a), 1.0, 1e-12);
    EXPECT_NEAR(iou_bev(a, a), 1.0, 1e-12);
  }
}

TEST(Iou, UnitCubesHalfOffsetGiveOneThird) {
  const Cuboid a = unit_cube();
  const Cuboid b = unit_cube(Eigen::Vector3d(0.5, 0, 0));
  EXPECT_NEAR(iou_3d(a, b), 1.0 / 3.0, 1e-12);
  EXPECT_NEAR(iou_bev(a, b), 1.0 / 3.0, 1e-12);
  // Vertical offset: the footprints coincide, the volumes overlap by a half.
  const Cuboid c = unit_cube(Eigen::Vector3d(0, 0, 0.5));
  EXPECT_NEAR(iou_3d(a, c), 1.0 / 3.0, 1e-12);
  EXPECT_NEAR(iou_bev(a, c), 1.0, 1e-12);
}

TEST(Iou, OneThirdHoldsInAnyOrientation) {
  std::mt19937_64 rng(22);
  for (int i = 0; i < 100; ++i) {
    const Eigen::Quaterniond q = test::random_rotation(rng);
    const Eigen::Vector3d c = test::random_vector(rng, -100, 100);
    const Cuboid a{c, Eigen::Vector3d::Ones(), q};
    const Cuboid b{c + q * Eigen::Vector3d(0, 0.5, 0), Eigen::Vector3d::Ones(), q};
    EXPECT_NEAR(iou_3d(a, b), 1.0 / 3.0, 1e-10);
  }
}

TEST(Iou, TurnedByPiAgainstItselfGivesOne) {
  const Cuboid a = Cuboid::from_yaw(Eigen::Vector3d(5, 6, 1), Eigen::Vector3d(4.2, 1.8, 1.5), 0.4);
  EXPECT_NEAR(iou_3d(a, flipped_heading(a)), 1.0, 1e-12);
  EXPECT_NEAR(iou_bev(a, flipped_heading(a)), 1.0, 1e-12);
  // Upside down (pi about box x) is the same solid too.
  Cuboid upside_down = a;
  upside_down.rotation = a.rotation * Eigen::AngleAxisd(kPi, Eigen::Vector3d::UnitX());
  EXPECT_NEAR(iou_3d(a, upside_down), 1.0, 1e-12);
  // And pi about any box axis of a tilted box, through the general path.
  std::mt19937_64 rng(23);
  const Cuboid t = test::random_box(rng, Eigen::Vector3d::Zero(), 1.0, false);
  for (int axis = 0; axis < 3; ++axis) {
    Cuboid turned = t;
    turned.rotation = t.rotation * Eigen::AngleAxisd(kPi, Eigen::Vector3d::Unit(axis));
    EXPECT_NEAR(iou_3d(t, turned), 1.0, 1e-10);
  }
}

TEST(Iou, FortyFiveDegreesGivesOctagon) {
  // A unit square and itself turned 45 degrees overlap in a regular octagon of area 2(sqrt2 - 1),
  // so the IoU is 1/sqrt(2).
  const Cuboid a = unit_cube();
  const Cuboid about_z =
      Cuboid::from_yaw(Eigen::Vector3d::Zero(), Eigen::Vector3d::Ones(), kPi / 4);
  EXPECT_NEAR(iou_3d(a, about_z), 1.0 / std::sqrt(2.0), 1e-12);
  EXPECT_NEAR(iou_bev(a, about_z), 1.0 / std::sqrt(2.0), 1e-12);
  Cuboid about_x = a;
  about_x.rotation = Eigen::AngleAxisd(kPi / 4, Eigen::Vector3d::UnitX());
  EXPECT_NEAR(iou_3d(a, about_x), 1.0 / std::sqrt(2.0), 1e-12);
}

TEST(Iou, NestedBoxesGiveVolumeRatio) {
  const Cuboid big{Eigen::Vector3d(1, 1, 1), Eigen::Vector3d(4, 4, 4),
                   Eigen::Quaterniond::Identity()};
  Cuboid small{Eigen::Vector3d(1.5, 0.5, 1.2), Eigen::Vector3d(1, 2, 0.5),
               Eigen::Quaterniond(Eigen::AngleAxisd(0.7, Eigen::Vector3d(1, 2, 3).normalized()))};
  EXPECT_NEAR(iou_3d(big, small), small.volume() / big.volume(), 1e-12);
}

TEST(Iou, DisjointAndTouchingBoxesGiveZero) {
  EXPECT_EQ(iou_3d(unit_cube(), unit_cube(Eigen::Vector3d(3, 0, 0))), 0.0);
  EXPECT_EQ(iou_bev(unit_cube(), unit_cube(Eigen::Vector3d(3, 0, 0))), 0.0);
  EXPECT_NEAR(iou_3d(unit_cube(), unit_cube(Eigen::Vector3d(1, 0, 0))), 0.0, 1e-12);
  EXPECT_NEAR(iou_3d(unit_cube(), unit_cube(Eigen::Vector3d(0, 0, 1))), 0.0, 1e-12);
  // Overlapping bounding spheres but separated along a diagonal: the general path must find
  // nothing.
  Cuboid tilted = unit_cube(Eigen::Vector3d(1.3, 1.3, 0));
  tilted.rotation = Eigen::AngleAxisd(kPi / 4, Eigen::Vector3d::UnitZ()) *
                    Eigen::AngleAxisd(0.2, Eigen::Vector3d::UnitX());
  EXPECT_NEAR(iou_3d(unit_cube(), tilted), 0.0, 1e-12);
}

TEST(Iou, DegenerateInputGivesZero) {
  Cuboid flat = unit_cube();
  flat.size.z() = 0.0;
  EXPECT_EQ(iou_3d(flat, flat), 0.0);
  Cuboid bad = unit_cube();
  bad.center.x() = std::nan("");
  EXPECT_EQ(iou_3d(bad, unit_cube()), 0.0);
  EXPECT_EQ(iou_bev(bad, unit_cube()), 0.0);
}

TEST(Iou, SymmetricAndBounded) {
  std::mt19937_64 rng(24);
  for (int i = 0; i < 2000; ++i) {
    const bool upright = i % 2 == 0;
    const Cuboid a = test::random_box(rng, Eigen::Vector3d::Zero(), 1.0, upright);
    const Cuboid b = test::random_box(rng, Eigen::Vector3d::Zero(), 1.0, upright);
    const double ab = iou_3d(a, b), ba = iou_3d(b, a);
    EXPECT_NEAR(ab, ba, 1e-10);
    EXPECT_GE(ab, 0.0);
    EXPECT_LE(ab, 1.0);
    EXPECT_NEAR(iou_bev(a, b), iou_bev(b, a), 1e-10);
    // 3D overlap implies footprint overlap.
    if (ab > 1e-9) {
      EXPECT_GT(iou_bev(a, b), 0.0);
    }
  }
}

TEST(Iou, InvariantUnderRigidMotionAndPathsAgree) {
  // Moving an upright pair by a random rigid motion sends it down the general path; both paths must
  // agree.
  std::mt19937_64 rng(25);
  for (int i = 0; i < 1000; ++i) {
    const Cuboid a = test::random_box(rng, Eigen::Vector3d::Zero(), 1.5, true);
    const Cuboid b = test::random_box(rng, Eigen::Vector3d::Zero(), 1.5, true);
    const Pose T = test::random_pose(rng, 200.0);
    EXPECT_NEAR(iou_3d(transform(T, a), transform(T, b)), iou_3d(a, b), 1e-9);
  }
}

/// Monte Carlo estimate of IoU: uniform samples inside `a` (in its own frame), tested against `b`.
double monte_carlo_iou(const Cuboid& a, const Cuboid& b, int samples, std::mt19937_64& rng) {
  std::uniform_real_distribution<double> u(-0.5, 0.5);
  int inside = 0;
  for (int s = 0; s < samples; ++s) {
    const Eigen::Vector3d local(u(rng) * a.size.x(), u(rng) * a.size.y(), u(rng) * a.size.z());
    if (b.contains(a.center + a.rotation * local)) ++inside;
  }
  const double inter = a.volume() * inside / samples;
  return inter / (a.volume() + b.volume() - inter);
}

TEST(Iou, GeneralPathAgreesWithMonteCarlo) {
  std::mt19937_64 rng(26);
  int compared = 0, overlapping = 0;
  for (int i = 0; i < 1000; ++i) {
    const Cuboid a = test::random_box(rng, Eigen::Vector3d(10, -5, 1), 0.8, false);
    const Cuboid b = test::random_box(rng, a.center, 0.8, false);
    const double exact = iou_3d(a, b);
    const double estimate = monte_carlo_iou(a, b, 60000, rng);
    EXPECT_NEAR(exact, estimate, 0.01) << "pair " << i;
    ++compared;
    overlapping += exact > 0.05;
  }
  EXPECT_EQ(compared, 1000);
  EXPECT_GT(overlapping, 700);  // the pairs really exercise the clipping, not just the zero case
}

// ---- Bird's-eye view against an independent exact polygon computation
// -----------------------------

using Poly = std::vector<Eigen::Vector2d>;

double cross(const Eigen::Vector2d& a, const Eigen::Vector2d& b) {
  return a.x() * b.y() - a.y() * b.x();
}

/// Convex polygon from points by sorting around the centroid (different method from the library's
/// hull).
Poly by_angle(const Poly& pts) {
  if (pts.size() < 3) return {};
  Eigen::Vector2d c = Eigen::Vector2d::Zero();
  for (const auto& p : pts) c += p;
  c /= pts.size();
  Poly sorted = pts;
  std::sort(sorted.begin(), sorted.end(), [&](const auto& p, const auto& q) {
    return std::atan2(p.y() - c.y(), p.x() - c.x()) < std::atan2(q.y() - c.y(), q.x() - c.x());
  });
  return sorted;
}

double area(const Poly& p) {
  double twice = 0.0;
  for (std::size_t i = 0; i < p.size(); ++i) twice += cross(p[i], p[(i + 1) % p.size()]);
  return 0.5 * std::abs(twice);
}

/// Hull by gift wrapping (counter-clockwise); coincident points, such as the top and bottom corners
/// of an upright box, are skipped.
Poly hull(const Poly& pts) {
  std::size_t start = 0;
  for (std::size_t i = 1; i < pts.size(); ++i) {
    if (pts[i].x() < pts[start].x()) start = i;
  }
  Poly out;
  std::size_t cur = start;
  do {
    out.push_back(pts[cur]);
    std::size_t next = pts.size();
    for (std::size_t i = 0; i < pts.size(); ++i) {
      const Eigen::Vector2d d = pts[i] - pts[cur];
      if (d.norm() < 1e-12) continue;
      if (next == pts.size()) {
        next = i;
        continue;
      }
      const double turn = cross(pts[next] - pts[cur], d);
      if (turn < 0 || (turn == 0 && d.norm() > (pts[next] - pts[cur]).norm())) next = i;
    }
    cur = next;
  } while (cur < pts.size() && (pts[cur] - pts[start]).norm() >= 1e-12 && out.size() <= pts.size());
  return out;
}

bool inside_convex(const Poly& poly, const Eigen::Vector2d& p) {
  const double sign = cross(poly[1] - poly[0], poly[2] - poly[0]) > 0 ? 1.0 : -1.0;
  for (std::size_t i = 0; i < poly.size(); ++i) {
    if (sign * cross(poly[(i + 1) % poly.size()] - poly[i], p - poly[i]) < -1e-12) return false;
  }
  return true;
}

/// Intersection area of two convex polygons: the hull of the vertices of each inside the other and
/// all edge-edge crossings.
double reference_intersection_area(const Poly& a, const Poly& b) {
  Poly pts;
  for (const auto& p : a) {
    if (inside_convex(b, p)) pts.push_back(p);
  }
  for (const auto& p : b) {
    if (inside_convex(a, p)) pts.push_back(p);
  }
  for (std::size_t i = 0; i < a.size(); ++i) {
    const Eigen::Vector2d p = a[i], r = a[(i + 1) % a.size()] - a[i];
    for (std::size_t j = 0; j < b.size(); ++j) {
      const Eigen::Vector2d q = b[j], s = b[(j + 1) % b.size()] - b[j];
      const double denom = cross(r, s);
      if (std::abs(denom) < 1e-15) continue;
      const double t = cross(q - p, s) / denom, v = cross(q - p, r) / denom;
      if (t >= 0 && t <= 1 && v >= 0 && v <= 1) pts.push_back(p + t * r);
    }
  }
  return area(by_angle(pts));
}

Poly reference_footprint(const Cuboid& box) {
  Poly pts;
  for (const auto& c : box.corners()) pts.push_back(c.head<2>());
  return hull(pts);
}

TEST(IouBev, AgreesWithIndependentPolygonComputation) {
  std::mt19937_64 rng(27);
  for (int i = 0; i < 1000; ++i) {
    const bool upright = i % 2 == 0;
    const Cuboid a = test::random_box(rng, Eigen::Vector3d(50, 20, 0), 1.5, upright);
    const Cuboid b = test::random_box(rng, a.center, 1.5, upright);
    const Poly fa = reference_footprint(a), fb = reference_footprint(b);
    const double inter = reference_intersection_area(fa, fb);
    const double expected = inter / (area(fa) + area(fb) - inter);
    EXPECT_NEAR(iou_bev(a, b), expected, 1e-9) << "pair " << i;
    EXPECT_NEAR(std::abs(signed_area(bev_footprint(a))), area(fa), 1e-9);
  }
}

TEST(IouBev, FootprintIsCounterClockwise) {
  std::mt19937_64 rng(28);
  for (int i = 0; i < 100; ++i) {
    const Cuboid a = test::random_box(rng, Eigen::Vector3d::Zero(), 5.0, i % 2 == 0);
    EXPECT_GT(signed_area(bev_footprint(a)), 0.0);
  }
  Cuboid upside_down = unit_cube();
  upside_down.rotation = Eigen::AngleAxisd(kPi, Eigen::Vector3d::UnitX());
  EXPECT_NEAR(signed_area(bev_footprint(upside_down)), 1.0, 1e-12);
}

TEST(ConvexPolygon, HullAndClip) {
  const Polygon2 square{{0, 0}, {2, 0}, {2, 2}, {0, 2}};
  const Polygon2 shifted{{1, 1}, {3, 1}, {3, 3}, {1, 3}};
  EXPECT_NEAR(signed_area(clip_convex(square, shifted)), 1.0, 1e-12);
  EXPECT_TRUE(clip_convex(square, Polygon2{{5, 5}, {6, 5}, {6, 6}}).empty());
  // Interior and collinear points are dropped from the hull.
  const Polygon2 h = convex_hull({{0, 0}, {1, 0}, {2, 0}, {1, 1}, {2, 2}, {0, 2}, {1, 0.5}});
  EXPECT_EQ(h.size(), 4u);
  EXPECT_NEAR(signed_area(h), 4.0, 1e-12);
}

}  // namespace
}  // namespace pcanno::geometry
