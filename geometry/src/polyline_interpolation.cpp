#include "pcanno/geometry/polyline_interpolation.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace pcanno::geometry {
namespace {

/// Normalised arc-length position of every vertex: an open line runs from 0 (first vertex) to 1
/// (last); a closed one from 0 to just below 1, its closing segment ending at 1.
std::vector<double> positions(const Polyline& line) {
  const std::size_t n = line.vertices.size();
  std::vector<double> s(n, 0.0);
  if (n < 2) return s;
  const double total = length(line);
  if (!(total > 0.0)) {
    // No length: the vertices are spread by index, so each still has its own position.
    const double steps = static_cast<double>(line.closed ? n : n - 1);
    for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<double>(i) / steps;
    return s;
  }
  double along = 0.0;
  for (std::size_t i = 1; i < n; ++i) {
    along += (line.vertices[i] - line.vertices[i - 1]).norm();
    s[i] = along / total;
  }
  if (!line.closed) s[n - 1] = 1.0;  // exactly, whatever the rounding of the sum
  return s;
}

/// point_at() with the positions computed once.
Eigen::Vector3d evaluate(const Polyline& line, const std::vector<double>& s, double at) {
  const std::size_t n = line.vertices.size();
  if (n == 0) return Eigen::Vector3d::Zero();
  if (n == 1) return line.vertices.front();
  at = std::clamp(at, 0.0, 1.0);
  // The last vertex whose position is at or before `at`.
  const auto it = std::upper_bound(s.begin(), s.end(), at);
  const std::size_t i = it == s.begin() ? 0 : static_cast<std::size_t>(it - s.begin()) - 1;
  if (!line.closed && i + 1 >= n) return line.vertices.back();
  const double s_end = i + 1 < n ? s[i + 1] : 1.0;
  const Eigen::Vector3d& from = line.vertices[i];
  const Eigen::Vector3d& to = line.vertices[(i + 1) % n];
  const double span = s_end - s[i];
  if (!(span > 0.0)) return from;
  // `at` equal to a vertex's position gives that vertex exactly: from + 0 * (to - from).
  return from + ((at - s[i]) / span) * (to - from);
}

/// A closed line as the open line that walks round it back to its first vertex.
Polyline as_open(const Polyline& line) {
  Polyline out = line;
  if (line.closed && line.vertices.size() > 1) out.vertices.push_back(line.vertices.front());
  out.closed = false;
  return out;
}

Polyline reversed_open(const Polyline& line) {
  Polyline out = line;
  std::reverse(out.vertices.begin(), out.vertices.end());
  return out;
}

/// The closed line walked the other way from the same first vertex.
Polyline reversed_closed(const Polyline& line) {
  Polyline out = line;
  if (out.vertices.size() > 2) std::reverse(out.vertices.begin() + 1, out.vertices.end());
  return out;
}

/// The closed line started at vertex `k`.
Polyline rotated(const Polyline& line, std::size_t k) {
  Polyline out = line;
  std::rotate(out.vertices.begin(), out.vertices.begin() + static_cast<std::ptrdiff_t>(k),
              out.vertices.end());
  return out;
}

/// Both lines sampled at the union of their vertex positions (the first line's kept exactly;
/// the second's dropped where they coincide with one of the first's).
PolylineCorrespondence sample(const Polyline& a, const Polyline& b) {
  const std::vector<double> sa = positions(a);
  const std::vector<double> sb = positions(b);
  std::vector<double> all = sa;
  constexpr double kSame = 1e-12;
  for (const double s : sb) {
    const auto it = std::lower_bound(sa.begin(), sa.end(), s);
    const bool near_next = it != sa.end() && *it - s <= kSame;
    const bool near_prev = it != sa.begin() && s - *(it - 1) <= kSame;
    if (!near_next && !near_prev) all.push_back(s);
  }
  std::sort(all.begin(), all.end());
  PolylineCorrespondence c;
  c.a.reserve(all.size());
  c.b.reserve(all.size());
  for (const double s : all) {
    c.a.push_back(evaluate(a, sa, s));
    c.b.push_back(evaluate(b, sb, s));
  }
  return c;
}

/// How far apart the two lines of a correspondence are: the summed squared distance of matching
/// points, plus that of 16 evenly spaced samples (so that lines with few vertices are compared
/// along their whole length, not only at their corners). Squared, because a line moved by a
/// translation and the same line mirrored can have equal summed distances; only the matching
/// that is a pure translation has them all equal, the least sum of squares.
double cost(const Polyline& a, const Polyline& b, const PolylineCorrespondence& c) {
  double sum = 0.0;
  for (std::size_t i = 0; i < c.a.size(); ++i) sum += (c.a[i] - c.b[i]).squaredNorm();
  const std::vector<double> sa = positions(a);
  const std::vector<double> sb = positions(b);
  constexpr int kSamples = 16;
  for (int k = 0; k < kSamples; ++k) {
    const double s = (k + 0.5) / kSamples;
    sum += (evaluate(a, sa, s) - evaluate(b, sb, s)).squaredNorm();
  }
  return sum;
}

}  // namespace

Eigen::Vector3d point_at(const Polyline& line, double s) {
  return evaluate(line, positions(line), s);
}

PolylineCorrespondence correspond(const Polyline& a, const Polyline& b) {
  PolylineCorrespondence best;
  double best_cost = std::numeric_limits<double>::infinity();
  const auto consider = [&](const Polyline& first, const Polyline& second, bool reversed,
                            std::size_t shift) {
    PolylineCorrespondence c = sample(first, second);
    const double d = cost(first, second, c);
    if (d < best_cost) {
      best_cost = d;
      best = std::move(c);
      best.reversed = reversed;
      best.shift = shift;
    }
  };
  if (a.closed && b.closed) {
    // Candidate starts: every vertex of b, and the point of b nearest a's start (a vertex added
    // there), each walked both ways.
    std::vector<Polyline> starts;
    for (std::size_t k = 0; k < b.vertices.size(); ++k) starts.push_back(rotated(b, k));
    const std::optional<PolylineProjection> p =
        a.vertices.empty() ? std::nullopt : closest_point(b, a.vertices.front());
    if (p && b.vertices.size() > 1 && p->t > 1e-9 && p->t < 1.0 - 1e-9) {
      Polyline split = rotated(b, (p->segment + 1) % b.vertices.size());
      split.vertices.insert(split.vertices.begin(), p->point);
      starts.push_back(std::move(split));
    }
    for (std::size_t k = 0; k < starts.size(); ++k) {
      consider(a, starts[k], false, k);
      consider(a, reversed_closed(starts[k]), true, k);
    }
    best.closed = true;
    return best;
  }
  const Polyline first = as_open(a);
  const Polyline second = as_open(b);
  consider(first, second, false, 0);
  consider(first, reversed_open(second), true, 0);
  best.closed = false;
  return best;
}

Polyline blend(const PolylineCorrespondence& c, double t) {
  Polyline out;
  out.closed = c.closed;
  out.vertices.reserve(c.a.size());
  for (std::size_t i = 0; i < c.a.size() && i < c.b.size(); ++i) {
    out.vertices.push_back((1.0 - t) * c.a[i] + t * c.b[i]);
  }
  return out;
}

Polyline interpolate_polyline(const Polyline& a, const Polyline& b, double t) {
  return blend(correspond(a, b), t);
}

}  // namespace pcanno::geometry
