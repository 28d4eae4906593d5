#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "pcanno/formats/labels/annotations.hpp"
#include "pcanno/geometry/polyline.hpp"
#include "pcanno/plugin/command.hpp"
#include "pcanno/plugin/tool.hpp"
#include "pcanno/plugin/tools/tool_support.hpp"

namespace pcanno::plugin {

/// Draws and edits a polyline (lane line, curb) at the current frame.
///
/// Two roles. Drawing (after activate(), or set_drawing(true); a new tool draws): the current
/// polyline is the one this tool created, or the one selected when the tool was activated (so
/// activating it on a selected line continues that line); it stops being current when the tool
/// finishes or the line has no state at the session's frame any more. Editing (after
/// deactivate(), or set_drawing(false): the workstation keeps the tool at hand as a companion of
/// its home tool): the current polyline is the selected one, and clicks away from it are left to
/// other tools.
/// - Left click in the top or perspective view while drawing: on a vertex of the current line
///   (within kVertexPixels) grabs it: drag to move it (one move_vertex on release); elsewhere
///   appends a vertex, creating the polyline with the first click.
/// - Left press on a vertex of another polyline while editing: selects that line and grabs the
///   vertex (one drag selects and moves it).
/// - Left click on a segment (editing, or the side and front views), or Control + left click
///   (drawing): inserts a vertex there, on the segment, and grabs it.
/// - Alt + left drag on a vertex or segment: moves the whole line (one set_polyline on release);
///   Left / Right / Up / Down move it kNudgeStep along the view's screen axes (Shift: fine).
/// - Double click on the first vertex, or "c": closes the line (needs three vertices; "c" on a
///   closed line opens it). A double click elsewhere while drawing finishes the line.
/// - Delete / BackSpace: deletes the vertex under the pointer, else the selected one; deleting the
///   last vertex deletes the polyline when it has no other frame. With no vertex selected it
///   deletes the polyline's state at this frame.
/// - Return / Escape while drawing: finishes the line (kFinished); Escape during a drag cancels
///   the drag. A line of a closed class (ClassSpec::closed, e.g. an area) with three or more
///   vertices is closed when it is finished.
/// Labels: new lines get the label given by set_label() when it names a polyline class, else the
/// document's default polyline class (Annotations::default_class(ShapeKind::kPolyline)).
/// Placing: with snapping on (the default) and Shift not held, a new or moved vertex goes exactly
/// onto the frame's point nearest to the ray within kSnapPixels; otherwise (or with no point
/// there) onto the frame's ground (FramePoints::ground_hit: the fitted ground model, z = 0 without
/// one), or, for rays that miss it, the plane through the view's
/// focus facing the viewer. The side and front views (which show a slab around their focus) snap
/// only to points within kSlabSnapDepth of that plane and otherwise place onto it.
class PolylineTool : public Tool {
 public:
  static constexpr double kVertexPixels = 8.0;
  static constexpr double kSnapPixels = 8.0;
  static constexpr double kClickPixels = 3.0;  ///< a vertex moves once the pointer goes this far
  /// [m] the side and front views snap to points this near their focus plane only
  static constexpr double kSlabSnapDepth = 1.0;
  static constexpr double kNudgeStep = 0.1;    ///< [m] an arrow key moves the line this far
  static constexpr double kFineFactor = 0.1;   ///< Shift + arrow: this part of kNudgeStep

  std::string id() const override { return "polyline"; }
  void activate(Session& session) override;
  void deactivate(Session& session) override;
  int on_pointer(Session& session, const PointerEvent& event) override;
  int on_key(Session& session, const KeyEvent& event) override;

  void set_label(const std::string& label) override;
  /// The label given by set_label(), "" before.
  const std::string& label() const { return label_; }
  /// The class a new line gets in `doc`: label() when it is a polyline class, else the document's
  /// default polyline class.
  std::string label_for(const formats::Annotations& doc) const;
  /// Drawing (true) appends clicks to a line; editing (false) only edits the selected line.
  void set_drawing(bool on) { drawing_ = on; }
  bool drawing() const { return drawing_; }
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
                                       const ViewInfo& view, bool snap = true);

 private:
  std::optional<std::size_t> vertex_under(const geometry::Polyline& line, const Ray& ray,
                                          const ViewInfo& view) const;
  int press(Session& session, const PointerEvent& event);
  /// Inserts a vertex on the segment of `line` under the pointer and grabs it; kIgnored when
  /// there is none.
  int insert_on_segment(Session& session, const PointerEvent& event, std::int64_t id,
                        const geometry::Polyline& line);
  void follow(const Session& session, const PointerEvent& event, const Eigen::Vector3d& grabbed);
  /// Where the whole-line drag grabbed at `grab_` has got to along the pointer's ray.
  std::optional<Eigen::Vector3d> line_drag_point(const PointerEvent& event) const;
  int finish_drag(Session& session);
  int finish_line_drag(Session& session, const PointerEvent& event);
  /// Applies `line` [world] as the state at the session's frame: one undo step.
  int put_line(Session& session, std::int64_t id, geometry::Polyline line, const std::string& what);
  int delete_vertex_at(Session& session);
  int nudge(Session& session, const KeyEvent& event);
  /// Finishing while drawing: closes a line of a closed class, then kFinished.
  int finish_line(Session& session);
  int report(const Status& done, const std::string& what);
  bool snaps(const PointerEvent& event) const {
    return snapping_ && (event.modifiers & kShift) == 0;
  }

  std::string label_;
  bool snapping_ = true;
  bool drawing_ = true;
  bool line_drag_ = false;  ///< the whole line follows the pointer (Alt + drag)
  Eigen::Vector3d grab_ = Eigen::Vector3d::Zero();  ///< [m, world] where the line was grabbed
  std::optional<ViewInfo> last_view_;               ///< of the last pointer event (nudges)
  std::optional<std::int64_t> current_;
  std::optional<std::size_t> dragging_;  ///< vertex being dragged
  Eigen::Vector3d drag_to_ = Eigen::Vector3d::Zero();
  bool drag_moved_ = false;
  std::optional<std::size_t> hovered_;
  FramePoints points_;
};

}  // namespace pcanno::plugin
