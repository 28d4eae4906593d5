#pragma once
#include <cmath>
#include <filesystem>
#include <vector>

#include <Eigen/Geometry>

#include "files.hpp"
#include "pcanno/formats/datasets/sequence.hpp"
#include "pcanno/geometry/polyline.hpp"
#include "synthetic_lines.hpp"

// A curb along a straight road, scanned from a car driving along it, written as KITTI .bin scans
// (x y z intensity) in a plain folder: the real reader and layout are used. The curb runs along
// world +x at y = `curb_y`, the sidewalk on its left (+y) 0.12 m higher. For the polyline
// propagation tests and benchmark.

namespace pcanno::test {

struct CurbScans {
  int frames = 8;
  double step = 1.5;    ///< [m] driven per frame along the car's heading
  double turn = 0.0;    ///< [rad] turned per frame
  double curb_y = 4.0;  ///< [m, world]
  int rings = 48;
  int azimuths = 1200;
  std::uint32_t seed = 11;
};

/// T_world_lidar of `frame`: `step` forward and `turn` to the left per frame from the origin.
inline Eigen::Isometry3d curb_pose(const CurbScans& s, int frame) {
  Eigen::Isometry3d T = Eigen::Isometry3d::Identity();
  Eigen::Isometry3d step = Eigen::Isometry3d::Identity();
  step.linear() = Eigen::AngleAxisd(s.turn, Eigen::Vector3d::UnitZ()).toRotationMatrix();
  step.translation() = Eigen::Vector3d(s.step, 0.0, 0.0);
  for (int i = 0; i < frame; ++i) T = T * step;
  return T;
}

/// The curb's true position [m, world] from x = `x0` to `x1`, a vertex every `spacing`, at road
/// height (the lower level: z = -1.73, the sensor 1.73 m above the road).
inline geometry::Polyline curb_in_world(const CurbScans& s, double x0 = -60.0, double x1 = 120.0,
                                        double spacing = 1.0) {
  geometry::Polyline line;
  for (double x = x0; x <= x1 + 1e-9; x += spacing) line.vertices.emplace_back(x, s.curb_y, -1.73);
  return line;
}

/// The curb at frame `f` in that frame's LiDAR frame, z = 0 (as make_line_scan() wants it).
inline geometry::Polyline curb_in_lidar(const CurbScans& s, int f) {
  geometry::Polyline line = geometry::transform(curb_pose(s, f).inverse(), curb_in_world(s));
  for (Eigen::Vector3d& v : line.vertices) v.z() = 0.0;
  return line;
}

/// Writes `s.frames` scans to `dir` as 000000.bin, 000001.bin, ...
inline void write_curb_scans(const std::filesystem::path& dir, const CurbScans& s) {
  std::filesystem::create_directories(dir);
  for (int f = 0; f < s.frames; ++f) {
    SyntheticLine curb;
    curb.kind = SyntheticLine::Kind::kStep;
    curb.path = curb_in_lidar(s, f);
    curb.height = 0.12;
    curb.raised_width = 8.0;
    SyntheticLineScanOptions options;
    options.rings = s.rings;
    options.azimuths = s.azimuths;
    options.seed = s.seed + static_cast<std::uint32_t>(f);
    const SyntheticLineScan scan = make_line_scan({curb}, options);
    std::vector<float> record;
    record.reserve(scan.points.size() * 4);
    for (std::size_t i = 0; i < scan.points.size(); ++i) {
      const Eigen::Vector3d& p = scan.points[i];
      record.insert(record.end(), {static_cast<float>(p.x()), static_cast<float>(p.y()),
                                   static_cast<float>(p.z()), scan.intensity[i]});
    }
    write_kitti_frame(dir, f, record);
  }
}

}  // namespace pcanno::test
