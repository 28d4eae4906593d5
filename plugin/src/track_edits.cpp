#include "pcanno/plugin/track_edits.hpp"

#include <algorithm>
#include <string>
#include <utility>

#include "command_support.hpp"
#include "pcanno/formats/labels/shape_frames.hpp"
#include "pcanno/geometry/box_fit.hpp"
#include "pcanno/geometry/ground.hpp"
#include "pcanno/geometry/pose.hpp"
#include "pcanno/plugin/automation/class_fit.hpp"
#include "pcanno/plugin/session.hpp"

namespace pcanno::plugin {

using formats::BoxEdit;
using formats::BoxState;
using formats::Track;
using formats::TrackEdit;
using namespace detail;

namespace {

std::string id_text(std::int64_t id) { return std::to_string(id); }

Status check_range(FrameRange range) {
  if (range.first < 0 || range.last < range.first) {
    return invalid("frame range " + id_text(range.first) + "-" + id_text(range.last) +
                   " is empty or negative");
  }
  return {};
}

/// The boxes of `track` in `range` (all without one); kNotFound naming the track and range.
Expected<std::vector<const BoxState*>> boxes_in(const Track& track,
                                                const std::optional<FrameRange>& range) {
  std::vector<const BoxState*> out;
  for (const BoxState& b : track.boxes) {
    if (!range || range->contains(b.frame)) out.push_back(&b);
  }
  if (out.empty()) {
    return not_found("track " + id_text(track.id) + " has no box in frames " +
                     (range ? range_text(*range) : std::string("(any)")));
  }
  return out;
}

/// One BoxEdit per box of `boxes`, each changed by `change`.
template <typename Change>
Command edit_each(std::string name, std::int64_t track_id,
                  const std::vector<const BoxState*>& boxes, Change change) {
  Command cmd{std::move(name), {}};
  cmd.edits.reserve(boxes.size());
  for (const BoxState* b : boxes) {
    BoxState s = *b;
    change(s);
    cmd.edits.push_back(BoxEdit{track_id, s.frame, std::move(s)});
  }
  return cmd;
}

}  // namespace

TrackOverlap track_overlap(const Track& a, const Track& b) {
  TrackOverlap out;
  if (a.boxes.empty() && b.boxes.empty()) return out;
  // Both are sorted by frame: one merge walk finds the shared frames and the union's holes.
  std::vector<std::int64_t> all;
  all.reserve(a.boxes.size() + b.boxes.size());
  auto i = a.boxes.begin();
  auto j = b.boxes.begin();
  while (i != a.boxes.end() || j != b.boxes.end()) {
    if (j == b.boxes.end() || (i != a.boxes.end() && i->frame < j->frame)) {
      all.push_back((i++)->frame);
    } else if (i == a.boxes.end() || j->frame < i->frame) {
      all.push_back((j++)->frame);
    } else {
      out.overlaps.push_back(i->frame);
      all.push_back(i->frame);
      ++i;
      ++j;
    }
  }
  for (std::size_t k = 1; k < all.size(); ++k) {
    if (all[k] > all[k - 1] + 1) out.gaps.push_back(FrameRange{all[k - 1] + 1, all[k] - 1});
  }
  return out;
}

std::string frame_list(const std::vector<std::int64_t>& frames) {
  std::string out;
  for (std::int64_t f : frames) {
    if (!out.empty()) out += ", ";
    out += id_text(f);
  }
  return out;
}

std::string range_text(const FrameRange& range) {
  return range.first == range.last ? id_text(range.first)
                                   : id_text(range.first) + "-" + id_text(range.last);
}

std::string range_list(const std::vector<FrameRange>& ranges) {
  std::string out;
  for (const FrameRange& r : ranges) {
    if (!out.empty()) out += ", ";
    out += range_text(r);
  }
  return out;
}

Expected<Command> relink_box(const Annotations& doc, std::int64_t track_id, std::int64_t frame,
                             std::int64_t target_id) {
  Expected<const BoxState*> b = find_box(doc, track_id, frame);
  if (!b) return std::move(b).error();
  if (target_id == track_id) {
    return invalid("the box of track " + id_text(track_id) + " at frame " + id_text(frame) +
                   " is in that track already");
  }
  const Track& source = *doc.track(track_id);
  Command cmd{"Relink box", {}};
  // The source first: removing its last box removes the track, which frees nothing the target
  // needs, and undo (reversed) then restores it before the box leaves the target.
  if (source.boxes.size() == 1) {
    cmd.edits.push_back(TrackEdit{track_id, std::nullopt});
  } else {
    cmd.edits.push_back(BoxEdit{track_id, frame, std::nullopt});
  }
  const Track* target = target_id < 0 ? nullptr : doc.track(target_id);
  if (target != nullptr) {
    if (target->at(frame) != nullptr) {
      return conflict("track " + id_text(target_id) + " has a box at frame " + id_text(frame) +
                      " already; delete or relink it first");
    }
    cmd.edits.push_back(BoxEdit{target_id, frame, **b});
    return cmd;
  }
  Track fresh;
  fresh.id = target_id < 0 ? next_track_id(doc) : target_id;
  fresh.label = source.label;
  fresh.attributes = source.attributes;
  fresh.free_tilt = source.free_tilt;
  fresh.boxes.push_back(**b);
  cmd.edits.push_back(TrackEdit{fresh.id, std::move(fresh)});
  return cmd;
}

Expected<Command> delete_frames(const Annotations& doc, std::int64_t track_id, FrameRange range) {
  if (Status ok = check_range(range); !ok) return std::move(ok).error();
  Expected<const Track*> t = find_track(doc, track_id);
  if (!t) return std::move(t).error();
  Expected<std::vector<const BoxState*>> boxes = boxes_in(**t, range);
  if (!boxes) return std::move(boxes).error();
  if (boxes->size() == (*t)->boxes.size()) {
    return Command{"Delete frames", {TrackEdit{track_id, std::nullopt}}};
  }
  Command cmd{"Delete frames", {}};
  for (const BoxState* b : *boxes) cmd.edits.push_back(BoxEdit{track_id, b->frame, std::nullopt});
  return cmd;
}

Expected<Command> apply_size(const Annotations& doc, std::int64_t track_id, std::int64_t from_frame,
                             std::optional<FrameRange> range) {
  if (range) {
    if (Status ok = check_range(*range); !ok) return std::move(ok).error();
  }
  Expected<const BoxState*> from = find_box(doc, track_id, from_frame);
  if (!from) return std::move(from).error();
  const Eigen::Vector3d size = (*from)->box.size;
  Expected<std::vector<const BoxState*>> boxes = boxes_in(*doc.track(track_id), range);
  if (!boxes) return std::move(boxes).error();
  return edit_each("Apply size", track_id, *boxes, [&size](BoxState& s) { s.box.size = size; });
}

Expected<Command> flip_heading(const Annotations& doc, std::int64_t track_id, FrameRange range) {
  if (Status ok = check_range(range); !ok) return std::move(ok).error();
  Expected<const Track*> t = find_track(doc, track_id);
  if (!t) return std::move(t).error();
  Expected<std::vector<const BoxState*>> boxes = boxes_in(**t, range);
  if (!boxes) return std::move(boxes).error();
  return edit_each("Flip heading", track_id, *boxes,
                   [](BoxState& s) { s.box = geometry::flipped_heading(s.box); });
}

CloudOf sequence_clouds(const Session& session) {
  const formats::Sequence* seq = session.sequence();
  return [seq](std::int64_t frame) -> Expected<std::shared_ptr<const formats::PointCloud>> {
    if (seq == nullptr || frame < 0 || static_cast<std::size_t>(frame) >= seq->size()) {
      return not_found("frame " + id_text(frame) + " has no cloud");
    }
    Expected<formats::CloudFile> file = seq->load_frame(static_cast<std::size_t>(frame));
    if (!file) return std::move(file).error();
    return std::make_shared<const formats::PointCloud>(std::move(file->cloud));
  };
}

namespace {

/// The box of `s` re-fitted to `cloud`, in the frame `s` is stored in; nullopt when the fit finds
/// no object, an error when a world-frame box's frame has no pose. The fit is yaw-only in the
/// cloud's frame: the stored box keeps its own pitch and roll (an upright box stays upright in the
/// frame it is stored in, and a free-tilt box keeps its tilt) and takes the fitted heading.
Expected<std::optional<geometry::Cuboid>> refit_box(const Session& session,
                                                    const std::string& label, const BoxState& s,
                                                    const formats::PointCloud& cloud) {
  Expected<geometry::Cuboid> in_lidar = formats::box_in_lidar(s, session.sequence());
  if (!in_lidar) return std::move(in_lidar).error();
  const geometry::Pose T_lidar_cloud = cloud.T_lidar_cloud();
  const geometry::Cuboid in_cloud = geometry::transform(T_lidar_cloud.inverse(), *in_lidar);
  const std::optional<geometry::GroundModel> ground = geometry::GroundModel::fit(cloud.view());
  if (!ground) return std::optional<geometry::Cuboid>{};
  // The class's kind, the box's own size as the prior and its heading as the hint.
  geometry::FitOptions options = class_fit_options(session.document().class_or_default(label));
  options.size_prior = s.box.size;
  options.heading_hint = in_cloud.yaw();
  options.sensor_origin = T_lidar_cloud.inverse().translation();
  const std::optional<geometry::FitResult> fit =
      geometry::fit_box(cloud.view(), *ground, in_cloud.center, options);
  if (!fit) return std::optional<geometry::Cuboid>{};
  // Back through the same poses as box_in_lidar() came: the stored box moved to the fitted one.
  const geometry::Pose T_stored_cloud = s.box.pose() * in_lidar->pose().inverse() * T_lidar_cloud;
  geometry::Cuboid fitted = geometry::transform(T_stored_cloud, fit->box);
  geometry::YawPitchRoll ypr = geometry::yaw_pitch_roll(s.box.rotation);
  ypr.yaw = geometry::yaw_pitch_roll(fitted.rotation).yaw;
  fitted.rotation = geometry::quaternion_from_yaw_pitch_roll(ypr);
  return std::optional<geometry::Cuboid>{fitted};
}

}  // namespace

Expected<Command> refit_track(const Session& session, std::int64_t track_id,
                              std::optional<FrameRange> range, const CloudOf& clouds,
                              const Progress& progress, RefitReport* report) {
  if (range) {
    if (Status ok = check_range(*range); !ok) return std::move(ok).error();
  }
  Expected<const Track*> t = find_track(session.document(), track_id);
  if (!t) return std::move(t).error();
  if (session.sequence() == nullptr) {
    return invalid("re-fitting track " + id_text(track_id) + " needs the sequence's points");
  }
  Expected<std::vector<const BoxState*>> boxes = boxes_in(**t, range);
  if (!boxes) return std::move(boxes).error();
  RefitReport local;
  Command cmd{"Refit track", {}};
  for (std::size_t i = 0; i < boxes->size(); ++i) {
    if (progress && !progress(static_cast<double>(i) / static_cast<double>(boxes->size()))) {
      return Error{ErrorCode::kCancelled, "re-fitting track " + id_text(track_id) + " cancelled",
                   ""};
    }
    const BoxState& b = *(*boxes)[i];
    Expected<std::shared_ptr<const formats::PointCloud>> cloud = clouds(b.frame);
    if (!cloud) return std::move(cloud).error();
    Expected<std::optional<geometry::Cuboid>> refit = refit_box(session, (*t)->label, b, **cloud);
    if (!refit) return std::move(refit).error();
    const std::optional<geometry::Cuboid>& fitted = *refit;
    if (!fitted) {
      local.kept_frames.push_back(b.frame);
      continue;
    }
    BoxState s = b;
    s.box = *fitted;
    s.provenance = formats::Provenance::kFitted;
    cmd.edits.push_back(BoxEdit{track_id, s.frame, std::move(s)});
    ++local.refitted;
  }
  if (progress && !progress(1.0)) {
    return Error{ErrorCode::kCancelled, "re-fitting track " + id_text(track_id) + " cancelled", ""};
  }
  if (report != nullptr) *report = std::move(local);
  return cmd;
}

}  // namespace pcanno::plugin
