// Exits 0 only if the installed headers and libraries compute what they should.
#include <cmath>
#include <cstdio>

#include <pcanno/formats/error.hpp>
#include <pcanno/geometry/cuboid.hpp>
#include <pcanno/geometry/iou.hpp>

int main() {
  using pcanno::geometry::Cuboid;
  const Cuboid a = Cuboid::from_yaw(Eigen::Vector3d(0, 0, 0), Eigen::Vector3d(1, 1, 1), 0.0);
  const Cuboid b = Cuboid::from_yaw(Eigen::Vector3d(0.5, 0, 0), Eigen::Vector3d(1, 1, 1), 0.0);
  const double iou = pcanno::geometry::iou_3d(a, b);
  std::printf("iou_3d = %.12f\n", iou);
  return std::abs(iou - 1.0 / 3.0) < 1e-12 ? 0 : 1;
}
