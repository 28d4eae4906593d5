#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "pcanno/plugin/tool.hpp"
#include "pcanno/plugin/tools/tool_support.hpp"

namespace pcanno::plugin {

/// One ruler measurement, between two points of the world frame (z up).
struct Measurement {
  Eigen::Vector3d start = Eigen::Vector3d::Zero();  ///< [m, world]
  Eigen::Vector3d end = Eigen::Vector3d::Zero();    ///< [m, world]
  bool start_on_point = false;  ///< snapped to a LiDAR point (else on the ground or view plane)
  bool end_on_point = false;
  bool complete = false;  ///< the end is placed; false while it follows the pointer
  /// The session's frame when the start was placed; an unfinished measurement is dropped by the
  /// next click on another frame.
  std::int64_t frame = -1;

  /// [m] straight-line (3D) distance from start to end.
  double distance() const { return (end - start).norm(); }
  /// [m] distance in the world xy-plane (along the ground).
  double ground_distance() const { return (end - start).head<2>().norm(); }
  /// [m] the end's height above the start (negative: below).
  double height_difference() const { return end.z() - start.z(); }
};

/// "3D 12.34 m, ground 12.30 m, height +0.45 m": centimetres, the height signed.
std::string describe(const Measurement& m);

/// Measures distances in any of the four views; changes nothing in the document.
///
/// - Left click: the first click places the start, the end then follows the pointer (the
///   distances shown live), the second click places the end. A left drag measures from the press
///   to the release. The next click after a complete measurement starts a new one.
/// - Each end goes exactly onto the frame's LiDAR point nearest to the pointer's ray within
///   kSnapPixels (FramePoints::place; the side and front views snap only to points within
///   kSlabSnapDepth of the plane they look through); with no point there, or Shift held, onto the
///   frame's ground (top and main view) or the view's plane (side and front view).
/// - Escape clears the measurement; with none, it ends the tool (kFinished).
/// The preview shows the measuring line, the right triangle of its ground and height legs, both
/// ends as handles, and describe() in its status line; measurement() holds the numbers.
class RulerTool : public Tool {
 public:
  static constexpr double kSnapPixels = 8.0;
  /// [m] the side and front views snap to points this near their focus plane only
  static constexpr double kSlabSnapDepth = 1.0;
  /// A release this far from the press (or farther) ends a drag measurement there.
  static constexpr double kClickPixels = 3.0;

  std::string id() const override { return "ruler"; }
  void activate(Session& session) override;
  void deactivate(Session& session) override;
  int on_pointer(Session& session, const PointerEvent& event) override;
  int on_key(Session& session, const KeyEvent& event) override;

  /// The measurement shown: complete, or with its end following the pointer; nullopt before the
  /// first click and after Escape.
  const std::optional<Measurement>& measurement() const { return measurement_; }

  /// Points [m, world] to snap to, instead of the session's frame (hosts, tests).
  void set_points(std::shared_ptr<const std::vector<Eigen::Vector3d>> points_in_world) override {
    points_.set_points(std::move(points_in_world));
  }
  void set_points(std::vector<Eigen::Vector3d> points_in_world) {
    points_.set_points(std::move(points_in_world));
  }

 private:
  /// An unfinished measurement started on the session's current frame.
  bool measuring(const Session& session) const;
  int press(Session& session, const PointerEvent& event);
  /// The end placed along the event's ray; `complete` fixes it there.
  int move_end(Session& session, const PointerEvent& event, bool complete);
  std::optional<Placement> place(const Session& session, const PointerEvent& event);
  void show();

  std::optional<Measurement> measurement_;
  bool pressed_ = false;  ///< the left press that placed the start is held (a drag may follow)
  Eigen::Vector3d press_point_ = Eigen::Vector3d::Zero();  ///< [m, world] on that press's ray
  FramePoints points_;
};

}  // namespace pcanno::plugin
