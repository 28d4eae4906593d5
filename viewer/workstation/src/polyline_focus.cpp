#include "pcanno/viewer/workstation/polyline_focus.hpp"

#include <algorithm>
#include <cmath>

namespace pcanno::viewer::workstation {

geometry::Cuboid polyline_focus_box(const geometry::Polyline& line,
                                    std::optional<std::size_t> vertex) {
  const std::size_t n = line.vertices.size();
  Eigen::Vector3d center = n > 0 ? line.vertices.front() : Eigen::Vector3d::Zero();
  Eigen::Vector3d along = Eigen::Vector3d::UnitX();
  if (vertex && *vertex < n) {
    const std::size_t i = *vertex;
    center = line.vertices[i];
    // Through the neighbours: the direction the line passes the vertex in.
    const std::size_t before = i > 0 ? i - 1 : (line.closed && n > 2 ? n - 1 : i);
    const std::size_t after = i + 1 < n ? i + 1 : (line.closed && n > 2 ? 0 : i);
    along = line.vertices[after] - line.vertices[before];
  } else if (line.segment_count() > 0) {
    double total = 0.0;
    for (std::size_t i = 0; i < line.segment_count(); ++i) {
      total += (line.segment_end(i) - line.segment_start(i)).norm();
    }
    double left = 0.5 * total;
    for (std::size_t i = 0; i < line.segment_count(); ++i) {
      const Eigen::Vector3d a = line.segment_start(i);
      const Eigen::Vector3d b = line.segment_end(i);
      const double length = (b - a).norm();
      if (left <= length || i + 1 == line.segment_count()) {
        center = length > 0.0 ? Eigen::Vector3d(a + (std::min(left, length) / length) * (b - a)) : a;
        along = b - a;
        break;
      }
      left -= length;
    }
  }
  // A vertical or degenerate direction has no heading: keep the world x axis.
  const double yaw = std::hypot(along.x(), along.y()) > 1e-9 ? std::atan2(along.y(), along.x()) : 0.0;
  return geometry::Cuboid::from_yaw(center, Eigen::Vector3d(kFocusLength, kFocusWidth, kFocusHeight),
                                    yaw);
}

}  // namespace pcanno::viewer::workstation
