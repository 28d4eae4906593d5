#include "pcanno/formats/clouds/point_cloud.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

namespace pcanno::formats {

const std::vector<float>* PointCloud::attribute(std::string_view name) const {
  for (const PointAttribute& a : attributes) {
    if (a.name == name) return &a.values;
  }
  return nullptr;
}

std::vector<float>* PointCloud::attribute(std::string_view name) {
  for (PointAttribute& a : attributes) {
    if (a.name == name) return &a.values;
  }
  return nullptr;
}

std::vector<float>& PointCloud::add_attribute(std::string name) {
  if (std::vector<float>* existing = attribute(name)) return *existing;
  attributes.push_back(PointAttribute{std::move(name), std::vector<float>(size(), 0.0f)});
  return attributes.back().values;
}

void PointCloud::resize(std::size_t n) {
  x.resize(n);
  y.resize(n);
  z.resize(n);
  for (PointAttribute& a : attributes) a.values.resize(n);
}

Bounds3d PointCloud::bounds() const {
  Bounds3d b;
  // Guards against a hand-built cloud whose columns disagree in length.
  const std::size_t n = std::min({x.size(), y.size(), z.size()});
  Eigen::Vector3f lo = Eigen::Vector3f::Constant(std::numeric_limits<float>::infinity());
  Eigen::Vector3f hi = -lo;
  for (std::size_t i = 0; i < n; ++i) {
    const Eigen::Vector3f p(x[i], y[i], z[i]);
    if (!p.allFinite()) continue;
    lo = lo.cwiseMin(p);
    hi = hi.cwiseMax(p);
  }
  if (!(lo.x() <= hi.x())) return b;
  b.min = origin + lo.cast<double>();
  b.max = origin + hi.cast<double>();
  return b;
}

Eigen::Vector3d local_origin_for(const Bounds3d& bounds) {
  Eigen::Vector3d origin = Eigen::Vector3d::Zero();
  if (bounds.empty()) return origin;
  for (int k = 0; k < 3; ++k) {
    const double reach = std::max(std::abs(bounds.min[k]), std::abs(bounds.max[k]));
    if (reach > kFloatExactRange && reach <= kGeoreferencedRange)
      origin[k] = std::round(0.5 * (bounds.min[k] + bounds.max[k]));
  }
  return origin;
}

}  // namespace pcanno::formats

namespace pcanno::formats {

std::size_t remove_non_finite(PointCloud& cloud) {
  const std::size_t n = cloud.size();
  std::size_t kept = 0;
  for (std::size_t i = 0; i < n; ++i) {
    if (!(std::isfinite(cloud.x[i]) && std::isfinite(cloud.y[i]) && std::isfinite(cloud.z[i])))
      continue;
    if (kept != i) {
      cloud.x[kept] = cloud.x[i];
      cloud.y[kept] = cloud.y[i];
      cloud.z[kept] = cloud.z[i];
      for (auto& a : cloud.attributes) a.values[kept] = a.values[i];
    }
    ++kept;
  }
  cloud.resize(kept);
  return n - kept;
}

}  // namespace pcanno::formats
