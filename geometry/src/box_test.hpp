#pragma once
#include <cmath>

#include "pcanno/geometry/cuboid.hpp"

namespace pcanno::geometry::detail {

/// The one point-in-box predicate behind Cuboid::contains and every batched query, so that all of
/// them classify boundary points identically. Works in double precision.
class BoxTest {
 public:
  BoxTest(const Cuboid& box, double margin) {
    const Eigen::Matrix3d R = box.rotation.normalized().toRotationMatrix();
    for (int r = 0; r < 3; ++r) {
      c_[r] = box.center[r];
      for (int k = 0; k < 3; ++k)
        axis_[k][r] = R(r, k);  // axis_[k] = box axis k in the parent frame
      half_[r] = 0.5 * box.size[r] + margin;
    }
  }

  bool inside(double px, double py, double pz) const {
    const double dx = px - c_[0], dy = py - c_[1], dz = pz - c_[2];
    const double lx = axis_[0][0] * dx + axis_[0][1] * dy + axis_[0][2] * dz;
    const double ly = axis_[1][0] * dx + axis_[1][1] * dy + axis_[1][2] * dz;
    const double lz = axis_[2][0] * dx + axis_[2][1] * dy + axis_[2][2] * dz;
    return std::abs(lx) <= half_[0] && std::abs(ly) <= half_[1] && std::abs(lz) <= half_[2];
  }

 private:
  double c_[3];
  double axis_[3][3];
  double half_[3];
};

}  // namespace pcanno::geometry::detail
