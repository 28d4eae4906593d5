// Geometry kernels beside naive baselines: IoU per pair (upright and general) and point-in-box over
// a real 123k-point KITTI frame. Peers (Open3D, PCL) are in peer_*_bench.cpp.
#include <algorithm>
#include <random>

#include <benchmark/benchmark.h>

#include "bench_data.hpp"
#include "pcanno/geometry/convex_polygon.hpp"
#include "pcanno/geometry/iou.hpp"
#include "pcanno/geometry/points_in_cuboid.hpp"

namespace pcanno::bench {
namespace {

using geometry::Cuboid;
constexpr int kPairs = 1024;

// ---- IoU
// -------------------------------------------------------------------------------------------

void BM_IouUpright_pcanno(benchmark::State& state) {
  const auto pairs = iou_pairs(true, kPairs);
  std::size_t i = 0;
  for (auto _ : state) {
    const auto& [a, b] = pairs[i++ % kPairs];
    benchmark::DoNotOptimize(geometry::iou_3d(a, b));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_IouUpright_pcanno);

/// The textbook version: corners, hull and clipping on heap-allocated polygons.
double naive_upright_iou(const Cuboid& a, const Cuboid& b) {
  auto footprint = [](const Cuboid& box) {
    geometry::Polygon2 pts;
    for (const auto& c : box.corners()) pts.push_back(c.head<2>());
    return geometry::convex_hull(pts);
  };
  const double area =
      std::abs(geometry::signed_area(geometry::clip_convex(footprint(a), footprint(b))));
  const double dz = std::min(a.center.z() + a.size.z() / 2, b.center.z() + b.size.z() / 2) -
                    std::max(a.center.z() - a.size.z() / 2, b.center.z() - b.size.z() / 2);
  const double inter = area * std::max(0.0, dz);
  return inter / (a.volume() + b.volume() - inter);
}

void BM_IouUpright_naive_heap_polygons(benchmark::State& state) {
  const auto pairs = iou_pairs(true, kPairs);
  std::size_t i = 0;
  for (auto _ : state) {
    const auto& [a, b] = pairs[i++ % kPairs];
    benchmark::DoNotOptimize(naive_upright_iou(a, b));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_IouUpright_naive_heap_polygons);

void BM_IouGeneral_pcanno(benchmark::State& state) {
  const auto pairs = iou_pairs(false, kPairs);
  std::size_t i = 0;
  for (auto _ : state) {
    const auto& [a, b] = pairs[i++ % kPairs];
    benchmark::DoNotOptimize(geometry::iou_3d(a, b));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_IouGeneral_pcanno);

/// What tools without an exact 3D IoU do: sample one box and test the samples against the other.
/// 10k samples still leave about +-0.005 of noise.
void BM_IouGeneral_naive_monte_carlo_10k(benchmark::State& state) {
  const auto pairs = iou_pairs(false, kPairs);
  std::mt19937_64 rng(5);
  std::uniform_real_distribution<double> u(-0.5, 0.5);
  std::size_t i = 0;
  for (auto _ : state) {
    const auto& [a, b] = pairs[i++ % kPairs];
    int inside = 0;
    for (int s = 0; s < 10000; ++s) {
      const Eigen::Vector3d local(u(rng) * a.size.x(), u(rng) * a.size.y(), u(rng) * a.size.z());
      inside += b.contains(a.center + a.rotation * local);
    }
    const double inter = a.volume() * inside / 10000.0;
    benchmark::DoNotOptimize(inter / (a.volume() + b.volume() - inter));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_IouGeneral_naive_monte_carlo_10k);

// ---- Points in boxes
// ---------------------------------------------------------------------------------

/// Per point: rotate into the box frame with the quaternion, compare with the half sizes.
std::vector<std::uint32_t> naive_points_in_box(const formats::PointCloud& cloud,
                                               const Cuboid& box) {
  std::vector<std::uint32_t> out;
  const Eigen::Quaterniond inv = box.rotation.conjugate();
  for (std::size_t i = 0; i < cloud.size(); ++i) {
    const Eigen::Vector3d local =
        inv * (Eigen::Vector3d(cloud.x[i], cloud.y[i], cloud.z[i]) - box.center);
    if ((local.cwiseAbs().array() <= 0.5 * box.size.array()).all()) out.push_back(i);
  }
  return out;
}

void BM_PointsInBox1_pcanno(benchmark::State& state) {
  const auto& cloud = kitti_frame();
  const auto box = boxes_on_frame(1)[0];
  for (auto _ : state) benchmark::DoNotOptimize(geometry::points_in_cuboid(cloud.view(), box));
  state.SetItemsProcessed(state.iterations() * cloud.size());
}
BENCHMARK(BM_PointsInBox1_pcanno)->Unit(benchmark::kMicrosecond);

void BM_PointsInBox1_naive(benchmark::State& state) {
  const auto& cloud = kitti_frame();
  const auto box = boxes_on_frame(1)[0];
  for (auto _ : state) benchmark::DoNotOptimize(naive_points_in_box(cloud, box));
  state.SetItemsProcessed(state.iterations() * cloud.size());
}
BENCHMARK(BM_PointsInBox1_naive)->Unit(benchmark::kMicrosecond);

void BM_PointsInBox50_pcanno_batched(benchmark::State& state) {
  const auto& cloud = kitti_frame();
  const auto boxes = boxes_on_frame(50);
  for (auto _ : state) benchmark::DoNotOptimize(geometry::points_in_cuboids(cloud.view(), boxes));
  state.SetItemsProcessed(state.iterations() * cloud.size());
}
BENCHMARK(BM_PointsInBox50_pcanno_batched)->Unit(benchmark::kMicrosecond);

void BM_PointsInBox50_pcanno_one_by_one(benchmark::State& state) {
  const auto& cloud = kitti_frame();
  const auto boxes = boxes_on_frame(50);
  for (auto _ : state) {
    for (const auto& box : boxes)
      benchmark::DoNotOptimize(geometry::points_in_cuboid(cloud.view(), box));
  }
  state.SetItemsProcessed(state.iterations() * cloud.size());
}
BENCHMARK(BM_PointsInBox50_pcanno_one_by_one)->Unit(benchmark::kMicrosecond);

void BM_PointsInBox50_naive(benchmark::State& state) {
  const auto& cloud = kitti_frame();
  const auto boxes = boxes_on_frame(50);
  for (auto _ : state) {
    for (const auto& box : boxes) benchmark::DoNotOptimize(naive_points_in_box(cloud, box));
  }
  state.SetItemsProcessed(state.iterations() * cloud.size());
}
BENCHMARK(BM_PointsInBox50_naive)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace pcanno::bench

BENCHMARK_MAIN();
