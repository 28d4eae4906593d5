#include "pcanno/plugin/automation/polyline_propagation.hpp"

#include <algorithm>
#include <cmath>

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
  // Beyond the range the scan is too sparse to trust: those vertices keep the carried position.
  double shift_sum = 0.0;
  for (std::size_t i = 0; i < in_lidar.vertices.size() && i < refined.line.vertices.size(); ++i) {
    if (!in_range(in_lidar.vertices[i], options.range)) continue;
    const Vector3d moved = refined.line.vertices[i];
    const double shift = (moved - in_lidar.vertices[i]).head<2>().norm();
    out.line.vertices[i] = T_world_lidar * moved;
    if (shift > 0.0) {  // moved: it found the feature (the others stay exactly where they were)
      ++out.supported;
      shift_sum += shift;
    }
  }
  out.mean_shift = out.supported > 0 ? shift_sum / static_cast<double>(out.supported) : 0.0;
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
  const auto frames = static_cast<std::int64_t>(seq.size());
  if (from < 0 || from >= frames) {
    return Error{ErrorCode::kNotFound,
                 "propagation starts at frame " + std::to_string(from) + ", the sequence has " +
                     std::to_string(frames) + " frames",
                 seq.root.string()};
  }
  to = std::clamp<std::int64_t>(to, 0, frames - 1);
  const std::int64_t step = to >= from ? 1 : -1;
  const std::int64_t count = std::abs(to - from);
  double done = 0.0;
  const auto report = [&](double fraction) {
    done = fraction;
    return !progress || progress(fraction);
  };
  const CloudLoadStop stop_loads(clouds, [&] { return !report(done); });
  const auto cancelled = [&] {
    return Error{ErrorCode::kCancelled, "propagation cancelled", seq.root.string()};
  };
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
  for (std::int64_t f = from + step; step > 0 ? f <= to : f >= to; f += step) {
    if (!report(static_cast<double>(std::abs(f - from) - 1) /
                static_cast<double>(std::max<std::int64_t>(count, 1)))) {
      return cancelled();
    }
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
