#include "pcanno/plugin/display/point_display.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <string>
#include <utility>

namespace pcanno::plugin {
namespace {

using formats::Error;
using formats::ErrorCode;
using formats::PointCloud;

/// A rigid transform in float for the per-point loops (cloud float frame -> output float frame).
/// Both frames are local (relative to the clouds' origins), so float keeps sub-millimetre steps.
struct AffineF {
  std::array<float, 9> r{};  ///< row-major rotation
  std::array<float, 3> t{};

  static AffineF from(const geometry::Pose& pose) {
    AffineF a;
    for (int i = 0; i < 3; ++i) {
      for (int j = 0; j < 3; ++j) a.r[3 * i + j] = static_cast<float>(pose.linear()(i, j));
      a.t[i] = static_cast<float>(pose.translation()(i));
    }
    return a;
  }
};

/// `n` points of `in` through `a` into out_x/y/z; separate arrays and no branch, so that the
/// compiler vectorises the loop.
void transform_points(const PointCloud& in, const AffineF& a, float* __restrict out_x,
                      float* __restrict out_y, float* __restrict out_z) {
  const float* __restrict x = in.x.data();
  const float* __restrict y = in.y.data();
  const float* __restrict z = in.z.data();
  const std::size_t n = in.size();
  const auto& r = a.r;
  for (std::size_t i = 0; i < n; ++i) {
    out_x[i] = r[0] * x[i] + r[1] * y[i] + r[2] * z[i] + a.t[0];
    out_y[i] = r[3] * x[i] + r[4] * y[i] + r[5] * z[i] + a.t[1];
    out_z[i] = r[6] * x[i] + r[7] * y[i] + r[8] * z[i] + a.t[2];
  }
}

/// A box test in float in a cloud's float frame: p is inside when |R^T (p - c)| <= half + margin
/// on every axis (the boundary inside, as Cuboid::contains).
struct BoxTestF {
  std::array<float, 9> rt{};  ///< R^T, row-major
  std::array<float, 3> c{};
  std::array<float, 3> half{};

  /// `box_in_cloud` is already in the cloud's float frame.
  static BoxTestF from(const geometry::Cuboid& box_in_cloud, double margin) {
    BoxTestF b;
    const Eigen::Matrix3d R = box_in_cloud.rotation.normalized().toRotationMatrix();
    for (int i = 0; i < 3; ++i) {
      for (int j = 0; j < 3; ++j) b.rt[3 * i + j] = static_cast<float>(R(j, i));
      b.c[i] = static_cast<float>(box_in_cloud.center(i));
      b.half[i] = static_cast<float>(0.5 * box_in_cloud.size(i) + margin);
    }
    return b;
  }
  bool contains(float x, float y, float z) const {
    const float dx = x - c[0], dy = y - c[1], dz = z - c[2];
    return std::abs(rt[0] * dx + rt[1] * dy + rt[2] * dz) <= half[0] &&
           std::abs(rt[3] * dx + rt[4] * dy + rt[5] * dz) <= half[1] &&
           std::abs(rt[6] * dx + rt[7] * dy + rt[8] * dz) <= half[2];
  }
};

geometry::Cuboid shifted(const geometry::Cuboid& box, const Eigen::Vector3d& by) {
  geometry::Cuboid out = box;
  out.center += by;
  return out;
}

const std::optional<geometry::Pose>* pose_at(const DisplaySource& source, std::int64_t frame) {
  if (frame < 0 || static_cast<std::size_t>(frame) >= source.T_world_lidar.size()) return nullptr;
  const auto& pose = source.T_world_lidar[static_cast<std::size_t>(frame)];
  return pose ? &pose : nullptr;
}

/// The track's box at `frame` in that frame's LiDAR frame; nullopt when it has none there (or it
/// is stored in the world frame and the frame has no pose).
std::optional<geometry::Cuboid> track_box_in_lidar(const DisplaySource& source, std::int64_t track,
                                                   std::int64_t frame) {
  if (!source.document) return std::nullopt;
  const formats::Track* t = source.document->track(track);
  const formats::BoxState* state = t ? t->at(frame) : nullptr;
  if (!state) return std::nullopt;
  if (state->shape_frame == formats::ShapeFrame::kLidar) return state->box;
  const auto* pose = pose_at(source, frame);
  if (!pose) return std::nullopt;
  return geometry::transform(geometry::invert(**pose), state->box);
}

formats::Expected<geometry::Cuboid> required_box(const DisplaySource& source, std::int64_t track,
                                                 std::int64_t frame, const char* option) {
  auto box = track_box_in_lidar(source, track, frame);
  if (!box) {
    return Error{ErrorCode::kNotFound,
                 std::string(option) + ": track " + std::to_string(track) +
                     " has no box in frame " + std::to_string(frame),
                 ""};
  }
  return *box;
}

formats::Status check_options(const DisplayOptions& o) {
  const auto bad = [](const std::string& what) {
    return formats::Status(Error{ErrorCode::kInvalidArgument, what, ""});
  };
  if (o.past < 0 || o.future < 0) {
    return bad("accumulation: expected frame counts >= 0, got " + std::to_string(o.past) +
               " past and " + std::to_string(o.future) + " future");
  }
  if (o.intensity_min && o.intensity_max && !(*o.intensity_min <= *o.intensity_max)) {
    return bad("intensity window: expected min <= max, got " + std::to_string(*o.intensity_min) +
               " > " + std::to_string(*o.intensity_max));
  }
  if (o.crop_region && !(o.crop_region->min.array() <= o.crop_region->max.array()).all()) {
    return bad("crop region: expected each minimum <= its maximum");
  }
  for (const auto& [name, margin] : {std::pair<const char*, double>{"focus", o.focus_margin},
                                     std::pair<const char*, double>{"stack", o.stack_margin}}) {
    if (!std::isfinite(margin) || margin < 0.0) {
      return bad(std::string(name) + " margin: expected a finite value >= 0 [m], got " +
                 std::to_string(margin));
    }
  }
  return {};
}

}  // namespace

bool DisplayOptions::is_plain() const {
  return past == 0 && future == 0 && !hide_ground && !crop_region && !crop_track && !focus_track &&
         !intensity_min && !intensity_max;
}

std::vector<std::optional<geometry::Pose>> sequence_poses(const formats::Sequence& sequence) {
  std::vector<std::optional<geometry::Pose>> poses;
  poses.reserve(sequence.size());
  for (const formats::FrameRef& f : sequence.frames) poses.push_back(f.T_world_lidar);
  return poses;
}

std::vector<std::int64_t> sequence_timestamps(const formats::Sequence& sequence) {
  std::vector<std::int64_t> t;
  t.reserve(sequence.size());
  for (const formats::FrameRef& f : sequence.frames) t.push_back(f.timestamp_us);
  return t;
}

struct PointDisplay::Impl {
  /// Two output clouds: the host usually still shows the last one while the next is built.
  std::array<std::shared_ptr<PointCloud>, 2> out;
  std::size_t next_slot = 0;
  struct Ground {
    std::int64_t frame = -1;
    std::weak_ptr<const PointCloud> cloud;  ///< the model is valid for this very cloud only
    std::optional<geometry::GroundModel> model;
    std::vector<bool> mask;
  };
  std::vector<Ground> grounds;  ///< of the last build's frames

  std::shared_ptr<PointCloud> output() {
    for (auto& slot : out) {
      if (slot && slot.use_count() == 1) return slot;
    }
    auto& slot = out[next_slot];
    next_slot = (next_slot + 1) % out.size();
    slot = std::make_shared<PointCloud>();
    return slot;
  }

  /// The ground mask of `frame`'s cloud, fitted once per cloud.
  const std::vector<bool>* ground_mask(std::int64_t frame,
                                       const std::shared_ptr<const PointCloud>& cloud,
                                       const geometry::GroundOptions& options,
                                       std::vector<Ground>& kept) {
    for (Ground& g : grounds) {
      if (g.frame == frame && g.cloud.lock() == cloud) {
        kept.push_back(std::move(g));
        g.frame = -1;
        return kept.back().model ? &kept.back().mask : nullptr;
      }
    }
    Ground g;
    g.frame = frame;
    g.cloud = cloud;
    g.model = geometry::GroundModel::fit(cloud->view(), options);
    if (g.model) g.mask = g.model->ground_mask(cloud->view());
    kept.push_back(std::move(g));
    return kept.back().model ? &kept.back().mask : nullptr;
  }
};

PointDisplay::PointDisplay() : impl_(std::make_unique<Impl>()) {}
PointDisplay::~PointDisplay() = default;

formats::Expected<std::shared_ptr<const PointCloud>> PointDisplay::build(
    const DisplaySource& source, std::size_t frame, const DisplayOptions& options) {
  if (!source.frames) return Error{ErrorCode::kInvalidArgument, "no frames to display", ""};
  const std::size_t count = source.frames->frame_count();
  if (frame >= count) {
    return Error{ErrorCode::kNotFound,
                 "frame " + std::to_string(frame) + " is out of range (" + std::to_string(count) +
                     " frames)",
                 ""};
  }
  if (formats::Status ok = check_options(options); !ok) return std::move(ok).error();
  DisplayStats stats;
  const auto now = static_cast<std::int64_t>(frame);

  // Other frames first, the current one last: FrameCache::get() moves the prefetch cursor.
  const std::int64_t first = std::max<std::int64_t>(0, now - options.past);
  const std::int64_t last =
      std::min<std::int64_t>(static_cast<std::int64_t>(count) - 1, now + options.future);
  const auto* pose_now = pose_at(source, now);
  std::vector<std::pair<std::int64_t, formats::FrameCache::FramePtr>> others;
  for (std::int64_t k = first; k <= last; ++k) {
    if (k == now) continue;
    if (!pose_now || !pose_at(source, k)) {
      stats.warnings.push_back("frame " + std::to_string(k) + " not accumulated: " +
                               (pose_now ? "it has" : "the current frame has") + " no pose");
      continue;
    }
    auto cloud = source.frames->get(static_cast<std::size_t>(k));
    if (!cloud) {
      stats.warnings.push_back("frame " + std::to_string(k) +
                               " not accumulated: " + cloud.error().describe());
      continue;
    }
    others.emplace_back(k, std::move(*cloud));
  }
  auto current = source.frames->get(frame);
  if (!current) return std::move(current).error();
  const std::shared_ptr<const PointCloud>& cur = *current;

  std::optional<BoxTestF> crop_box, focus_box;
  if (options.crop_track) {
    auto box = required_box(source, *options.crop_track, now, "crop");
    if (!box) return std::move(box).error();
    crop_box = BoxTestF::from(shifted(*box, -cur->origin), 0.0);
  }
  if (options.focus_track) {
    auto box = required_box(source, *options.focus_track, now, "focus");
    if (!box) return std::move(box).error();
    focus_box = BoxTestF::from(shifted(*box, -cur->origin), options.focus_margin);
  }
  std::optional<geometry::Cuboid> stack_now;
  if (options.stack_track && !others.empty()) {
    stack_now = track_box_in_lidar(source, *options.stack_track, now);
    if (!stack_now) {
      stats.warnings.push_back("track " + std::to_string(*options.stack_track) +
                               " has no box in frame " + std::to_string(now) + ": not stacked");
    }
  }

  if (options.is_plain()) {
    stats.frames = {now};
    stats.points_read = stats.points_shown = cur->size();
    stats_ = std::move(stats);
    return cur;
  }

  // Columns of the output, sized for every point before any filter.
  std::size_t total = cur->size();
  for (const auto& o : others) total += o.second->size();
  bool with_time = now < static_cast<std::int64_t>(source.timestamps_us.size()) &&
                   source.timestamps_us[frame] >= 0;
  for (const auto& o : others) {
    with_time = with_time && o.first < static_cast<std::int64_t>(source.timestamps_us.size()) &&
                source.timestamps_us[static_cast<std::size_t>(o.first)] >= 0;
  }
  std::shared_ptr<PointCloud> out = impl_->output();
  out->origin = cur->origin;
  out->attributes.resize(with_time ? 3 : 2);
  out->attributes[0].name = std::string(formats::attribute_names::kIntensity);
  out->attributes[1].name = std::string(kFrameOffsetAttribute);
  if (with_time) out->attributes[2].name = std::string(kTimeOffsetAttribute);
  out->resize(total);
  float* X = out->x.data();
  float* Y = out->y.data();
  float* Z = out->z.data();
  float* I = out->attributes[0].values.data();
  float* F = out->attributes[1].values.data();
  float* S = with_time ? out->attributes[2].values.data() : nullptr;

  const bool filter = options.hide_ground || options.crop_region || crop_box || focus_box ||
                      options.intensity_min || options.intensity_max;
  std::optional<BoxTestF> region_test;  // the region as an axis-aligned box in the float frame
  if (options.crop_region) {
    const Eigen::Vector3d lo = options.crop_region->min - cur->origin;
    const Eigen::Vector3d hi = options.crop_region->max - cur->origin;
    region_test = BoxTestF::from(geometry::Cuboid{0.5 * (lo + hi), hi - lo, {}}, 0.0);
  }
  const float imin = options.intensity_min.value_or(-INFINITY);
  const float imax = options.intensity_max.value_or(INFINITY);
  const bool clip_intensity = options.intensity_min || options.intensity_max;

  std::vector<Impl::Ground> kept_grounds;
  const geometry::Pose T_cloudnow_world =
      cur->T_lidar_cloud().inverse() *
      (pose_now ? geometry::invert(**pose_now) : geometry::Pose::Identity());
  std::size_t written = 0;
  const auto add_frame = [&](std::int64_t k, const std::shared_ptr<const PointCloud>& cloud) {
    const PointCloud& in = *cloud;
    const std::size_t n = in.size();
    const std::size_t base = written;
    if (k == now) {
      std::copy(in.x.begin(), in.x.end(), X + base);
      std::copy(in.y.begin(), in.y.end(), Y + base);
      std::copy(in.z.begin(), in.z.end(), Z + base);
    } else {
      const geometry::Pose T = T_cloudnow_world * **pose_at(source, k) * in.T_lidar_cloud();
      transform_points(in, AffineF::from(T), X + base, Y + base, Z + base);
      // The track's points: through its box at k into its box now, not through the world.
      const std::optional<geometry::Cuboid> box_k =
          stack_now ? track_box_in_lidar(source, *options.stack_track, k) : std::nullopt;
      if (box_k) {
        const BoxTestF inside = BoxTestF::from(shifted(*box_k, -in.origin), options.stack_margin);
        const geometry::Pose B = cur->T_lidar_cloud().inverse() * stack_now->pose() *
                                 geometry::invert(box_k->pose()) * in.T_lidar_cloud();
        const AffineF a = AffineF::from(B);
        for (std::size_t i = 0; i < n; ++i) {
          const float x = in.x[i], y = in.y[i], z = in.z[i];
          if (!inside.contains(x, y, z)) continue;
          X[base + i] = a.r[0] * x + a.r[1] * y + a.r[2] * z + a.t[0];
          Y[base + i] = a.r[3] * x + a.r[4] * y + a.r[5] * z + a.t[1];
          Z[base + i] = a.r[6] * x + a.r[7] * y + a.r[8] * z + a.t[2];
          ++stats.stacked;
        }
      }
    }
    const std::vector<float>* intensity = in.attribute(formats::attribute_names::kIntensity);
    if (intensity) {
      std::copy(intensity->begin(), intensity->end(), I + base);
    } else {
      std::fill(I + base, I + base + n, 0.0f);
      if (clip_intensity) {
        stats.warnings.push_back("frame " + std::to_string(k) +
                                 " has no intensity: not filtered by intensity");
      }
    }
    const auto offset = static_cast<float>(k - now);
    std::fill(F + base, F + base + n, offset);
    if (S) {
      const double dt =
          1e-6 * static_cast<double>(source.timestamps_us[static_cast<std::size_t>(k)] -
                                     source.timestamps_us[frame]);
      std::fill(S + base, S + base + n, static_cast<float>(dt));
    }
    stats.points_read += n;
    written += n;
    if (!filter) return;
    const std::vector<bool>* ground =
        options.hide_ground ? impl_->ground_mask(k, cloud, options.ground, kept_grounds) : nullptr;
    const bool clip = clip_intensity && intensity;
    std::size_t w = base;
    for (std::size_t i = base; i < base + n; ++i) {
      if (ground && (*ground)[i - base]) {
        ++stats.ground_hidden;
        continue;
      }
      if (clip && !(I[i] >= imin && I[i] <= imax)) continue;
      if (region_test && !region_test->contains(X[i], Y[i], Z[i])) continue;
      if (crop_box && !crop_box->contains(X[i], Y[i], Z[i])) continue;
      if (focus_box && !focus_box->contains(X[i], Y[i], Z[i])) continue;
      X[w] = X[i];
      Y[w] = Y[i];
      Z[w] = Z[i];
      I[w] = I[i];
      F[w] = F[i];
      if (S) S[w] = S[i];
      ++w;
    }
    written = w;
  };
  // The current frame's points first: without filters, point i of the output is point i of the
  // frame's own cloud (per-point colours computed on that cloud still apply).
  add_frame(now, cur);
  stats.frames.push_back(now);
  for (const auto& o : others) {
    add_frame(o.first, o.second);
    stats.frames.push_back(o.first);
  }
  std::sort(stats.frames.begin(), stats.frames.end());
  out->resize(written);
  impl_->grounds = std::move(kept_grounds);
  stats.points_shown = written;
  stats_ = std::move(stats);
  return std::shared_ptr<const PointCloud>(out);
}

}  // namespace pcanno::plugin
