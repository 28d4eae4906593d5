#pragma once
#include <cstddef>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include <Eigen/Core>

#include "pcanno/geometry/point_view.hpp"
#include "pcanno/geometry/pose.hpp"

namespace pcanno::formats {

/// Attribute names shared by all readers, so that "intensity" from a KITTI .bin, a PCD and a LAS
/// file is the same column to the rest of the engine.
namespace attribute_names {
inline constexpr std::string_view kIntensity = "intensity";  ///< KITTI 0..1, nuScenes 0..255
inline constexpr std::string_view kRing = "ring";            ///< laser index (nuScenes 0..31)
inline constexpr std::string_view kTime = "time";            ///< [s] relative to the sweep
inline constexpr std::string_view kRgb = "rgb";              ///< packed colour, as PCD stores it
inline constexpr std::string_view kReturnNumber = "return_number";     ///< LAS, 1-based
inline constexpr std::string_view kClassification = "classification";  ///< LAS class code
}  // namespace attribute_names

/// One named per-point float column.
struct PointAttribute {
  std::string name;
  std::vector<float> values;  ///< one value per point
};

/// Axis-aligned bounds [m] in double, frame of the file (PointCloud::point()). Empty (min > max)
/// when no point is finite.
struct Bounds3d {
  Eigen::Vector3d min = Eigen::Vector3d::Constant(std::numeric_limits<double>::infinity());
  Eigen::Vector3d max = Eigen::Vector3d::Constant(-std::numeric_limits<double>::infinity());

  bool empty() const { return !(min.x() <= max.x()); }
  /// Grows the bounds to hold `p` (skipped unless finite).
  void add(const Eigen::Vector3d& p) {
    if (!p.allFinite()) return;
    min = min.cwiseMin(p);
    max = max.cwiseMax(p);
  }
};

/// [m] Coordinates up to this size keep sub-millimetre steps as float (2^12 m: steps of 0.24 mm);
/// further out a cloud gets a local origin (local_origin_for()).
inline constexpr double kFloatExactRange = 4096.0;

/// The origin readers give a cloud whose file coordinates span `bounds`: per axis zero when the
/// axis stays within +-kFloatExactRange (sensor-frame clouds, so nothing changes for them), else
/// the middle of the axis rounded to a whole metre. A 2 km UTM tile (easting 5e5, northing 5.8e6)
/// then keeps 0.06 mm float steps instead of the 0.5 m steps of absolute floats. Axes reaching
/// beyond kGeoreferencedRange are damage rather than geography (a corrupt scale factor): they stay
/// absolute, so that ReadOptions::drop_non_finite removes what overflows a float.
Eigen::Vector3d local_origin_for(const Bounds3d& bounds);
/// [m] The largest coordinate local_origin_for() takes for geography (ECEF reaches 6.4e6 m).
inline constexpr double kGeoreferencedRange = 1e8;

/// Owning point cloud, structure of arrays: the layout the geometry algorithms and the GPU upload
/// want. Invariant kept by the readers: x, y, z and every attribute hold size() values.
///
/// Georeferenced files (LAS at UTM coordinates) hold coordinates that a float cannot carry to a
/// millimetre, so the float columns are relative to a double `origin`. The file's frame is the
/// engine's LiDAR frame (Sequence's T_world_lidar maps it to the world); the float columns are in
/// the "cloud" frame, T_lidar_cloud being the translation by `origin`. Whatever mixes points with
/// boxes or poses adds `origin` in double first (point()), or moves the other operand into the
/// cloud frame (geometry on view()).
struct PointCloud {
  std::vector<float> x, y, z;  ///< [m] relative to `origin` (cloud frame), axes of the file
  /// [m] Translation of T_lidar_cloud: where the floats' zero lies in the file's frame. Zero for
  /// sensor-frame clouds; readers set it with local_origin_for().
  Eigen::Vector3d origin = Eigen::Vector3d::Zero();
  std::vector<PointAttribute> attributes;  ///< in file order; names unique

  std::size_t size() const { return x.size(); }
  bool empty() const { return x.empty(); }

  /// The cloud frame (the floats) -> the file's (LiDAR) frame: a translation by `origin`.
  /// Geometry on view() takes boxes and seeds through its inverse: transform(T_lidar_cloud()
  /// .inverse(), box_in_lidar).
  geometry::Pose T_lidar_cloud() const {
    geometry::Pose T = geometry::Pose::Identity();
    T.translation() = origin;
    return T;
  }

  /// Point `i` [m] in the file's (LiDAR) frame: origin + the floats, summed in double.
  Eigen::Vector3d point(std::size_t i) const { return origin + Eigen::Vector3d(x[i], y[i], z[i]); }

  /// The column named `name`, or nullptr.
  const std::vector<float>* attribute(std::string_view name) const;
  std::vector<float>* attribute(std::string_view name);

  /// The column named `name`, created with size() zeros if absent (an existing one is returned as
  /// is). The reference stays valid until the next add_attribute().
  std::vector<float>& add_attribute(std::string name);

  /// Resizes coordinates and every attribute together; new entries are 0.
  void resize(std::size_t n);

  /// Non-owning view of x, y, z (stride 1), in the cloud frame (relative to `origin`); valid
  /// while the cloud is neither resized nor destroyed.
  geometry::PointView view() const {
    return geometry::PointView::soa(x.data(), y.data(), z.data(), size());
  }

  /// Bounds in the file's frame (origin added, in double) over the points whose three coordinates
  /// are finite (NaN padding and inf are skipped).
  Bounds3d bounds() const;
};

/// Removes every point with a NaN or infinite coordinate (attributes follow); returns how many
/// went.
std::size_t remove_non_finite(PointCloud& cloud);

}  // namespace pcanno::formats
