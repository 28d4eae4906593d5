#pragma once
#include <cstdint>
#include <optional>
#include <vector>

#include <Eigen/Core>

#include "pcanno/geometry/point_view.hpp"

// Ground estimation for one LiDAR scan: a robust global plane, refined patch by patch so that
// slopes and road camber are followed (the idea of Patchwork, without its concentric zones).

namespace pcanno::geometry {

/// A plane n . p + d = 0 with n the unit normal pointing up (+z side).
struct Plane {
  Eigen::Vector3d normal = Eigen::Vector3d::UnitZ();
  double d = 0.0;  ///< [m]

  double signed_distance(const Eigen::Vector3d& p) const { return normal.dot(p) + d; }
  /// z of the plane at (x, y); the plane is never vertical (max_slope).
  double height_at(double x, double y) const {
    return -(normal.x() * x + normal.y() * y + d) / normal.z();
  }
};

struct GroundOptions {
  double inlier_distance = 0.15;  ///< [m] point-to-plane distance of ground points
  double max_slope_deg = 20.0;    ///< planes steeper than this are not ground
  int ransac_iterations = 200;
  double patch_size = 10.0;           ///< [m] side of the square patches of the local refinement
  std::size_t min_patch_points = 30;  ///< patches with fewer ground candidates use the global plane
  /// Points within this height [m] above a patch's lowest points seed its ground plane.
  double patch_band = 0.3;
  std::uint32_t seed = 1;  ///< RANSAC's random generator: the same scan gives the same ground
};

/// The ground of one scan in the scan's frame: a global plane plus per-patch planes.
class GroundModel {
 public:
  /// nullopt when no near-horizontal plane has enough support (fewer than 3 points, or a scan
  /// without ground).
  static std::optional<GroundModel> fit(const PointView& points, const GroundOptions& options = {});

  /// A flat ground at height `z` (no scan, or a user's choice).
  static GroundModel flat(double z);

  const Plane& global() const { return global_; }
  /// The plane that applies at (x, y): its patch's, else the global one.
  const Plane& plane_at(double x, double y) const;
  /// Height of `p` above the local ground [m]; negative below it.
  double height_above(const Eigen::Vector3d& p) const;
  /// Ground z at (x, y).
  double height_at(double x, double y) const { return plane_at(x, y).height_at(x, y); }
  /// Per point: true when it is ground (within inlier_distance of the local plane, or below it).
  std::vector<bool> ground_mask(const PointView& points) const;

 private:
  Plane global_;
  double patch_size_ = 10.0;
  double inlier_distance_ = 0.15;
  Eigen::Vector2d origin_ = Eigen::Vector2d::Zero();  ///< corner of patch (0, 0) [m]
  int columns_ = 0;
  int rows_ = 0;
  std::vector<std::optional<Plane>> patches_;  ///< row-major
};

/// Least-squares plane through `points` (at least 3, not collinear), normal pointing up.
std::optional<Plane> fit_plane_least_squares(const std::vector<Eigen::Vector3d>& points);

}  // namespace pcanno::geometry
