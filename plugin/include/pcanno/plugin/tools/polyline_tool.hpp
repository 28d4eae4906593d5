#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "pcanno/geometry/polyline.hpp"
#include "pcanno/plugin/command.hpp"
#include "pcanno/plugin/tool.hpp"
#include "pcanno/plugin/tools/tool_support.hpp"

namespace pcanno::plugin {

/// Draws and edits a polyline (lane line, curb) at the current frame.
///
/// The current polyline is the one this tool created, or the polyline selected when the tool was
/// activated (so activating it on a selected line continues that line). It stops being current
/// when the tool finishes or the line has no state at the session's frame any more.
/// - Left click: on a vertex of the current line (within kVertexPixels) grabs it: drag to move it
///   (one move_vertex on release); elsewhere appends a vertex, creating the polyline of the
///   current class with the first click.
/// - Control + left click on a segment: inserts a vertex there, on the segment.
/// - Double click on the first vertex, or "c": closes the line (needs three vertices; "c" on a
///   closed line opens it).
/// - Delete / BackSpace: deletes the vertex under the pointer, else the selected one; deleting the
///   last vertex deletes the polyline when it has no other frame.
/// - Return / Escape: finishes the line (kFinished); Escape during a drag cancels the drag.
/// Placing: with snapping on (the default) a new or moved vertex goes exactly onto the frame's
/// point nearest to the ray within kSnapPixels; otherwise (or with no point there) onto the
/// ground plane z = 0, or, for rays that miss it, the plane through the view's focus facing the
/// viewer.
class PolylineTool : public Tool {
 public:
  static constexpr double kVertexPixels = 8.0;
  static constexpr double kSnapPixels = 8.0;
  static constexpr double kClickPixels = 3.0;  ///< a vertex moves once the pointer goes this far

  std::string id() const override { return "polyline"; }
  void activate(Session& session) override;
  void deactivate(Session& session) override;
  int on_pointer(Session& session, const PointerEvent& event) override;
  int on_key(Session& session, const KeyEvent& event) override;

  void set_label(const std::string& label) override;
  const std::string& label() const { return label_; }
  void set_snapping(bool on) { snapping_ = on; }
  bool snapping() const { return snapping_; }
  /// Points [m, world] to snap to, instead of the session's frame (tests, hosts).
  void set_points(std::shared_ptr<const std::vector<Eigen::Vector3d>> points_in_world) override {
    points_.set_points(std::move(points_in_world));
  }
  void set_points(std::vector<Eigen::Vector3d> points_in_world) {
    points_.set_points(std::move(points_in_world));
  }
  /// The polyline being drawn, when still valid at the session's frame.
  std::optional<std::int64_t> current(const Session& session) const;

  /// Where a vertex placed along `ray` in `view` goes [world]; nullopt when nowhere.
  std::optional<Eigen::Vector3d> place(const Session& session, const Ray& ray,
                                       const ViewInfo& view);

 private:
  std::optional<std::size_t> vertex_under(const geometry::Polyline& line, const Ray& ray,
                                          const ViewInfo& view) const;
  int press(Session& session, const PointerEvent& event);
  void follow(const Session& session, const PointerEvent& event, const Eigen::Vector3d& grabbed);
  int finish_drag(Session& session);
  int delete_vertex_at(Session& session);
  int report(const Status& done, const std::string& what);

  std::string label_ = "Lane";
  bool snapping_ = true;
  std::optional<std::int64_t> current_;
  std::optional<std::size_t> dragging_;  ///< vertex being dragged
  Eigen::Vector3d drag_to_ = Eigen::Vector3d::Zero();
  bool drag_moved_ = false;
  std::optional<std::size_t> hovered_;
  FramePoints points_;
};

}  // namespace pcanno::plugin
