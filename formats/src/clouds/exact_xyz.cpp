#include "clouds/exact_xyz.hpp"

#include <algorithm>

namespace pcanno::formats::detail {

void apply_local_origin(PointCloud& cloud, const ExactXyz& exact) {
  std::vector<float>* const columns[3] = {&cloud.x, &cloud.y, &cloud.z};
  const std::size_t n = cloud.size();
  // Float32 files keep their floats bit for bit: an origin would add no precision to them.
  if (exact.axis[0].size() != n && exact.axis[1].size() != n && exact.axis[2].size() != n) return;
  const auto coordinate = [&](int k, std::size_t i) {
    return exact.axis[k].size() == n ? exact.axis[k][i] : double((*columns[k])[i]);
  };
  Bounds3d bounds;
  for (std::size_t i = 0; i < n; ++i) {
    bounds.add(Eigen::Vector3d(coordinate(0, i), coordinate(1, i), coordinate(2, i)));
  }
  const Eigen::Vector3d origin = cloud.origin + local_origin_for(bounds);
  for (int k = 0; k < 3; ++k) {
    const double shift = origin[k] - cloud.origin[k];
    if (shift == 0.0) continue;
    std::vector<float>& column = *columns[k];
    for (std::size_t i = 0; i < n; ++i) column[i] = narrow_to_float(coordinate(k, i) - shift);
  }
  cloud.origin = origin;
}

}  // namespace pcanno::formats::detail
