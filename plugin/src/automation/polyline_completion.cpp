#include "pcanno/plugin/automation/polyline_completion.hpp"

#include <algorithm>

#include "pcanno/formats/labels/frame_time.hpp"
#include "pcanno/geometry/polyline_interpolation.hpp"
#include "pcanno/plugin/automation/line_feature.hpp"

namespace pcanno::plugin {
namespace {

using formats::Error;
using formats::ErrorCode;
using formats::Expected;
using formats::PolylineState;
using formats::PolylineTrack;

Error cancelled() { return Error{ErrorCode::kCancelled, "polyline completion cancelled", ""}; }

const geometry::Pose* pose(const formats::Sequence& seq, std::int64_t f) {
  if (f < 0 || static_cast<std::size_t>(f) >= seq.size()) return nullptr;
  const std::optional<geometry::Pose>& T = seq.frames[static_cast<std::size_t>(f)].T_world_lidar;
  return T ? &*T : nullptr;
}

Error no_pose(std::int64_t f) {
  return Error{
      ErrorCode::kUnsupported,
      "frame " + std::to_string(f) + " has no pose: estimate the ego motion first (ensure_poses)",
      ""};
}

Expected<geometry::Polyline> to_world(const PolylineState& s, const formats::Sequence& seq) {
  if (s.shape_frame == formats::ShapeFrame::kWorld) return s.line;
  const geometry::Pose* T = pose(seq, s.frame);
  if (T == nullptr) return no_pose(s.frame);
  return geometry::transform(*T, s.line);
}

/// A state at `frame` like keyframe `like` (its shape frame), from a line in the world.
Expected<PolylineState> made(const PolylineState& like, std::int64_t frame,
                             const geometry::Polyline& line_in_world, const formats::Sequence& seq,
                             formats::Provenance provenance) {
  PolylineState s;
  s.frame = frame;
  s.shape_frame = like.shape_frame;
  s.line = line_in_world;
  if (like.shape_frame == formats::ShapeFrame::kLidar) {
    const geometry::Pose* T = pose(seq, frame);
    if (T == nullptr) return no_pose(frame);
    s.line = geometry::transform(T->inverse(), line_in_world);
  }
  s.provenance = provenance;
  s.keyframe = false;
  return s;
}

}  // namespace

Expected<InterpolatedPolylines> interpolate_polyline_frames(
    SequenceClouds& clouds, const formats::Annotations& doc, std::int64_t from,
    const geometry::Polyline& a, std::int64_t to, const geometry::Polyline& b,
    const std::optional<geometry::LineFeature>& feature, const PolylinePropagationOptions& options,
    const std::function<bool(double)>& progress) {
  const formats::Sequence& seq = clouds.sequence();
  double done = 0.0;
  const auto report = [&](double fraction) {
    done = fraction;
    return !progress || progress(fraction);
  };
  const CloudLoadStop stop_loads(clouds, [&] { return !report(done); });
  InterpolatedPolylines out;
  if (to - from < 2) return out;
  const geometry::PolylineCorrespondence c = geometry::correspond(a, b);
  const double t0 = formats::frame_time_s(&seq, doc, from);
  const double t1 = formats::frame_time_s(&seq, doc, to);
  geometry::LineScanOptions scan_options = options.scan;
  scan_options.max_range = std::min(scan_options.max_range, options.range + 2.0);
  for (std::int64_t f = from + 1; f < to; ++f) {
    if (!report(static_cast<double>(f - from - 1) / static_cast<double>(to - from - 1))) {
      return cancelled();
    }
    // By time, so that a dropped frame does not bend the motion; by index without a clock.
    const double t = t1 > t0 ? (formats::frame_time_s(&seq, doc, f) - t0) / (t1 - t0)
                             : static_cast<double>(f - from) / static_cast<double>(to - from);
    PropagatedPolyline line{f, geometry::blend(c, std::clamp(t, 0.0, 1.0)), 0, 0.0};
    if (feature) {
      const geometry::Pose* T = pose(seq, f);
      if (T == nullptr) return no_pose(f);
      if (const formats::CloudFile* file = clouds.get(f)) {
        const geometry::LineScan scan = line_scan_of(file->cloud, scan_options);
        geometry::RefinedPolyline r =
            refine_in_range(scan, *T, line.line_in_world, feature, options);
        line.line_in_world = std::move(r.line);
        line.supported = r.supported;
        line.mean_shift = r.mean_shift;
      } else {
        if (clouds.error() && clouds.error()->code == ErrorCode::kCancelled) return cancelled();
        out.notes.push_back("not refined at frame " + std::to_string(f) +
                            ": its cloud cannot be read");
      }
    }
    out.lines.push_back(std::move(line));
  }
  if (!report(1.0)) return cancelled();
  return out;
}

Expected<PolylineCompletion> complete_polylines(const formats::Annotations& doc,
                                                SequenceClouds& clouds,
                                                const CompletionOptions& options,
                                                const std::function<bool(double)>& progress) {
  const formats::Sequence& seq = clouds.sequence();
  PolylineCompletion result;
  result.polylines = doc.polylines;
  const auto last_frame = static_cast<std::int64_t>(std::max(seq.size(), doc.frames.size())) - 1;
  const auto count = static_cast<double>(std::max<std::size_t>(doc.polylines.size(), 1));
  for (std::size_t pi = 0; pi < doc.polylines.size(); ++pi) {
    const PolylineTrack& track = doc.polylines[pi];
    // This polyline's share of the progress, split evenly over its steps.
    const auto part = [&](double begin, double end) {
      return [&progress, pi, count, begin, end](double f) {
        return !progress || progress((static_cast<double>(pi) + begin + (end - begin) * f) / count);
      };
    };
    if (!part(0.0, 0.0)(0.0)) return cancelled();
    std::vector<const PolylineState*> keys;
    for (const PolylineState& s : track.states) {
      if (s.keyframe) keys.push_back(&s);
    }
    if (keys.empty()) continue;
    const std::string id = "polyline " + std::to_string(track.id);
    const std::optional<geometry::LineFeature> feature =
        line_feature_of(doc.class_or_default(track.label).evidence);
    const CompletionMethod method = options.method;
    const bool interpolate = method != CompletionMethod::kPropagate && keys.size() >= 2;
    const bool refine = options.refine || method == CompletionMethod::kAuto;
    const bool propagate_tail =
        (method == CompletionMethod::kAuto || method == CompletionMethod::kPropagate) &&
        keys.size() == 1;
    const bool propagate_gaps = method == CompletionMethod::kPropagate;
    std::vector<PolylineState> added;
    const double steps = static_cast<double>(keys.size());
    for (std::size_t k = 0; k < keys.size(); ++k) {
      const auto step = part(static_cast<double>(k) / steps, static_cast<double>(k + 1) / steps);
      const PolylineState& key = *keys[k];
      const bool last = k + 1 == keys.size();
      if (method == CompletionMethod::kLinear) {
        if (last) continue;  // the baseline neither propagates nor needs poses
        // The baseline: the stored numbers blended, whatever frame they are in.
        const geometry::PolylineCorrespondence c =
            geometry::correspond(key.line, keys[k + 1]->line);
        const std::int64_t span = keys[k + 1]->frame - key.frame;
        for (std::int64_t f = key.frame + 1; f < keys[k + 1]->frame; ++f) {
          PolylineState s;
          s.frame = f;
          s.shape_frame = key.shape_frame;
          s.line =
              geometry::blend(c, static_cast<double>(f - key.frame) / static_cast<double>(span));
          s.provenance = formats::Provenance::kInterpolated;
          s.keyframe = false;
          added.push_back(std::move(s));
        }
        continue;
      }
      Expected<geometry::Polyline> a = to_world(key, seq);
      if (!a) return std::move(a).error();
      if (interpolate && !last) {
        Expected<geometry::Polyline> b = to_world(*keys[k + 1], seq);
        if (!b) return std::move(b).error();
        Expected<InterpolatedPolylines> r =
            interpolate_polyline_frames(clouds, doc, key.frame, *a, keys[k + 1]->frame, *b,
                                        refine ? feature : std::nullopt, {}, step);
        if (!r) return std::move(r).error();
        for (const PropagatedPolyline& p : r->lines) {
          Expected<PolylineState> s =
              made(key, p.frame, p.line_in_world, seq, formats::Provenance::kInterpolated);
          if (!s) return std::move(s).error();
          added.push_back(std::move(*s));
        }
        for (const std::string& note : r->notes) result.notes.push_back(id + " " + note);
        continue;
      }
      const std::int64_t to =
          !last ? (propagate_gaps ? keys[k + 1]->frame - 1 : key.frame)
                : (propagate_tail ? std::min(last_frame, key.frame + static_cast<std::int64_t>(
                                                                         options.max_propagate))
                                  : key.frame);
      if (to <= key.frame) continue;
      Expected<PolylinePropagationResult> r =
          propagate_polyline(clouds, key.frame, *a, to, feature, {}, step);
      if (!r) return std::move(r).error();
      for (const PropagatedPolyline& p : r->lines) {
        Expected<PolylineState> s =
            made(key, p.frame, p.line_in_world, seq, formats::Provenance::kTracked);
        if (!s) return std::move(s).error();
        added.push_back(std::move(*s));
      }
      if (r->ended) result.notes.push_back(id + " " + *r->ended);
    }
    if (added.empty()) continue;
    PolylineTrack& out = result.polylines[pi];
    ++result.polylines_completed;
    for (PolylineState& s : added) {
      const bool taken = std::any_of(out.states.begin(), out.states.end(),
                                     [&](const PolylineState& o) { return o.frame == s.frame; });
      if (taken) continue;  // never overwrite what is there
      out.states.push_back(std::move(s));
      ++result.states_added;
    }
    std::sort(out.states.begin(), out.states.end(),
              [](const PolylineState& x, const PolylineState& y) { return x.frame < y.frame; });
  }
  if (progress && !progress(1.0)) return cancelled();
  return result;
}

}  // namespace pcanno::plugin
