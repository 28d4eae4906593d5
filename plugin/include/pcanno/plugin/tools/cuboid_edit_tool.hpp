#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "pcanno/geometry/cuboid.hpp"
#include "pcanno/plugin/tool.hpp"

namespace pcanno::plugin {

/// Moves, turns and resizes the selected track's box at the current frame.
///
/// Pointer (left button), hit-tested within kHandlePixels of the ray:
/// - top (and perspective) view: the face handles at the centres of the front, back, left and
///   right faces, the rotation handle kRotateHandlePixels ahead of the front face, and the
///   footprint (drag inside: move in x, y);
/// - side view (along box +y, length x height): front, back, top and bottom faces, the pitch
///   handle kRotateHandlePixels ahead of the front face (turns about box +y), inside: move in the
///   view plane;
/// - front view (along box +x, width x height): left, right, top and bottom faces, the roll handle
///   kRotateHandlePixels above the top face (turns about box +x), inside: move.
/// The pitch and roll handles are shown always but refused, with the reason in the status
/// ("pitch locked: Car is upright; unlock with free tilt"), while the track's tilt is locked
/// (plugin/tilt.hpp); every edit obeys that lock (modify_box_checked()). Angles follow
/// geometry/yaw_pitch_roll.hpp: dragging the pitch handle up lifts the nose (negative pitch).
/// Dragging a face moves only that face: the opposite face stays, the centre moves by half the
/// change. Sizes stop at kMinSize (a face cannot be dragged through its opposite). The drag is
/// previewed; the release applies one modify_box, so one undo reverts the whole drag. Escape
/// cancels a drag (when idle it finishes the tool).
///
/// Keyboard nudges, each one undo step (Shift: kFineFactor of the step), along the axes of the
/// view with the focus (KeyEvent::view, else the last pointer event's view, else a north-up top
/// view):
/// - Left / Right / Up / Down: move kNudgeStep along the screen axes, within the view plane;
///   PageUp / PageDown: towards / away from the viewer (up / down in the top view);
/// - q / e: turn kNudgeYawDeg counter-clockwise / clockwise (seen from above) about box +z;
/// - w / s: length +/- kNudgeStep, d / a: width +/- kNudgeStep (centre kept); r / f: height
///   +/- kNudgeStep and plus / minus: all three sizes +/- kNudgeStep (bottom kept on the ground).
class CuboidEditTool : public Tool {
 public:
  enum class Handle {
    kNone,
    kMove,
    kFront,
    kBack,
    kLeft,
    kRight,
    kTop,
    kBottom,
    kRotate,
    kPitch,
    kRoll
  };
  struct HandlePoint {
    Handle handle = Handle::kNone;
    Eigen::Vector3d position = Eigen::Vector3d::Zero();  ///< [m, world]
  };

  static constexpr double kHandlePixels = 8.0;
  static constexpr double kRotateHandlePixels = 24.0;
  static constexpr double kDragPixels = 3.0;   ///< a drag starts once the pointer goes this far
  static constexpr double kMinSize = 0.05;     ///< [m]
  static constexpr double kNudgeStep = 0.1;    ///< [m]
  static constexpr double kNudgeYawDeg = 1.0;  ///< [deg]
  static constexpr double kFineFactor = 0.1;

  std::string id() const override { return "cuboid-edit"; }
  void deactivate(Session& session) override;
  int on_pointer(Session& session, const PointerEvent& event) override;
  int on_key(Session& session, const KeyEvent& event) override;

  /// The handles of `box_in_world` that `view` offers, in the order above.
  static std::vector<HandlePoint> handles(const geometry::Cuboid& box_in_world,
                                          const ViewInfo& view);
  /// The normal [world] of the plane drags in `kind` move in: box +z (top, perspective), box +y
  /// (side), box +x (front).
  static Eigen::Vector3d drag_plane_normal(const geometry::Cuboid& box, ViewKind kind);
  /// `start` dragged by `handle` from `from` to `to` (points [m, world] on the drag plane).
  static geometry::Cuboid dragged(const geometry::Cuboid& start, Handle handle,
                                  const Eigen::Vector3d& from, const Eigen::Vector3d& to);

 private:
  struct Selected {
    std::int64_t track = -1;
    std::int64_t frame = 0;
    geometry::Cuboid box;  ///< [world]
  };
  std::optional<Selected> selected(const Session& session) const;
  Handle hit(const geometry::Cuboid& box, const Ray& ray, const ViewInfo& view,
             Eigen::Vector3d& on_plane) const;
  void show(const geometry::Cuboid& box, const ViewInfo& view, bool dragging);
  int commit(Session& session, const Selected& target, const geometry::Cuboid& box_in_world,
             const std::string& name);
  int nudge(Session& session, const KeyEvent& event);

  Handle handle_ = Handle::kNone;  ///< the drag in progress
  Selected target_;                ///< box at the start of the drag
  geometry::Cuboid current_;       ///< box as dragged so far [world]
  Eigen::Vector3d from_ = Eigen::Vector3d::Zero();
  bool moved_ = false;  ///< the pointer left the press point by kDragPixels
  Eigen::Vector3d plane_normal_ = Eigen::Vector3d::UnitZ();
  std::optional<ViewInfo> view_;  ///< of the last pointer event
};

}  // namespace pcanno::plugin
