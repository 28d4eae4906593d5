#include "pcanno/plugin/automation/propagation.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "pcanno/formats/labels/frame_time.hpp"
#include "pcanno/geometry/angles.hpp"
#include "pcanno/geometry/points_in_cuboid.hpp"
#include "pcanno/geometry/registration.hpp"
#include "frame_walk.hpp"

namespace pcanno::plugin {
namespace {

using formats::Error;
using formats::ErrorCode;
using formats::Expected;

// Propagation sees clouds only: the sequence's clock, else the nominal rate.
double frame_time_s(const formats::Sequence& seq, std::int64_t f) {
  static const formats::Annotations kNoDocument;
  return formats::frame_time_s(&seq, kNoDocument, f);
}

geometry::Pose box_pose(const geometry::Cuboid& box) {
  geometry::Pose T_world_box = geometry::Pose::Identity();
  T_world_box.linear() = Eigen::AngleAxisd(box.yaw(), Eigen::Vector3d::UnitZ()).toRotationMatrix();
  T_world_box.translation() = box.center;
  return T_world_box;
}

/// `points` inside `box` grown by `margin` sideways and 0.2 m upwards, at least `clearance` above
/// its bottom (the ground under an object is not the object).
std::vector<Eigen::Vector3d> select(const std::vector<Eigen::Vector3d>& points,
                                    const geometry::Cuboid& box, double margin, double clearance) {
  const geometry::Pose T_box_world = box_pose(box).inverse();
  const Eigen::Vector3d half = 0.5 * box.size;
  std::vector<Eigen::Vector3d> out;
  for (const Eigen::Vector3d& p : points) {
    const Eigen::Vector3d q = T_box_world * p;
    if (std::abs(q.x()) <= half.x() + margin && std::abs(q.y()) <= half.y() + margin &&
        q.z() >= clearance - half.z() && q.z() <= half.z() + 0.2) {
      out.push_back(p);
    }
  }
  return out;
}

/// Frame `f`'s points around `box`: enough for the object, its search margin and the ground
/// around it, read from the full cloud once per step.
std::vector<Eigen::Vector3d> surroundings(SequenceClouds& clouds, std::int64_t f,
                                          const geometry::Cuboid& box, double margin) {
  geometry::Cuboid region = box;
  region.size += Eigen::Vector3d(2 * margin + 2.0, 2 * margin + 2.0, 1.0);
  return clouds.points_in(f, region);
}

/// The ground's height around `box` [m, world]: the median of the low points within `margin` of
/// it; nullopt when too few points fall there.
std::optional<double> ground_height(const std::vector<Eigen::Vector3d>& near,
                                    const geometry::Cuboid& box, double margin, double clearance) {
  const geometry::Pose T_box_world = box_pose(box).inverse();
  const Eigen::Vector3d half = 0.5 * box.size;
  std::vector<double> z;
  for (const Eigen::Vector3d& p : near) {
    const Eigen::Vector3d q = T_box_world * p;
    if (std::abs(q.x()) <= half.x() + margin && std::abs(q.y()) <= half.y() + margin &&
        q.z() < clearance - half.z() && q.z() > -half.z() - 0.5) {
      z.push_back(p.z());
    }
  }
  if (z.size() < 5) return std::nullopt;
  std::nth_element(z.begin(), z.begin() + static_cast<std::ptrdiff_t>(z.size() / 2), z.end());
  return z[z.size() / 2];
}

/// Adds `points_in_world` that lie in `box` (with a small margin) to the model, in box coordinates.
void grow_model(std::vector<Eigen::Vector3d>& model_in_box, const geometry::Cuboid& box,
                const std::vector<Eigen::Vector3d>& points_in_world,
                const PropagationOptions& options) {
  const geometry::Pose T_box_world = box_pose(box).inverse();
  const Eigen::Vector3d half = 0.5 * box.size + Eigen::Vector3d::Constant(0.1);
  for (const Eigen::Vector3d& p : points_in_world) {
    const Eigen::Vector3d q = T_box_world * p;
    if ((q.cwiseAbs().array() <= half.array()).all()) model_in_box.push_back(q);
  }
  model_in_box = geometry::voxel_downsample(model_in_box, options.model_voxel);
  if (model_in_box.size() > options.max_model_points) {
    model_in_box = geometry::voxel_downsample(model_in_box, 2 * options.model_voxel);
  }
}

/// Points on the sides and top of a box of `size` (box frame, above `clearance` over its bottom),
/// `spacing` [m] apart: the surfaces a scanner sees of a box-shaped object, registered in place of
/// the object's own points while it has shown too few of them (a far or hidden keyframe).
std::vector<Eigen::Vector3d> box_surface(const Eigen::Vector3d& size, double clearance,
                                         double spacing) {
  const Eigen::Vector3d h = 0.5 * size;
  std::vector<Eigen::Vector3d> out;
  const auto steps = [spacing](double from, double to) {
    std::vector<double> v;
    const int n = std::max(1, static_cast<int>(std::ceil((to - from) / spacing)));
    for (int i = 0; i <= n; ++i) v.push_back(from + (to - from) * i / n);
    return v;
  };
  const std::vector<double> xs = steps(-h.x(), h.x());
  const std::vector<double> ys = steps(-h.y(), h.y());
  const std::vector<double> zs = steps(std::min(h.z(), clearance - h.z()), h.z());
  for (const double z : zs) {
    for (const double x : xs) {
      out.emplace_back(x, -h.y(), z);
      out.emplace_back(x, h.y(), z);
    }
    for (const double y : ys) {
      out.emplace_back(-h.x(), y, z);
      out.emplace_back(h.x(), y, z);
    }
  }
  for (const double x : xs) {
    for (const double y : ys) out.emplace_back(x, y, h.z());
  }
  return out;
}

/// The centroid of `points` in xy [m, world].
Eigen::Vector2d centroid_xy(const std::vector<Eigen::Vector3d>& points) {
  Eigen::Vector2d sum = Eigen::Vector2d::Zero();
  for (const Eigen::Vector3d& p : points) sum += p.head<2>();
  return sum / static_cast<double>(std::max<std::size_t>(points.size(), 1));
}

/// Unit vector from the sensor at `sensor` to `at`, in xy (x when they coincide).
Eigen::Vector2d line_of_sight(const Eigen::Vector3d& sensor, const Eigen::Vector3d& at) {
  const Eigen::Vector2d d = (at - sensor).head<2>();
  return d.norm() > 1e-6 ? Eigen::Vector2d(d / d.norm()) : Eigen::Vector2d::UnitX();
}

/// The cluster of `points` (single linkage at `link` [m] in xy) whose centroid lies nearest to
/// `at`, leaving out clusters wider than `max_extent` [m] (a wall, a hedge: not the object).
/// Empty when none is left.
std::vector<Eigen::Vector3d> nearest_cluster(const std::vector<Eigen::Vector3d>& points,
                                             const Eigen::Vector2d& at, double link,
                                             double max_extent) {
  const std::size_t n = std::min<std::size_t>(points.size(), 3000);
  std::vector<int> label(n, -1);
  std::vector<std::vector<Eigen::Vector3d>> clusters;
  for (std::size_t i = 0; i < n; ++i) {
    if (label[i] >= 0) continue;
    const int id = static_cast<int>(clusters.size());
    clusters.emplace_back();
    std::vector<std::size_t> stack{i};
    label[i] = id;
    while (!stack.empty()) {
      const std::size_t k = stack.back();
      stack.pop_back();
      clusters.back().push_back(points[k]);
      for (std::size_t j = 0; j < n; ++j) {
        if (label[j] < 0 && (points[j] - points[k]).head<2>().squaredNorm() <= link * link) {
          label[j] = id;
          stack.push_back(j);
        }
      }
    }
  }
  const std::vector<Eigen::Vector3d>* best = nullptr;
  double best_d = 0.0;
  for (const std::vector<Eigen::Vector3d>& c : clusters) {
    Eigen::Vector2d lo = c.front().head<2>();
    Eigen::Vector2d hi = lo;
    for (const Eigen::Vector3d& p : c) {
      lo = lo.cwiseMin(p.head<2>());
      hi = hi.cwiseMax(p.head<2>());
    }
    if ((hi - lo).norm() > max_extent) continue;
    const double d = (centroid_xy(c) - at).norm();
    if (best == nullptr || d < best_d) {
      best = &c;
      best_d = d;
    }
  }
  return best ? *best : std::vector<Eigen::Vector3d>{};
}

struct Aligned {
  geometry::Cuboid box;                        ///< [world]
  double confidence = 0.0;                     ///< share of the object points the model explains
  std::vector<Eigen::Vector3d> object_points;  ///< the scan's points in `box`, ground removed
  std::vector<Eigen::Vector3d> near;           ///< the scan around the start (surroundings())
  std::string failure;                         ///< why the object counts as lost; empty on success
};

/// Where the coarse search looks: shifts up to `margin` [m] in x and y, turns up to `yaw` [rad].
struct CoarseSearch {
  double margin = 1.0;
  double yaw = 0.1;
};

/// Registers `model_in_box`, placed at `start`, to frame `f`'s points around it (coarse then fine
/// with `coarse`; else fine only, within options.search_margin), and puts the box on the ground
/// `ground_offset` below its bottom.
Aligned align_model(SequenceClouds& clouds, std::int64_t f, const geometry::Cuboid& start,
                    const std::vector<Eigen::Vector3d>& model_in_box,
                    const std::optional<CoarseSearch>& coarse,
                    const std::optional<double>& ground_offset, const PropagationOptions& options) {
  Aligned out;
  const double margin = coarse ? coarse->margin : options.search_margin;
  out.near = surroundings(clouds, f, start, margin);
  const std::vector<Eigen::Vector3d>& near = out.near;
  const std::vector<Eigen::Vector3d> scan = select(near, start, margin, options.ground_clearance);
  if (scan.size() < options.min_points) {
    out.failure = std::to_string(scan.size()) + " points";
    return out;
  }
  // The model thinned to half the correspondence distance serves the grid search, ICP and the
  // score: a point of it lies within a correspondence of every model point it stands for, and a
  // dense model (a van: thousands of points) costs a fraction of the nearest-neighbour queries.
  const std::vector<Eigen::Vector3d> thinned_model =
      geometry::voxel_downsample(model_in_box, options.fine_correspondence / 2);
  std::vector<Eigen::Vector3d> source;
  const geometry::Pose T_world_start = box_pose(start);
  source.reserve(thinned_model.size());
  for (const Eigen::Vector3d& q : thinned_model) source.push_back(T_world_start * q);
  // A grid search finds the basin, ICP the minimum in it. Both clouds are thinned to half
  // the correspondence distance: the nearest-neighbour queries visit a ring of cells that size,
  // and dense objects put thousands of points in it.
  geometry::IcpOptions icp;
  icp.min_pairs = options.min_points;
  geometry::Pose T = geometry::Pose::Identity();
  if (coarse) {
    geometry::GridSearchOptions grid;
    grid.extent = coarse->margin;
    grid.yaw_extent = coarse->yaw;
    // A wide search (coasting) in coarser steps: ICP's basin spans one of them.
    grid.step = coarse->margin > 2.0 ? 0.5 : 0.25;
    grid.voxel = 0.25;
    T = geometry::grid_search_xy_yaw(source, scan, T, grid).T_target_source;
  }
  icp.max_correspondence = options.fine_correspondence;
  icp.max_iterations = 10;
  icp.convergence = 1e-3;
  const double voxel = options.fine_correspondence / 3;
  T = geometry::register_point_to_point_yaw(source, geometry::voxel_downsample(scan, voxel), T,
                                            icp)
          .T_target_source;
  const geometry::Cuboid moved = geometry::transform(T, start);
  // The height follows the ground, not the registration: with the ground cut away, a vertical
  // shift barely changes how well the model fits, so z from ICP wanders.
  Eigen::Vector3d centre = moved.center;
  centre.z() = start.center.z();
  out.box = geometry::Cuboid::from_yaw(centre, start.size, moved.yaw());
  if (ground_offset) {
    if (const std::optional<double> g =
            ground_height(near, out.box, options.search_margin, options.ground_clearance)) {
      out.box.center.z() = *g + *ground_offset + 0.5 * start.size.z();
    }
  }

  // Confidence from the scan's side: of the object points found in the new box, how many lie on
  // the model. Clutter pulled into the search region is not counted against it.
  out.object_points = select(near, out.box, 0.0, options.ground_clearance);
  if (out.object_points.size() < options.min_points) {
    out.failure = std::to_string(out.object_points.size()) + " points in the registered box";
    return out;
  }
  const geometry::Pose T_world_box = box_pose(out.box);
  std::vector<Eigen::Vector3d> placed;
  placed.reserve(thinned_model.size());
  for (const Eigen::Vector3d& q : thinned_model) placed.push_back(T_world_box * q);
  out.confidence =
      geometry::fraction_within(out.object_points, placed, options.fine_correspondence);
  if (out.confidence < options.min_fitness) {
    out.failure = "registration explains " +
                  std::to_string(static_cast<int>(100 * out.confidence)) + "% of its points";
  }
  return out;
}

}  // namespace

SequenceClouds::SequenceClouds(const formats::Sequence& sequence, std::size_t keep)
    : sequence_(sequence), keep_(std::max<std::size_t>(keep, 1)) {}

const formats::CloudFile* SequenceClouds::get(std::int64_t frame) {
  for (auto it = clouds_.begin(); it != clouds_.end(); ++it) {
    if (it->first == frame) return &it->second;
  }
  if (frame < 0 || static_cast<std::size_t>(frame) >= sequence_.size()) return nullptr;
  formats::ReadOptions read;
  if (stop_) read.progress = [this](double) { return !stop_(); };
  Expected<formats::CloudFile> file = sequence_.load_frame(static_cast<std::size_t>(frame), read);
  if (!file) {
    error_ = file.error();
    return nullptr;
  }
  if (clouds_.size() >= keep_) clouds_.erase(clouds_.begin());
  clouds_.emplace_back(frame, std::move(*file));
  return &clouds_.back().second;
}

std::vector<Eigen::Vector3d> SequenceClouds::points_in(std::int64_t frame,
                                                       const geometry::Cuboid& box_in_world) {
  std::vector<Eigen::Vector3d> out;
  if (frame < 0 || static_cast<std::size_t>(frame) >= sequence_.size()) return out;
  const std::optional<geometry::Pose>& T_world_lidar =
      sequence_.frames[static_cast<std::size_t>(frame)].T_world_lidar;
  const formats::CloudFile* file = T_world_lidar ? get(frame) : nullptr;
  if (file == nullptr) return out;
  // The cloud's floats are relative to its origin (georeferenced clouds).
  const geometry::Pose T_world_cloud = *T_world_lidar * file->cloud.T_lidar_cloud();
  const geometry::Cuboid box_in_cloud = geometry::transform(T_world_cloud.inverse(), box_in_world);
  const geometry::PointView view = file->cloud.view();
  for (const std::uint32_t i : geometry::points_in_cuboid(view, box_in_cloud)) {
    const std::size_t k = i * view.stride;
    out.push_back(T_world_cloud * Eigen::Vector3d(view.x[k], view.y[k], view.z[k]));
  }
  return out;
}

std::vector<Eigen::Vector3d> object_model(SequenceClouds& clouds, std::int64_t frame,
                                          const geometry::Cuboid& box_in_world,
                                          const PropagationOptions& options) {
  std::vector<Eigen::Vector3d> model;
  const std::vector<Eigen::Vector3d> near = surroundings(clouds, frame, box_in_world, 0.0);
  grow_model(model, box_in_world, select(near, box_in_world, 0.0, options.ground_clearance),
             options);
  return model;
}

std::optional<RefinedBox> refine_box(SequenceClouds& clouds, std::int64_t frame,
                                     const geometry::Cuboid& box_in_world,
                                     const std::vector<Eigen::Vector3d>& model_in_box,
                                     double max_shift, double max_turn,
                                     const PropagationOptions& options) {
  if (model_in_box.size() < options.min_points) return std::nullopt;
  const Aligned a =
      align_model(clouds, frame, box_in_world, model_in_box, std::nullopt, std::nullopt, options);
  if (!a.failure.empty()) return std::nullopt;
  if ((a.box.center - box_in_world.center).norm() > max_shift ||
      std::abs(geometry::angle_difference(a.box.yaw(), box_in_world.yaw())) > max_turn) {
    return std::nullopt;
  }
  return RefinedBox{a.box, a.confidence};
}

geometry::MotionModelOptions motion_options_for(const formats::MotionProfile& profile) {
  geometry::MotionModelOptions m;
  switch (profile.kind) {
    case formats::MotionKind::kPedestrian:
    case formats::MotionKind::kStatic:
      m = geometry::pedestrian_motion();
      break;
    case formats::MotionKind::kCyclist:
      m = geometry::cyclist_motion();
      break;
    case formats::MotionKind::kVehicle:
    case formats::MotionKind::kUnknown:
      m = geometry::vehicle_motion();
      break;
  }
  // The schema's word on how the class moves and how fast wins over the kind's defaults.
  m.coordinated_turn = profile.moves_along_heading || profile.kind == formats::MotionKind::kVehicle;
  if (profile.limits.speed > 0) m.max_speed = profile.limits.speed;
  if (profile.limits.yaw_rate > 0) m.max_yaw_rate = profile.limits.yaw_rate;
  return m;
}

Expected<PropagationResult> propagate_box(SequenceClouds& clouds, std::int64_t from,
                                          const geometry::Cuboid& box_in_world, std::int64_t to,
                                          const std::optional<geometry::Cuboid>& previous,
                                          const PropagationOptions& options,
                                          const std::function<bool(double)>& progress) {
  const formats::Sequence& seq = clouds.sequence();
  if (formats::Status start = detail::check_walk_start(seq, from); !start) return start.error();
  detail::FrameWalk walk(clouds, from, to, progress);
  const std::int64_t step = walk.step();
  const auto report = [&walk](double fraction) { return walk.report(fraction); };
  const auto cancelled = [&walk] { return walk.cancelled(); };
  PropagationResult result;
  const auto lose = [&](std::int64_t f, std::string why) {
    result.lost_at = f;
    result.lost = "lost at frame " + std::to_string(f) + ": " + std::move(why);
    return result;
  };
  // A frame whose cloud get() did not return: cancelled while loading, or unreadable.
  const auto unreadable = [&](std::int64_t f) -> Expected<PropagationResult> {
    if (clouds.error() && clouds.error()->code == ErrorCode::kCancelled) return cancelled();
    return lose(f, "its cloud cannot be read" +
                       (clouds.error() ? ": " + clouds.error()->describe() : std::string()));
  };
  if (!seq.frames[static_cast<std::size_t>(from)].T_world_lidar) {
    return Error{ErrorCode::kUnsupported,
                 "frame " + std::to_string(from) + " has no pose: estimate the ego motion first",
                 seq.root.string()};
  }
  if (!report(0.0)) return cancelled();
  std::vector<Eigen::Vector3d> model = object_model(clouds, from, box_in_world, options);
  if (model.empty()) {
    if (clouds.get(from) == nullptr) return unreadable(from);
    return lose(from, "0 points in the starting box");
  }
  // Until the object has shown enough points of its own, its box's surfaces stand in for them.
  const std::size_t enough = 4 * options.min_points;
  const std::vector<Eigen::Vector3d> surface =
      box_surface(box_in_world.size, options.ground_clearance, 0.2);
  std::vector<Eigen::Vector3d> stand_in;
  const auto registered_shape = [&]() -> const std::vector<Eigen::Vector3d>& {
    if (model.size() >= enough) return model;
    stand_in = model;
    stand_in.insert(stand_in.end(), surface.begin(), surface.end());
    return stand_in;
  };

  // How high the box's bottom sits above the ground (KITTI's boxes rest on it, others float).
  std::optional<double> ground_offset;
  if (const std::optional<double> g =
          ground_height(surroundings(clouds, from, box_in_world, options.search_margin),
                        box_in_world, options.search_margin, options.ground_clearance)) {
    ground_offset = box_in_world.center.z() - 0.5 * box_in_world.size.z() - *g;
  }
  // A sparse or small object's centre is measured by the centroid of its points (see below); the
  // scanner sees its near side, so the centroid lies short of the centre along the line of sight,
  // by about what the keyframe shows.
  const bool small = std::max(box_in_world.size.x(), box_in_world.size.y()) < options.small_object;
  double centroid_lag = 0.0;  // [m] centre minus centroid along the line of sight, at the keyframe
  if (const auto& T0 = seq.frames[static_cast<std::size_t>(from)].T_world_lidar) {
    const std::vector<Eigen::Vector3d> seen = select(
        surroundings(clouds, from, box_in_world, 0.0), box_in_world, 0.0, options.ground_clearance);
    if (!seen.empty()) {
      centroid_lag = std::clamp(
          (box_in_world.center.head<2>() - centroid_xy(seen))
              .dot(line_of_sight(T0->translation(), box_in_world.center)),
          0.0, 0.5 * std::max(box_in_world.size.x(), box_in_world.size.y()));
    }
  }
  geometry::Cuboid box = box_in_world;  // the last box output
  geometry::MotionFilter motion(box.center.head<2>(), box.yaw(), options.motion);
  if (previous) {
    motion.set_motion_from(previous->center.head<2>(), previous->yaw(),
                           frame_time_s(seq, from) - frame_time_s(seq, from - step));
  }
  std::int64_t last_seen = from;
  std::size_t last_seen_points = model.size();  // object points when last found
  // A walker faces where it walks: its few returns say little about its heading, but once the
  // motion model is sure of a walking speed, its centroid track says where it goes.
  const auto face_the_walk = [&](geometry::Cuboid& b) {
    if (!small || options.motion.coordinated_turn) return;
    const Eigen::Vector2d v = motion.state().velocity;
    const double speed_sigma = std::sqrt(0.5 * motion.covariance().block<2, 2>(2, 2).trace());
    if (v.norm() < 0.5 || speed_sigma > 0.5 * v.norm()) return;
    b = geometry::Cuboid::from_yaw(b.center, b.size, std::atan2(v.y(), v.x()));
  };
  std::size_t coasting = 0;  // frames since the object was last found
  for (std::int64_t f = walk.first(); walk.covers(f); f += step) {
    if (!walk.report_before(f)) return cancelled();
    const std::optional<geometry::Pose>& T_world_lidar =
        seq.frames[static_cast<std::size_t>(f)].T_world_lidar;
    if (!T_world_lidar) return lose(f, "no pose");
    if (clouds.get(f) == nullptr) return unreadable(f);
    motion.predict(frame_time_s(seq, f) - frame_time_s(seq, f - step));
    const geometry::MotionState m = motion.state();
    const geometry::Cuboid predicted = geometry::Cuboid::from_yaw(
        Eigen::Vector3d(m.position.x(), m.position.y(), box.center.z()), box.size, m.yaw);
    // Out of range and going away (one coming in from beyond is still followed), or out of range
    // unseen: a coasted object's prediction need not move away for the sensor to leave it behind.
    const double range = (predicted.center - T_world_lidar->translation()).head<2>().norm();
    const double was = (box.center - T_world_lidar->translation()).head<2>().norm();
    if (range > options.max_range && (range > was || coasting > 0)) {
      result.lost_at = f;
      result.lost = "left the sensor's range (" + std::to_string(std::lround(options.max_range)) +
                    " m) at frame " + std::to_string(f);
      break;
    }
    const double unseen_s = std::abs(frame_time_s(seq, f) - frame_time_s(seq, last_seen));
    if (coasting > 0 && unseen_s > options.max_coast_s + 1e-9) {
      result.lost_at = f;
      char seconds[32];
      std::snprintf(seconds, sizeof(seconds), "%.1f", options.max_coast_s);
      result.lost = "not seen for " + std::string(seconds) + " s since frame " +
                    std::to_string(last_seen) + ", ended at frame " + std::to_string(f);
      break;
    }
    // The search widens with the prediction's uncertainty: little while the object is followed,
    // more with every frame it is coasted.
    const double margin = std::clamp(3.0 * motion.position_sigma(), options.search_margin,
                                     options.max_search_margin);
    const double yaw_margin =
        std::clamp(3.0 * std::sqrt(motion.covariance()(4, 4)), 0.1, 0.3);
    Aligned aligned = align_model(clouds, f, predicted, registered_shape(),
                                  CoarseSearch{margin, yaw_margin}, ground_offset, options);
    bool found = aligned.failure.empty();
    const double seen_range = (aligned.box.center - T_world_lidar->translation()).head<2>().norm();
    // A few returns (a far object), or a small one (a pedestrian: a shape the size of the
    // correspondence distance), pin a registration down poorly sideways; their centroid does not
    // wander with the fit. The size stays the keyframe's.
    // Their points are the cluster nearest the prediction within the search's gate, the ground
    // and anything wider than the object (a wall beside a pedestrian) left out; the registration
    // of a box's stand-in surfaces would as soon fit the wall.
    if (small) {
      const double gate = std::clamp(3.0 * motion.position_sigma(), 0.5, margin);
      const double extent = 1.5 * std::hypot(box.size.x(), box.size.y()) + 0.3;
      const std::vector<Eigen::Vector3d> cluster = nearest_cluster(
          select(aligned.near, predicted, gate, options.ground_clearance),
          predicted.center.head<2>(), 0.4, extent);
      if (cluster.size() >= options.min_points) {
        const Eigen::Vector2d centre =
            centroid_xy(cluster) +
            centroid_lag * line_of_sight(T_world_lidar->translation(), predicted.center);
        geometry::Cuboid measured = found ? aligned.box : predicted;
        measured.center.head<2>() = centre;
        if (!found || small) measured = geometry::Cuboid::from_yaw(measured.center, box.size,
                                                                    found ? aligned.box.yaw()
                                                                          : m.yaw);
        // Its score: the share of the cluster's points the box holds (a cluster larger than
        // the object, or split from it, scores low).
        const double inside = static_cast<double>(select(cluster, measured, 0.1, -1e9).size());
        aligned.box = measured;
        aligned.object_points = cluster;
        const double held = inside / static_cast<double>(cluster.size());
        aligned.confidence = found ? std::min(aligned.confidence, held) : held;
        aligned.failure.clear();
        found = aligned.confidence >= options.min_fitness;
      } else {
        found = false;
      }
    }
    const std::size_t seen_points_now = aligned.object_points.size();
    // How far the measurement may be off: more when the model explains little, and when it holds
    // few points (a far object's handful of returns barely constrains a shift). A small object's
    // centroid also drifts with range (the beams' spacing grows: 0.4 deg is 0.35 m at 50 m).
    const double per_point = small ? 0.5 + 0.01 * seen_range : 0.5;
    double measured_sigma =
        0.05 + 0.25 * (1.0 - aligned.confidence) +
        per_point / std::sqrt(static_cast<double>(std::max<std::size_t>(seen_points_now, 1)));
    // A small object's measurement far outside what its motion allows (a sideways jump) is not
    // believed in full: its noise grows until it sits on the gate, so it moves the velocity little.
    if (found && small && coasting == 0) {
      const double d2 = motion.position_distance2(aligned.box.center.head<2>(), measured_sigma);
      if (d2 > options.reacquire_gate) measured_sigma *= std::sqrt(d2 / options.reacquire_gate);
    }
    if (found && coasting > 0) {
      // Found again: only a registration that explains the object well, where it can be. A far
      // vehicle or cyclist never shows reacquire_points: as many as it showed when last seen will
      // do. Not a small object: its measurement is the nearest cluster, and a post or another
      // walker shows as few returns as a far walker.
      const std::size_t required =
          small ? options.reacquire_points
                : std::min(options.reacquire_points,
                           std::max(options.min_points, last_seen_points));
      found = aligned.confidence >= options.reacquire_fitness &&
              aligned.object_points.size() >= required &&
              motion.position_distance2(aligned.box.center.head<2>(), measured_sigma) <=
                  options.reacquire_gate;
    }
    if (found) {
      // A handful of returns barely constrains the heading: a registration of 6 points turns by
      // tenths of a radian, which the turn model would take for a turn and steer the track away.
      const bool sparse = seen_points_now < enough;
      const double yaw_sigma =
          0.02 + 0.1 * (1.0 - aligned.confidence) +
          (sparse ? 1.0 / std::sqrt(static_cast<double>(std::max<std::size_t>(seen_points_now, 1)))
                  : 0.0);
      motion.update(aligned.box.center.head<2>(), aligned.box.yaw(), measured_sigma, yaw_sigma);
      // A poor registration may hold an occluder's or the ground's points, for good. The model
      // grows in the registration's frame: in the box turned below it would smear about z.
      if (aligned.confidence >= kReviewScore)
        grow_model(model, aligned.box, aligned.object_points, options);
      if (sparse) {
        aligned.box =
            geometry::Cuboid::from_yaw(aligned.box.center, aligned.box.size, motion.state().yaw);
      }
      last_seen_points = seen_points_now;
      face_the_walk(aligned.box);
      box = aligned.box;
      result.boxes.push_back({f, box, aligned.confidence, aligned.object_points.size(), false});
      result.reacquired += coasting > 0 ? 1 : 0;
      coasting = 0;
      last_seen = f;
      continue;
    }
    // Not found: the prediction, on the ground, with a confidence that fades.
    ++coasting;
    box = predicted;
    face_the_walk(box);
    if (ground_offset) {
      if (const std::optional<double> g = ground_height(aligned.near, box, options.search_margin,
                                                        options.ground_clearance)) {
        box.center.z() = *g + *ground_offset + 0.5 * box.size.z();
      }
    }
    const double score =
        options.coast_confidence * std::pow(options.coast_decay, static_cast<double>(coasting - 1));
    result.boxes.push_back({f, box, score, aligned.object_points.size(), true});
    ++result.coasted;
  }
  if (!report(1.0)) return cancelled();
  return result;
}

}  // namespace pcanno::plugin
