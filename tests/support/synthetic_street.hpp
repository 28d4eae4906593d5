#pragma once
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <random>
#include <vector>

#include <Eigen/Geometry>

#include "files.hpp"
// A street scanned from a car driving down it, written as KITTI .bin scans in a plain folder (no
// poses), so that the real reader and the folder layout are used: a road between rows of
// buildings of different lengths, gaps and set-backs, with cars parked along both kerbs. Scan-to-
// scan ICP has structure in every direction. For the ego-motion tests and for long jobs (progress
// and cancellation on hundreds of frames).

namespace pcanno::test {

struct StreetScans {
  int frames = 12;
  double step = 1.0;     ///< [m] driven per frame, along the car's heading
  double turn = 0.01;    ///< [rad] turned per frame
  double spacing = 0.2;  ///< [m] between points on the surfaces
  double range = 40.0;   ///< [m] horizontal range of the sensor
  double noise = 0.01;   ///< [m] standard deviation of each coordinate
  unsigned seed = 3;
};

/// T_world_lidar of `frame`: `step` forward and `turn` to the left per frame from the origin.
inline Eigen::Isometry3d street_pose(const StreetScans& s, int frame) {
  Eigen::Isometry3d T = Eigen::Isometry3d::Identity();
  Eigen::Isometry3d step = Eigen::Isometry3d::Identity();
  step.linear() = Eigen::AngleAxisd(s.turn, Eigen::Vector3d::UnitZ()).toRotationMatrix();
  step.translation() = Eigen::Vector3d(s.step, 0.0, 0.0);
  for (int i = 0; i < frame; ++i) T = T * step;
  return T;
}

/// Points on the faces of an axis-aligned block [m], `spacing` apart (no bottom).
inline void add_street_block(std::vector<Eigen::Vector3d>& pts, const Eigen::Vector3d& lo,
                             const Eigen::Vector3d& hi, double spacing) {
  for (double x = lo.x(); x <= hi.x(); x += spacing) {
    for (double z = lo.z(); z <= hi.z(); z += spacing) {
      pts.emplace_back(x, lo.y(), z);
      pts.emplace_back(x, hi.y(), z);
    }
    for (double y = lo.y(); y <= hi.y(); y += spacing) pts.emplace_back(x, y, hi.z());
  }
  for (double y = lo.y(); y <= hi.y(); y += spacing) {
    for (double z = lo.z(); z <= hi.z(); z += spacing) {
      pts.emplace_back(lo.x(), y, z);
      pts.emplace_back(hi.x(), y, z);
    }
  }
}

/// The parked car `i` on the right kerb (y < 0), i >= 0: centre and size [m, world]. Its points
/// float 0.3 m above the road (the wheels are not modelled).
inline Eigen::Vector3d street_car_centre(int i) { return {-28.0 + 11.0 * i + 2.15, -6.5, -0.8}; }
inline Eigen::Vector3d street_car_size() { return {4.3, 1.8, 1.2}; }

/// The static world [m] from x = -30 to `x_to`: a road at z = -1.7 between the buildings, cars
/// parked along both kerbs.
inline std::vector<Eigen::Vector3d> street_world(double x_to, double spacing) {
  std::vector<Eigen::Vector3d> pts;
  for (double x = -30; x <= x_to; x += spacing) {
    for (double y = -16; y <= 16; y += spacing) pts.emplace_back(x, y, -1.7);
  }
  const double lengths[] = {9.0, 14.0, 7.0, 11.0, 16.0, 8.0, 12.0};
  const double setbacks[] = {0.0, 1.5, 0.6, 2.2, 0.3, 1.1, 0.0};
  for (const double side : {-1.0, 1.0}) {
    double x = side < 0 ? -30.0 : -25.0;
    for (int i = 0; x < x_to; ++i) {
      const double length = lengths[i % 7];
      const double near = 9.0 + setbacks[(i + (side > 0 ? 3 : 0)) % 7];
      add_street_block(pts, {x, side < 0 ? -near - 6.0 : near, -1.7},
                       {x + length, side < 0 ? -near : near + 6.0, 6.0}, spacing);
      x += length + 3.0;  // a gap between buildings
    }
    for (double c = -28.0 + (side > 0 ? 4.0 : 0.0); c < x_to; c += 11.0) {
      const double y = side * 6.5;
      add_street_block(pts, {c, y - 0.9, -1.4}, {c + 4.3, y + 0.9, -0.2}, spacing);
    }
  }
  return pts;
}

/// Writes `s.frames` scans to `dir` as 000000.bin, 000001.bin, ...: the world within `range` of
/// the sensor, in its LiDAR frame, with noise.
inline void write_street_scans(const std::filesystem::path& dir, const StreetScans& s) {
  std::filesystem::create_directories(dir);
  double x_to = 60.0;
  for (int f = 0; f < s.frames; ++f) {
    x_to = std::max(x_to, street_pose(s, f).translation().x() + s.range + 5.0);
  }
  std::vector<Eigen::Vector3d> world = street_world(x_to, s.spacing);
  // Sorted along the street, each scan reads only the stretch within range of the sensor.
  std::sort(world.begin(), world.end(),
            [](const Eigen::Vector3d& a, const Eigen::Vector3d& b) { return a.x() < b.x(); });
  std::mt19937 rng(s.seed);
  std::normal_distribution<double> noise(0.0, s.noise);
  std::vector<float> record;
  for (int f = 0; f < s.frames; ++f) {
    const Eigen::Isometry3d T_world_lidar = street_pose(s, f);
    const Eigen::Isometry3d T_lidar_world = T_world_lidar.inverse();
    const double x0 = T_world_lidar.translation().x();
    const auto first =
        std::lower_bound(world.begin(), world.end(), x0 - s.range,
                         [](const Eigen::Vector3d& p, double x) { return p.x() < x; });
    record.clear();
    for (auto it = first; it != world.end() && it->x() <= x0 + s.range; ++it) {
      const Eigen::Vector3d p =
          T_lidar_world * *it + Eigen::Vector3d(noise(rng), noise(rng), noise(rng));
      if (p.head<2>().norm() > s.range) continue;
      record.insert(record.end(), {static_cast<float>(p.x()), static_cast<float>(p.y()),
                                   static_cast<float>(p.z()), 0.3f});
    }
    write_kitti_frame(dir, f, record);
  }
}

}  // namespace pcanno::test
