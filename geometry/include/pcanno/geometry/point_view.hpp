#pragma once
#include <cstddef>

namespace pcanno::geometry {

/// Read-only, non-owning view of float32 point coordinates, so that algorithms run on our
/// structure-of-arrays clouds and on interleaved PCL, Open3D-float or VTK buffers alike without
/// copying. Point i is (x[i * stride], y[i * stride], z[i * stride]).
struct PointView {
  const float* x = nullptr;
  const float* y = nullptr;
  const float* z = nullptr;
  std::size_t size = 0;    ///< number of points
  std::size_t stride = 1;  ///< floats between consecutive points of one coordinate (1 for SoA)

  /// Separate x, y, z arrays of `n` floats each.
  static PointView soa(const float* x, const float* y, const float* z, std::size_t n) {
    return PointView{x, y, z, n, 1};
  }
  /// Interleaved records of `stride_floats` floats starting with x, y, z (KITTI .bin: 4, nuScenes:
  /// 5).
  static PointView interleaved(const float* data, std::size_t n, std::size_t stride_floats) {
    return PointView{data, data + 1, data + 2, n, stride_floats};
  }
};

}  // namespace pcanno::geometry
