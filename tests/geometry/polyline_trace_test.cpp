#include "pcanno/geometry/polyline_trace.hpp"

#include <cmath>
#include <limits>
#include <vector>

#include <gtest/gtest.h>

#include "synthetic_lines.hpp"

namespace pcanno::geometry {
namespace {

using test::SyntheticLine;
using test::SyntheticLineScanOptions;

constexpr double kPi = 3.14159265358979323846;
constexpr double kGround = -1.73;

LineScan scan_of(const std::vector<SyntheticLine>& lines, const SyntheticLineScanOptions& o = {}) {
  auto s = test::make_line_scan(lines, o);
  return LineScan(std::move(s.points), std::move(s.intensity));
}

SyntheticLine stripe(geometry::Polyline path) {
  SyntheticLine line;
  line.path = std::move(path);
  return line;
}

SyntheticLine curb(geometry::Polyline path, double height = 0.12) {
  SyntheticLine line;
  line.path = std::move(path);
  line.kind = SyntheticLine::Kind::kStep;
  line.height = height;
  return line;
}

/// xy distance of each vertex of `line` to `truth`.
std::vector<double> distances(const Polyline& line, const Polyline& truth) {
  std::vector<double> d;
  for (const auto& v : line.vertices) {
    d.push_back(closest_point(truth, Eigen::Vector3d(v.x(), v.y(), 0.0))->distance);
  }
  return d;
}

double mean_of(const std::vector<double>& v) {
  double s = 0.0;
  for (double x : v) s += x;
  return v.empty() ? std::numeric_limits<double>::infinity() : s / static_cast<double>(v.size());
}

double max_of(const std::vector<double>& v) {
  double m = 0.0;
  for (double x : v) m = std::max(m, x);
  return m;
}

/// Arc length [m] of `truth` covered between the traced line's two ends.
double covered(const Polyline& line, const Polyline& truth) {
  const auto& a = line.vertices.front();
  const auto& b = line.vertices.back();
  return std::abs(closest_point(truth, Eigen::Vector3d(a.x(), a.y(), 0.0))->arc_length -
                  closest_point(truth, Eigen::Vector3d(b.x(), b.y(), 0.0))->arc_length);
}

/// The vertices follow the truth in one direction, from one end to the other.
void expect_ordered(const Polyline& line, const Polyline& truth) {
  std::vector<double> s;
  for (const auto& v : line.vertices)
    s.push_back(closest_point(truth, Eigen::Vector3d(v.x(), v.y(), 0.0))->arc_length);
  ASSERT_GE(s.size(), 2u);
  const bool up = s.back() > s.front();
  for (std::size_t i = 1; i < s.size(); ++i) EXPECT_EQ(s[i] > s[i - 1], up) << "vertex " << i;
}

TEST(LineScan, RanksIntensityAndFindsTheLocalGround) {
  std::vector<Eigen::Vector3d> points;
  std::vector<float> intensity;
  for (int i = 0; i < 400; ++i) {
    points.emplace_back(0.05 * (i % 20), 0.05 * (i / 20), i % 10 == 0 ? 0.8 : -1.5);  // some above
    intensity.push_back(static_cast<float>(i % 4 == 0 ? 200 : 10 + i % 3));
  }
  const LineScan scan(points, intensity);
  ASSERT_TRUE(scan.has_intensity());
  const auto& rank = scan.intensity_rank();
  for (float r : rank) {
    EXPECT_GE(r, 0.0f);
    EXPECT_LE(r, 1.0f);
  }
  EXPECT_FLOAT_EQ(rank[0], rank[4]);  // ties share a rank
  EXPECT_GT(rank[0], rank[1]);        // brighter ranks higher
  ASSERT_TRUE(scan.ground_z(0.5, 0.5).has_value());
  EXPECT_NEAR(*scan.ground_z(0.5, 0.5), -1.5, 1e-6);
  EXPECT_FALSE(scan.ground_z(50.0, 50.0).has_value());
  EXPECT_FALSE(LineScan({}, {}).ground_z(0.0, 0.0).has_value());
}

TEST(LineScan, AHugeExtentTakesCoarserCellsAndStillFindsItsPoints) {
  // 20 km across without a range limit (a georeferenced tile): 6.4e9 cells of 0.25 m.
  std::vector<Eigen::Vector3d> points;
  for (int i = 0; i < 200; ++i) points.emplace_back(100.0 * i, 100.0 * (i % 7), 0.01 * i);
  points.emplace_back(20000.0, 20000.0, 0.0);
  LineScanOptions o;
  o.max_range = std::numeric_limits<double>::infinity();
  const LineScan scan(points, {}, o);
  EXPECT_EQ(scan.size(), points.size());
  EXPECT_GT(scan.options().cell, 1.0);
  std::vector<std::uint32_t> found;
  scan.for_each_in_rect({9950.0, 0.0}, {10050.0, 700.0}, [&](std::uint32_t i) {
    if (std::abs(points[i].x() - 10000.0) < 50.0) found.push_back(i);
  });
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0], 100u);
  // With the default range limit, points beyond 120 m are left out: (0, 0) stays.
  EXPECT_EQ(LineScan(points, {}).size(), 1u);
}

TEST(PolylineTrace, FollowsAStraightMarkingBothWaysFromTheSeed) {
  // (Not through x = 0: there the rings run along the line and sample it once.)
  const Polyline truth =
      test::arc_path({-10.0, 4.0}, 0.0, std::numeric_limits<double>::infinity(), 30.0);
  const LineScan scan = scan_of({stripe(truth)});
  const auto line = trace_polyline(scan, {6.0, 4.3, kGround}, LineFeature::kMarking);
  ASSERT_TRUE(line.has_value());
  const auto d = distances(*line, truth);
  EXPECT_LT(mean_of(d), 0.04);
  EXPECT_LT(max_of(d), 0.08);
  EXPECT_GT(covered(*line, truth), 27.0);
  expect_ordered(*line, truth);
  EXPECT_FALSE(line->closed);
  for (const auto& v : line->vertices) EXPECT_NEAR(v.z(), kGround, 0.05);
  // A straight marking needs few vertices.
  EXPECT_LE(line->vertices.size(), 10u);
}

TEST(PolylineTrace, FollowsACurvedMarking) {
  for (double radius : {25.0, -25.0}) {
    const Polyline truth = test::arc_path({-12.0, -4.0}, 0.3, radius, 30.0);
    const LineScan scan = scan_of({stripe(truth)});
    const Eigen::Vector3d seed =
        truth.vertices[truth.vertices.size() / 2] + Eigen::Vector3d(0.2, -0.2, kGround);
    const auto line = trace_polyline(scan, seed, LineFeature::kMarking);
    ASSERT_TRUE(line.has_value()) << radius;
    const auto d = distances(*line, truth);
    EXPECT_LT(mean_of(d), 0.05) << radius;
    EXPECT_LT(max_of(d), 0.10) << radius;
    EXPECT_GT(covered(*line, truth), 26.0) << radius;
    expect_ordered(*line, truth);
    EXPECT_GE(line->vertices.size(), 4u) << "a curve keeps vertices";
  }
}

TEST(PolylineTrace, FollowsACurbAtTheStepOnTheRoadLevel) {
  // Sidewalk on the left of the path's direction: the path runs along -x at y = -5, the sidewalk
  // is at y < -5.
  const Polyline truth =
      test::arc_path({14.0, -5.0}, kPi, std::numeric_limits<double>::infinity(), 28.0);
  const LineScan scan = scan_of({curb(truth, 0.12)});
  const auto line = trace_polyline(scan, {1.0, -4.7, kGround}, LineFeature::kCurb);
  ASSERT_TRUE(line.has_value());
  const auto d = distances(*line, truth);
  EXPECT_LT(mean_of(d), 0.06);
  EXPECT_LT(max_of(d), 0.12);
  EXPECT_GT(covered(*line, truth), 24.0);
  for (const auto& v : line->vertices) EXPECT_NEAR(v.z(), kGround, 0.03) << "the road side";
  // A marking is not a curb and a curb is not a marking.
  EXPECT_FALSE(trace_polyline(scan, {1.0, -4.7, kGround}, LineFeature::kMarking).has_value());
}

TEST(PolylineTrace, FollowsACurvedCurb) {
  const Polyline truth = test::arc_path({-10.0, 6.0}, 0.2, -30.0, 25.0);
  const LineScan scan = scan_of({curb(truth, 0.15)});
  const Eigen::Vector3d seed =
      truth.vertices[truth.vertices.size() / 2] + Eigen::Vector3d(0.0, 0.3, kGround);
  const auto line = trace_polyline(scan, seed, LineFeature::kCurb);
  ASSERT_TRUE(line.has_value());
  const auto d = distances(*line, truth);
  EXPECT_LT(mean_of(d), 0.06);
  EXPECT_GT(covered(*line, truth), 20.0);
  expect_ordered(*line, truth);
}

TEST(PolylineTrace, BridgesShortGapsAndStopsAtLongOnes) {
  const Polyline path =
      test::arc_path({-15.0, 4.0}, 0.0, std::numeric_limits<double>::infinity(), 30.0);
  SyntheticLine dashed = stripe(path);
  dashed.gaps = {{19.0, 20.5}};  // 1.5 m: bridged
  const auto bridged =
      trace_polyline(scan_of({dashed}), {-5.0, 4.0, kGround}, LineFeature::kMarking);
  ASSERT_TRUE(bridged.has_value());
  EXPECT_GT(covered(*bridged, path), 27.0);

  dashed.gaps = {{19.0, 25.0}};  // 6 m: the line ends at the gap
  const auto stopped =
      trace_polyline(scan_of({dashed}), {-5.0, 4.0, kGround}, LineFeature::kMarking);
  ASSERT_TRUE(stopped.has_value());
  double far_end = -1e9;
  for (const auto& v : stopped->vertices) far_end = std::max(far_end, v.x());
  EXPECT_LT(far_end, 4.5);  // the gap starts at x = 4
  EXPECT_GT(far_end, 2.5);
  TraceOptions wide;
  wide.max_gap = 8.0;
  const auto across =
      trace_polyline(scan_of({dashed}), {-5.0, 4.0, kGround}, LineFeature::kMarking, wide);
  ASSERT_TRUE(across.has_value());
  EXPECT_GT(covered(*across, path), 27.0);
}

TEST(PolylineTrace, StopsAtMaxLength) {
  const Polyline path =
      test::arc_path({-20.0, 4.0}, 0.0, std::numeric_limits<double>::infinity(), 40.0);
  TraceOptions o;
  o.max_length = 10.0;
  const auto line =
      trace_polyline(scan_of({stripe(path)}), {-5.0, 4.0, kGround}, LineFeature::kMarking, o);
  ASSERT_TRUE(line.has_value());
  EXPECT_LE(length(*line), 10.5);
  EXPECT_GE(length(*line), 8.5);
}

TEST(PolylineTrace, NothingNearTheSeedIsNotFound) {
  const LineScan flat = scan_of({});
  EXPECT_FALSE(trace_polyline(flat, {5.0, 2.0, kGround}, LineFeature::kMarking).has_value());
  EXPECT_FALSE(trace_polyline(flat, {5.0, 2.0, kGround}, LineFeature::kCurb).has_value());
  // A marking 3 m from the seed is too far; without intensity there is no marking at all.
  const Polyline path =
      test::arc_path({-15.0, 4.0}, 0.0, std::numeric_limits<double>::infinity(), 30.0);
  const LineScan with_marking = scan_of({stripe(path)});
  EXPECT_FALSE(
      trace_polyline(with_marking, {0.0, 0.0, kGround}, LineFeature::kMarking).has_value());
  auto s = test::make_line_scan({stripe(path)});
  const LineScan no_intensity(std::move(s.points), {});
  EXPECT_FALSE(
      trace_polyline(no_intensity, {-5.0, 4.0, kGround}, LineFeature::kMarking).has_value());
  EXPECT_FALSE(
      trace_polyline(LineScan({}, {}), {0.0, 3.0, kGround}, LineFeature::kCurb).has_value());
}

TEST(PolylineTrace, OnlyAMarkingsWidthAndACurbsHeightCount) {
  const double inf = std::numeric_limits<double>::infinity();
  const Polyline path = test::arc_path({-10.0, 4.0}, 0.0, inf, 30.0);
  // A bright band 1 m wide (a painted area, a bright surface) is no line marking...
  SyntheticLine band = stripe(path);
  band.width = 1.0;
  EXPECT_FALSE(
      trace_polyline(scan_of({band}), {6.0, 4.3, kGround}, LineFeature::kMarking).has_value());
  // ... nor its edges; a 0.25 m stripe is one.
  band.width = 0.25;
  EXPECT_TRUE(
      trace_polyline(scan_of({band}), {6.0, 4.3, kGround}, LineFeature::kMarking).has_value());
  // A 3 cm ripple and a 0.5 m wall base are no curb; 0.08 m is one.
  for (const auto& [height, found] :
       {std::pair{0.03, false}, std::pair{0.5, false}, std::pair{0.08, true}}) {
    EXPECT_EQ(trace_polyline(scan_of({curb(path, height)}), {6.0, 4.3, kGround}, LineFeature::kCurb)
                  .has_value(),
              found)
        << height;
  }
}

TEST(PolylineTrace, IntensityScaleAndClutterDoNotMatter) {
  const Polyline truth =
      test::arc_path({-15.0, -2.5}, 0.05, std::numeric_limits<double>::infinity(), 30.0);
  SyntheticLineScanOptions o;
  o.intensity_scale = 255.0;  // nuScenes-like
  o.intensity_noise = 0.08;
  o.z_noise = 0.02;
  o.clutter_boxes = 25;
  const auto line =
      trace_polyline(scan_of({stripe(truth)}, o), {8.0, -1.9, kGround}, LineFeature::kMarking);
  ASSERT_TRUE(line.has_value());
  EXPECT_LT(mean_of(distances(*line, truth)), 0.05);
  EXPECT_GT(covered(*line, truth), 26.0);
}

TEST(PolylineTrace, PicksTheMarkingNearestTheSeed) {
  const double inf = std::numeric_limits<double>::infinity();
  const Polyline near_line = test::arc_path({-15.0, 5.0}, 0.0, inf, 30.0);
  const Polyline far_line = test::arc_path({-15.0, 5.6}, 0.0, inf, 30.0);
  const LineScan scan = scan_of({stripe(near_line), stripe(far_line)});
  const auto line = trace_polyline(scan, {6.0, 5.15, kGround}, LineFeature::kMarking);
  ASSERT_TRUE(line.has_value());
  EXPECT_LT(max_of(distances(*line, near_line)), 0.08);
  const auto other = trace_polyline(scan, {6.0, 5.5, kGround}, LineFeature::kMarking);
  ASSERT_TRUE(other.has_value());
  EXPECT_LT(max_of(distances(*other, far_line)), 0.08);
}

Polyline shifted(const Polyline& line, const Eigen::Vector2d& by, std::size_t stride = 12) {
  Polyline out;
  for (std::size_t i = 0; i < line.vertices.size(); i += stride) {
    out.vertices.push_back(line.vertices[i] + Eigen::Vector3d(by.x(), by.y(), kGround + 0.1));
  }
  return out;
}

TEST(RefinePolyline, MovesAnOffsetLineBackOntoTheFeature) {
  const double inf = std::numeric_limits<double>::infinity();
  const Polyline truth = test::arc_path({-12.0, 5.0}, 0.0, inf, 24.0);
  for (const auto& [feature, kind] :
       {std::pair{LineFeature::kMarking, SyntheticLine::Kind::kStripe},
        std::pair{LineFeature::kCurb, SyntheticLine::Kind::kStep}}) {
    SyntheticLine l = stripe(truth);
    l.kind = kind;
    const LineScan scan = scan_of({l});
    const Polyline start = shifted(truth, {0.0, 0.2});
    const RefinedPolyline refined = refine_polyline(scan, start, feature);
    ASSERT_EQ(refined.line.vertices.size(), start.vertices.size());
    // The ends of the truth are not part of the feature: all inner vertices are supported.
    EXPECT_GE(refined.supported, start.vertices.size() - 2);
    EXPECT_NEAR(refined.mean_shift, 0.2, 0.04);
    std::size_t on = 0;
    for (std::size_t i = 0; i < start.vertices.size(); ++i) {
      const auto& v = refined.line.vertices[i];
      EXPECT_NEAR(v.x(), start.vertices[i].x(), 1e-9) << "moved across the line only";
      if (std::abs(v.y() - 5.0) < 0.05) ++on;
      EXPECT_NEAR(v.z(), std::abs(v.y() - 5.0) < 0.05 ? kGround : kGround + 0.1, 0.03);
    }
    EXPECT_EQ(on, refined.supported);
  }
}

TEST(RefinePolyline, RespectsMaxShiftAndKeepsUnsupportedVertices) {
  const double inf = std::numeric_limits<double>::infinity();
  const Polyline truth = test::arc_path({-12.0, 5.0}, 0.0, inf, 24.0);
  const LineScan scan = scan_of({stripe(truth)});
  const Polyline start = shifted(truth, {0.0, 0.5});
  LineRefineOptions o;
  o.max_shift = 0.3;
  const RefinedPolyline refined = refine_polyline(scan, start, LineFeature::kMarking, o);
  EXPECT_EQ(refined.supported, 0u);
  EXPECT_EQ(refined.mean_shift, 0.0);
  for (std::size_t i = 0; i < start.vertices.size(); ++i) {
    EXPECT_EQ(refined.line.vertices[i], start.vertices[i]);
  }
  // Total: degenerate input comes back as it was.
  Polyline single;
  single.vertices = {Eigen::Vector3d(0, 3, kGround)};
  EXPECT_EQ(refine_polyline(scan, single, LineFeature::kMarking).line.vertices, single.vertices);
  EXPECT_EQ(refine_polyline(scan, Polyline{}, LineFeature::kCurb).supported, 0u);
}

TEST(RefinePolyline, OneNoisyVertexDoesNotKinkTheLine) {
  const double inf = std::numeric_limits<double>::infinity();
  const Polyline truth = test::arc_path({2.0, 5.0}, 0.0, inf, 24.0);
  // A short bright patch beside the marking, nearer to one vertex than the marking is.
  const Polyline patch = test::arc_path({11.2, 5.45}, 0.0, inf, 1.6);
  const LineScan scan = scan_of({stripe(truth), stripe(patch)});
  Polyline start;
  for (double x = 4.0; x <= 20.0; x += 2.0) start.vertices.emplace_back(x, 5.25, kGround);
  const std::size_t noisy = 4;  // at x = 12
  ASSERT_NEAR(start.vertices[noisy].x(), 12.0, 1e-9);
  LineRefineOptions raw;
  raw.max_shift = 0.4;
  raw.smooth = false;
  const auto unsmoothed = refine_polyline(scan, start, LineFeature::kMarking, raw);
  ASSERT_NEAR(unsmoothed.line.vertices[noisy].y(), 5.45, 0.05) << "the patch attracts it";
  LineRefineOptions smooth = raw;
  smooth.smooth = true;
  const auto smoothed = refine_polyline(scan, start, LineFeature::kMarking, smooth);
  EXPECT_EQ(smoothed.supported, start.vertices.size());
  for (const auto& v : smoothed.line.vertices) EXPECT_NEAR(v.y(), 5.0, 0.05) << v.x();
}

TEST(Simplify, DropsCollinearVerticesAndKeepsCorners) {
  Polyline line;
  for (int i = 0; i <= 10; ++i) line.vertices.emplace_back(i, 0.01 * (i % 2), 0.0);
  for (int i = 1; i <= 5; ++i) line.vertices.emplace_back(10.0, i, 0.0);
  const Polyline s = simplify(line, 0.03);
  ASSERT_EQ(s.vertices.size(), 3u);
  EXPECT_EQ(s.vertices[1], Eigen::Vector3d(10, 0, 0));
  // Below the zigzag's amplitude, all of it stays (the straight vertical part still goes).
  EXPECT_EQ(simplify(line, 0.001).vertices.size(), 12u);
}

}  // namespace
}  // namespace pcanno::geometry
