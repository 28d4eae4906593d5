// Property tests of the pinhole camera (geometry/camera.hpp): randomised with fixed seeds, checked
// against the definition (pixel = P * [p; 1] divided by its third component, depth = that third
// component) computed here in double, never against another call of the code under test.
#include "pcanno/geometry/camera.hpp"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <limits>
#include <random>
#include <vector>

#include <gtest/gtest.h>

#include "pcanno/geometry/angles.hpp"
#include "random_boxes.hpp"

namespace pcanno::geometry {
namespace {

using Vec2 = Eigen::Vector2d;
using Vec3 = Eigen::Vector3d;

/// A camera with arbitrary intrinsics, and half the time a KITTI-style P = P_rect * R_rect: a
/// small rotation and a stereo baseline in the fourth column, so that P is not [K | 0]. The third
/// row stays a unit optical axis plus an offset, so the depth stays metric.
PinholeCamera random_camera(std::mt19937_64& rng) {
  std::uniform_real_distribution<double> f(300.0, 1500.0), unit(0.0, 1.0);
  const int width = 400 + static_cast<int>(unit(rng) * 1300.0);
  const int height = 300 + static_cast<int>(unit(rng) * 700.0);
  Eigen::Matrix3d K = Eigen::Matrix3d::Identity();
  K(0, 0) = f(rng);
  K(1, 1) = K(0, 0) * (0.95 + 0.1 * unit(rng));
  K(0, 2) = width * (0.4 + 0.2 * unit(rng));
  K(1, 2) = height * (0.4 + 0.2 * unit(rng));
  PinholeCamera camera = PinholeCamera::from_intrinsics(K, width, height);
  if (unit(rng) < 0.5) {
    const Eigen::Matrix3d R =
        Eigen::AngleAxisd(0.02 * (unit(rng) - 0.5), test::random_vector(rng, -1, 1).normalized())
            .toRotationMatrix();
    Eigen::Matrix<double, 3, 4> P_rect;
    P_rect << K, K * Vec3(-0.54 * unit(rng), 0.01 * unit(rng), 0.003 * unit(rng));
    Eigen::Matrix4d R4 = Eigen::Matrix4d::Identity();
    R4.topLeftCorner<3, 3>() = R;
    camera.P = P_rect * R4;
  }
  camera.near = 0.05 + unit(rng);
  return camera;
}

Vec2 pixel_by_definition(const PinholeCamera& camera, const Vec3& p) {
  const Eigen::Vector4d h(p.x(), p.y(), p.z(), 1.0);
  const Vec3 uvw = camera.P * h;
  return Vec2(uvw.x() / uvw.z(), uvw.y() / uvw.z());
}

double depth_by_definition(const PinholeCamera& camera, const Vec3& p) {
  return (camera.P * Eigen::Vector4d(p.x(), p.y(), p.z(), 1.0)).z();
}

/// A camera-frame point whose depth is `depth` and whose pixel is near (u, v) (exactly for P =
/// [K | 0]); solving P [p; 1] = depth [u; v; 1] for p.
Vec3 point_at(const PinholeCamera& camera, double u, double v, double depth) {
  return camera.P.leftCols<3>().inverse() * (depth * Vec3(u, v, 1.0) - camera.P.col(3));
}

/// Distance of `q` from the infinite line through a and b [px].
double distance_to_line(const Vec2& a, const Vec2& b, const Vec2& q) {
  const Vec2 d = (b - a).normalized();
  const Vec2 r = q - a;
  return std::abs(d.x() * r.y() - d.y() * r.x());
}

bool same_segment(const PixelSegment& s, const Vec2& a, const Vec2& b, double tol) {
  return ((s.a - a).norm() < tol && (s.b - b).norm() < tol) ||
         ((s.a - b).norm() < tol && (s.b - a).norm() < tol);
}

TEST(Camera, FromIntrinsicsIsKWithZeroFourthColumn) {
  Eigen::Matrix3d K;
  K << 1266.4, 0.0, 816.3, 0.0, 1266.4, 491.5, 0.0, 0.0, 1.0;
  const PinholeCamera c = PinholeCamera::from_intrinsics(K, 1600, 900);
  EXPECT_EQ(c.width, 1600);
  EXPECT_EQ(c.height, 900);
  EXPECT_TRUE(c.P.leftCols<3>().isApprox(K));
  EXPECT_TRUE(c.P.col(3).isZero(0.0));
  // u = fx x / z + cx, v = fy y / z + cy.
  const auto uv = project(c, Vec3(2.0, -1.0, 10.0));
  ASSERT_TRUE(uv);
  EXPECT_NEAR(uv->x(), 1266.4 * 0.2 + 816.3, 1e-9);
  EXPECT_NEAR(uv->y(), -1266.4 * 0.1 + 491.5, 1e-9);
  EXPECT_NEAR(depth_of(c, Vec3(2.0, -1.0, 10.0)), 10.0, 1e-12);
}

TEST(Camera, ProjectMatchesTheDefinitionInFrontAndNothingBehindNear) {
  std::mt19937_64 rng(1801);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  int in_front = 0, behind = 0;
  for (int trial = 0; trial < 200; ++trial) {
    const PinholeCamera camera = random_camera(rng);
    for (int i = 0; i < 50; ++i) {
      const Vec3 p = test::random_vector(rng, -30.0, 30.0);
      const double d = depth_by_definition(camera, p);
      EXPECT_NEAR(depth_of(camera, p), d, 1e-9);
      const auto uv = project(camera, p);
      if (d >= camera.near) {
        ++in_front;
        ASSERT_TRUE(uv) << "depth " << d << " near " << camera.near;
        EXPECT_LT((*uv - pixel_by_definition(camera, p)).norm(), 1e-6);
      } else {
        ++behind;
        EXPECT_FALSE(uv) << "depth " << d << " near " << camera.near;
      }
    }
    // Just in front of and just behind the near plane.
    const Vec3 on =
        point_at(camera, unit(rng) * camera.width, unit(rng) * camera.height, camera.near + 1e-7);
    EXPECT_TRUE(project(camera, on));
    const Vec3 off =
        point_at(camera, unit(rng) * camera.width, unit(rng) * camera.height, camera.near - 1e-7);
    EXPECT_FALSE(project(camera, off));
    EXPECT_FALSE(project(camera, Vec3(0.0, 0.0, -5.0) - camera.P.col(3)));  // far behind
  }
  EXPECT_GT(in_front, 1000);
  EXPECT_GT(behind, 1000);
}

TEST(Camera, SegmentsInFrontAreUnchangedAndBehindGiveNothing) {
  std::mt19937_64 rng(1802);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  for (int trial = 0; trial < 500; ++trial) {
    const PinholeCamera camera = random_camera(rng);
    const auto random_at_depth = [&](double lo, double hi) {
      return point_at(camera, (2.0 * unit(rng) - 0.5) * camera.width,
                      (2.0 * unit(rng) - 0.5) * camera.height, lo + (hi - lo) * unit(rng));
    };
    const Vec3 a = random_at_depth(camera.near, 80.0), b = random_at_depth(camera.near, 80.0);
    const auto s = project_segment(camera, a, b);
    ASSERT_TRUE(s);
    EXPECT_LT((s->a - pixel_by_definition(camera, a)).norm(), 1e-6);
    EXPECT_LT((s->b - pixel_by_definition(camera, b)).norm(), 1e-6);

    const Vec3 c = random_at_depth(-40.0, camera.near - 1e-6);
    const Vec3 d = random_at_depth(-40.0, camera.near - 1e-6);
    EXPECT_FALSE(project_segment(camera, c, d));
  }
}

TEST(Camera, StraddlingSegmentIsCutAtTheNearPlaneOnItsOwnLine) {
  std::mt19937_64 rng(1803);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  for (int trial = 0; trial < 1000; ++trial) {
    const PinholeCamera camera = random_camera(rng);
    const Vec3 in =
        point_at(camera, (2.0 * unit(rng) - 0.5) * camera.width,
                 (2.0 * unit(rng) - 0.5) * camera.height, camera.near + 0.2 + 60.0 * unit(rng));
    // Behind the near plane, some just behind it, some far behind the camera.
    const Vec3 out = point_at(camera, (4.0 * unit(rng) - 1.5) * camera.width,
                              (4.0 * unit(rng) - 1.5) * camera.height,
                              camera.near - 1e-3 - 40.0 * unit(rng) * unit(rng));
    const double d_in = depth_by_definition(camera, in), d_out = depth_by_definition(camera, out);
    ASSERT_LT(d_out, camera.near);
    // Where the segment crosses depth == near, solved here on the 3D segment.
    const double t = (camera.near - d_in) / (d_out - d_in);
    const Vec3 crossing = in + t * (out - in);
    ASSERT_NEAR(depth_by_definition(camera, crossing), camera.near, 1e-9);
    const Vec2 crossing_px = pixel_by_definition(camera, crossing);
    const Vec2 in_px = pixel_by_definition(camera, in);
    // Another in-front point of the segment, to span the segment's image line.
    const Vec2 mid_px = pixel_by_definition(camera, in + 0.5 * t * (out - in));

    for (const bool reversed : {false, true}) {
      const auto s = reversed ? project_segment(camera, out, in) : project_segment(camera, in, out);
      ASSERT_TRUE(s);
      const Vec2 kept = reversed ? s->b : s->a;
      const Vec2 cut = reversed ? s->a : s->b;
      EXPECT_LT((kept - in_px).norm(), 1e-6 * std::max(1.0, in_px.norm()));
      const double scale = std::max(1.0, crossing_px.norm());
      EXPECT_LT((cut - crossing_px).norm(), 1e-6 * scale) << "trial " << trial;
      if ((mid_px - in_px).norm() > 1e-3) {
        EXPECT_LT(distance_to_line(in_px, mid_px, cut), 1e-6 * scale) << "trial " << trial;
      }
      // The cut end is finite however close to the camera plane the far end lies.
      EXPECT_TRUE(cut.allFinite());
    }
  }
}

TEST(Camera, CuboidInFrontIsBoundedByItsEightCorners) {
  std::mt19937_64 rng(1804);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  int tested = 0;
  for (int trial = 0; trial < 400; ++trial) {
    const PinholeCamera camera = random_camera(rng);
    const Pose T_cam_f = test::random_pose(rng, 5.0);
    // A box centred ahead of the camera, expressed in frame F.
    const Vec3 ahead = point_at(camera, unit(rng) * camera.width, unit(rng) * camera.height,
                                8.0 + 40.0 * unit(rng));
    const Cuboid box_in_cam = test::random_box(rng, ahead, 0.5, trial % 2 == 0);
    const Cuboid box_in_f = transform(T_cam_f.inverse(), box_in_cam);
    std::array<Vec3, 8> corners = box_in_cam.corners();
    if (std::any_of(corners.begin(), corners.end(),
                    [&](const Vec3& c) { return depth_by_definition(camera, c) < camera.near; })) {
      continue;
    }
    ++tested;
    const ProjectedCuboid pc = project_cuboid(camera, T_cam_f, box_in_f);
    ASSERT_TRUE(pc.projects());
    EXPECT_TRUE(pc.centre_in_front);
    PixelBox expected{
        std::numeric_limits<double>::infinity(), std::numeric_limits<double>::infinity(),
        -std::numeric_limits<double>::infinity(), -std::numeric_limits<double>::infinity()};
    std::array<Vec2, 8> px;
    for (std::size_t i = 0; i < 8; ++i) {
      px[i] = pixel_by_definition(camera, corners[i]);
      expected.left = std::min(expected.left, px[i].x());
      expected.right = std::max(expected.right, px[i].x());
      expected.top = std::min(expected.top, px[i].y());
      expected.bottom = std::max(expected.bottom, px[i].y());
    }
    EXPECT_NEAR(pc.bounds.left, expected.left, 1e-6);
    EXPECT_NEAR(pc.bounds.right, expected.right, 1e-6);
    EXPECT_NEAR(pc.bounds.top, expected.top, 1e-6);
    EXPECT_NEAR(pc.bounds.bottom, expected.bottom, 1e-6);
    // Each edge joins the pixels of its two corners.
    for (std::size_t e = 0; e < kCuboidEdges.size(); ++e) {
      ASSERT_TRUE(pc.edges[e]);
      EXPECT_LT((pc.edges[e]->a - px[static_cast<std::size_t>(kCuboidEdges[e][0])]).norm(), 1e-6);
      EXPECT_LT((pc.edges[e]->b - px[static_cast<std::size_t>(kCuboidEdges[e][1])]).norm(), 1e-6);
    }
  }
  EXPECT_GT(tested, 200);
}

TEST(Camera, CuboidAcrossTheNearPlaneHasFiniteBoundsOverItsVisibleEdges) {
  std::mt19937_64 rng(1805);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  int straddling = 0;
  for (int trial = 0; trial < 600; ++trial) {
    const PinholeCamera camera = random_camera(rng);
    const Pose T_cam_f = test::random_pose(rng, 3.0);
    // Centred within a few metres of the near plane, so that many boxes cross it.
    const Vec3 at =
        point_at(camera, (3.0 * unit(rng) - 1.0) * camera.width,
                 (3.0 * unit(rng) - 1.0) * camera.height, camera.near + 4.0 * (unit(rng) - 0.5));
    const Cuboid box_in_cam = test::random_box(rng, at, 0.3, trial % 2 == 0);
    const ProjectedCuboid pc =
        project_cuboid(camera, T_cam_f, transform(T_cam_f.inverse(), box_in_cam));
    const auto corners = box_in_cam.corners();
    int corners_in_front = 0;
    for (const Vec3& c : corners) corners_in_front += depth_by_definition(camera, c) >= camera.near;
    EXPECT_EQ(pc.centre_in_front, depth_by_definition(camera, box_in_cam.center) >= camera.near);
    if (corners_in_front == 0) {
      EXPECT_FALSE(pc.projects());
      for (const auto& e : pc.edges) EXPECT_FALSE(e);
      continue;
    }
    ASSERT_TRUE(pc.projects());
    EXPECT_TRUE(std::isfinite(pc.bounds.left) && std::isfinite(pc.bounds.right) &&
                std::isfinite(pc.bounds.top) && std::isfinite(pc.bounds.bottom));
    if (corners_in_front < 8) ++straddling;
    for (std::size_t e = 0; e < kCuboidEdges.size(); ++e) {
      const Vec3& a = corners[static_cast<std::size_t>(kCuboidEdges[e][0])];
      const Vec3& b = corners[static_cast<std::size_t>(kCuboidEdges[e][1])];
      const bool visible = depth_by_definition(camera, a) >= camera.near ||
                           depth_by_definition(camera, b) >= camera.near;
      ASSERT_EQ(pc.edges[e].has_value(), visible) << "edge " << e;
      if (!visible) continue;
      for (const Vec2& end : {pc.edges[e]->a, pc.edges[e]->b}) {
        const double tol = 1e-9 * std::max(1.0, end.norm());
        EXPECT_GE(end.x(), pc.bounds.left - tol);
        EXPECT_LE(end.x(), pc.bounds.right + tol);
        EXPECT_GE(end.y(), pc.bounds.top - tol);
        EXPECT_LE(end.y(), pc.bounds.bottom + tol);
      }
    }
    // Every corner in front lies inside the bounds too.
    for (const Vec3& c : corners) {
      if (depth_by_definition(camera, c) < camera.near) continue;
      const Vec2 uv = pixel_by_definition(camera, c);
      const double tol = 1e-6 * std::max(1.0, uv.norm());
      EXPECT_GE(uv.x(), pc.bounds.left - tol);
      EXPECT_LE(uv.x(), pc.bounds.right + tol);
      EXPECT_GE(uv.y(), pc.bounds.top - tol);
      EXPECT_LE(uv.y(), pc.bounds.bottom + tol);
    }
  }
  EXPECT_GT(straddling, 100);
}

TEST(Camera, TurningTheBoxHalfwaySwapsFrontAndBackEdges) {
  // Turned by pi about its own z, corner 0 goes where 2 was and 3 where 1 was, so the front edges
  // 3-0, 7-4, 0-4, 3-7 (kCuboidFrontEdges) land on the back edges 1-2, 5-6, 2-6, 1-5 (1, 5, 10, 9):
  // the front face lies where the back face was, and vice versa.
  constexpr std::array<int, 4> kBackEdges = {1, 5, 10, 9};
  std::mt19937_64 rng(1806);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  for (int trial = 0; trial < 200; ++trial) {
    const PinholeCamera camera = random_camera(rng);
    const Vec3 ahead = point_at(camera, unit(rng) * camera.width, unit(rng) * camera.height,
                                10.0 + 30.0 * unit(rng));
    const Cuboid box = test::random_box(rng, ahead, 0.5, false);
    Cuboid turned = box;
    turned.rotation = box.rotation * Eigen::AngleAxisd(kPi, Vec3::UnitZ());
    const Pose I = Pose::Identity();
    const ProjectedCuboid a = project_cuboid(camera, I, box), b = project_cuboid(camera, I, turned);
    for (std::size_t k = 0; k < 4; ++k) {
      const auto& front_b = b.edges[static_cast<std::size_t>(kCuboidFrontEdges[k])];
      const auto& back_a = a.edges[static_cast<std::size_t>(kBackEdges[k])];
      const auto& front_a = a.edges[static_cast<std::size_t>(kCuboidFrontEdges[k])];
      const auto& back_b = b.edges[static_cast<std::size_t>(kBackEdges[k])];
      ASSERT_TRUE(front_b && back_a && front_a && back_b);
      EXPECT_TRUE(same_segment(*front_b, back_a->a, back_a->b, 1e-6)) << "trial " << trial;
      EXPECT_TRUE(same_segment(*back_b, front_a->a, front_a->b, 1e-6)) << "trial " << trial;
    }
    // The front face of the untouched box is the corners with box x = +l/2.
    const auto corners = box.corners();
    for (const int e : kCuboidFrontEdges) {
      for (const int c : kCuboidEdges[static_cast<std::size_t>(e)]) {
        const Vec3 local =
            box.rotation.inverse() * (corners[static_cast<std::size_t>(c)] - box.center);
        EXPECT_NEAR(local.x(), box.size.x() / 2, 1e-9);
      }
    }
    EXPECT_NEAR(a.bounds.left, b.bounds.left, 1e-6);
    EXPECT_NEAR(a.bounds.bottom, b.bounds.bottom, 1e-6);
  }
}

TEST(Camera, PolylineSegmentCounts) {
  std::mt19937_64 rng(1807);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  for (int trial = 0; trial < 200; ++trial) {
    const PinholeCamera camera = random_camera(rng);
    const Pose T_cam_f = test::random_pose(rng, 4.0);
    const std::size_t n = 2 + static_cast<std::size_t>(unit(rng) * 8);
    std::vector<Vec3> in_cam, in_f;
    for (std::size_t i = 0; i < n; ++i) {
      in_cam.push_back(point_at(camera, unit(rng) * camera.width, unit(rng) * camera.height,
                                camera.near + 1.0 + 30.0 * unit(rng)));
      in_f.push_back(T_cam_f.inverse() * in_cam.back());
    }
    const auto open = project_polyline(camera, T_cam_f, in_f, false);
    const auto closed = project_polyline(camera, T_cam_f, in_f, true);
    ASSERT_EQ(open.size(), n - 1);
    // A closed polyline of two vertices would draw its one segment twice.
    ASSERT_EQ(closed.size(), n > 2 ? n : 1);
    for (std::size_t i = 0; i < closed.size(); ++i) {
      const Vec2 a = pixel_by_definition(camera, in_cam[i]);
      const Vec2 b = pixel_by_definition(camera, in_cam[(i + 1) % n]);
      EXPECT_LT((closed[i].a - a).norm(), 1e-6);
      EXPECT_LT((closed[i].b - b).norm(), 1e-6);
      if (i < open.size()) {
        EXPECT_LT((open[i].a - a).norm() + (open[i].b - b).norm(), 1e-6);
      }
    }
    // One vertex moved behind the camera: its two segments are cut, none is left out.
    const std::size_t behind = static_cast<std::size_t>(unit(rng) * static_cast<double>(n));
    std::vector<Vec3> moved = in_f;
    moved[behind] =
        T_cam_f.inverse() * point_at(camera, 0.5 * camera.width, 0.5 * camera.height, -5.0);
    EXPECT_EQ(project_polyline(camera, T_cam_f, moved, false).size(), n - 1);
    // Two neighbouring vertices behind: the segment between them disappears.
    if (n >= 3) {
      moved[(behind + 1) % n] = moved[behind];
      moved[(behind + 1) % n].x() += 1.0;
      const std::size_t expected_closed = n - 1;
      EXPECT_EQ(project_polyline(camera, T_cam_f, moved, true).size(), expected_closed);
    }
  }
  const PinholeCamera camera;
  EXPECT_TRUE(project_polyline(camera, Pose::Identity(), {Vec3(0, 0, 5)}, true).empty());
  EXPECT_TRUE(project_polyline(camera, Pose::Identity(), {}, false).empty());
}

/// Which points project_points must keep, computed in double: in front, pixel in
/// [-0.5, w - 0.5) x [-0.5, h - 0.5). Points within `margin` px of an image edge or metres of the
/// near plane are reported as ambiguous (float rounding may fall either way there).
enum class Expect { kKeep, kDrop, kEither };
Expect expected_keep(const PinholeCamera& camera, const Vec3& p_cam, double margin) {
  const double d = depth_by_definition(camera, p_cam);
  if (std::abs(d - camera.near) < 1e-4) return Expect::kEither;
  if (d < camera.near) return Expect::kDrop;
  if (camera.width <= 0 || camera.height <= 0) return Expect::kKeep;
  const Vec2 uv = pixel_by_definition(camera, p_cam);
  const double edges[4] = {uv.x() + 0.5, camera.width - 0.5 - uv.x(), uv.y() + 0.5,
                           camera.height - 0.5 - uv.y()};
  for (double e : edges) {
    if (std::abs(e) < margin) return Expect::kEither;
  }
  return std::all_of(std::begin(edges), std::end(edges), [](double e) { return e > 0; })
             ? Expect::kKeep
             : Expect::kDrop;
}

TEST(Camera, ProjectPointsKeepsExactlyThePointsInFrontAndInsideInOrder) {
  std::mt19937_64 rng(1808);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  std::size_t kept_total = 0, dropped_total = 0;
  for (int trial = 0; trial < 100; ++trial) {
    PinholeCamera camera = random_camera(rng);
    if (trial % 10 == 9) camera.width = camera.height = 0;  // size unknown: keep all in front
    const Pose T_cam_f = test::random_pose(rng, 5.0);
    const std::size_t n = 2000;
    std::vector<Vec3> in_cam;
    std::vector<float> x(n), y(n), z(n);
    for (std::size_t i = 0; i < n; ++i) {
      // Pixels over twice the image and depths from behind the camera to far ahead.
      const double w = std::max(camera.width, 800), h = std::max(camera.height, 600);
      Vec3 p_cam = point_at(camera, (2.0 * unit(rng) - 0.5) * w, (2.0 * unit(rng) - 0.5) * h,
                            -10.0 + 80.0 * unit(rng));
      // Rounded to float first, so that the double reference sees the same point.
      const Vec3 p_f = T_cam_f.inverse() * p_cam;
      x[i] = static_cast<float>(p_f.x());
      y[i] = static_cast<float>(p_f.y());
      z[i] = static_cast<float>(p_f.z());
      in_cam.push_back(T_cam_f * Vec3(x[i], y[i], z[i]));
    }
    const ProjectedPoints out =
        project_points(camera, T_cam_f, PointView::soa(x.data(), y.data(), z.data(), n));
    ASSERT_EQ(out.u.size(), out.index.size());
    ASSERT_EQ(out.v.size(), out.index.size());
    ASSERT_EQ(out.depth.size(), out.index.size());
    EXPECT_TRUE(std::is_sorted(out.index.begin(), out.index.end()));
    EXPECT_TRUE(std::adjacent_find(out.index.begin(), out.index.end()) == out.index.end());
    std::vector<bool> kept(n, false);
    for (std::size_t k = 0; k < out.index.size(); ++k) {
      const std::size_t i = out.index[k];
      ASSERT_LT(i, n);
      kept[i] = true;
      const auto uv = project(camera, in_cam[i]);
      ASSERT_TRUE(uv) << "point " << i << " kept although behind near";
      // Single precision: relative error ~1e-6 of the coordinates involved.
      EXPECT_NEAR(out.u[k], uv->x(), 2e-3 + 1e-5 * std::abs(uv->x()));
      EXPECT_NEAR(out.v[k], uv->y(), 2e-3 + 1e-5 * std::abs(uv->y()));
      EXPECT_NEAR(out.depth[k], depth_by_definition(camera, in_cam[i]), 1e-4);
    }
    for (std::size_t i = 0; i < n; ++i) {
      const Expect e = expected_keep(camera, in_cam[i], 0.01);
      if (e == Expect::kKeep) {
        EXPECT_TRUE(kept[i]) << "point " << i << " of trial " << trial;
      }
      if (e == Expect::kDrop) {
        EXPECT_FALSE(kept[i]) << "point " << i << " of trial " << trial;
      }
      kept_total += kept[i];
      dropped_total += !kept[i];
    }
  }
  EXPECT_GT(kept_total, 20000u);
  EXPECT_GT(dropped_total, 20000u);
}

TEST(Camera, ProjectPointsPixelEdgeRule) {
  // fx = 128, cx = 64, z = 1: every number below is exact in float, so the rule is tested exactly.
  Eigen::Matrix3d K;
  K << 128.0, 0.0, 64.0, 0.0, 128.0, 32.0, 0.0, 0.0, 1.0;
  const PinholeCamera camera = PinholeCamera::from_intrinsics(K, 200, 100);
  const auto x_of = [](double u) { return static_cast<float>((u - 64.0) / 128.0); };
  const auto y_of = [](double v) { return static_cast<float>((v - 32.0) / 128.0); };
  // (u, v) and whether pixel (u, v) lies in the 200x100 image: pixel j covers [j - 0.5, j + 0.5).
  const struct {
    double u, v;
    bool inside;
  } cases[] = {{-0.5, 10.0, true},        {-0.5078125, 10.0, false}, {199.5, 10.0, false},
               {199.4921875, 10.0, true}, {10.0, -0.5, true},        {10.0, -0.5078125, false},
               {10.0, 99.5, false},       {10.0, 99.4921875, true},  {0.0, 0.0, true},
               {199.0, 99.0, true}};
  std::vector<float> xs, ys, zs;
  for (const auto& c : cases) {
    xs.push_back(x_of(c.u));
    ys.push_back(y_of(c.v));
    zs.push_back(1.0f);
  }
  const ProjectedPoints out = project_points(
      camera, Pose::Identity(), PointView::soa(xs.data(), ys.data(), zs.data(), xs.size()));
  std::vector<std::uint32_t> expected;
  for (std::size_t i = 0; i < std::size(cases); ++i) {
    if (cases[i].inside) expected.push_back(static_cast<std::uint32_t>(i));
  }
  EXPECT_EQ(out.index, expected);
  for (std::size_t k = 0; k < out.index.size(); ++k) {
    EXPECT_EQ(out.u[k], static_cast<float>(cases[out.index[k]].u));
    EXPECT_EQ(out.v[k], static_cast<float>(cases[out.index[k]].v));
    EXPECT_EQ(out.depth[k], 1.0f);
  }
  // NaN coordinates are dropped, not kept with a NaN pixel.
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float xn[] = {nan, 0.0f}, yn[] = {0.0f, 0.0f}, zn[] = {1.0f, nan};
  EXPECT_TRUE(
      project_points(camera, Pose::Identity(), PointView::soa(xn, yn, zn, 2)).index.empty());
}

TEST(Camera, ProjectPointsReadsInterleavedRecords) {
  std::mt19937_64 rng(1809);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  const PinholeCamera camera = random_camera(rng);
  const Pose T_cam_f = test::random_pose(rng, 2.0);
  const std::size_t n = 3000, stride = 5;  // nuScenes: x y z intensity ring
  std::vector<float> records(n * stride), x(n), y(n), z(n);
  for (std::size_t i = 0; i < n; ++i) {
    const Vec3 p = T_cam_f.inverse() * point_at(camera, (2.0 * unit(rng) - 0.5) * camera.width,
                                                (2.0 * unit(rng) - 0.5) * camera.height,
                                                -5.0 + 60.0 * unit(rng));
    x[i] = records[i * stride] = static_cast<float>(p.x());
    y[i] = records[i * stride + 1] = static_cast<float>(p.y());
    z[i] = records[i * stride + 2] = static_cast<float>(p.z());
    records[i * stride + 3] = 1e6f;  // intensity and ring must not be read as coordinates
    records[i * stride + 4] = -1e6f;
  }
  const ProjectedPoints soa =
      project_points(camera, T_cam_f, PointView::soa(x.data(), y.data(), z.data(), n));
  const ProjectedPoints inter =
      project_points(camera, T_cam_f, PointView::interleaved(records.data(), n, stride));
  EXPECT_GT(soa.index.size(), n / 10);
  EXPECT_LT(soa.index.size(), n);
  EXPECT_EQ(inter.index, soa.index);
  EXPECT_EQ(inter.u, soa.u);
  EXPECT_EQ(inter.v, soa.v);
  EXPECT_EQ(inter.depth, soa.depth);
}

TEST(Camera, PixelBoxClippedToTheImage) {
  const PixelBox inside{10.5, 20.25, 100.0, 200.0};
  const PixelBox same = inside.clipped(1242, 375);
  EXPECT_EQ(same.left, 10.5);
  EXPECT_EQ(same.top, 20.25);
  EXPECT_EQ(same.right, 100.0);
  EXPECT_EQ(same.bottom, 200.0);

  const PixelBox across = PixelBox{-50.0, -3.0, 1300.0, 400.0}.clipped(1242, 375);
  EXPECT_EQ(across.left, 0.0);
  EXPECT_EQ(across.top, 0.0);
  EXPECT_EQ(across.right, 1241.0);  // KITTI: the last column is width - 1
  EXPECT_EQ(across.bottom, 374.0);
  EXPECT_DOUBLE_EQ(across.area(), 1241.0 * 374.0);

  EXPECT_TRUE(PixelBox{}.empty());
  EXPECT_TRUE(PixelBox{}.clipped(100, 100).empty());
  EXPECT_EQ(PixelBox{}.area(), 0.0);
  EXPECT_TRUE((PixelBox{5.0, 0.0, 4.0, 1.0}.empty()));
  EXPECT_FALSE((PixelBox{5.0, 1.0, 5.0, 1.0}.empty()));  // a single point is a box

  // An unknown image size (0, a Lyft row without one) leaves nothing to clip to.
  EXPECT_TRUE((PixelBox{10.0, 10.0, 20.0, 20.0}.clipped(0, 0).empty()));
  EXPECT_TRUE((PixelBox{10.0, 10.0, 20.0, 20.0}.clipped(640, 0).empty()));
  EXPECT_TRUE((PixelBox{10.0, 10.0, 20.0, 20.0}.clipped(-1, 480).empty()));

  // Wholly left of the image: squeezed onto column 0, area 0.
  const PixelBox left_of = PixelBox{-30.0, 10.0, -5.0, 20.0}.clipped(640, 480);
  EXPECT_EQ(left_of.left, 0.0);
  EXPECT_EQ(left_of.right, 0.0);
  EXPECT_EQ(left_of.area(), 0.0);

  // Random boxes: the clipped box lies inside the image and inside the original where they meet.
  std::mt19937_64 rng(1810);
  std::uniform_real_distribution<double> coord(-500.0, 2000.0);
  for (int i = 0; i < 1000; ++i) {
    double l = coord(rng), r = coord(rng), t = coord(rng), b = coord(rng);
    if (l > r) std::swap(l, r);
    if (t > b) std::swap(t, b);
    const PixelBox c = PixelBox{l, t, r, b}.clipped(1600, 900);
    ASSERT_FALSE(c.empty());
    EXPECT_GE(c.left, 0.0);
    EXPECT_LE(c.right, 1599.0);
    EXPECT_GE(c.top, 0.0);
    EXPECT_LE(c.bottom, 899.0);
    EXPECT_EQ(c.left, std::clamp(l, 0.0, 1599.0));
    EXPECT_EQ(c.bottom, std::clamp(b, 0.0, 899.0));
  }
}

}  // namespace
}  // namespace pcanno::geometry
