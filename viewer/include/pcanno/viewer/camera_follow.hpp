#pragma once
#include <cstdint>
#include <optional>

#include <Eigen/Core>

#include "pcanno/geometry/cuboid.hpp"
#include "pcanno/geometry/pose.hpp"
#include "pcanno/plugin/tool.hpp"

// The rule by which an annotation window's cameras follow the recording car and the selected box
// from frame to frame, as plain data: the host feeds it what it shows and applies the moves it
// answers with. Headless (no Qt, no VTK), so the rule is tested on its own.

namespace pcanno::viewer {

/// An orthographic view's camera and its depth slab: only what lies within `slab` [m] of the
/// focus along the view direction is shown (0: everything).
struct OrthoCamera {
  plugin::ViewInfo view;
  double slab = 0.0;  ///< [m]
};

/// What the host shows now.
struct FollowInput {
  std::int64_t frame = 0;
  std::optional<std::int64_t> selected;  ///< the selected track
  /// The selected track's box at `frame` [world]; nullopt when it has none there.
  std::optional<geometry::Cuboid> box;
  /// Where the recording car is [world]: ego_pose().
  geometry::Pose ego = geometry::Pose::Identity();
  plugin::ViewInfo top;  ///< the top view's camera now (its zoom is the annotator's)
  /// The shorter side [px] of the top, side and front views, for fitting the box into them.
  int top_pixels = 400;
  int side_pixels = 200;
  int front_pixels = 200;
};

/// The moves that keep the cameras on the car and the selected box. Each is set only when that
/// camera must change.
struct FollowMoves {
  /// Moves the main camera rigidly [world]: the car moved.
  std::optional<geometry::Pose> main_delta;
  /// Moves the top view's focus [world]: the car moved and nothing is selected.
  std::optional<geometry::Pose> top_delta;
  std::optional<plugin::ViewInfo> top;  ///< the top view's new camera: on the selected box
  std::optional<OrthoCamera> side;      ///< the side view on the selected box
  std::optional<OrthoCamera> front;     ///< the front view on the selected box
};

/// The follow rule:
/// - the main camera rides with the car: when the ego pose changes (a new frame with a pose, a
///   georeferenced cloud's viewpoint), it moves by the change, keeping the annotator's angle;
/// - with nothing selected, the top view rides along too;
/// - while the selected track has a box at the frame, the side and front views look at it along its
///   own axes, fitted with kOrthoMargin and a slab kSlabMargin beyond it, at every update (the box
///   may have been edited); the top view centres on it when the selection or the frame changes,
///   turned to its heading (unless north up) and, for a newly selected box, zoomed to show
///   kTopSelectedZoom box diagonals but at least kTopSelectedSpan; stepping frames keeps the
///   annotator's zoom, and updates at the same frame and selection keep the annotator's pan;
/// - when the selected track has no box at the frame, the side, front and top views stay.
class CameraFollow {
 public:
  static constexpr double kOrthoMargin = 1.8;      ///< side and front views show the box this larger
  static constexpr double kSlabMargin = 0.6;       ///< [m] depth shown beyond the box
  static constexpr double kTopSelectedZoom = 3.0;  ///< box diagonals across the top view
  static constexpr double kTopSelectedSpan = 12.0;  ///< [m] and never less (pedestrians)
  static constexpr int kMinPixels = 40;  ///< views are treated as at least this large

  /// Where the car is: `T_world_lidar` (identity without poses), moved to the cloud's viewpoint
  /// [m, LiDAR frame] (a georeferenced cloud's middle; zero for a sensor-frame cloud).
  static geometry::Pose ego_pose(const std::optional<geometry::Pose>& T_world_lidar,
                                 const Eigen::Vector3d& viewpoint_in_lidar);

  FollowMoves update(const FollowInput& input);

  /// The top view stays north up (world +x right) instead of turning to the selected heading.
  void set_north_up(bool north_up) { north_up_ = north_up; }
  bool north_up() const { return north_up_; }
  /// The top view's yaw [rad] for `box`: its heading, or 0 when north up.
  double top_yaw(const geometry::Cuboid& box) const { return north_up_ ? 0.0 : box.yaw(); }
  /// `top` turned for the current north-up choice (yaw 0 without a box), focus and zoom kept.
  plugin::ViewInfo turned(const plugin::ViewInfo& top,
                          const std::optional<geometry::Cuboid>& box) const;

  /// Forgets what was shown (a new session): the next update treats the selection as new. The
  /// ego pose is kept, so the cameras move by the change to the new session's first pose.
  void forget_shown();

 private:
  bool north_up_ = false;
  geometry::Pose ego_ = geometry::Pose::Identity();  ///< the cameras were last placed for it
  std::optional<std::int64_t> shown_selection_;
  std::int64_t shown_frame_ = -1;
};

}  // namespace pcanno::viewer
