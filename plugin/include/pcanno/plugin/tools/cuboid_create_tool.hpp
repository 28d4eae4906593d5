#pragma once
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "pcanno/geometry/cuboid.hpp"
#include "pcanno/plugin/tool.hpp"
#include "pcanno/plugin/tools/tool_support.hpp"

namespace pcanno::plugin {

/// Creates a box of the current class by dragging its footprint in the top (or perspective) view.
///
/// - Left drag: the footprint's opposite corners are where the press and release rays meet the
///   ground plane z = 0. The box is aligned with the screen: length along the screen x axis, width
///   along screen y, yaw = screen_yaw(view), so in a north-up top view a drag from (x0, y0) to
///   (x1, y1) gives the footprint [x0, x1] x [y0, y1] exactly. The preview shows the box while
///   dragging.
/// - A click (release within kClickPixels of the press) on an object: the box fitted to its points
///   (geometry::fit_box with the class's default size as prior; provenance "fitted"). A click
///   where the frame has no object points: a box of the class's default size (default_box_size)
///   centred on the click, oriented by the view.
/// - Height: the class's default height, the bottom on the ground: the kGroundQuantile quantile of
///   the z of the frame's points inside the footprint, or z = 0 without (enough) points.
/// - The new track is selected. With extend on (set_extend) and a track selected, the box joins
///   that track instead ("extend": the object came back after an occlusion, a detector missed it);
///   refused, said in the status, when the track has a box at this frame already.
/// - Escape cancels a drag (and, when idle, finishes the tool); "1".."9"
///   choose the document's classes in order.
class CuboidCreateTool : public Tool {
 public:
  static constexpr double kClickPixels = 3.0;
  static constexpr double kGroundQuantile = 0.05;
  static constexpr double kMinSide = 0.01;  ///< [m], for drags along one screen axis only

  std::string id() const override { return "cuboid-create"; }
  void deactivate(Session& session) override;
  int on_pointer(Session& session, const PointerEvent& event) override;
  int on_key(Session& session, const KeyEvent& event) override;

  void set_label(const std::string& label) override;
  const std::string& label() const { return label_; }
  /// Points [m, world] to estimate the ground from, instead of the session's frame (tests, hosts).
  void set_points(std::shared_ptr<const std::vector<Eigen::Vector3d>> points_in_world) override {
    points_.set_points(std::move(points_in_world));
  }
  void set_points(std::vector<Eigen::Vector3d> points_in_world) {
    points_.set_points(std::move(points_in_world));
  }

  /// Extend mode: new boxes join the selected track (when one is selected) instead of starting
  /// a new track.
  void set_extend(bool on) { extend_ = on; }
  bool extend() const { return extend_; }

  /// The box [world] a drag from `start` to `end` (on the ground plane) in `view` creates.
  geometry::Cuboid box_for_drag(const Session& session, const Eigen::Vector3d& start,
                                const Eigen::Vector3d& end, const ViewInfo& view);

 private:
  void cancel();
  std::string label_for(const formats::Annotations& doc) const;  ///< label_, else the default
  /// [m] l, w, h a new box starts from and the fit completes a sparse object with: the class's
  /// default size, or when extending, the selected track's box nearest the frame.
  Eigen::Vector3d size_prior(const Session& session) const;
  int create(Session& session, const geometry::Cuboid& box_in_world,
             formats::Provenance provenance = formats::Provenance::kManual);
  /// The box fitted to the object under a click (geometry/box_fit.hpp), nullopt when the frame has
  /// no points there.
  std::optional<geometry::Cuboid> fit_at(const Session& session, const Eigen::Vector3d& click);

  /// Extend mode: the box joins `track` (one undo step, the track stays selected).
  int extend_track(Session& session, std::int64_t track, const geometry::Cuboid& box_in_world,
                   formats::Provenance provenance);

  std::string label_;  ///< "" until set: the document's default class
  bool extend_ = false;
  bool dragging_ = false;
  Eigen::Vector3d start_ = Eigen::Vector3d::Zero();  ///< [m, world] on the ground plane
  Eigen::Vector3d end_ = Eigen::Vector3d::Zero();
  ViewInfo view_;
  FramePoints points_;
};

}  // namespace pcanno::plugin
