#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <Eigen/Core>

#include "pcanno/formats/clouds/point_cloud.hpp"
#include "pcanno/formats/datasets/frame_cache.hpp"
#include "pcanno/formats/labels/annotations.hpp"
#include "pcanno/formats/support/expected.hpp"
#include "pcanno/geometry/cuboid.hpp"
#include "pcanno/geometry/ground.hpp"
#include "pcanno/geometry/pose.hpp"

// The points a view shows for a frame, built from display options shared by the workstation and
// `pcanno render`: neighbouring frames accumulated through the world frame (each point keeping
// its frame offset for colouring), the selected track's points stacked in its own box frame, the
// ground hidden, a crop, an intensity window and a focus around a box.

namespace pcanno::plugin {

/// The per-point column of the built cloud that holds each point's frame offset [frames]: 0 for
/// the current frame, -1 for the one before, +2 two after.
inline constexpr std::string_view kFrameOffsetAttribute = "frame_offset";
/// The per-point column of the built cloud with each point's time offset [s] from the current
/// frame; present only when every frame used has a timestamp.
inline constexpr std::string_view kTimeOffsetAttribute = "time_offset";

/// An axis-aligned region [m] in the current frame's LiDAR frame; the boundary counts as inside.
struct DisplayRegion {
  Eigen::Vector3d min = Eigen::Vector3d::Zero();
  Eigen::Vector3d max = Eigen::Vector3d::Zero();
};

/// What build_display_points() shows. The default shows the current frame as it is.
struct DisplayOptions {
  int past = 0;    ///< [frames] earlier frames accumulated (clamped at the sequence start)
  int future = 0;  ///< [frames] later frames accumulated (clamped at the sequence end)
  /// Drops the ground points of every frame (geometry::GroundModel fitted per frame, in the
  /// frame's own LiDAR frame).
  bool hide_ground = false;
  geometry::GroundOptions ground;
  /// Keeps only the points inside this region [current LiDAR frame].
  std::optional<DisplayRegion> crop_region;
  /// Keeps only the points inside this track's box at the current frame.
  std::optional<std::int64_t> crop_track;
  /// Keeps only the points within `focus_margin` of this track's box at the current frame.
  std::optional<std::int64_t> focus_track;
  double focus_margin = 2.0;  ///< [m] on every face of the focus box
  /// Keeps only the points whose intensity lies in [intensity_min, intensity_max]; a frame
  /// without an intensity column is not filtered (and said in DisplayStats::warnings).
  std::optional<float> intensity_min;
  std::optional<float> intensity_max;
  /// The points of this track's box at each other frame (grown by `stack_margin`) are mapped
  /// through box(t)^-1 then box(now), so that a moving object's points pile up on its current box
  /// instead of smearing along its path. Frames without a box of the track use the world frame.
  std::optional<std::int64_t> stack_track;
  double stack_margin = 0.1;  ///< [m]

  /// True when the options change nothing (the frame's own cloud is shown).
  bool is_plain() const;
};

/// Where the frames and their poses come from.
struct DisplaySource {
  /// The frames (the workstation's prefetching cache; `pcanno render` makes one). get() moves its
  /// cursor: the current frame is requested last, so the prefetch stays around it.
  formats::FrameCache* frames = nullptr;
  /// T_world_lidar per frame (the sequence's poses, else the estimated ego motion); frames with
  /// no pose are not accumulated. May be shorter than the sequence (missing = no pose).
  std::vector<std::optional<geometry::Pose>> T_world_lidar;
  /// Per frame [us], -1 unknown; only for the time offset column.
  std::vector<std::int64_t> timestamps_us;
  /// The labels, for crop_track, focus_track and stack_track (boxes in kWorld need the poses).
  const formats::Annotations* document = nullptr;
};

/// What a build did.
struct DisplayStats {
  std::vector<std::int64_t> frames;  ///< the frames whose points were used, current included
  std::size_t points_read = 0;       ///< points of those frames before any filter
  std::size_t points_shown = 0;      ///< points of the built cloud
  std::size_t ground_hidden = 0;     ///< points dropped as ground
  std::size_t stacked = 0;           ///< points of other frames mapped through the track's boxes
  std::vector<std::string> warnings;  ///< frames skipped (no pose, unreadable), unknown tracks
};

/// T_world_lidar of each of `sequence`'s frames (nullopt where it has none).
std::vector<std::optional<geometry::Pose>> sequence_poses(const formats::Sequence& sequence);
/// The timestamps of `sequence`'s frames [us], -1 where unknown.
std::vector<std::int64_t> sequence_timestamps(const formats::Sequence& sequence);

/// Builds displayed points, reusing its buffers from one build to the next: the output cloud is
/// rewritten in place when no one else holds it any more, and per-frame ground models are kept
/// for the frames of the last build. Not thread-safe; one per host.
class PointDisplay {
 public:
  PointDisplay();
  ~PointDisplay();
  PointDisplay(const PointDisplay&) = delete;
  PointDisplay& operator=(const PointDisplay&) = delete;

  /// The points to show at `frame`, in that frame's LiDAR frame with the current cloud's origin
  /// (PointCloud::origin), so a host places them with the frame's T_world_lidar as it would the
  /// frame's own cloud. Columns: x, y, z, "intensity" (0 for frames without one),
  /// kFrameOffsetAttribute and, when the frames have timestamps, kTimeOffsetAttribute. With
  /// plain options the current frame's cloud itself is returned, untouched.
  ///
  /// Errors: kNotFound when `frame` is out of range or a named track has no box at `frame`;
  /// kInvalidArgument for negative counts or an empty intensity window; the current frame's read
  /// error. Neighbouring frames that cannot be read or have no pose are skipped with a warning.
  formats::Expected<std::shared_ptr<const formats::PointCloud>> build(const DisplaySource& source,
                                                                      std::size_t frame,
                                                                      const DisplayOptions& options);
  /// What the last successful build() did.
  const DisplayStats& stats() const { return stats_; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  DisplayStats stats_;
};

}  // namespace pcanno::plugin
