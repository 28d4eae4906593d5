#include "pcanno/plugin/automation/polyline_propagation.hpp"
#include "frame_walk.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

#include <Eigen/Geometry>

namespace pcanno::plugin {
namespace {

using Eigen::Vector3d;
using formats::Error;
using formats::ErrorCode;
using formats::Expected;

bool in_range(const Vector3d& p, double range) {
  return p.head<2>().squaredNorm() <= range * range;
}

/// The part [lo, hi] of segment p -> q (parameter in [0, 1]) within `range` of the origin in xy;
/// false when none.
bool inside_part(const Vector3d& p, const Vector3d& q, double range, double& lo, double& hi) {
  const Eigen::Vector2d a = p.head<2>();
  const Eigen::Vector2d d = q.head<2>() - a;
  const double dd = d.squaredNorm();
  const double c = a.squaredNorm() - range * range;
  if (dd <= 0.0) {
    lo = 0.0;
    hi = 1.0;
    return c <= 0.0;
  }
  const double b = a.dot(d);  // half the linear coefficient
  const double disc = b * b - dd * c;
  if (disc < 0.0) return false;
  const double root = std::sqrt(disc);
  lo = std::max(0.0, (-b - root) / dd);
  hi = std::min(1.0, (-b + root) / dd);
  return lo <= hi;
}

/// The line's runs inside the range circle, in order along it (a closed line walked from its
/// first vertex back to it); `cut` is set when any segment crosses the circle.
std::vector<std::vector<Vector3d>> inside_runs(const geometry::Polyline& line, double range,
                                               bool& cut) {
  std::vector<std::vector<Vector3d>> runs;
  std::vector<Vector3d> run;
  const auto flush = [&] {
    if (!run.empty()) runs.push_back(std::move(run));
    run.clear();
  };
  cut = false;
  for (std::size_t i = 0; i < line.segment_count(); ++i) {
    const Vector3d p = line.segment_start(i);
    const Vector3d q = line.segment_end(i);
    double lo = 0.0;
    double hi = 0.0;
    if (!inside_part(p, q, range, lo, hi)) {
      cut = true;
      flush();
      continue;
    }
    if (lo > 0.0 || run.empty()) {
      cut = cut || lo > 0.0;
      flush();
      run.push_back(lo > 0.0 ? Vector3d(p + lo * (q - p)) : p);
    }
    run.push_back(hi < 1.0 ? Vector3d(p + hi * (q - p)) : q);
    if (hi < 1.0) {
      cut = true;
      flush();
    }
  }
  flush();
  return runs;
}

double run_length(const std::vector<Vector3d>& run) {
  double total = 0.0;
  for (std::size_t i = 1; i < run.size(); ++i) total += (run[i] - run[i - 1]).norm();
  return total;
}

/// The rigid motion in xy (a turn about z and a shift, plus the median height change) that best
/// takes the `found` vertices of `line` onto their refined positions, so that the line keeps the
/// shape it was drawn with: it is a fixed feature of the world, and what moves it from frame to
/// frame is the pose's error, not its shape. Least squares in two passes, the second without the
/// vertices the first leaves more than 0.1 m off (a vertex that caught another step). A turn that
/// would move a vertex of the line more than `max_shift` [m] is dropped for the shift alone, which
/// is itself at most `max_shift` long.
geometry::Pose rigid_correction(const geometry::Polyline& line, const geometry::Polyline& refined,
                                std::vector<std::size_t> found, double max_shift) {
  const auto fit = [&](const std::vector<std::size_t>& use, bool turn) {
    Eigen::Vector2d from = Eigen::Vector2d::Zero();
    Eigen::Vector2d to = Eigen::Vector2d::Zero();
    for (const std::size_t i : use) {
      from += line.vertices[i].head<2>();
      to += refined.vertices[i].head<2>();
    }
    from /= static_cast<double>(use.size());
    to /= static_cast<double>(use.size());
    double angle = 0.0;
    if (turn && use.size() >= 3) {
      double dot = 0.0;
      double cross = 0.0;
      for (const std::size_t i : use) {
        const Eigen::Vector2d a = line.vertices[i].head<2>() - from;
        const Eigen::Vector2d b = refined.vertices[i].head<2>() - to;
        dot += a.dot(b);
        cross += a.x() * b.y() - a.y() * b.x();
      }
      angle = std::atan2(cross, dot);
    }
    const Eigen::Rotation2Dd R(angle);
    geometry::Pose T = geometry::Pose::Identity();
    T.linear().topLeftCorner<2, 2>() = R.toRotationMatrix();
    T.translation().head<2>() = to - R * from;
    return T;
  };
  geometry::Pose T = fit(found, true);
  std::vector<std::size_t> kept;
  for (const std::size_t i : found) {
    if (((T * line.vertices[i]) - refined.vertices[i]).head<2>().norm() <= 0.1) kept.push_back(i);
  }
  if (!kept.empty() && kept.size() < found.size()) {
    found = kept;
    T = fit(found, true);
  }
  double worst = 0.0;
  for (const Vector3d& v : line.vertices) worst = std::max(worst, ((T * v) - v).head<2>().norm());
  if (worst > max_shift + 1e-9) {
    T = fit(found, false);
    const double shift = T.translation().head<2>().norm();
    if (shift > max_shift) T.translation().head<2>() *= max_shift / shift;
  }
  std::vector<double> dz;
  for (const std::size_t i : found) dz.push_back(refined.vertices[i].z() - line.vertices[i].z());
  std::nth_element(dz.begin(), dz.begin() + static_cast<std::ptrdiff_t>(dz.size() / 2), dz.end());
  T.translation().z() = dz[dz.size() / 2];
  return T;
}

}  // namespace

std::optional<geometry::Polyline> clip_to_range(const geometry::Polyline& line, double range) {
  if (line.vertices.empty()) return std::nullopt;
  if (line.vertices.size() == 1) {
    if (in_range(line.vertices.front(), range)) return line;
    return std::nullopt;
  }
  bool cut = false;
  std::vector<std::vector<Vector3d>> runs = inside_runs(line, range, cut);
  if (!cut && runs.size() == 1) return line;  // wholly inside: unchanged, closed or not
  runs.erase(std::remove_if(runs.begin(), runs.end(),
                            [](const std::vector<Vector3d>& r) { return run_length(r) <= 1e-9; }),
             runs.end());
  if (runs.empty()) return std::nullopt;
  geometry::Polyline out;
  if (!line.closed) {
    // A lane line that leaves and comes back: joining its parts would invent a segment.
    out.vertices = *std::max_element(runs.begin(), runs.end(), [](const auto& a, const auto& b) {
      return run_length(a) < run_length(b);
    });
    return out;
  }
  // An area: a run that reaches the first vertex again continues into the first run.
  if (runs.size() > 1 && (runs.back().back() - runs.front().front()).norm() <= 1e-12) {
    runs.back().insert(runs.back().end(), runs.front().begin() + 1, runs.front().end());
    runs.erase(runs.begin());
  }
  for (const std::vector<Vector3d>& r : runs)
    out.vertices.insert(out.vertices.end(), r.begin(), r.end());
  out.closed = out.vertices.size() > 2;  // the chords back into range close it
  return out;
}

geometry::RefinedPolyline refine_in_range(const geometry::LineScan& scan,
                                          const geometry::Pose& T_world_lidar,
                                          const geometry::Polyline& line_in_world,
                                          const std::optional<geometry::LineFeature>& feature,
                                          const PolylinePropagationOptions& options) {
  geometry::RefinedPolyline out;
  out.line = line_in_world;
  if (!feature || line_in_world.vertices.size() < 2) return out;
  const geometry::Polyline in_lidar = geometry::transform(T_world_lidar.inverse(), line_in_world);
  const geometry::RefinedPolyline refined =
      geometry::refine_polyline(scan, in_lidar, *feature, options.refine);
  // Vertices that found the feature, within the range (beyond it the scan is too sparse to
  // trust): those refine_polyline() moved; the others it leaves exactly where they were.
  std::vector<std::size_t> found;
  for (std::size_t i = 0; i < in_lidar.vertices.size() && i < refined.line.vertices.size(); ++i) {
    if (in_range(in_lidar.vertices[i], options.range) &&
        refined.line.vertices[i] != in_lidar.vertices[i]) {
      found.push_back(i);
    }
  }
  if (found.empty()) return out;
  geometry::Polyline moved = in_lidar;
  if (options.rigid) {
    const geometry::Pose T =
        rigid_correction(in_lidar, refined.line, found, options.refine.max_shift);
    for (Vector3d& v : moved.vertices) v = T * v;
  } else {
    for (const std::size_t i : found) moved.vertices[i] = refined.line.vertices[i];
  }
  double shift_sum = 0.0;
  for (const std::size_t i : found) {
    shift_sum += (moved.vertices[i] - in_lidar.vertices[i]).head<2>().norm();
  }
  out.line = geometry::transform(T_world_lidar, moved);
  out.supported = found.size();
  out.mean_shift = shift_sum / static_cast<double>(found.size());
  return out;
}

PolylineStep propagate_polyline_step(const geometry::LineScan* scan,
                                     const geometry::Pose& T_world_lidar,
                                     const geometry::Polyline& line_in_world,
                                     const std::optional<geometry::LineFeature>& feature,
                                     const PolylinePropagationOptions& options) {
  PolylineStep step;
  if (scan != nullptr) {
    step.carried = refine_in_range(*scan, T_world_lidar, line_in_world, feature, options);
  } else {
    step.carried.line = line_in_world;
  }
  const std::optional<geometry::Polyline> clipped =
      clip_to_range(geometry::transform(T_world_lidar.inverse(), step.carried.line), options.range);
  if (clipped) step.stored = geometry::transform(T_world_lidar, *clipped);
  return step;
}

Expected<PolylinePropagationResult> propagate_polyline(
    SequenceClouds& clouds, std::int64_t from, const geometry::Polyline& line_in_world,
    std::int64_t to, const std::optional<geometry::LineFeature>& feature,
    const PolylinePropagationOptions& options, const std::function<bool(double)>& progress) {
  const formats::Sequence& seq = clouds.sequence();
  if (formats::Status start = detail::check_walk_start(seq, from); !start) return start.error();
  detail::FrameWalk walk(clouds, from, to, progress);
  const std::int64_t step = walk.step();
  const auto report = [&walk](double fraction) { return walk.report(fraction); };
  const auto cancelled = [&walk] { return walk.cancelled(); };
  PolylinePropagationResult result;
  const auto end = [&](std::int64_t f, const std::string& why) {
    result.ended_at = f;
    result.ended = why;
    return result;
  };
  if (!report(0.0)) return cancelled();
  // Only the evidence near the range is looked at: fewer points to grid.
  geometry::LineScanOptions scan_options = options.scan;
  scan_options.max_range = std::min(scan_options.max_range, options.range + 2.0);
  geometry::Polyline carried = line_in_world;
  for (std::int64_t f = walk.first(); walk.covers(f); f += step) {
    if (!walk.report_before(f)) return cancelled();
    const std::optional<geometry::Pose>& T_world_lidar =
        seq.frames[static_cast<std::size_t>(f)].T_world_lidar;
    if (!T_world_lidar) return end(f, "ended at frame " + std::to_string(f) + ": no pose");
    std::optional<geometry::LineScan> scan;
    if (feature) {
      const formats::CloudFile* file = clouds.get(f);
      if (file == nullptr) {
        if (clouds.error() && clouds.error()->code == ErrorCode::kCancelled) return cancelled();
        return end(f, "ended at frame " + std::to_string(f) + ": its cloud cannot be read" +
                          (clouds.error() ? ": " + clouds.error()->describe() : std::string()));
      }
      scan.emplace(line_scan_of(file->cloud, scan_options));
    }
    PolylineStep next =
        propagate_polyline_step(scan ? &*scan : nullptr, *T_world_lidar, carried, feature, options);
    if (!next.stored) {
      return end(f, "left the sensor's range at frame " + std::to_string(f));
    }
    result.lines.push_back(
        {f, std::move(*next.stored), next.carried.supported, next.carried.mean_shift});
    carried = std::move(next.carried.line);
  }
  if (!report(1.0)) return cancelled();
  return result;
}

}  // namespace pcanno::plugin
