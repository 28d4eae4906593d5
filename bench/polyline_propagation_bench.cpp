// Polyline propagation, one frame: a 20-vertex curb line carried into the next frame, refined onto
// its height step and clipped to the sensor's range, on a synthetic 64-ring scan of ~115k points
// with parked-car-like clutter. Beside it, in the same run: the naive baseline, the same step on a
// scan without the grid (every cross-section scans every point), and the per-frame preparation of
// the scan (grid, intensity ranks, local ground) that propagation does once per frame.
#include <benchmark/benchmark.h>

#include <cmath>
#include <limits>

#include "pcanno/formats/clouds/point_cloud.hpp"
#include "pcanno/plugin/automation/polyline_propagation.hpp"
#include "synthetic_lines.hpp"

namespace pcanno::bench {
namespace {

/// A curb 4 m left of the sensor along its x axis, the sidewalk beyond it.
const test::SyntheticLineScan& scan_data() {
  static const test::SyntheticLineScan scan = [] {
    test::SyntheticLine curb;
    curb.kind = test::SyntheticLine::Kind::kStep;
    curb.path = test::arc_path({-40.0, 4.0}, 0.0, std::numeric_limits<double>::infinity(), 80.0);
    curb.raised_width = 6.0;
    test::SyntheticLineScanOptions o;
    o.azimuths = 1600;     // 64 x 1600 ground points ...
    o.clutter_boxes = 20;  // ... and ~12k on objects
    return test::make_line_scan({curb}, o);
  }();
  return scan;
}

/// The scan as the frame's cloud: what propagation reads from the sequence.
const formats::PointCloud& cloud() {
  static const formats::PointCloud c = [] {
    formats::PointCloud out;
    const test::SyntheticLineScan& s = scan_data();
    out.resize(s.points.size());
    std::vector<float>& intensity =
        out.add_attribute(std::string(formats::attribute_names::kIntensity));
    for (std::size_t i = 0; i < s.points.size(); ++i) {
      out.x[i] = static_cast<float>(s.points[i].x());
      out.y[i] = static_cast<float>(s.points[i].y());
      out.z[i] = static_cast<float>(s.points[i].z());
      intensity[i] = s.intensity[i];
    }
    return out;
  }();
  return c;
}

/// The line from the previous frame, in the world (here the previous frame's LiDAR frame): 20
/// vertices 2 m apart along the curb, from 20 m behind the sensor to 18 m ahead.
geometry::Polyline previous_line() {
  geometry::Polyline line;
  for (int i = 0; i < 20; ++i) line.vertices.emplace_back(-20.0 + 2.0 * i, 4.0, -1.73);
  return line;
}

/// The new frame's pose: 1 m forward, and a pose error of 0.1 m sideways and 0.3 degrees, which
/// the refinement corrects.
geometry::Pose pose() {
  geometry::Pose T = geometry::Pose::Identity();
  T.linear() = Eigen::AngleAxisd(0.3 * M_PI / 180.0, Eigen::Vector3d::UnitZ()).toRotationMatrix();
  T.translation() = Eigen::Vector3d(1.0, 0.1, 0.0);
  return T;
}

geometry::LineScan make_scan(double cell) {
  geometry::LineScanOptions o;
  o.cell = cell;
  o.max_range = 42.0;  // as propagation builds it: the 40 m range and a margin
  return plugin::line_scan_of(cloud(), o);
}

void step(benchmark::State& state, const geometry::LineScan& scan) {
  const geometry::Polyline line = previous_line();
  const geometry::Pose T_world_lidar = pose();
  std::size_t supported = 0;
  for (auto _ : state) {
    plugin::PolylineStep s =
        plugin::propagate_polyline_step(&scan, T_world_lidar, line, geometry::LineFeature::kCurb);
    supported = s.carried.supported;
    benchmark::DoNotOptimize(s);
  }
  if (supported < 15) state.SkipWithError("the curb was not found");
  state.counters["points"] = static_cast<double>(scan.size());
  state.counters["vertices"] = 20;
  state.counters["supported"] = static_cast<double>(supported);
}

void BM_PropagatePolyline20_pcanno(benchmark::State& state) {
  const geometry::LineScan scan = make_scan(0.25);
  step(state, scan);
}
BENCHMARK(BM_PropagatePolyline20_pcanno)->Unit(benchmark::kMicrosecond);

void BM_PropagatePolyline20_naive(benchmark::State& state) {
  // One cell holding the whole scan: each cross-section tests every point.
  const geometry::LineScan scan = make_scan(1e4);
  step(state, scan);
}
BENCHMARK(BM_PropagatePolyline20_naive)->Unit(benchmark::kMicrosecond);

void BM_PropagationLineScan_pcanno(benchmark::State& state) {
  for (auto _ : state) {
    geometry::LineScan scan = make_scan(0.25);
    benchmark::DoNotOptimize(scan);
  }
  state.counters["points"] = static_cast<double>(cloud().size());
}
BENCHMARK(BM_PropagationLineScan_pcanno)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace pcanno::bench

BENCHMARK_MAIN();
