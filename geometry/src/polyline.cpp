#include "pcanno/geometry/polyline.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace pcanno::geometry {

std::size_t Polyline::segment_count() const {
  if (vertices.size() < 2) return 0;
  return closed ? vertices.size() : vertices.size() - 1;
}

double length(const Polyline& line) {
  double total = 0.0;
  for (std::size_t i = 0; i < line.segment_count(); ++i) {
    total += (line.segment_end(i) - line.segment_start(i)).norm();
  }
  return total;
}

Polyline resample(const Polyline& line, double spacing) {
  const std::size_t segments = line.segment_count();
  if (!(spacing > 0.0) || segments == 0) return line;

  Polyline out;
  out.closed = line.closed;
  out.vertices.push_back(line.vertices.front());
  // Distance still to travel before the next sample, carried across segment boundaries.
  double to_next = spacing;
  for (std::size_t i = 0; i < segments; ++i) {
    const Eigen::Vector3d a = line.segment_start(i);
    const Eigen::Vector3d b = line.segment_end(i);
    const double seg_len = (b - a).norm();
    double along = 0.0;
    while (seg_len - along >= to_next) {
      along += to_next;
      out.vertices.push_back(a + (b - a) * (along / seg_len));
      to_next = spacing;
    }
    to_next -= seg_len - along;
  }
  const double tail_tol = 1e-9 * std::max(1.0, spacing);
  if (!line.closed) {
    const Eigen::Vector3d& last = line.vertices.back();
    if ((out.vertices.back() - last).norm() > tail_tol) out.vertices.push_back(last);
  } else if (out.vertices.size() > 1 &&
             (out.vertices.back() - out.vertices.front()).norm() <= tail_tol) {
    out.vertices.pop_back();  // the closing segment already returns to the first vertex
  }
  return out;
}

std::optional<PolylineProjection> closest_point(const Polyline& line,
                                                const Eigen::Vector3d& query) {
  if (line.vertices.empty()) return std::nullopt;
  PolylineProjection best;
  best.point = line.vertices.front();
  best.distance = (query - best.point).norm();
  double arc_before = 0.0;
  double best_sq = std::numeric_limits<double>::infinity();
  for (std::size_t i = 0; i < line.segment_count(); ++i) {
    const Eigen::Vector3d a = line.segment_start(i);
    const Eigen::Vector3d ab = line.segment_end(i) - a;
    const double len_sq = ab.squaredNorm();
    const double t = len_sq > 0.0 ? std::clamp((query - a).dot(ab) / len_sq, 0.0, 1.0) : 0.0;
    const Eigen::Vector3d p = a + t * ab;
    const double d_sq = (query - p).squaredNorm();
    if (d_sq < best_sq) {
      best_sq = d_sq;
      best.point = p;
      best.segment = i;
      best.t = t;
      best.distance = std::sqrt(d_sq);
      best.arc_length = arc_before + t * std::sqrt(len_sq);
    }
    arc_before += std::sqrt(len_sq);
  }
  return best;
}

Polyline transform(const Pose& T_a_b, const Polyline& line_in_b) {
  Polyline out = line_in_b;
  for (Eigen::Vector3d& v : out.vertices) v = T_a_b * v;
  return out;
}

}  // namespace pcanno::geometry
