#include "pcanno/plugin/automation/track_completion.hpp"

#include <algorithm>
#include <cmath>
#include <map>

#include "pcanno/formats/labels/frame_time.hpp"
#include "pcanno/geometry/angles.hpp"
#include "pcanno/geometry/points_in_cuboid.hpp"
#include "pcanno/geometry/track_interpolation.hpp"
#include "pcanno/plugin/automation/polyline_completion.hpp"
#include "pcanno/plugin/automation/propagation.hpp"

namespace pcanno::plugin {
namespace {

using formats::BoxState;
using formats::Error;
using formats::ErrorCode;
using formats::Expected;
using formats::Track;

/// Per-frame data the completion needs: times, poses and (lazily) points.
class FrameData {
 public:
  FrameData(const formats::Annotations& doc, const formats::Sequence& seq)
      : doc_(doc), seq_(seq), clouds_(seq) {}

  double time_s(std::int64_t f) const { return formats::frame_time_s(&seq_, doc_, f); }

  std::optional<geometry::Pose> T_world_lidar(std::int64_t f) const {
    const auto i = static_cast<std::size_t>(f);
    return f >= 0 && i < seq_.size() ? seq_.frames[i].T_world_lidar : std::nullopt;
  }

  SequenceClouds& clouds() { return clouds_; }

 private:
  const formats::Annotations& doc_;
  const formats::Sequence& seq_;
  SequenceClouds clouds_;
};

Expected<geometry::Cuboid> to_world(const BoxState& s, const FrameData& data) {
  if (s.shape_frame == formats::ShapeFrame::kWorld) return s.box;
  const std::optional<geometry::Pose> T = data.T_world_lidar(s.frame);
  if (!T) {
    return Error{ErrorCode::kUnsupported,
                 "frame " + std::to_string(s.frame) +
                     " has no pose: estimate the ego motion first (ensure_poses)",
                 ""};
  }
  return geometry::transform(*T, s.box);
}

BoxState made(const BoxState& like, std::int64_t frame, const geometry::Cuboid& box_in_world,
              const FrameData& data, formats::Provenance provenance) {
  BoxState s;
  s.frame = frame;
  s.shape_frame = like.shape_frame;
  s.box = box_in_world;
  if (like.shape_frame == formats::ShapeFrame::kLidar) {
    s.box = geometry::transform(data.T_world_lidar(frame)->inverse(), box_in_world);
  }
  s.provenance = provenance;
  s.keyframe = false;
  return s;
}

/// The box at `frame` in the LiDAR-frame numbers other tools interpolate.
std::vector<BoxState> linear_between(const BoxState& a, const BoxState& b, const FrameData& data) {
  std::vector<BoxState> out;
  const geometry::BoxKey ka{data.time_s(a.frame), a.box};
  const geometry::BoxKey kb{data.time_s(b.frame), b.box};
  for (std::int64_t f = a.frame + 1; f < b.frame; ++f) {
    BoxState s;
    s.frame = f;
    s.shape_frame = a.shape_frame;
    s.box = geometry::interpolate_box_linear(ka, kb, data.time_s(f));
    s.provenance = formats::Provenance::kInterpolated;
    s.keyframe = false;
    out.push_back(s);
  }
  return out;
}

}  // namespace

const char* to_string(CompletionMethod method) {
  switch (method) {
    case CompletionMethod::kLinear:
      return "linear";
    case CompletionMethod::kInterpolate:
      return "interpolate";
    case CompletionMethod::kPropagate:
      return "propagate";
    case CompletionMethod::kAuto:
      return "auto";
  }
  return "auto";
}

std::optional<CompletionMethod> completion_method_from_string(const std::string& name) {
  for (const CompletionMethod m : {CompletionMethod::kLinear, CompletionMethod::kInterpolate,
                                   CompletionMethod::kPropagate, CompletionMethod::kAuto}) {
    if (name == to_string(m)) return m;
  }
  return std::nullopt;
}

std::size_t crop_to_frames(formats::Annotations& doc, std::size_t frame_count) {
  const auto n = static_cast<std::int64_t>(frame_count);
  std::size_t removed = 0;
  for (Track& t : doc.tracks) {
    const auto before = t.boxes.size();
    t.boxes.erase(std::remove_if(t.boxes.begin(), t.boxes.end(),
                                 [n](const BoxState& b) { return b.frame >= n; }),
                  t.boxes.end());
    removed += before - t.boxes.size();
  }
  doc.tracks.erase(std::remove_if(doc.tracks.begin(), doc.tracks.end(),
                                  [](const Track& t) { return t.boxes.empty(); }),
                   doc.tracks.end());
  for (formats::PolylineTrack& p : doc.polylines) {
    p.states.erase(std::remove_if(p.states.begin(), p.states.end(),
                                  [n](const formats::PolylineState& s) { return s.frame >= n; }),
                   p.states.end());
  }
  doc.polylines.erase(
      std::remove_if(doc.polylines.begin(), doc.polylines.end(),
                     [](const formats::PolylineTrack& p) { return p.states.empty(); }),
      doc.polylines.end());
  doc.ignore_regions.erase(
      std::remove_if(doc.ignore_regions.begin(), doc.ignore_regions.end(),
                     [n](const formats::IgnoreRegion& r) { return r.frame >= n; }),
      doc.ignore_regions.end());
  if (doc.frames.size() > frame_count) doc.frames.resize(frame_count);
  return removed;
}

namespace {

/// Boxes or polyline states: the first, every k-th and (keep_last) the last, made keyframes.
template <typename State>
void keep_every(std::vector<State>& states, std::size_t k, bool keep_last) {
  std::vector<State> kept;
  for (std::size_t i = 0; i < states.size(); ++i) {
    if (i == 0 || (k > 0 && i % k == 0) || (keep_last && i + 1 == states.size())) {
      kept.push_back(states[i]);
      kept.back().keyframe = true;
    }
  }
  states = std::move(kept);
}

}  // namespace

void keep_keyframes_every(formats::Annotations& doc, std::size_t k, bool keep_last) {
  for (Track& t : doc.tracks) keep_every(t.boxes, k, keep_last);
  for (formats::PolylineTrack& p : doc.polylines) keep_every(p.states, k, keep_last);
}

Expected<CompletionReport> complete_tracks(formats::Annotations& doc,
                                           const formats::Sequence& sequence,
                                           const CompletionOptions& options,
                                           const std::function<bool(double)>& progress) {
  CompletionReport report;
  FrameData data(doc, sequence);
  const auto last_frame =
      static_cast<std::int64_t>(std::max(sequence.size(), doc.frames.size()) > 0
                                    ? std::max(sequence.size(), doc.frames.size()) - 1
                                    : 0);
  double done = 0.0;  // the fraction reported last
  // Boxes first, then polylines, each its share of the progress by count.
  const double box_share = doc.polylines.empty()
                               ? 1.0
                               : static_cast<double>(doc.tracks.size()) /
                                     static_cast<double>(doc.tracks.size() + doc.polylines.size());
  const auto report_progress = [&](double fraction) {
    done = fraction;
    return !progress || progress(box_share * fraction);
  };
  // Frame loads poll too, so that a cancel does not wait for a large cloud.
  const CloudLoadStop stop_loads(data.clouds(), [&] { return !report_progress(done); });
  const auto cancelled = [] {
    return Error{ErrorCode::kCancelled, "track completion cancelled", ""};
  };
  const auto tracks = static_cast<double>(doc.tracks.size());
  std::vector<std::vector<BoxState>> pending(doc.tracks.size());  // per track, boxes to add
  std::vector<std::size_t> coasted(doc.tracks.size(), 0);
  for (std::size_t ti = 0; ti < doc.tracks.size(); ++ti) {
    if (!report_progress(static_cast<double>(ti) / tracks)) return cancelled();
    const Track& track = doc.tracks[ti];
    std::vector<BoxState> keys;
    for (const BoxState& b : track.boxes) {
      if (b.keyframe) keys.push_back(b);
    }
    if (keys.empty()) continue;
    std::vector<BoxState> added;
    const bool propagate_gaps = options.method == CompletionMethod::kPropagate;
    const bool propagate_tail = (options.method == CompletionMethod::kAuto ||
                                 options.method == CompletionMethod::kPropagate) &&
                                keys.size() == 1;
    // The track's share of the progress: how far through the frames it spans the work is.
    const std::int64_t first = keys.front().frame;
    // A single keyframe is followed to the end of the sequence (the track ends earlier only by
    // propagation's own rules: out of range, unseen too long).
    const std::int64_t end = propagate_tail ? last_frame : keys.back().frame;
    const auto at_frame = [&](double f) {
      const double span = static_cast<double>(std::max<std::int64_t>(end - first, 1));
      return report_progress((static_cast<double>(ti) + (f - static_cast<double>(first)) / span) /
                             tracks);
    };

    if (options.method == CompletionMethod::kLinear) {
      for (std::size_t k = 0; k + 1 < keys.size(); ++k) {
        for (BoxState& s : linear_between(keys[k], keys[k + 1], data)) added.push_back(s);
      }
    } else {
      std::vector<geometry::BoxKey> world_keys;
      for (const BoxState& b : keys) {
        Expected<geometry::Cuboid> w = to_world(b, data);
        if (!w) return std::move(w).error();
        world_keys.push_back({data.time_s(b.frame), *w});
      }
      const bool interpolate = options.method == CompletionMethod::kInterpolate ||
                               options.method == CompletionMethod::kAuto;
      if (interpolate && keys.size() >= 2) {
        // A rigid object keeps one size: the keyframe seen with the most points knows it best.
        std::size_t densest = 0;
        std::size_t most = 0;
        for (std::size_t k = 0; k < keys.size(); ++k) {
          const std::size_t n = data.clouds().points_in(keys[k].frame, world_keys[k].box).size();
          if (!report_progress(done)) return cancelled();
          if (n > most) {
            most = n;
            densest = k;
          }
        }
        geometry::InterpolationOptions io;
        // The class schema says whether the object moves the way it points (cars, bicycles).
        io.tangent = doc.class_or_default(track.label).motion.moves_along_heading
                         ? geometry::TangentMode::kHeadingAligned
                         : geometry::TangentMode::kFiniteDifference;
        io.size = world_keys[densest].box.size;
        std::vector<std::vector<Eigen::Vector3d>> models;  // per keyframe, built on demand
        const bool refine = options.refine || options.method == CompletionMethod::kAuto;
        for (std::size_t k = 0; k + 1 < keys.size(); ++k) {
          for (std::int64_t f = keys[k].frame + 1; f < keys[k + 1].frame; ++f) {
            if (!at_frame(static_cast<double>(f))) return cancelled();
            if (!data.T_world_lidar(f) && keys[k].shape_frame == formats::ShapeFrame::kLidar) {
              return Error{ErrorCode::kUnsupported,
                           "frame " + std::to_string(f) + " has no pose: estimate the ego motion",
                           ""};
            }
            geometry::Cuboid w = geometry::interpolate_box(world_keys, data.time_s(f), io);
            if (refine) {
              if (models.size() <= k + 1) models.resize(keys.size());
              for (const std::size_t m : {k, k + 1}) {
                if (models[m].empty()) {
                  models[m] = object_model(data.clouds(), keys[m].frame, world_keys[m].box,
                                           options.propagation);
                }
              }
              std::vector<Eigen::Vector3d> model = models[k];
              model.insert(model.end(), models[k + 1].begin(), models[k + 1].end());
              const std::optional<RefinedBox> r =
                  refine_box(data.clouds(), f, w, model, options.refine_max_shift,
                             options.refine_max_turn, options.propagation);
              // A load stopped by a cancel reads as "no points": stop here, not with a guess.
              if (!report_progress(done)) return cancelled();
              if (r) {
                // Near a keyframe the interpolation is as good as the labels; the points earn
                // their weight with the distance the curve spans alone.
                const double d =
                    static_cast<double>(std::min(f - keys[k].frame, keys[k + 1].frame - f));
                const double weight = std::min(1.0, d / options.refine_ramp_frames);
                w = geometry::Cuboid::from_yaw(
                    w.center + weight * (r->box_in_world.center - w.center), w.size,
                    w.yaw() + weight * geometry::angle_difference(r->box_in_world.yaw(), w.yaw()));
              }
            }
            added.push_back(made(keys[k], f, w, data, formats::Provenance::kInterpolated));
          }
        }
      }
      const geometry::MotionModelOptions motion =
          options.motion_from_class ? motion_options_for(doc.class_or_default(track.label).motion)
                                    : options.propagation.motion;
      for (std::size_t k = 0; k < keys.size() && (propagate_gaps || propagate_tail); ++k) {
        const std::int64_t stop = k + 1 < keys.size()
                                      ? keys[k + 1].frame
                                      : (propagate_tail ? last_frame + 1 : keys[k].frame + 1);
        if (stop <= keys[k].frame + 1) continue;
        // The box before the keyframe seeds the velocity when the track has one.
        std::optional<geometry::Cuboid> previous;
        if (const BoxState* b = track.at(keys[k].frame - 1)) {
          if (Expected<geometry::Cuboid> w = to_world(*b, data)) previous = *w;
        }
        const auto from = static_cast<double>(keys[k].frame);
        const auto frames = static_cast<double>(stop - 1 - keys[k].frame);
        PropagationOptions propagation = options.propagation;
        propagation.motion = motion;
        Expected<PropagationResult> r = propagate_box(
            data.clouds(), keys[k].frame, world_keys[k].box, stop - 1, previous, propagation,
            [&](double p) { return at_frame(from + p * frames); });
        if (!r) return std::move(r).error();
        for (const PropagatedBox& p : r->boxes) {
          added.push_back(
              made(keys[k], p.frame, p.box_in_world, data, formats::Provenance::kTracked));
          added.back().score = p.confidence;
        }
        coasted[ti] += r->coasted;
        if (r->lost) report.notes.push_back("track " + std::to_string(track.id) + " " + *r->lost);
      }
    }
    pending[ti] = std::move(added);
  }
  if (!report_progress(1.0)) return cancelled();
  Expected<PolylineCompletion> lines = complete_polylines(
      doc, data.clouds(), options,
      [&](double f) { return !progress || progress(box_share + (1.0 - box_share) * f); });
  if (!lines) return std::move(lines).error();
  // Only now is the document changed: a cancelled or failed completion leaves it as it was.
  doc.polylines = std::move(lines->polylines);
  report.polyline_states_added = lines->states_added;
  report.polylines_completed = lines->polylines_completed;
  report.notes.insert(report.notes.end(), lines->notes.begin(), lines->notes.end());
  for (std::size_t ti = 0; ti < doc.tracks.size(); ++ti) {
    if (pending[ti].empty()) continue;
    Track& track = doc.tracks[ti];
    ++report.tracks_completed;
    for (BoxState& s : pending[ti]) {
      if (track.at(s.frame) != nullptr) continue;  // never overwrite what a person drew
      const bool review = s.provenance == formats::Provenance::kTracked && s.score &&
                          *s.score < kReviewScore;
      track.boxes.push_back(std::move(s));
      ++report.boxes_added;
      report.boxes_to_review += review ? 1 : 0;
    }
    report.boxes_coasted += coasted[ti];
    std::sort(track.boxes.begin(), track.boxes.end(),
              [](const BoxState& a, const BoxState& b) { return a.frame < b.frame; });
  }
  return report;
}

}  // namespace pcanno::plugin
