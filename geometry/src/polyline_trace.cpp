#include "pcanno/geometry/polyline_trace.hpp"

#include <algorithm>
#include <cmath>
#include <utility>
#include <vector>

#include <Eigen/Geometry>

namespace pcanno::geometry {

namespace {

constexpr double kPi = 3.14159265358979323846;

Eigen::Vector2d normal_of(const Eigen::Vector2d& d) { return {-d.y(), d.x()}; }

/// Where the feature crosses a station, in the scan frame.
struct Station {
  Eigen::Vector3d point = Eigen::Vector3d::Zero();
  int lower_side = 0;  ///< curb: relative to the direction the station was searched with
};

/// find_across, and where the scan is too sparse for it (far rings cross a line once per
/// window), again over a window twice as long.
std::optional<CrossSectionHit> find_across_adaptive(const LineScan& scan, const Eigen::Vector2d& at,
                                                    const Eigen::Vector2d& dir, LineFeature feature,
                                                    double max_offset, const CrossSectionOptions& o,
                                                    int lower_side = 0) {
  if (auto hit = find_across(scan, at, dir, feature, max_offset, o, lower_side)) return hit;
  CrossSectionOptions longer = o;
  longer.half_length = 2.0 * o.half_length;
  return find_across(scan, at, dir, feature, max_offset, longer, lower_side);
}

std::optional<Station> search(const LineScan& scan, const Eigen::Vector2d& at,
                              const Eigen::Vector2d& dir, LineFeature feature, double max_offset,
                              const CrossSectionOptions& o, int lower_side) {
  const auto hit = find_across_adaptive(scan, at, dir, feature, max_offset, o, lower_side);
  if (!hit) return std::nullopt;
  const Eigen::Vector2d p = at + normal_of(dir.normalized()) * hit->offset;
  return Station{Eigen::Vector3d(p.x(), p.y(), hit->z), hit->lower_side};
}

/// The line through the seed: the feature is searched across the seed in a fan of directions; each
/// candidate is probed a few steps ahead and behind, and the direction whose probes find the
/// feature again the most often, then the one closest to the seed, wins. Its direction comes from
/// the first probe each way.
struct Start {
  Station station;
  Eigen::Vector2d direction = Eigen::Vector2d::UnitX();
};

std::optional<Start> find_start(const LineScan& scan, const Eigen::Vector2d& seed,
                                LineFeature feature, const TraceOptions& o) {
  constexpr int kDirections = 18;  // every 10 degrees over a half turn
  constexpr int kProbeStations = 3;
  CrossSectionOptions narrow = o.section;
  narrow.half_length = std::min(o.section.half_length, 0.6);  // a skewed section smears less
  std::optional<Start> best;
  int best_probes = 0;
  double best_distance = 0.0;
  for (int i = 0; i < kDirections; ++i) {
    const double angle = kPi * i / kDirections;
    const Eigen::Vector2d dir(std::cos(angle), std::sin(angle));
    // Every feature across the seed, not just the nearest: a short stray step next to the seed
    // must not hide the line a little further away.
    for (const CrossSectionHit& hit :
         find_all_across(scan, seed, dir, feature, o.seed_radius, narrow, 0)) {
      const Eigen::Vector2d p = seed + normal_of(dir) * hit.offset;
      const double distance = std::abs(hit.offset);
      Start start;
      start.station = Station{Eigen::Vector3d(p.x(), p.y(), hit.z), hit.lower_side};
      // Probes: up to kProbeStations each way, straight on, until one misses. A true line is
      // found again along its own direction; a stray step or stripe across it is not.
      int probes = 0;
      Eigen::Vector2d a = p, b = p;
      for (int sign : {+1, -1}) {
        Eigen::Vector2d last = p;
        for (int k = 0; k < kProbeStations; ++k) {
          const Eigen::Vector2d at = last + sign * o.step * dir;
          // The curb's lower side is kept relative to the probe's own direction.
          const auto probe = search(scan, at, sign * dir, feature, o.max_correction, o.section,
                                    hit.lower_side * sign);
          if (!probe) break;
          ++probes;
          last = probe->point.head<2>();
          if (k == 0) (sign > 0 ? a : b) = last;
        }
      }
      if (probes == 0) continue;
      start.direction = (a - b).normalized();
      if (start.direction.dot(dir) < 0.0) start.direction = -start.direction;
      // Seen again further along wins; then the nearer feature to the seed.
      if (!best || probes > best_probes ||
          (probes == best_probes && distance < best_distance - 0.05)) {
        best = start;
        best_probes = probes;
        best_distance = distance;
      }
    }
  }
  if (best && feature == LineFeature::kCurb) {
    // Re-search with the final direction so lower_side is relative to it.
    const auto again = search(scan, best->station.point.head<2>(), best->direction, feature,
                              o.max_correction, o.section, 0);
    if (again) best->station = *again;
  }
  return best;
}

/// One end of the line growing from the seed.
struct End {
  Eigen::Vector2d direction;
  Eigen::Vector2d position;  ///< where the next prediction starts (advances through gaps)
  Eigen::Vector2d last;      ///< last vertex found
  int lower_side = 0;        ///< curb: relative to `direction`
  double gap = 0.0;          ///< [m] since the last vertex found
  double turn = 0.0;         ///< [rad] per station, signed (left +): predicts curves through gaps
  bool active = true;
  std::vector<Eigen::Vector3d> vertices;
};

/// One station further along: predicted straight ahead, corrected across onto the feature.
/// Returns the length [m] added to the line.
double advance(const LineScan& scan, End& end, LineFeature feature, const TraceOptions& o) {
  const Eigen::Vector2d predicted = end.position + o.step * end.direction;
  const auto found =
      search(scan, predicted, end.direction, feature, o.max_correction, o.section, end.lower_side);
  if (!found) {
    end.gap += o.step;
    end.position = predicted;
    end.direction = Eigen::Rotation2Dd(end.turn) * end.direction;
    if (end.gap > o.max_gap) end.active = false;
    return 0.0;
  }
  const Eigen::Vector2d p = found->point.head<2>();
  const Eigen::Vector2d chord = p - end.last;
  const double length = chord.norm();
  if (length < 1e-6) {
    end.active = false;
    return 0.0;
  }
  const double turn = std::acos(std::clamp(chord.dot(end.direction) / length, -1.0, 1.0));
  if (turn > o.max_turn_deg * kPi / 180.0) {
    end.active = false;  // implausible: another feature, or a corner this trace should not take
    return 0.0;
  }
  // Half of the new chord's direction: follows curves while damping one noisy station.
  const Eigen::Vector2d direction = (end.direction + chord / length).normalized();
  const double cross = end.direction.x() * direction.y() - end.direction.y() * direction.x();
  end.turn = std::asin(std::clamp(cross, -1.0, 1.0)) * o.step / std::max(length, o.step);
  end.direction = direction;
  end.position = p;
  end.last = p;
  end.gap = 0.0;
  end.vertices.push_back(found->point);
  return length;
}

double point_segment_distance(const Eigen::Vector3d& p, const Eigen::Vector3d& a,
                              const Eigen::Vector3d& b) {
  const Eigen::Vector3d ab = b - a;
  const double len2 = ab.squaredNorm();
  const double t = len2 > 0.0 ? std::clamp((p - a).dot(ab) / len2, 0.0, 1.0) : 0.0;
  return (a + t * ab - p).norm();
}

}  // namespace

std::optional<Polyline> trace_polyline(const LineScan& scan, const Eigen::Vector3d& seed,
                                       LineFeature feature, const TraceOptions& options) {
  TraceOptions o = options;
  if (!(o.step > 0.0)) o.step = 1.0;
  if (!seed.head<2>().allFinite()) return std::nullopt;
  const auto start = find_start(scan, seed.head<2>(), feature, o);
  if (!start) return std::nullopt;

  const Eigen::Vector2d origin = start->station.point.head<2>();
  End ends[2];
  for (int e = 0; e < 2; ++e) {
    const double sign = e == 0 ? 1.0 : -1.0;
    End& end = ends[e];
    end.direction = sign * start->direction;
    end.position = end.last = origin;
    end.lower_side = start->station.lower_side * static_cast<int>(sign);
  }
  // Both ends grow in turn, so max_length is shared fairly between them.
  double total = 0.0;
  while ((ends[0].active || ends[1].active) && total < o.max_length) {
    for (End& end : ends) {
      if (end.active && total < o.max_length) total += advance(scan, end, feature, o);
    }
  }
  Polyline line;
  for (auto it = ends[1].vertices.rbegin(); it != ends[1].vertices.rend(); ++it)
    line.vertices.push_back(*it);
  line.vertices.push_back(start->station.point);
  for (const auto& v : ends[0].vertices) line.vertices.push_back(v);
  if (line.vertices.size() < 2 || length(line) < o.min_length) return std::nullopt;
  return simplify(line, o.simplify_tolerance);
}

RefinedPolyline refine_polyline(const LineScan& scan, const Polyline& line, LineFeature feature,
                                const LineRefineOptions& options) {
  RefinedPolyline result;
  result.line = line;
  const std::size_t n = line.vertices.size();
  if (n < 2) return result;
  const double max_shift = std::max(options.max_shift, 0.0);
  std::vector<Eigen::Vector2d> normals(n, Eigen::Vector2d::Zero());
  std::vector<std::optional<CrossSectionHit>> hits(n);
  for (std::size_t i = 0; i < n; ++i) {
    const bool wrap = line.closed && n > 2;
    const std::size_t prev = i > 0 ? i - 1 : (wrap ? n - 1 : i);
    const std::size_t next = i + 1 < n ? i + 1 : (wrap ? 0 : i);
    const Eigen::Vector2d dir = (line.vertices[next] - line.vertices[prev]).head<2>();
    if (!dir.allFinite() || dir.norm() < 1e-9) continue;
    normals[i] = normal_of(dir.normalized());
    hits[i] = find_across_adaptive(scan, line.vertices[i].head<2>(), dir, feature, max_shift,
                                   options.section);
  }
  std::vector<double> shifts;
  for (std::size_t i = 0; i < n; ++i) {
    if (!hits[i]) continue;
    double shift = hits[i]->offset;
    if (options.smooth) {
      // The median of this vertex's shift and its supported neighbours' (an end: their mean).
      std::vector<double> window;
      const bool wrap = line.closed && n > 2;
      for (long k = -1; k <= 1; ++k) {
        long j = static_cast<long>(i) + k;
        if (wrap) j = (j + static_cast<long>(n)) % static_cast<long>(n);
        if (j < 0 || j >= static_cast<long>(n) || !hits[static_cast<std::size_t>(j)]) continue;
        window.push_back(hits[static_cast<std::size_t>(j)]->offset);
      }
      std::sort(window.begin(), window.end());
      shift = window.size() == 2 ? 0.5 * (window[0] + window[1]) : window[window.size() / 2];
    }
    shift = std::clamp(shift, -max_shift, max_shift);
    Eigen::Vector3d& v = result.line.vertices[i];
    v.head<2>() += normals[i] * shift;
    if (options.update_height) v.z() = hits[i]->z;
    shifts.push_back(std::abs(shift));
  }
  result.supported = shifts.size();
  double sum = 0.0;
  for (double s : shifts) sum += s;
  result.mean_shift = shifts.empty() ? 0.0 : sum / static_cast<double>(shifts.size());
  return result;
}

Polyline simplify(const Polyline& line, double tolerance) {
  const std::size_t n = line.vertices.size();
  if (n < 3 || !(tolerance > 0.0)) return line;
  std::vector<char> keep(n, 0);
  keep[0] = keep[n - 1] = 1;
  std::vector<std::pair<std::size_t, std::size_t>> stack{{0, n - 1}};
  while (!stack.empty()) {
    const auto [a, b] = stack.back();
    stack.pop_back();
    double worst = -1.0;
    std::size_t at = a;
    for (std::size_t i = a + 1; i < b; ++i) {
      const double d = point_segment_distance(line.vertices[i], line.vertices[a], line.vertices[b]);
      if (d > worst) worst = d, at = i;
    }
    if (worst > tolerance) {
      keep[at] = 1;
      stack.push_back({a, at});
      stack.push_back({at, b});
    }
  }
  Polyline out;
  out.closed = line.closed;
  for (std::size_t i = 0; i < n; ++i) {
    if (keep[i]) out.vertices.push_back(line.vertices[i]);
  }
  return out;
}

}  // namespace pcanno::geometry
