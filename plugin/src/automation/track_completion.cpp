#include "pcanno/plugin/automation/track_completion.hpp"

#include <algorithm>
#include <cmath>
#include <map>

#include "pcanno/geometry/angles.hpp"
#include "pcanno/geometry/points_in_cuboid.hpp"
#include "pcanno/geometry/registration.hpp"
#include "pcanno/geometry/track_interpolation.hpp"

namespace pcanno::plugin {
namespace {

using formats::BoxState;
using formats::Error;
using formats::ErrorCode;
using formats::Expected;
using formats::Track;

bool is_vehicle(const std::string& label) {
  std::string l = label;
  std::transform(l.begin(), l.end(), l.begin(), [](unsigned char c) { return std::tolower(c); });
  for (const char* v : {"car", "van", "truck", "tram", "bus", "cyclist", "vehicle"}) {
    if (l.find(v) != std::string::npos) return true;
  }
  return false;
}

/// Per-frame data the completion needs, loaded lazily: poses, times and clouds.
class FrameData {
 public:
  FrameData(const formats::Annotations& doc, const formats::Sequence& seq) : doc_(doc), seq_(seq) {}

  double time_s(std::int64_t f) const {
    const auto i = static_cast<std::size_t>(f);
    if (i < seq_.size() && seq_.frames[i].timestamp_us >= 0) {
      return static_cast<double>(seq_.frames[i].timestamp_us) * 1e-6;
    }
    if (i < doc_.frames.size() && doc_.frames[i].timestamp_us >= 0) {
      return static_cast<double>(doc_.frames[i].timestamp_us) * 1e-6;
    }
    return 0.1 * static_cast<double>(f);  // KITTI's nominal 10 Hz
  }

  std::optional<geometry::Pose> T_world_lidar(std::int64_t f) const {
    const auto i = static_cast<std::size_t>(f);
    return f >= 0 && i < seq_.size() ? seq_.frames[i].T_world_lidar : std::nullopt;
  }

  /// The frame's cloud, or nullptr when it cannot be read. Keeps a handful of frames.
  const formats::CloudFile* cloud(std::int64_t f) {
    const auto it = clouds_.find(f);
    if (it != clouds_.end()) return &it->second;
    if (f < 0 || static_cast<std::size_t>(f) >= seq_.size()) return nullptr;
    Expected<formats::CloudFile> file = seq_.load_frame(static_cast<std::size_t>(f));
    if (!file) return nullptr;
    if (clouds_.size() >= 8) clouds_.erase(clouds_.begin());
    return &clouds_.emplace(f, std::move(*file)).first->second;
  }

  /// Points of frame `f` inside `box_in_world`, in the world frame.
  std::vector<Eigen::Vector3d> points_in(std::int64_t f, const geometry::Cuboid& box_in_world) {
    std::vector<Eigen::Vector3d> out;
    const formats::CloudFile* file = cloud(f);
    const std::optional<geometry::Pose> T = T_world_lidar(f);
    if (file == nullptr || !T) return out;
    const geometry::Cuboid box_in_lidar = geometry::transform(T->inverse(), box_in_world);
    const geometry::PointView view = file->cloud.view();
    for (const std::size_t i : geometry::points_in_cuboid(view, box_in_lidar)) {
      const std::size_t k = i * view.stride;
      out.push_back(*T * Eigen::Vector3d(view.x[k], view.y[k], view.z[k]));
    }
    return out;
  }

 private:
  const formats::Annotations& doc_;
  const formats::Sequence& seq_;
  std::map<std::int64_t, formats::CloudFile> clouds_;
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

geometry::Cuboid upright(const geometry::Cuboid& box) {
  return geometry::Cuboid::from_yaw(box.center, box.size, box.yaw());
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

/// One propagation step: the box at `to` from the box at `from` (world), or nullopt when lost.
std::optional<geometry::Cuboid> propagate_step(const geometry::Cuboid& box,
                                               const std::optional<geometry::Cuboid>& before,
                                               double dt_before, std::int64_t from, std::int64_t to,
                                               double dt, FrameData& data,
                                               const CompletionOptions& options, std::string& why) {
  // Constant velocity and turn rate, from the last two boxes.
  Eigen::Vector3d velocity = Eigen::Vector3d::Zero();
  double yaw_rate = 0.0;
  if (before && dt_before > 0) {
    velocity = (box.center - before->center) / dt_before;
    yaw_rate = geometry::angle_difference(box.yaw(), before->yaw()) / dt_before;
  }
  const geometry::Cuboid predicted =
      geometry::Cuboid::from_yaw(box.center + velocity * dt, box.size, box.yaw() + yaw_rate * dt);

  // The object's points above its bottom (the ground under it is not the object).
  const auto object_points = [&](std::int64_t f, const geometry::Cuboid& b, double grow) {
    geometry::Cuboid region = b;
    region.size += Eigen::Vector3d(grow, grow, 0.2);
    std::vector<Eigen::Vector3d> pts = data.points_in(f, region);
    const double bottom = b.center.z() - 0.5 * b.size.z() + 0.2;
    pts.erase(std::remove_if(pts.begin(), pts.end(),
                             [&](const Eigen::Vector3d& p) { return p.z() < bottom; }),
              pts.end());
    return pts;
  };
  const std::vector<Eigen::Vector3d> source = object_points(from, box, 0.3);
  const std::vector<Eigen::Vector3d> target = object_points(to, predicted, 1.5);
  if (source.size() < options.min_points || target.size() < options.min_points) {
    why = std::to_string(std::min(source.size(), target.size())) + " points";
    return std::nullopt;
  }
  // The prediction as a motion of the object: rotate about its centre, then move.
  geometry::Pose T_pred = geometry::Pose::Identity();
  T_pred.linear() =
      Eigen::AngleAxisd(predicted.yaw() - box.yaw(), Eigen::Vector3d::UnitZ()).toRotationMatrix();
  T_pred.translation() = predicted.center - T_pred.linear() * box.center;
  geometry::IcpOptions icp;
  icp.max_correspondence = 0.5;
  icp.normal_radius = 0.5;
  icp.min_pairs = options.min_points;
  const geometry::IcpResult r = geometry::register_point_to_plane(source, target, T_pred, icp);
  // An unconverged small object often oscillates by millimetres: what counts is how much of it
  // found a surface to lie on.
  if (r.pairs < options.min_points || r.fitness < options.min_fitness) {
    why = "registration fitness " + std::to_string(r.fitness);
    return std::nullopt;
  }
  // Objects stay upright: only the motion's yaw is kept.
  geometry::Cuboid moved = upright(geometry::transform(r.T_target_source, box));
  moved.size = box.size;
  return moved;
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
  doc.ignore_regions.erase(
      std::remove_if(doc.ignore_regions.begin(), doc.ignore_regions.end(),
                     [n](const formats::IgnoreRegion& r) { return r.frame >= n; }),
      doc.ignore_regions.end());
  if (doc.frames.size() > frame_count) doc.frames.resize(frame_count);
  return removed;
}

void keep_keyframes_every(formats::Annotations& doc, std::size_t k) {
  if (k == 0) k = 1;
  for (Track& t : doc.tracks) {
    std::vector<BoxState> kept;
    for (std::size_t i = 0; i < t.boxes.size(); ++i) {
      if (i % k == 0 || i + 1 == t.boxes.size()) {
        kept.push_back(t.boxes[i]);
        kept.back().keyframe = true;
      }
    }
    t.boxes = std::move(kept);
  }
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
  for (std::size_t ti = 0; ti < doc.tracks.size(); ++ti) {
    if (progress && !progress(static_cast<double>(ti) / static_cast<double>(doc.tracks.size()))) {
      return Error{ErrorCode::kCancelled, "track completion cancelled", ""};
    }
    Track& track = doc.tracks[ti];
    std::vector<BoxState> keys;
    for (const BoxState& b : track.boxes) {
      if (b.keyframe) keys.push_back(b);
    }
    if (keys.empty()) continue;
    std::vector<BoxState> added;

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
          const std::size_t n = data.points_in(keys[k].frame, world_keys[k].box).size();
          if (n > most) {
            most = n;
            densest = k;
          }
        }
        geometry::InterpolationOptions io;
        io.tangent = is_vehicle(track.label) ? geometry::TangentMode::kHeadingAligned
                                             : geometry::TangentMode::kFiniteDifference;
        io.size = world_keys[densest].box.size;
        for (std::size_t k = 0; k + 1 < keys.size(); ++k) {
          for (std::int64_t f = keys[k].frame + 1; f < keys[k + 1].frame; ++f) {
            if (!data.T_world_lidar(f) && keys[k].shape_frame == formats::ShapeFrame::kLidar) {
              return Error{ErrorCode::kUnsupported,
                           "frame " + std::to_string(f) + " has no pose: estimate the ego motion",
                           ""};
            }
            const geometry::Cuboid w = geometry::interpolate_box(world_keys, data.time_s(f), io);
            added.push_back(made(keys[k], f, w, data, formats::Provenance::kInterpolated));
          }
        }
      }
      const bool propagate_gaps = options.method == CompletionMethod::kPropagate;
      const bool propagate_tail = options.method == CompletionMethod::kAuto && keys.size() == 1;
      for (std::size_t k = 0; k < keys.size() && (propagate_gaps || propagate_tail); ++k) {
        const std::int64_t stop =
            k + 1 < keys.size()
                ? keys[k + 1].frame
                : (propagate_tail
                       ? std::min(
                             last_frame + 1,
                             keys[k].frame + static_cast<std::int64_t>(options.max_propagate) + 1)
                       : keys[k].frame + 1);
        geometry::Cuboid box = world_keys[k].box;
        std::optional<geometry::Cuboid> before;
        double dt_before = 0.0;
        for (std::int64_t f = keys[k].frame + 1; f < stop; ++f) {
          if (!data.T_world_lidar(f)) break;
          std::string why;
          const double dt = data.time_s(f) - data.time_s(f - 1);
          const std::optional<geometry::Cuboid> next =
              propagate_step(box, before, dt_before, f - 1, f, dt, data, options, why);
          if (!next) {
            report.notes.push_back("track " + std::to_string(track.id) + " lost at frame " +
                                   std::to_string(f) + ": " + why);
            break;
          }
          added.push_back(made(keys[k], f, *next, data, formats::Provenance::kTracked));
          before = box;
          dt_before = dt;
          box = *next;
        }
      }
    }
    if (added.empty()) continue;
    ++report.tracks_completed;
    for (BoxState& s : added) {
      if (track.at(s.frame) != nullptr) continue;  // never overwrite what a person drew
      track.boxes.push_back(std::move(s));
      ++report.boxes_added;
    }
    std::sort(track.boxes.begin(), track.boxes.end(),
              [](const BoxState& a, const BoxState& b) { return a.frame < b.frame; });
  }
  return report;
}

}  // namespace pcanno::plugin
