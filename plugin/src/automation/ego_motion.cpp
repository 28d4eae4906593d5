#include "pcanno/plugin/automation/ego_motion.hpp"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "pcanno/formats/support/atomic_write.hpp"
#include "pcanno/plugin/journal.hpp"

namespace pcanno::plugin {
namespace {

namespace fs = std::filesystem;
using formats::Error;
using formats::ErrorCode;
using formats::Expected;

/// Names the estimator in the cache key: change it whenever the estimates change, so that a
/// cache written by an older build is not taken for the current estimator's answer.
constexpr const char* kEstimator = "scan-to-scan point-to-plane, plane map v2";

/// The cache key: the estimator, the sequence's identity and every frame's file and size, so a
/// changed scan invalidates the cache.
std::string cache_key(const formats::Sequence& seq, const EgoMotionOptions& options) {
  std::ostringstream key;
  key << kEstimator << '|' << seq.layout << '|' << fs::absolute(seq.root).string() << '|'
      << seq.name << '|' << options.voxel << '|' << options.max_range;
  for (const formats::FrameRef& f : seq.frames) {
    std::error_code ec;
    key << '|' << f.cloud_path.string() << ':' << fs::file_size(f.cloud_path, ec);
  }
  return content_hash(key.str());
}

std::optional<EgoMotion> read_cache(const fs::path& file, std::size_t frames) {
  std::ifstream in(file);
  if (!in) return std::nullopt;
  EgoMotion out;
  out.from_cache = true;
  for (std::size_t i = 0; i < frames; ++i) {
    Eigen::Matrix4d m = Eigen::Matrix4d::Identity();
    double fitness = 0.0;
    for (int r = 0; r < 3; ++r) {
      for (int c = 0; c < 4; ++c) {
        if (!(in >> m(r, c))) return std::nullopt;
      }
    }
    if (!(in >> fitness)) return std::nullopt;
    geometry::Pose pose;
    pose.matrix() = m;
    out.T_world_lidar.push_back(pose);
    out.fitness.push_back(fitness);
  }
  return out;
}

void write_cache(const fs::path& file, const EgoMotion& motion) {
  std::string text;
  char buf[64];
  for (std::size_t i = 0; i < motion.T_world_lidar.size(); ++i) {
    const Eigen::Matrix4d& m = motion.T_world_lidar[i].matrix();
    for (int r = 0; r < 3; ++r) {
      for (int c = 0; c < 4; ++c) {
        std::snprintf(buf, sizeof(buf), "%.17g ", m(r, c));
        text += buf;
      }
    }
    std::snprintf(buf, sizeof(buf), "%.17g\n", motion.fitness[i]);
    text += buf;
  }
  std::error_code ec;
  fs::create_directories(file.parent_path(), ec);
  // A cache that cannot be written only costs time next run.
  (void)formats::write_file_atomic(file, text, true);
}

}  // namespace

bool ego_motion_cached(const formats::Sequence& sequence, const EgoMotionOptions& options) {
  if (options.cache_dir.empty() || sequence.size() == 0) return false;
  return read_cache(options.cache_dir / (cache_key(sequence, options) + ".txt"), sequence.size())
      .has_value();
}

fs::path default_ego_motion_cache() {
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg != nullptr && *xdg != '\0') {
    return fs::path(xdg) / "pcanno/ego-motion";
  }
  if (const char* home = std::getenv("HOME"); home != nullptr && *home != '\0') {
    return fs::path(home) / ".cache/pcanno/ego-motion";
  }
  return {};
}

Expected<EgoMotion> estimate_ego_motion(const formats::Sequence& sequence,
                                        const EgoMotionOptions& options,
                                        const std::function<bool(double)>& progress) {
  const std::size_t n = sequence.size();
  if (n == 0)
    return Error{ErrorCode::kNotFound, "the sequence has no frames", sequence.root.string()};
  fs::path cache_file;
  if (!options.cache_dir.empty()) {
    cache_file = options.cache_dir / (cache_key(sequence, options) + ".txt");
    if (std::optional<EgoMotion> cached = read_cache(cache_file, n)) return *cached;
  }
  const auto cancelled = [&] {
    return Error{ErrorCode::kCancelled, "ego-motion estimation cancelled", sequence.root.string()};
  };
  EgoMotion out;
  out.T_world_lidar.push_back(geometry::Pose::Identity());
  out.fitness.push_back(1.0);
  std::vector<Eigen::Vector3d> previous;
  geometry::Pose velocity = geometry::Pose::Identity();  // T_previous_current of the last pair
  for (std::size_t i = 0; i < n; ++i) {
    // Frame i is the share [i, i + 1) / n; loading takes its first tenth, the registration the
    // rest. Both poll the callback, so a cancel lands within one ICP iteration, not one frame.
    const auto at = [&](double within) {
      return !progress || progress((static_cast<double>(i) + within) / static_cast<double>(n));
    };
    if (!at(0.0)) return cancelled();
    formats::ReadOptions read;
    read.progress = [&](double f) { return at(0.1 * f); };
    Expected<formats::CloudFile> cloud = sequence.load_frame(i, read);
    if (!cloud && cloud.error().code == ErrorCode::kCancelled) return cancelled();
    if (!cloud) return std::move(cloud).error();
    std::vector<Eigen::Vector3d> current =
        geometry::voxel_downsample(cloud->cloud.view(), options.voxel, options.max_range);
    if (i > 0) {
      geometry::IcpOptions icp = options.icp;
      icp.stop = [&] { return !at(0.5); };
      const geometry::IcpResult r =
          geometry::register_point_to_plane(current, previous, velocity, icp);
      if (r.stopped) return cancelled();
      // A failed registration keeps the constant-velocity guess rather than a wild pose.
      const geometry::Pose step = r.converged ? r.T_target_source : velocity;
      out.T_world_lidar.push_back(out.T_world_lidar.back() * step);
      out.fitness.push_back(r.converged ? r.fitness : 0.0);
      velocity = step;
    }
    previous = std::move(current);
  }
  // Only a finished estimate is cached (atomically): a cancelled one leaves no file behind.
  if (!cache_file.empty()) write_cache(cache_file, out);
  if (progress && !progress(1.0)) return cancelled();
  return out;
}

Expected<EgoMotionCheck> check_ego_motion(const formats::Sequence& sequence,
                                          const EgoMotionOptions& options,
                                          const std::function<bool(double)>& progress) {
  std::vector<geometry::Pose> reference;
  for (std::size_t i = 0; i < sequence.size(); ++i) {
    const std::optional<geometry::Pose>& pose = sequence.frames[i].T_world_lidar;
    if (!pose) {
      return Error{ErrorCode::kUnsupported,
                   "frame " + std::to_string(i) +
                       " has no pose (T_world_lidar) to measure the ego motion against",
                   sequence.root.string()};
    }
    reference.push_back(*pose);
  }
  Expected<EgoMotion> motion = estimate_ego_motion(sequence, options, progress);
  if (!motion) return std::move(motion).error();
  std::optional<geometry::TrajectoryError> error =
      geometry::trajectory_error(motion->T_world_lidar, reference);
  if (!error) {
    return Error{ErrorCode::kNotFound, "the sequence has no frames", sequence.root.string()};
  }
  return EgoMotionCheck{std::move(*motion), std::move(*error)};
}

Expected<bool> ensure_poses(formats::Sequence& sequence, const EgoMotionOptions& options,
                            const std::function<bool(double)>& progress) {
  if (sequence.has_poses()) return false;
  Expected<EgoMotion> motion = estimate_ego_motion(sequence, options, progress);
  if (!motion) return std::move(motion).error();
  for (std::size_t i = 0; i < sequence.size(); ++i) {
    sequence.frames[i].T_world_lidar = motion->T_world_lidar[i];
  }
  return true;
}

}  // namespace pcanno::plugin
