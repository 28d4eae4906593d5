// PCL's CropBox filter (yaw-only boxes via its Euler rotation), the common PCL way to cut a box.
#include <benchmark/benchmark.h>
#include <pcl/filters/crop_box.h>
#include <pcl/point_types.h>

#include "bench_data.hpp"

namespace pcanno::bench {
namespace {

pcl::PointCloud<pcl::PointXYZ>::Ptr pcl_cloud() {
  const auto& cloud = kitti_frame();
  auto out = pcl::make_shared<pcl::PointCloud<pcl::PointXYZ>>();
  out->resize(cloud.size());
  for (std::size_t i = 0; i < cloud.size(); ++i)
    (*out)[i] = pcl::PointXYZ(cloud.x[i], cloud.y[i], cloud.z[i]);
  return out;
}

void configure(pcl::CropBox<pcl::PointXYZ>& crop, const geometry::Cuboid& box) {
  const Eigen::Vector3f half = (0.5 * box.size).cast<float>();
  crop.setMin(Eigen::Vector4f(-half.x(), -half.y(), -half.z(), 1.f));
  crop.setMax(Eigen::Vector4f(half.x(), half.y(), half.z(), 1.f));
  crop.setTranslation(box.center.cast<float>());
  crop.setRotation(Eigen::Vector3f(0.f, 0.f, static_cast<float>(box.yaw())));
}

void BM_PointsInBox1_pcl_cropbox(benchmark::State& state) {
  const auto cloud = pcl_cloud();
  pcl::CropBox<pcl::PointXYZ> crop;
  crop.setInputCloud(cloud);
  configure(crop, boxes_on_frame(1)[0]);
  pcl::Indices indices;
  for (auto _ : state) {
    crop.filter(indices);
    benchmark::DoNotOptimize(indices.data());
  }
  state.SetItemsProcessed(state.iterations() * cloud->size());
}
BENCHMARK(BM_PointsInBox1_pcl_cropbox)->Unit(benchmark::kMicrosecond);

void BM_PointsInBox50_pcl_cropbox(benchmark::State& state) {
  const auto cloud = pcl_cloud();
  const auto boxes = boxes_on_frame(50);
  pcl::CropBox<pcl::PointXYZ> crop;
  crop.setInputCloud(cloud);
  pcl::Indices indices;
  for (auto _ : state) {
    for (const auto& box : boxes) {
      configure(crop, box);
      crop.filter(indices);
      benchmark::DoNotOptimize(indices.data());
    }
  }
  state.SetItemsProcessed(state.iterations() * cloud->size());
}
BENCHMARK(BM_PointsInBox50_pcl_cropbox)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace pcanno::bench
