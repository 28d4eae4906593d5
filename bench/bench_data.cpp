#include "bench_data.hpp"

#include <filesystem>
#include <iostream>
#include <random>

#include "pcanno/formats/clouds/raw_bin.hpp"

namespace pcanno::bench {

const formats::PointCloud& kitti_frame() {
  static const formats::PointCloud cloud = [] {
    const std::filesystem::path path = std::filesystem::path(PCANNO_SHARED_DATA_DIR) /
                                       "kitti_tracking/training/velodyne/0000/000000.bin";
    auto loaded = formats::read_kitti_bin(path);
    if (loaded) return std::move(*loaded);
    std::cerr << "bench: " << loaded.error().describe()
              << "; using a synthetic 123398-point scan\n";
    formats::PointCloud synthetic;
    std::mt19937_64 rng(1);
    std::uniform_real_distribution<float> xy(-80.f, 80.f), z(-2.5f, 2.f);
    for (int i = 0; i < 123398; ++i) {
      synthetic.x.push_back(xy(rng));
      synthetic.y.push_back(xy(rng));
      synthetic.z.push_back(z(rng));
    }
    return synthetic;
  }();
  return cloud;
}

std::vector<geometry::Cuboid> boxes_on_frame(int n) {
  const formats::PointCloud& cloud = kitti_frame();
  std::mt19937_64 rng(2);
  std::uniform_int_distribution<std::size_t> pick(0, cloud.size() - 1);
  std::uniform_real_distribution<double> yaw(-3.14, 3.14);
  std::vector<geometry::Cuboid> boxes;
  while (static_cast<int>(boxes.size()) < n) {
    const std::size_t i = pick(rng);
    const double r2 = double(cloud.x[i]) * cloud.x[i] + double(cloud.y[i]) * cloud.y[i];
    if (r2 > 40.0 * 40.0) continue;  // labelled objects sit mostly within 40 m
    boxes.push_back(geometry::Cuboid::from_yaw(Eigen::Vector3d(cloud.x[i], cloud.y[i], cloud.z[i]),
                                               Eigen::Vector3d(4.4, 1.8, 1.6), yaw(rng)));
  }
  return boxes;
}

std::vector<std::pair<geometry::Cuboid, geometry::Cuboid>> iou_pairs(bool upright, int n) {
  std::mt19937_64 rng(upright ? 3 : 4);
  std::uniform_real_distribution<double> u(-1.0, 1.0), size(1.0, 5.0);
  std::normal_distribution<double> g(0.0, 1.0);
  auto rotation = [&] {
    if (upright)
      return Eigen::Quaterniond(Eigen::AngleAxisd(3.14 * u(rng), Eigen::Vector3d::UnitZ()));
    return Eigen::Quaterniond(g(rng), g(rng), g(rng), g(rng)).normalized();
  };
  std::vector<std::pair<geometry::Cuboid, geometry::Cuboid>> pairs;
  for (int i = 0; i < n; ++i) {
    const Eigen::Vector3d c(20 * u(rng), 20 * u(rng), u(rng));
    geometry::Cuboid a{c, Eigen::Vector3d(size(rng), size(rng), size(rng)), rotation()};
    geometry::Cuboid b{c + Eigen::Vector3d(u(rng), u(rng), 0.3 * u(rng)),
                       Eigen::Vector3d(size(rng), size(rng), size(rng)), rotation()};
    pairs.emplace_back(a, b);
  }
  return pairs;
}

}  // namespace pcanno::bench
