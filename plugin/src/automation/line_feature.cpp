#include "pcanno/plugin/automation/line_feature.hpp"

#include <limits>
#include <utility>
#include <vector>

namespace pcanno::plugin {

geometry::LineScan line_scan_of(const formats::PointCloud& cloud,
                                const geometry::LineScanOptions& options) {
  std::vector<Eigen::Vector3d> points;
  points.reserve(cloud.size());
  for (std::size_t i = 0; i < cloud.size(); ++i) points.push_back(cloud.point(i));
  std::vector<float> intensity;
  if (const std::vector<float>* column = cloud.attribute(formats::attribute_names::kIntensity))
    intensity = *column;
  geometry::LineScanOptions o = options;
  // A georeferenced cloud (a non-zero origin) is not in a sensor-centred frame: no range limit.
  if (!cloud.origin.isZero()) o.max_range = std::numeric_limits<double>::infinity();
  return geometry::LineScan(std::move(points), std::move(intensity), o);
}

}  // namespace pcanno::plugin
