#pragma once
#include <cstddef>
#include <vector>

#include "clouds/pcd_ply_scalar.hpp"
#include "pcanno/formats/clouds/point_cloud.hpp"

namespace pcanno::formats::detail {

/// The float64 x, y, z of a PCD or PLY file, decoded in double beside the float columns, so that
/// a georeferenced cloud (UTM coordinates written as double) keeps its exact coordinates through
/// PointCloud::origin (apply_local_origin()). Only axes stored as float64 are kept.
struct ExactXyz {
  std::vector<double> axis[3];  ///< empty: that axis is not float64 in the file

  /// Sizes the axes whose type is float64 to `n` and returns where they go (nullptr for others).
  double* prepare(int k, ScalarType type, std::size_t n) {
    if (type != ScalarType::kFloat64) return nullptr;
    axis[k].resize(n);
    return axis[k].data();
  }
};

/// Gives `cloud` the origin local_origin_for() picks over its coordinates (the exact doubles where
/// the file had them) and rewrites every float relative to it, subtracting in double. A cloud near
/// its frame's origin, and a file without float64 coordinates, are left as decoded.
void apply_local_origin(PointCloud& cloud, const ExactXyz& exact);

}  // namespace pcanno::formats::detail
