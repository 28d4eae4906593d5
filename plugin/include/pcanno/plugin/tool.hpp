#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <Eigen/Geometry>

#include "pcanno/formats/labels/annotations.hpp"
#include "pcanno/formats/support/expected.hpp"
#include "pcanno/geometry/cuboid.hpp"
#include "pcanno/geometry/polyline.hpp"
#include "pcanno/geometry/pose.hpp"

// Headless tools: state machines fed by view-independent events (the rviz pattern). A view turns
// its mouse and keyboard into these events, with the pointer as a ray in the world frame plus the
// view's camera; the tool answers with flags, preview geometry, and commands applied to the
// session. Nothing here knows about VTK or Qt, so tools are tested with synthetic events.
// Hosts run tools through a ToolManager (tool_manager.hpp), which also serves as their ToolHost.

namespace pcanno::plugin {

class Session;
struct Command;
struct Selection;

/// The view an event comes from.
enum class ViewKind { kPerspective, kTop, kSide, kFront };

struct ViewInfo {
  ViewKind kind = ViewKind::kPerspective;
  /// Camera pose in the world: x right, y up, z towards the viewer (OpenGL camera axes).
  Eigen::Isometry3d T_world_camera = Eigen::Isometry3d::Identity();
  double meters_per_pixel = 0.02;  ///< orthographic views; at the focal plane for perspective
  /// The point the side and front views look through: the selected box's centre [m, world].
  Eigen::Vector3d focus = Eigen::Vector3d::Zero();
};

/// A pointer ray in the world frame.
struct Ray {
  Eigen::Vector3d origin = Eigen::Vector3d::Zero();       ///< [m, world]
  Eigen::Vector3d direction = -Eigen::Vector3d::UnitZ();  ///< unit
};

enum class MouseButton { kNone, kLeft, kMiddle, kRight };
enum Modifier : int { kNoModifier = 0, kShift = 1, kControl = 2, kAlt = 4 };

struct PointerEvent {
  enum class Type { kPress, kMove, kRelease, kDoubleClick } type = Type::kMove;
  MouseButton button = MouseButton::kNone;
  int modifiers = kNoModifier;
  Ray ray;
  ViewInfo view;
};

/// Keys by name: "a".."z", "0".."9", "Left", "Right", "Up", "Down", "Delete", "BackSpace",
/// "Escape", "Return", "Tab", "PageUp", "PageDown", "Home", "End", "F1".."F12", "plus", "minus".
struct KeyEvent {
  std::string key;
  int modifiers = kNoModifier;
  bool press = true;
  /// The view with the keyboard focus, when the host knows it: keyboard nudges move along its
  /// screen axes. Without it a tool uses the view of the last pointer event.
  std::optional<ViewInfo> view;
};

struct WheelEvent {
  double steps = 0.0;  ///< positive away from the user
  int modifiers = kNoModifier;
  Ray ray;
  ViewInfo view;
};

/// What a tool reports after an event, as bit flags.
enum ToolResult : int {
  kIgnored = 0,   ///< not for this tool: the view may use it (orbit, pan, ...)
  kConsumed = 1,  ///< handled; the view must not also use it
  kRender = 2,    ///< preview or document changed: redraw
  kFinished = 4,  ///< the tool is done (the host may return to the select tool)
};

/// Geometry a tool shows while it works (rubber band, handles), in the world frame.
struct ToolPreview {
  std::vector<geometry::Cuboid> boxes;
  std::vector<geometry::Polyline> lines;
  std::vector<Eigen::Vector3d> handles;   ///< draggable points (faces, vertices)
  std::optional<std::size_t> hot_handle;  ///< under the pointer
  std::string status;                     ///< one line for the status bar
};

/// The Session's functions a tool may need beyond its inline accessors, called through the host
/// that runs the tool. A plugin links no engine code (plugin_api.hpp), so a plugin tool cannot call
/// Session::apply() itself: the host (ToolManager) implements this interface and the calls run in
/// the host's code. Built-in tools may use the Session directly; both ways are refused alike while
/// a job owns the session.
class ToolHost {
 public:
  virtual ~ToolHost() = default;
  /// Session::apply(): applies, journals and records `command` as one undo step.
  virtual formats::Status apply(const Command& command) = 0;
  /// Session::set_selection().
  virtual void set_selection(const Selection& selection) = 0;
  /// Session::box_in_world(): a box in the world frame tools work in.
  virtual formats::Expected<geometry::Cuboid> box_in_world(std::int64_t track_id,
                                                           std::int64_t frame) const = 0;
  /// Session::T_world_lidar(): nullopt without poses.
  virtual std::optional<geometry::Pose> T_world_lidar(std::int64_t frame) const = 0;
  /// Session::shape_frame_for(): the frame new shapes at `frame` are stored in.
  virtual formats::ShapeFrame shape_frame_for(std::int64_t frame) const = 0;
};

class Tool {
 public:
  virtual ~Tool() = default;
  virtual std::string id() const = 0;
  virtual void activate(Session& /*session*/) {}
  virtual void deactivate(Session& /*session*/) {}
  virtual int on_pointer(Session& session, const PointerEvent& event) = 0;
  virtual int on_key(Session& /*session*/, const KeyEvent& /*event*/) { return kIgnored; }
  virtual int on_wheel(Session& /*session*/, const WheelEvent& /*event*/) { return kIgnored; }
  virtual const ToolPreview& preview() const { return preview_; }
  /// The class new shapes get, as the annotator chose it in the host; tools that create nothing
  /// ignore it.
  virtual void set_label(const std::string& /*label*/) {}
  /// The current frame's points [m, world] when the host has them loaded already, so that the tool
  /// does not read the frame again; kept for every frame until the next call. Ignored by default.
  virtual void set_points(std::shared_ptr<const std::vector<Eigen::Vector3d>> /*points_in_world*/) {}

  /// The host running this tool, set by ToolManager before activate(); nullptr when the tool is
  /// driven directly (tests).
  ToolHost* host() const { return host_; }
  void set_host(ToolHost* host) { host_ = host; }

 protected:
  ToolPreview preview_;

 private:
  ToolHost* host_ = nullptr;
};

}  // namespace pcanno::plugin
