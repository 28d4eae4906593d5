#include "pcanno/geometry/line_evidence.hpp"

#include <algorithm>
#include <cmath>

namespace pcanno::geometry {

LineScan::LineScan(std::vector<Eigen::Vector3d> points, std::vector<float> intensity,
                   const LineScanOptions& options)
    : options_(options), points_(std::move(points)) {
  (void)intensity;
}

long LineScan::clamp_column(double x) const {
  const long c = static_cast<long>(std::floor((x - origin_.x()) / options_.cell));
  return std::clamp(c, 0L, columns_ - 1);
}

long LineScan::clamp_row(double y) const {
  const long r = static_cast<long>(std::floor((y - origin_.y()) / options_.cell));
  return std::clamp(r, 0L, rows_ - 1);
}

std::optional<double> LineScan::ground_z(double, double) const { return std::nullopt; }

std::optional<CrossSectionHit> find_across(const LineScan&, const Eigen::Vector2d&,
                                           const Eigen::Vector2d&, LineFeature, double,
                                           const CrossSectionOptions&, int) {
  return std::nullopt;
}

}  // namespace pcanno::geometry
