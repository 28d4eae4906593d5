// Polyline propagation on a synthetic curb, scanned from a car driving along it and written as
// KITTI .bin scans so that the real reader and sequence layout are used.
#include "pcanno/plugin/automation/polyline_propagation.hpp"

#include <cmath>

#include <gtest/gtest.h>

#include "curb_sequence.hpp"
#include "temp_dir.hpp"

namespace pcanno::plugin {
namespace {

using Eigen::Vector3d;
using geometry::Polyline;

/// Mean xy distance of `line`'s vertices to `truth`.
double mean_distance(const Polyline& line, const Polyline& truth) {
  double sum = 0.0;
  for (const Vector3d& v : line.vertices) {
    sum += geometry::closest_point(truth, Vector3d(v.x(), v.y(), truth.vertices[0].z()))->distance;
  }
  return sum / static_cast<double>(line.vertices.size());
}

class PolylinePropagation : public ::testing::Test {
 protected:
  /// Writes the scans; the sequence's poses are the true ones plus `drift` [m] to the right per
  /// frame (a pose estimate that drifts sideways).
  void write(double drift = 0.0) {
    test::write_curb_scans(temp_.path(), scans_);
    auto seq = formats::open_sequence(temp_.path());
    ASSERT_TRUE(seq) << seq.error().message;
    ASSERT_EQ(seq->size(), static_cast<std::size_t>(scans_.frames));
    for (int f = 0; f < scans_.frames; ++f) {
      geometry::Pose T = test::curb_pose(scans_, f);
      T.translation().y() -= drift * f;
      seq->frames[static_cast<std::size_t>(f)].T_world_lidar = T;
    }
    sequence_ = std::move(*seq);
  }

  /// The curb drawn at frame 0 (whose pose is exact): 8 vertices 5 m apart, `offset` [m] off it.
  Polyline drawn(double offset = 0.0) const {
    Polyline line;
    for (int i = 0; i < 8; ++i) {
      line.vertices.emplace_back(-10.0 + 5.0 * i, scans_.curb_y + offset, -1.73);
    }
    return line;
  }

  test::CurbScans scans_;
  test::TempDir temp_;
  formats::Sequence sequence_;
};

TEST_F(PolylinePropagation, ALineWithoutEvidenceStaysInPlaceInTheWorld) {
  write();
  SequenceClouds clouds(sequence_);
  const Polyline line = drawn(-7.0);  // on the open road, nothing to refine onto
  for (const std::optional<geometry::LineFeature> feature :
       {std::optional<geometry::LineFeature>(), std::optional(geometry::LineFeature::kCurb)}) {
    auto r = propagate_polyline(clouds, 0, line, 5, feature);
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_FALSE(r->ended);
    ASSERT_EQ(r->lines.size(), 5u);
    for (const PropagatedPolyline& p : r->lines) {
      EXPECT_EQ(p.supported, 0u) << p.frame;
      // Every vertex on the drawn line in the world; those in range unchanged.
      for (const Vector3d& v : p.line_in_world.vertices) {
        EXPECT_LT(geometry::closest_point(line, v)->distance, 1e-9) << p.frame;
      }
      std::size_t kept = 0;
      for (const Vector3d& v : line.vertices) {
        for (const Vector3d& w : p.line_in_world.vertices) kept += (v - w).norm() < 1e-9;
      }
      EXPECT_GE(kept, 6u) << p.frame;  // the sensor is at most 7.5 m along: all but the far one
    }
  }
}

TEST_F(PolylinePropagation, FollowsTheCurbDespiteADriftingPose) {
  // 6 cm of sideways pose error per frame: carried alone, the line is 0.42 m off the curb after 7
  // frames; refined each frame, it stays on it.
  const double drift = 0.06;
  write(drift);
  SequenceClouds clouds(sequence_);
  const Polyline line = drawn(0.1);  // drawn 10 cm off, too
  PolylinePropagationOptions free;
  free.rigid = false;
  auto refined = propagate_polyline(clouds, 0, line, 7, geometry::LineFeature::kCurb);
  auto vertexwise = propagate_polyline(clouds, 0, line, 7, geometry::LineFeature::kCurb, free);
  auto carried = propagate_polyline(clouds, 0, line, 7, std::nullopt);
  ASSERT_TRUE(refined && carried && vertexwise);
  ASSERT_EQ(vertexwise->lines.size(), 7u);
  ASSERT_EQ(refined->lines.size(), 7u);
  ASSERT_EQ(carried->lines.size(), 7u);
  for (std::size_t i = 0; i < 7; ++i) {
    const auto f = static_cast<int>(refined->lines[i].frame);
    const geometry::Pose& T_world_lidar =
        *sequence_.frames[static_cast<std::size_t>(f)].T_world_lidar;
    // Where the curb is in the frame's scan, against where each line puts it.
    const Polyline truth = test::curb_in_lidar(scans_, f);
    const double error_refined = mean_distance(
        geometry::transform(T_world_lidar.inverse(), refined->lines[i].line_in_world), truth);
    const double error_carried = mean_distance(
        geometry::transform(T_world_lidar.inverse(), carried->lines[i].line_in_world), truth);
    EXPECT_LT(error_refined, 0.05) << "frame " << f;
    EXPECT_LT(mean_distance(
                  geometry::transform(T_world_lidar.inverse(), vertexwise->lines[i].line_in_world),
                  truth),
              0.05)
        << "frame " << f;
    EXPECT_NEAR(error_carried, 0.1 + drift * f, 0.01) << "frame " << f;
    EXPECT_GE(refined->lines[i].supported, 6u) << "frame " << f;
  }
}

TEST_F(PolylinePropagation, RigidKeepsTheDrawnShapeFreeMovesEachVertex) {
  // The curb drawn with a kink: one vertex 0.2 m off it. Propagated rigidly, the line keeps its
  // shape (the kink stays, the rest stays on the curb); vertex by vertex (without the smoothing
  // that takes a vertex's shift from its neighbours too), the kink goes.
  write();
  SequenceClouds clouds(sequence_);
  Polyline line = drawn();
  line.vertices[3].y() += 0.2;
  PolylinePropagationOptions options;
  for (const bool rigid : {true, false}) {
    options.rigid = rigid;
    options.refine.smooth = rigid;
    auto r = propagate_polyline(clouds, 0, line, 3, geometry::LineFeature::kCurb, options);
    ASSERT_TRUE(r);
    ASSERT_EQ(r->lines.size(), 3u);
    const Polyline& last = r->lines.back().line_in_world;  // the poses are exact: world = truth
    ASSERT_EQ(last.vertices.size(), line.vertices.size());
    const double kink = last.vertices[3].y() - scans_.curb_y;
    const double others = std::abs(last.vertices[2].y() - scans_.curb_y);
    EXPECT_LT(others, 0.05) << "rigid " << rigid;
    if (rigid) {
      EXPECT_NEAR(kink, 0.2, 0.05);
    } else {
      EXPECT_LT(std::abs(kink), 0.05);
    }
  }
}

TEST_F(PolylinePropagation, ClipsAtTheRangeAndEndsWhenTheLineIsOutOfIt) {
  write();
  SequenceClouds clouds(sequence_);
  PolylinePropagationOptions options;
  options.range = 12.0;
  // From x = -12 to 23: at frame f the sensor is at x = 1.5 f.
  auto r = propagate_polyline(clouds, 0, drawn(), 7, geometry::LineFeature::kCurb, options);
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->lines.size(), 7u);
  for (const PropagatedPolyline& p : r->lines) {
    const geometry::Pose& T = *sequence_.frames[static_cast<std::size_t>(p.frame)].T_world_lidar;
    const Polyline in_lidar = geometry::transform(T.inverse(), p.line_in_world);
    double nearest = 1e9;
    double farthest = 0.0;
    for (const Vector3d& v : in_lidar.vertices) {
      nearest = std::min(nearest, v.head<2>().norm());
      farthest = std::max(farthest, v.head<2>().norm());
    }
    EXPECT_LE(farthest, 12.0 + 1e-9) << p.frame;
    EXPECT_NEAR(in_lidar.vertices.front().head<2>().norm(), 12.0, 1e-6) << p.frame;  // cut there
    EXPECT_NEAR(in_lidar.vertices.back().head<2>().norm(), 12.0, 1e-6) << p.frame;
  }
  // A short line behind the start leaves the 12 m range after a few frames.
  Polyline behind;
  behind.vertices = {{-8, scans_.curb_y, -1.73}, {-3, scans_.curb_y, -1.73}};
  r = propagate_polyline(clouds, 0, behind, 7, std::nullopt, options);
  ASSERT_TRUE(r);
  ASSERT_TRUE(r->ended);
  // At frame f the near end is 1.5 f + 3 m behind the sensor and 4 m aside: out at f = 6.
  EXPECT_EQ(r->ended_at, 6);
  EXPECT_NE(r->ended->find("left the sensor's range at frame 6"), std::string::npos) << *r->ended;
  EXPECT_EQ(r->lines.size(), 5u);
}

TEST_F(PolylinePropagation, BackwardAndCancelled) {
  write();
  SequenceClouds clouds(sequence_);
  auto back = propagate_polyline(clouds, 5, drawn(), 2, geometry::LineFeature::kCurb);
  ASSERT_TRUE(back);
  ASSERT_EQ(back->lines.size(), 3u);
  EXPECT_EQ(back->lines.front().frame, 4);
  EXPECT_EQ(back->lines.back().frame, 2);
  int calls = 0;
  auto r = propagate_polyline(clouds, 0, drawn(), 7, geometry::LineFeature::kCurb, {},
                              [&](double) { return ++calls < 3; });
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, formats::ErrorCode::kCancelled);
}

TEST(ClipToRange, CutsSegmentsAtTheCircle) {
  // An open line through the circle: cut where it crosses, the vertex inside kept.
  const Polyline open{{{-20, 3, 1}, {0, 3, 1}, {20, 3, 1}}, false};
  const auto clipped = clip_to_range(open, 5.0);
  ASSERT_TRUE(clipped);
  ASSERT_EQ(clipped->vertices.size(), 3u);
  EXPECT_LT((clipped->vertices[0] - Vector3d(-4, 3, 1)).norm(), 1e-12);
  EXPECT_LT((clipped->vertices[1] - Vector3d(0, 3, 1)).norm(), 1e-12);
  EXPECT_LT((clipped->vertices[2] - Vector3d(4, 3, 1)).norm(), 1e-12);
  // Leaving and coming back: the longest part inside (7.9 m before the spike, 8.4 m after).
  const Polyline wave{{{-4, 0, 0}, {-1, 0, 0}, {0, 30, 0}, {1, 0, 0}, {4.5, 0, 0}}, false};
  const auto longest = clip_to_range(wave, 5.0);
  ASSERT_TRUE(longest);
  ASSERT_EQ(longest->vertices.size(), 3u);
  EXPECT_NEAR(longest->vertices[0].norm(), 5.0, 1e-9);
  EXPECT_GT(longest->vertices[0].x(), 0.0);
  EXPECT_LT((longest->vertices[1] - Vector3d(1, 0, 0)).norm(), 1e-12);
  EXPECT_LT((longest->vertices[2] - Vector3d(4.5, 0, 0)).norm(), 1e-12);
  // Wholly inside: unchanged, closed or not; wholly outside: nothing.
  const Polyline square{{{1, 1, 0}, {2, 1, 0}, {2, 2, 0}, {1, 2, 0}}, true};
  EXPECT_EQ(clip_to_range(square, 5.0)->vertices, square.vertices);
  EXPECT_TRUE(clip_to_range(square, 5.0)->closed);
  EXPECT_FALSE(clip_to_range(Polyline{{{10, 0, 0}, {10, 5, 0}}, false}, 5.0));
  EXPECT_FALSE(clip_to_range(Polyline{{{9, 9, 0}}, false}, 5.0));
  // An area reaching out of range: closed along the chord where it leaves and comes back.
  const Polyline area{{{0, -1, 0}, {10, -1, 0}, {10, 1, 0}, {0, 1, 0}}, true};
  const auto cut = clip_to_range(area, 5.0);
  ASSERT_TRUE(cut);
  EXPECT_TRUE(cut->closed);
  EXPECT_EQ(cut->vertices.size(), 4u);
  for (const Vector3d& v : cut->vertices) EXPECT_LE(v.head<2>().norm(), 5.0 + 1e-12);
  EXPECT_NEAR(geometry::length(*cut), 2 * std::sqrt(24.0) + 2.0 + 2.0, 1e-9);
}

}  // namespace
}  // namespace pcanno::plugin
