// Open3D's oriented-box point query, the nearest peer of points_in_cuboid. The cloud is converted
// to Open3D's double-precision points once, outside the timed loop.
#include <benchmark/benchmark.h>
#include <open3d/geometry/BoundingVolume.h>

#include "bench_data.hpp"

namespace pcanno::bench {
namespace {

std::vector<Eigen::Vector3d> open3d_points() {
  const auto& cloud = kitti_frame();
  std::vector<Eigen::Vector3d> pts(cloud.size());
  for (std::size_t i = 0; i < cloud.size(); ++i)
    pts[i] = Eigen::Vector3d(cloud.x[i], cloud.y[i], cloud.z[i]);
  return pts;
}

open3d::geometry::OrientedBoundingBox to_open3d(const geometry::Cuboid& box) {
  return open3d::geometry::OrientedBoundingBox(box.center, box.rotation.toRotationMatrix(),
                                               box.size);
}

void BM_PointsInBox1_open3d(benchmark::State& state) {
  const auto pts = open3d_points();
  const auto obb = to_open3d(boxes_on_frame(1)[0]);
  for (auto _ : state) benchmark::DoNotOptimize(obb.GetPointIndicesWithinBoundingBox(pts));
  state.SetItemsProcessed(state.iterations() * pts.size());
}
BENCHMARK(BM_PointsInBox1_open3d)->Unit(benchmark::kMicrosecond);

void BM_PointsInBox50_open3d(benchmark::State& state) {
  const auto pts = open3d_points();
  std::vector<open3d::geometry::OrientedBoundingBox> obbs;
  for (const auto& box : boxes_on_frame(50)) obbs.push_back(to_open3d(box));
  for (auto _ : state) {
    for (const auto& obb : obbs)
      benchmark::DoNotOptimize(obb.GetPointIndicesWithinBoundingBox(pts));
  }
  state.SetItemsProcessed(state.iterations() * pts.size());
}
BENCHMARK(BM_PointsInBox50_open3d)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace pcanno::bench
