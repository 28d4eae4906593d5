#include "pcanno/plugin/services/evaluation.hpp"

#include <algorithm>
#include <cstdlib>
#include <map>
#include <set>
#include <utility>

#include "pcanno/formats/labels/shape_frames.hpp"
#include "pcanno/geometry/iou.hpp"

namespace pcanno::plugin {

namespace {

using formats::BoxState;
using formats::Expected;

/// Both boxes in one frame: as stored when they share it, else each in its LiDAR frame (the frame
/// both can reach with one pose each).
Expected<std::pair<geometry::Cuboid, geometry::Cuboid>> common_frame(
    const BoxState& pred, const BoxState& gt, const formats::Sequence* sequence) {
  if (pred.shape_frame == gt.shape_frame) return std::make_pair(pred.box, gt.box);
  auto p = formats::box_in_lidar(pred, sequence);
  if (!p) return std::move(p).error();
  auto g = formats::box_in_lidar(gt, sequence);
  if (!g) return std::move(g).error();
  return std::make_pair(*p, *g);
}

/// The ground-truth box at `frame` of `track` was derived from its neighbours, in `track`'s frame.
bool is_derived(const formats::Track& track, const BoxState& g, double tolerance) {
  const BoxState* before = track.at(g.frame - 1);
  const BoxState* after = track.at(g.frame + 1);
  if (before == nullptr || after == nullptr) return false;
  if (before->shape_frame != g.shape_frame || after->shape_frame != g.shape_frame) return false;
  return is_interpolated_midpoint(before->box, g.box, after->box, tolerance);
}

}  // namespace

bool is_interpolated_midpoint(const geometry::Cuboid& before, const geometry::Cuboid& box,
                              const geometry::Cuboid& after, double tolerance) {
  if ((box.center - 0.5 * (before.center + after.center)).norm() > tolerance) return false;
  if ((box.size - 0.5 * (before.size + after.size)).norm() > tolerance) return false;
  const Eigen::Quaterniond half = before.rotation.slerp(0.5, after.rotation);
  return half.angularDistance(box.rotation) <= tolerance;
}

IouSummary summarize(const std::vector<const BoxResult*>& boxes) {
  IouSummary s;
  s.boxes = boxes.size();
  if (boxes.empty()) return s;
  std::size_t at_50 = 0, at_70 = 0, bev_50 = 0, bev_70 = 0;
  for (const BoxResult* b : boxes) {
    if (!b->predicted) ++s.missed;
    s.mean_iou_3d += b->iou_3d;
    s.mean_iou_bev += b->iou_bev;
    at_50 += b->iou_3d >= 0.5 ? 1 : 0;
    at_70 += b->iou_3d >= 0.7 ? 1 : 0;
    bev_50 += b->iou_bev >= 0.5 ? 1 : 0;
    bev_70 += b->iou_bev >= 0.7 ? 1 : 0;
  }
  const double n = static_cast<double>(boxes.size());
  s.mean_iou_3d /= n;
  s.mean_iou_bev /= n;
  s.fraction_3d_50 = static_cast<double>(at_50) / n;
  s.fraction_3d_70 = static_cast<double>(at_70) / n;
  s.fraction_bev_50 = static_cast<double>(bev_50) / n;
  s.fraction_bev_70 = static_cast<double>(bev_70) / n;
  return s;
}

Expected<EvalReport> evaluate(const formats::Annotations& pred, const formats::Annotations& gt,
                              const formats::Sequence* sequence, const EvalOptions& options) {
  const std::set<std::int64_t> frames(options.frames.begin(), options.frames.end());
  const auto selected = [&](std::int64_t frame) { return frames.empty() || frames.count(frame); };

  // Documents need not be normalised: index tracks by id, and sort the results at the end.
  std::map<std::int64_t, const formats::Track*> pred_tracks;
  for (const formats::Track& t : pred.tracks) pred_tracks.emplace(t.id, &t);
  std::map<std::int64_t, const formats::Track*> gt_tracks;
  for (const formats::Track& t : gt.tracks) gt_tracks.emplace(t.id, &t);

  EvalReport report;
  for (const auto& [id, track] : gt_tracks) {
    const auto p = pred_tracks.find(id);
    const formats::Track* pred_track = p != pred_tracks.end() ? p->second : nullptr;
    for (const BoxState& g : track->boxes) {
      if (!selected(g.frame)) continue;
      const BoxState* q = pred_track != nullptr ? pred_track->at(g.frame) : nullptr;
      if (options.exclude_keyframes && q != nullptr && q->keyframe) {
        ++report.excluded_keyframes;
        continue;
      }
      if (options.exclude_derived_gt && is_derived(*track, g, options.derived_tolerance)) {
        ++report.excluded_derived;
        continue;
      }
      BoxResult r;
      if (pred_track != nullptr) {
        for (const BoxState& k : pred_track->boxes) {
          if (!k.keyframe) continue;
          const std::int64_t d = std::abs(k.frame - g.frame);
          if (r.keyframe_distance < 0 || d < r.keyframe_distance) r.keyframe_distance = d;
        }
      }
      r.track_id = id;
      r.frame = g.frame;
      r.label = track->label;
      if (q != nullptr) {
        auto boxes = common_frame(*q, g, sequence);
        if (!boxes) return std::move(boxes).error();
        r.predicted = true;
        r.same_label = pred_track->label == track->label;
        r.iou_3d = geometry::iou_3d(boxes->first, boxes->second);
        r.iou_bev = geometry::iou_bev(boxes->first, boxes->second);
        if (!r.same_label) ++report.label_mismatches;
      }
      report.boxes.push_back(std::move(r));
    }
  }
  std::sort(report.boxes.begin(), report.boxes.end(), [](const BoxResult& a, const BoxResult& b) {
    return std::make_pair(a.track_id, a.frame) < std::make_pair(b.track_id, b.frame);
  });

  for (const auto& [id, track] : pred_tracks) {
    const auto g = gt_tracks.find(id);
    for (const BoxState& q : track->boxes) {
      if (!selected(q.frame) || (options.exclude_keyframes && q.keyframe)) continue;
      if (g != gt_tracks.end() && g->second->at(q.frame) != nullptr) continue;
      report.unmatched.push_back(UnmatchedPrediction{id, q.frame, track->label});
    }
  }
  std::sort(report.unmatched.begin(), report.unmatched.end(),
            [](const UnmatchedPrediction& a, const UnmatchedPrediction& b) {
              return std::make_pair(a.track_id, a.frame) < std::make_pair(b.track_id, b.frame);
            });

  std::vector<const BoxResult*> all;
  std::map<std::string, std::vector<const BoxResult*>> by_class;
  std::map<std::int64_t, std::vector<const BoxResult*>> by_track;
  std::map<std::int64_t, std::vector<const BoxResult*>> by_frame;
  std::map<std::int64_t, std::vector<const BoxResult*>> by_distance;
  for (const BoxResult& b : report.boxes) {
    if (b.keyframe_distance >= 0) by_distance[b.keyframe_distance].push_back(&b);
    all.push_back(&b);
    by_class[b.label].push_back(&b);
    by_track[b.track_id].push_back(&b);
    by_frame[b.frame].push_back(&b);
  }
  report.overall = summarize(all);
  for (const auto& [label, boxes] : by_class) report.classes.push_back({label, summarize(boxes)});
  for (const auto& [id, boxes] : by_track) {
    TrackResult t;
    t.track_id = id;
    t.label = boxes.front()->label;
    t.iou = summarize(boxes);
    t.min_iou_3d = boxes.front()->iou_3d;
    t.worst_frame = boxes.front()->frame;
    for (const BoxResult* b : boxes) {
      if (b->iou_3d < t.min_iou_3d) {
        t.min_iou_3d = b->iou_3d;
        t.worst_frame = b->frame;
      }
    }
    report.tracks.push_back(std::move(t));
  }
  for (const auto& [frame, boxes] : by_frame) report.frames.push_back({frame, summarize(boxes)});
  for (const auto& [d, boxes] : by_distance) {
    report.by_keyframe_distance.push_back({d, summarize(boxes)});
  }
  return report;
}

}  // namespace pcanno::plugin
