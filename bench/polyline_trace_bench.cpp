// One-click polylines: tracing a 30 m lane marking on a synthetic 64-ring scan of ~120k points
// (painted stripe, parked-car-like clutter), beside a naive baseline that runs the same trace
// without the grid (every cross-section scans every point), and the per-frame preparation of the
// scan (grid, intensity ranks, local ground). Where the shared KITTI data is present, also a
// curb traced on tracking 0000 frame 19.
#include <benchmark/benchmark.h>

#include <filesystem>
#include <limits>

#include "pcanno/formats/clouds/raw_bin.hpp"
#include "pcanno/geometry/polyline_trace.hpp"
#include "pcanno/plugin/automation/line_feature.hpp"
#include "synthetic_lines.hpp"

namespace pcanno::bench {
namespace {

const test::SyntheticLineScan& scan_data() {
  static const test::SyntheticLineScan scan = [] {
    test::SyntheticLine stripe;
    // 30 m, gently curved (radius 150 m), 3.5 m left of the sensor's path.
    stripe.path = test::arc_path({-12.0, 3.5}, 0.0, 150.0, 30.0);
    test::SyntheticLineScanOptions o;
    o.azimuths = 1700;     // 64 x 1700 ground points ...
    o.clutter_boxes = 20;  // ... and ~12k on objects: ~120k in all
    return test::make_line_scan({stripe}, o);
  }();
  return scan;
}

const Eigen::Vector3d kSeed(6.0, 3.7, -1.73);

geometry::LineScan make_scan(double cell) {
  geometry::LineScanOptions o;
  o.cell = cell;
  return geometry::LineScan(scan_data().points, scan_data().intensity, o);
}

void trace(benchmark::State& state, const geometry::LineScan& scan) {
  double length = 0.0;
  for (auto _ : state) {
    auto line = geometry::trace_polyline(scan, kSeed, geometry::LineFeature::kMarking);
    if (!line) {
      state.SkipWithError("the marking was not found");
      return;
    }
    length = geometry::length(*line);
    benchmark::DoNotOptimize(line);
  }
  state.counters["points"] = static_cast<double>(scan.size());
  state.counters["length_m"] = length;
}

void BM_TraceMarking30m_pcanno(benchmark::State& state) {
  const geometry::LineScan scan = make_scan(0.25);
  trace(state, scan);
}
BENCHMARK(BM_TraceMarking30m_pcanno)->Unit(benchmark::kMillisecond);

void BM_TraceMarking30m_naive(benchmark::State& state) {
  // One cell holding the whole scan: each cross-section tests every point.
  const geometry::LineScan scan = make_scan(1e4);
  trace(state, scan);
}
BENCHMARK(BM_TraceMarking30m_naive)->Unit(benchmark::kMillisecond);

void BM_LineScanPrepare_pcanno(benchmark::State& state) {
  for (auto _ : state) {
    geometry::LineScan scan = make_scan(0.25);
    benchmark::DoNotOptimize(scan);
  }
  state.counters["points"] = static_cast<double>(scan_data().points.size());
}
BENCHMARK(BM_LineScanPrepare_pcanno)->Unit(benchmark::kMillisecond);

void BM_TraceCurbKitti_pcanno(benchmark::State& state) {
  const std::filesystem::path path = std::filesystem::path(PCANNO_SHARED_DATA_DIR) /
                                     "kitti_tracking/training/velodyne/0000/000019.bin";
  auto cloud = formats::read_kitti_bin(path);
  if (!cloud) {
    state.SkipWithError(("shared data missing: " + path.string()).c_str());
    return;
  }
  const geometry::LineScan scan = plugin::line_scan_of(*cloud);
  // A click on the curb ahead of the car (tests/data/kitti_tracking_0000_lines.json).
  const Eigen::Vector3d seed(14.9, 1.9, -1.89);
  double length = 0.0;
  for (auto _ : state) {
    auto line = geometry::trace_polyline(scan, seed, geometry::LineFeature::kCurb);
    if (!line) {
      state.SkipWithError("the curb was not found");
      return;
    }
    length = geometry::length(*line);
    benchmark::DoNotOptimize(line);
  }
  state.counters["points"] = static_cast<double>(scan.size());
  state.counters["length_m"] = length;
}
BENCHMARK(BM_TraceCurbKitti_pcanno)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace pcanno::bench

BENCHMARK_MAIN();
