#include "pcanno/plugin/automation/association.hpp"

#include <algorithm>
#include <cmath>
#include <optional>
#include <tuple>

#include "pcanno/geometry/iou.hpp"

namespace pcanno::plugin {
namespace {

/// A track while the frames go by.
struct LiveTrack {
  geometry::BoxKalman filter;
  std::string class_name;
  std::size_t birth = 0;  ///< creation order, for stable ids
  double time_s = 0.0;    ///< of the filter's state
  std::size_t hits = 0;
  std::size_t misses = 0;            ///< in a row
  std::vector<AssociatedBox> boxes;  ///< matched, and bridged since the last match
};

struct Pair {
  double cost = 0.0;
  std::size_t track = 0;
  std::size_t detection = 0;
};

/// Drops the bridged boxes after the last match: a track that died was not there.
void trim_tail(LiveTrack& t) {
  while (!t.boxes.empty() && !t.boxes.back().detected) t.boxes.pop_back();
}

/// The admissible pairs of `frame`'s detections with the live tracks' predictions, by cost.
std::vector<Pair> candidate_pairs(const std::vector<LiveTrack>& live, const FrameDetections& frame,
                                  const AssociationOptions& options) {
  std::vector<Pair> pairs;
  for (std::size_t t = 0; t < live.size(); ++t) {
    const geometry::Cuboid predicted = live[t].filter.box();
    const double gate =
        options.gate_distance + options.gate_sigmas * live[t].filter.position_sigma();
    for (std::size_t d = 0; d < frame.detections.size(); ++d) {
      const WorldDetection& det = frame.detections[d];
      if (det.class_name != live[t].class_name) continue;
      const double distance = (det.box_in_world.center - predicted.center).norm();
      if (!(distance <= gate)) continue;
      const double iou = geometry::iou_3d(predicted, det.box_in_world);
      if (iou < options.min_iou && distance > options.near_distance) continue;
      pairs.push_back({1.0 - iou + distance / gate, t, d});
    }
  }
  std::sort(pairs.begin(), pairs.end(), [](const Pair& a, const Pair& b) {
    return std::tie(a.cost, a.track, a.detection) < std::tie(b.cost, b.track, b.detection);
  });
  return pairs;
}

/// Bridged boxes take the lower score of the matches around them.
void score_bridges(std::vector<AssociatedBox>& boxes) {
  for (std::size_t i = 0; i < boxes.size(); ++i) {
    if (boxes[i].detected) continue;
    std::size_t next = i;
    while (next < boxes.size() && !boxes[next].detected) ++next;
    // A kept track starts and ends with a match (trim_tail), so both neighbours exist.
    const double low = std::min(boxes[i - 1].score, boxes[next].score);
    for (std::size_t j = i; j < next; ++j) boxes[j].score = low;
    i = next;
  }
}

/// Turns every box of a track that moves to head along its motion; a static track keeps the
/// filter's heading.
void head_along_motion(std::vector<AssociatedBox>& boxes, double moving_distance) {
  if (boxes.size() < 2) return;
  const Eigen::Vector3d overall =
      boxes.back().box_in_world.center - boxes.front().box_in_world.center;
  if (overall.head<2>().norm() < moving_distance) return;
  for (std::size_t i = 0; i < boxes.size(); ++i) {
    // The local direction (two boxes either way) follows turns; the whole track's when the object
    // barely moved locally.
    const std::size_t lo = i >= 2 ? i - 2 : 0;
    const std::size_t hi = std::min(boxes.size() - 1, i + 2);
    Eigen::Vector2d direction =
        (boxes[hi].box_in_world.center - boxes[lo].box_in_world.center).head<2>();
    if (direction.norm() < 0.5) direction = overall.head<2>();
    const double yaw = boxes[i].box_in_world.yaw();
    if (std::cos(yaw) * direction.x() + std::sin(yaw) * direction.y() < 0.0) {
      boxes[i].box_in_world = geometry::flipped_heading(boxes[i].box_in_world);
    }
  }
}

}  // namespace

AssociationResult associate(const std::vector<FrameDetections>& frames,
                            const AssociationOptions& options) {
  AssociationResult result;
  const std::size_t min_hits = std::max<std::size_t>(1, std::min(options.min_hits, frames.size()));
  std::vector<LiveTrack> live;
  std::vector<LiveTrack> born;
  std::size_t births = 0;
  const auto end_track = [&](LiveTrack& t) {
    trim_tail(t);
    if (t.hits >= min_hits) born.push_back(std::move(t));
  };

  for (const FrameDetections& frame : frames) {
    result.detections += frame.detections.size();
    for (LiveTrack& t : live) {
      t.filter.predict(frame.time_s - t.time_s);
      t.time_s = frame.time_s;
    }
    std::vector<bool> track_used(live.size(), false);
    std::vector<bool> detection_used(frame.detections.size(), false);
    for (const Pair& p : candidate_pairs(live, frame, options)) {
      if (track_used[p.track] || detection_used[p.detection]) continue;
      track_used[p.track] = detection_used[p.detection] = true;
      LiveTrack& t = live[p.track];
      const WorldDetection& det = frame.detections[p.detection];
      t.filter.update(det.box_in_world);
      t.boxes.push_back({frame.frame, t.filter.box(), det.score, true, det.attributes});
      ++t.hits;
      t.misses = 0;
    }
    std::vector<LiveTrack> next;
    for (std::size_t i = 0; i < live.size(); ++i) {
      LiveTrack& t = live[i];
      if (!track_used[i]) {
        ++t.misses;
        t.boxes.push_back({frame.frame, t.filter.box(), 0.0, false, {}});
      }
      // A track not yet born dies at its first miss: birth takes min_hits matches in a row (as
      // SORT's hit streak), so that one-off false positives never chain into a track.
      if (t.misses > options.max_misses || (t.misses > 0 && t.hits < min_hits)) {
        end_track(t);
      } else {
        next.push_back(std::move(t));
      }
    }
    live = std::move(next);
    for (std::size_t d = 0; d < frame.detections.size(); ++d) {
      if (detection_used[d]) continue;
      const WorldDetection& det = frame.detections[d];
      LiveTrack t{geometry::BoxKalman(det.box_in_world, options.noise),
                  det.class_name,
                  births++,
                  frame.time_s,
                  1,
                  0,
                  {}};
      t.boxes.push_back({frame.frame, t.filter.box(), det.score, true, det.attributes});
      live.push_back(std::move(t));
    }
  }
  for (LiveTrack& t : live) end_track(t);

  std::sort(born.begin(), born.end(),
            [](const LiveTrack& a, const LiveTrack& b) { return a.birth < b.birth; });
  std::size_t used = 0;
  for (LiveTrack& t : born) {
    AssociatedTrack out;
    out.id = static_cast<std::int64_t>(result.tracks.size());
    out.class_name = t.class_name;
    out.boxes = std::move(t.boxes);
    score_bridges(out.boxes);
    head_along_motion(out.boxes, options.moving_distance);
    used += t.hits;
    result.tracks.push_back(std::move(out));
  }
  result.unused = result.detections - used;
  return result;
}

}  // namespace pcanno::plugin
