#include "pcanno/plugin/automation/prelabel.hpp"

#include <algorithm>
#include <cmath>
#include <set>

#include "pcanno/geometry/iou.hpp"
#include "pcanno/plugin/detectors/guarded.hpp"

namespace pcanno::plugin {
namespace {

using formats::Error;
using formats::ErrorCode;
using formats::Expected;

geometry::Pose pose_of(const formats::Sequence& seq, std::int64_t frame) {
  return seq.frames[static_cast<std::size_t>(frame)].T_world_lidar.value_or(
      geometry::Pose::Identity());
}

/// [s] of a frame: its timestamp, else 10 Hz (KITTI's and most spinning LiDARs' rate).
double frame_time(const formats::Sequence& seq, std::int64_t frame) {
  if (seq.has_timestamps()) {
    return static_cast<double>(seq.frames[static_cast<std::size_t>(frame)].timestamp_us -
                               seq.frames.front().timestamp_us) *
           1e-6;
  }
  return 0.1 * static_cast<double>(frame);
}

Error cancelled() { return Error{ErrorCode::kCancelled, "pre-labelling cancelled", ""}; }

}  // namespace

ClassCheck schema_classes(const formats::Annotations& doc) {
  std::set<std::string> names;
  for (const formats::ClassSpec& c : doc.classes) {
    if (c.shape == formats::ShapeKind::kBox) names.insert(c.name);
  }
  if (names.empty()) {
    for (const formats::ClassSpec& c : formats::default_class_schema()) {
      if (c.shape == formats::ShapeKind::kBox) names.insert(c.name);
    }
  }
  return [names = std::move(names)](const std::string& name) { return names.count(name) != 0; };
}

Expected<std::pair<std::int64_t, std::int64_t>> parse_frame_range(const std::string& text) {
  const auto number = [](const std::string& t, std::int64_t& out) {
    if (t.empty() || t.size() > 15 ||
        !std::all_of(t.begin(), t.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      return false;
    }
    out = std::stoll(t);
    return true;
  };
  const std::size_t dash = text.find('-');
  std::int64_t first = 0;
  std::int64_t last = 0;
  const bool ok = dash == std::string::npos
                      ? number(text, first) && number(text, last)
                      : number(text.substr(0, dash), first) && number(text.substr(dash + 1), last);
  if (!ok || last < first) {
    return Error{ErrorCode::kInvalidArgument,
                 "frames '" + text + "': expected A-B (first and last frame, A <= B) or A", ""};
  }
  return std::make_pair(first, last);
}

formats::Status check_frame_range(std::int64_t first, std::int64_t last, std::size_t frame_count) {
  const auto count = static_cast<std::int64_t>(frame_count);
  const std::int64_t end = last < 0 ? count - 1 : last;
  if (count == 0 || first < 0 || first > end || end >= count) {
    return Error{ErrorCode::kInvalidArgument,
                 "frames " + std::to_string(first) + "-" +
                     (last < 0 ? "end" : std::to_string(last)) + ": the sequence has frames 0-" +
                     std::to_string(count - 1),
                 ""};
  }
  return {};
}

Expected<PrelabelRun> run_prelabel(Detector& detector, const formats::Sequence& sequence,
                                   const PrelabelOptions& options, const ClassCheck& known_class,
                                   const Progress& progress) {
  if (formats::Status s =
          check_frame_range(options.first_frame, options.last_frame, sequence.size());
      !s) {
    return s.error();
  }
  PrelabelRun run;
  run.first_frame = options.first_frame;
  run.last_frame =
      options.last_frame < 0 ? static_cast<std::int64_t>(sequence.size()) - 1 : options.last_frame;
  const auto frames = static_cast<double>(run.last_frame - run.first_frame + 1);
  // The association takes milliseconds; loading and detecting are the work.
  const ProgressStep detecting(progress, 0.0, 0.98, "detecting");
  std::vector<FrameDetections> detections;
  for (std::int64_t f = run.first_frame; f <= run.last_frame; ++f) {
    const double done = static_cast<double>(f - run.first_frame) / frames;
    const double share = 1.0 / frames;
    formats::ReadOptions read;
    read.progress = [&](double x) { return detecting(done + 0.3 * share * x); };
    Expected<formats::CloudFile> cloud = sequence.load_frame(static_cast<std::size_t>(f), read);
    if (!cloud) {
      if (cloud.error().code == ErrorCode::kCancelled) return cancelled();
      return std::move(cloud).error();
    }
    if (!detecting(done + 0.3 * share)) return cancelled();
    const formats::FrameRef& ref = sequence.frames[static_cast<std::size_t>(f)];
    DetectorFrame frame;
    frame.index = f;
    frame.timestamp_us = ref.timestamp_us;
    frame.cloud = &cloud->cloud;
    frame.T_world_lidar = ref.T_world_lidar;
    frame.calibration = sequence.calibration_of(static_cast<std::size_t>(f));
    bool stopped = false;
    Expected<std::vector<Detection>> found = detect_guarded(detector, frame, [&] {
      stopped = stopped || !detecting(done + 0.3 * share);
      return stopped;
    });
    if (stopped || (!found && found.error().code == ErrorCode::kCancelled)) return cancelled();
    if (!found) {
      Error e = std::move(found).error();
      e.message = "frame " + std::to_string(f) + ": " + e.message;
      return e;
    }
    const geometry::Pose T_world_lidar = pose_of(sequence, f);
    FrameDetections world{f, frame_time(sequence, f), {}};
    for (Detection& d : *found) {
      if (!std::isfinite(d.score) || d.score < options.min_score) {
        ++run.below_min_score;
        continue;
      }
      if (!known_class(d.class_name)) {
        ++run.unknown_classes[d.class_name];
        continue;
      }
      world.detections.push_back({std::move(d.class_name),
                                  geometry::transform(T_world_lidar, d.box_in_lidar), d.score,
                                  std::move(d.attributes)});
    }
    detections.push_back(std::move(world));
    if (!detecting(done + share)) return cancelled();
  }
  run.association = associate(detections, options.association);
  if (progress && !progress(1.0)) return cancelled();
  return run;
}

Expected<Command> prelabel_command(const formats::Annotations& doc,
                                   const formats::Sequence& sequence, const PrelabelRun& run,
                                   const PrelabelApply& apply, PrelabelNotes& notes) {
  notes = {};
  Command command;
  command.name = run.first_frame == run.last_frame
                     ? "Pre-label frame " + std::to_string(run.first_frame)
                     : "Pre-label frames " + std::to_string(run.first_frame) + "-" +
                           std::to_string(run.last_frame);
  const auto replaced = [&](const formats::BoxState& b) {
    return b.provenance == formats::Provenance::kModel && !b.keyframe &&
           b.frame >= run.first_frame && b.frame <= run.last_frame;
  };
  // Boxes that stay, in the world frame, per frame: pre-labels do not duplicate them.
  std::map<std::int64_t, std::vector<geometry::Cuboid>> kept;
  for (const formats::Track& t : doc.tracks) {
    formats::Track rest = t;
    rest.boxes.clear();
    for (const formats::BoxState& b : t.boxes) {
      if (replaced(b)) {
        ++notes.replaced;
        continue;
      }
      rest.boxes.push_back(b);
      if (b.frame >= run.first_frame && b.frame <= run.last_frame &&
          static_cast<std::size_t>(b.frame) < sequence.size()) {
        kept[b.frame].push_back(b.shape_frame == formats::ShapeFrame::kWorld
                                    ? b.box
                                    : geometry::transform(pose_of(sequence, b.frame), b.box));
      }
    }
    if (rest.boxes.size() == t.boxes.size()) continue;
    command.edits.push_back(formats::TrackEdit{
        t.id, rest.boxes.empty() ? std::nullopt : std::optional<formats::Track>(rest)});
  }
  std::set<std::string> classes;
  std::int64_t id = next_track_id(doc);
  for (const AssociatedTrack& a : run.association.tracks) {
    formats::Track track;
    track.id = id;
    track.label = a.class_name;
    for (const AssociatedBox& b : a.boxes) {
      const auto& there = kept[b.frame];
      const bool covered = std::any_of(there.begin(), there.end(), [&](const geometry::Cuboid& k) {
        return geometry::iou_bev(k, b.box_in_world) >= apply.overlap_iou;
      });
      if (covered) {
        ++notes.overlapping;
        continue;
      }
      formats::BoxState s;
      s.frame = b.frame;
      s.shape_frame = apply.shape_frame ? apply.shape_frame(b.frame) : formats::ShapeFrame::kLidar;
      s.box = s.shape_frame == formats::ShapeFrame::kWorld
                  ? b.box_in_world
                  : geometry::transform(pose_of(sequence, b.frame).inverse(), b.box_in_world);
      s.provenance = formats::Provenance::kModel;
      s.keyframe = false;
      s.score = b.score;
      s.attributes = b.attributes;
      track.boxes.push_back(std::move(s));
    }
    if (track.boxes.empty()) continue;
    notes.boxes += track.boxes.size();
    ++notes.tracks;
    ++id;
    if (doc.class_spec(track.label) == nullptr && classes.insert(track.label).second) {
      command.edits.push_back(
          formats::ClassEdit{track.label, formats::make_class_spec(track.label), -1});
    }
    command.edits.push_back(formats::TrackEdit{track.id, std::move(track)});
  }
  for (const auto& [name, count] : run.unknown_classes) {
    notes.notes.push_back(std::to_string(count) + " detection" + (count == 1 ? "" : "s") +
                          " of class '" + name + "' left out: not in the class schema");
  }
  if (notes.overlapping > 0) {
    notes.notes.push_back(std::to_string(notes.overlapping) + " pre-label box" +
                          (notes.overlapping == 1 ? "" : "es") +
                          " left out: an existing box covers the object");
  }
  return command;
}

}  // namespace pcanno::plugin
