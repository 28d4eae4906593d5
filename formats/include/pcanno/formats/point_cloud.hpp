#pragma once
#include <cstddef>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include <Eigen/Core>

#include "pcanno/geometry/point_view.hpp"

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

/// Axis-aligned bounds of a cloud [m], frame of the cloud. Empty (min > max) when no point is
/// finite.
struct Bounds3f {
  Eigen::Vector3f min = Eigen::Vector3f::Constant(std::numeric_limits<float>::infinity());
  Eigen::Vector3f max = Eigen::Vector3f::Constant(-std::numeric_limits<float>::infinity());

  bool empty() const { return !(min.x() <= max.x()); }
};

/// Owning point cloud, structure of arrays: the layout the geometry algorithms and the GPU upload
/// want. Invariant kept by the readers: x, y, z and every attribute hold size() values.
struct PointCloud {
  std::vector<float> x, y, z;              ///< [m], sensor frame of the file
  std::vector<PointAttribute> attributes;  ///< in file order; names unique

  std::size_t size() const { return x.size(); }
  bool empty() const { return x.empty(); }

  /// The column named `name`, or nullptr.
  const std::vector<float>* attribute(std::string_view name) const;
  std::vector<float>* attribute(std::string_view name);

  /// The column named `name`, created with size() zeros if absent (an existing one is returned as
  /// is). The reference stays valid until the next add_attribute().
  std::vector<float>& add_attribute(std::string name);

  /// Resizes coordinates and every attribute together; new entries are 0.
  void resize(std::size_t n);

  /// Non-owning view of x, y, z (stride 1); valid while the cloud is neither resized nor destroyed.
  geometry::PointView view() const {
    return geometry::PointView::soa(x.data(), y.data(), z.data(), size());
  }

  /// Bounds over the points whose three coordinates are finite (NaN padding and inf are skipped).
  Bounds3f bounds() const;
};

/// Removes every point with a NaN or infinite coordinate (attributes follow); returns how many
/// went.
std::size_t remove_non_finite(PointCloud& cloud);

}  // namespace pcanno::formats
