#pragma once
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <optional>
#include <random>
#include <utility>
#include <vector>

#include <Eigen/Core>

#include "pcanno/geometry/polyline.hpp"

// A LiDAR scan of a flat road with painted stripes (higher intensity) and curbs (a height step),
// sampled as a spinning sensor does: rings of points on the ground, dense along each ring and
// sparser between rings farther out. For the line evidence tests and the trace benchmark. Header
// only and without GoogleTest, so that bench/ can use it too.

namespace pcanno::test {

struct SyntheticLine {
  enum class Kind { kStripe, kStep };
  geometry::Polyline path;  ///< the feature's true position [m], z ignored
  Kind kind = Kind::kStripe;
  double width = 0.15;        ///< [m] stripe width
  double height = 0.12;       ///< [m] step: the left side (of the path's direction) is higher
  double raised_width = 4.0;  ///< [m] step: width of the raised side (a sidewalk)
  std::vector<std::pair<double, double>> gaps;  ///< arc-length intervals [m] without the feature
};

struct SyntheticLineScanOptions {
  int rings = 64;
  int azimuths = 1800;  ///< points per ring
  double r_min = 3.0;   ///< [m] ground range of the innermost ring
  double r_max = 60.0;  ///< [m] outermost ring (rings spaced geometrically, as on the ground)
  double ground_z = -1.73;
  double z_noise = 0.01;          ///< [m] standard deviation
  double ground_intensity = 0.1;  ///< mean intensity, on a 0..1 scale
  double marking_intensity = 0.5;
  double intensity_noise = 0.04;  ///< standard deviation, on a 0..1 scale
  double intensity_scale = 1.0;   ///< 1: KITTI-like reflectance; 255: nuScenes-like
  int clutter_boxes = 0;          ///< parked-car-like blocks of points off the lines
  std::uint32_t seed = 7;
};

struct SyntheticLineScan {
  std::vector<Eigen::Vector3d> points;
  std::vector<float> intensity;
};

/// Signed distance [m] in xy from the path (positive on its left), or nothing when the nearest
/// point is an end of the path (outside its extent) or inside a gap.
/// `line.path` must lie at z = 0 (arc_path does).
inline std::optional<double> signed_offset(const SyntheticLine& line, const Eigen::Vector2d& p) {
  const Eigen::Vector3d q(p.x(), p.y(), 0.0);
  const geometry::Polyline& flat = line.path;
  const auto proj = geometry::closest_point(flat, q);
  if (!proj) return std::nullopt;
  const double total = geometry::length(flat);
  if (proj->arc_length <= 1e-6 || proj->arc_length >= total - 1e-6) return std::nullopt;
  for (const auto& gap : line.gaps) {
    if (proj->arc_length >= gap.first && proj->arc_length <= gap.second) return std::nullopt;
  }
  const Eigen::Vector3d dir = flat.segment_end(proj->segment) - flat.segment_start(proj->segment);
  const Eigen::Vector3d r = q - proj->point;
  const double cross = dir.x() * r.y() - dir.y() * r.x();
  return cross >= 0.0 ? proj->distance : -proj->distance;
}

inline SyntheticLineScan make_line_scan(const std::vector<SyntheticLine>& lines,
                                        const SyntheticLineScanOptions& o = {}) {
  SyntheticLineScan scan;
  std::mt19937 rng(o.seed);
  std::normal_distribution<double> z_noise(0.0, o.z_noise);
  std::normal_distribution<double> i_noise(0.0, o.intensity_noise);
  std::uniform_real_distribution<double> jitter(-0.5, 0.5);
  const double kPi = 3.14159265358979323846;
  const double ratio = std::pow(o.r_max / o.r_min, 1.0 / std::max(o.rings - 1, 1));
  double r = o.r_min;
  for (int ring = 0; ring < o.rings; ++ring, r *= ratio) {
    for (int a = 0; a < o.azimuths; ++a) {
      const double angle = 2.0 * kPi * (a + 0.3 * jitter(rng)) / o.azimuths;
      const Eigen::Vector2d xy(r * std::cos(angle), r * std::sin(angle));
      double z = o.ground_z;
      double intensity = o.ground_intensity;
      for (const SyntheticLine& line : lines) {
        const auto offset = signed_offset(line, xy);
        if (!offset) continue;
        if (line.kind == SyntheticLine::Kind::kStripe && std::abs(*offset) <= 0.5 * line.width) {
          intensity = o.marking_intensity;
        } else if (line.kind == SyntheticLine::Kind::kStep && *offset > 0.0 &&
                   *offset < line.raised_width) {
          z += line.height;
        }
      }
      scan.points.emplace_back(xy.x(), xy.y(), z + z_noise(rng));
      scan.intensity.push_back(
          static_cast<float>(std::clamp(intensity + i_noise(rng), 0.0, 1.0) * o.intensity_scale));
    }
  }
  // Blocks standing on the road (car-sized), bright and dark, away from the sensor.
  std::uniform_real_distribution<double> where(-30.0, 30.0);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  for (int b = 0; b < o.clutter_boxes; ++b) {
    const Eigen::Vector2d c(where(rng), where(rng));
    if (c.norm() < 6.0) continue;
    for (int k = 0; k < 600; ++k) {
      const Eigen::Vector3d p(c.x() + 4.0 * (unit(rng) - 0.5), c.y() + 1.8 * (unit(rng) - 0.5),
                              o.ground_z + 0.3 + 1.2 * unit(rng));
      scan.points.push_back(p);
      scan.intensity.push_back(static_cast<float>(unit(rng) * o.intensity_scale));
    }
  }
  return scan;
}

/// Densely sampled arc of radius `radius` [m] (positive: turning left) starting at `start` with
/// heading `heading` [rad], `length` [m] long.
inline geometry::Polyline arc_path(const Eigen::Vector2d& start, double heading, double radius,
                                   double length, double spacing = 0.25) {
  geometry::Polyline line;
  const int n = std::max(2, static_cast<int>(std::ceil(length / spacing)) + 1);
  for (int i = 0; i < n; ++i) {
    const double s = length * i / (n - 1);
    Eigen::Vector2d p;
    if (std::isinf(radius)) {
      p = start + s * Eigen::Vector2d(std::cos(heading), std::sin(heading));
    } else {
      const double a = s / radius;
      const Eigen::Vector2d left(-std::sin(heading), std::cos(heading));
      const Eigen::Vector2d center = start + radius * left;
      const double a0 = heading - 0.5 * 3.14159265358979323846;
      p = center + radius * Eigen::Vector2d(std::cos(a0 + a), std::sin(a0 + a));
    }
    line.vertices.emplace_back(p.x(), p.y(), 0.0);
  }
  return line;
}

}  // namespace pcanno::test
