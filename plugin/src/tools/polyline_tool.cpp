#include "pcanno/plugin/tools/polyline_tool.hpp"

#include <limits>
#include <utility>

#include "pcanno/plugin/polyline_commands.hpp"
#include "pcanno/plugin/session.hpp"
#include "pcanno/plugin/tools/tool_geometry.hpp"

namespace pcanno::plugin {

void PolylineTool::set_label(const std::string& label) {
  if (!label.empty()) label_ = label;
}

void PolylineTool::activate(Session& session) {
  current_ = session.selection().polyline;
  if (!current(session)) current_.reset();
}

void PolylineTool::deactivate(Session& /*session*/) {
  current_.reset();
  dragging_.reset();
  hovered_.reset();
  preview_ = ToolPreview{};
}

std::optional<std::int64_t> PolylineTool::current(const Session& session) const {
  if (!current_ || polyline_state(session.document(), *current_, session.frame()) == nullptr) {
    return std::nullopt;
  }
  return current_;
}

std::optional<Eigen::Vector3d> PolylineTool::place(const Session& session, const Ray& ray,
                                                   const ViewInfo& view) {
  if (snapping_) {
    const double tolerance = pixels_to_meters(view, kSnapPixels);
    const Eigen::Vector3d* best = nullptr;
    double best_distance = std::numeric_limits<double>::infinity();
    double best_depth = std::numeric_limits<double>::infinity();
    for (const Eigen::Vector3d& p : points_.points(session)) {
      const double depth = depth_along_ray(ray, p);
      if (depth <= 0.0) continue;
      const double d = distance_to_ray(ray, p);
      // Equal distance: the point nearer the viewer, the one visible under the pointer.
      if (d <= tolerance && (d < best_distance || (d == best_distance && depth < best_depth))) {
        best = &p;
        best_distance = d;
        best_depth = depth;
      }
    }
    if (best != nullptr) return *best;
  }
  if (std::optional<Eigen::Vector3d> ground = intersect_ground(ray)) return ground;
  return intersect_plane(ray, view.focus, towards_viewer(view));
}

std::optional<std::size_t> PolylineTool::vertex_under(const geometry::Polyline& line,
                                                      const Ray& ray, const ViewInfo& view) const {
  std::optional<std::size_t> best;
  double best_distance = pixels_to_meters(view, kVertexPixels);
  for (std::size_t i = 0; i < line.vertices.size(); ++i) {
    const double d = distance_to_ray(ray, line.vertices[i]);
    if (d <= best_distance) {
      best = i;
      best_distance = d;
    }
  }
  return best;
}

int PolylineTool::report(const Status& done, const std::string& what) {
  preview_.status = done ? what : "cannot " + what + ": " + done.error().describe();
  return kConsumed | kRender;
}

int PolylineTool::press(Session& session, const PointerEvent& event) {
  const std::int64_t frame = session.frame();
  const std::optional<std::int64_t> id = current(session);
  std::optional<geometry::Polyline> line;
  if (id) line = polyline_in_world(session, *id, frame);

  if (line) {
    if (const std::optional<std::size_t> v = vertex_under(*line, event.ray, event.view)) {
      dragging_ = v;
      drag_to_ = line->vertices[*v];
      drag_moved_ = false;
      session.set_selection(Selection{std::nullopt, id, v});
      return kConsumed | kRender;
    }
  }
  if ((event.modifiers & kControl) != 0) {
    if (!line) return kIgnored;
    const double tolerance = pixels_to_meters(event.view, kVertexPixels);
    std::optional<SegmentHit> best;
    std::size_t segment = 0;
    for (std::size_t i = 0; i < line->segment_count(); ++i) {
      const SegmentHit hit =
          closest_on_segment(event.ray, line->segment_start(i), line->segment_end(i));
      if (hit.distance <= tolerance && (!best || hit.distance < best->distance)) {
        best = hit;
        segment = i;
      }
    }
    if (!best) {
      preview_.status = "no segment under the pointer";
      return kConsumed | kRender;
    }
    const formats::PolylineState* state = polyline_state(session.document(), *id, frame);
    const Eigen::Vector3d stored =
        point_for_storage(session, state->shape_frame, frame, best->point);
    const Status done =
        session.apply(insert_vertex(session.document(), *id, frame, segment + 1, stored));
    if (done) session.set_selection(Selection{std::nullopt, id, segment + 1});
    return report(done, "insert a vertex");
  }

  const std::optional<Eigen::Vector3d> p = place(session, event.ray, event.view);
  if (!p) return kIgnored;
  if (!line) {
    const formats::ShapeFrame shape_frame = session.shape_frame_for(frame);
    geometry::Polyline first;
    first.vertices.push_back(point_for_storage(session, shape_frame, frame, *p));
    const std::int64_t new_id = next_polyline_id(session.document());
    const Status done =
        session.apply(create_polyline(session.document(), label_, frame, first, shape_frame));
    if (done) {
      current_ = new_id;
      session.set_selection(Selection{std::nullopt, new_id, 0});
    }
    return report(done, "create the polyline");
  }
  const formats::PolylineState* state = polyline_state(session.document(), *id, frame);
  const std::size_t index = line->vertices.size();
  const Status done =
      session.apply(insert_vertex(session.document(), *id, frame, index,
                                  point_for_storage(session, state->shape_frame, frame, *p)));
  if (done) session.set_selection(Selection{std::nullopt, id, index});
  return report(done, "add a vertex");
}

void PolylineTool::follow(const Session& session, const PointerEvent& event,
                          const Eigen::Vector3d& grabbed) {
  // Until the pointer leaves the grabbed vertex, a click is not a move: snapping could otherwise
  // shift a vertex that was only clicked.
  if (!drag_moved_ &&
      distance_to_ray(event.ray, grabbed) <= pixels_to_meters(event.view, kClickPixels)) {
    return;
  }
  if (std::optional<Eigen::Vector3d> p = place(session, event.ray, event.view)) {
    drag_moved_ = true;
    drag_to_ = *p;
  }
}

int PolylineTool::finish_drag(Session& session) {
  const std::size_t index = *dragging_;
  dragging_.reset();
  preview_.lines.clear();
  const std::optional<std::int64_t> id = current(session);
  if (!drag_moved_ || !id) return kConsumed | kRender;
  const std::int64_t frame = session.frame();
  const formats::PolylineState* state = polyline_state(session.document(), *id, frame);
  const Eigen::Vector3d stored = point_for_storage(session, state->shape_frame, frame, drag_to_);
  return report(session.apply(move_vertex(session.document(), *id, frame, index, stored)),
                "move the vertex");
}

int PolylineTool::on_pointer(Session& session, const PointerEvent& event) {
  const std::optional<std::int64_t> id = current(session);
  std::optional<geometry::Polyline> line;
  if (id) line = polyline_in_world(session, *id, session.frame());
  if (!line || (dragging_ && *dragging_ >= line->vertices.size())) dragging_.reset();

  switch (event.type) {
    case PointerEvent::Type::kPress:
      if (event.button != MouseButton::kLeft) return dragging_ ? kConsumed : kIgnored;
      return press(session, event);
    case PointerEvent::Type::kRelease:
      if (!dragging_ || event.button != MouseButton::kLeft) return kIgnored;
      follow(session, event, line->vertices[*dragging_]);
      return finish_drag(session);
    case PointerEvent::Type::kDoubleClick: {
      if (!line || event.button != MouseButton::kLeft) return kIgnored;
      const std::optional<std::size_t> v = vertex_under(*line, event.ray, event.view);
      if (v != std::size_t{0} || line->closed || line->vertices.size() < 3) return kIgnored;
      return report(session.apply(set_closed(session.document(), *id, session.frame(), true)),
                    "close the line");
    }
    case PointerEvent::Type::kMove:
      break;
  }
  if (!line) {
    // The line went (undo, another frame): drop what was shown of it.
    if (preview_.handles.empty() && preview_.lines.empty()) return kIgnored;
    preview_ = ToolPreview{};
    return kRender;
  }
  preview_.handles = line->vertices;
  preview_.lines.clear();
  if (dragging_) {
    follow(session, event, line->vertices[*dragging_]);
    geometry::Polyline moved = *line;
    moved.vertices[*dragging_] = drag_to_;
    preview_.lines.push_back(std::move(moved));
    preview_.handles[*dragging_] = drag_to_;
    preview_.hot_handle = dragging_;
    return kConsumed | kRender;
  }
  hovered_ = vertex_under(*line, event.ray, event.view);
  preview_.hot_handle = hovered_;
  // The rubber band from the last vertex to where a click would add the next one.
  if (!line->closed && !hovered_) {
    if (std::optional<Eigen::Vector3d> p = place(session, event.ray, event.view)) {
      geometry::Polyline band;
      band.vertices = {line->vertices.back(), *p};
      preview_.lines.push_back(std::move(band));
    }
  }
  return kRender;
}

int PolylineTool::delete_vertex_at(Session& session) {
  const std::optional<std::int64_t> id = current(session);
  if (!id) return kIgnored;
  const Selection& selection = session.selection();
  std::optional<std::size_t> vertex = hovered_;
  if (!vertex && selection.polyline == id) vertex = selection.vertex;
  if (!vertex) return kIgnored;
  const std::int64_t frame = session.frame();
  const formats::PolylineState* state = polyline_state(session.document(), *id, frame);
  hovered_.reset();
  if (state->line.vertices.size() == 1 && *vertex == 0) {
    // Only a line that exists in this frame alone goes with its last vertex: deleting the track
    // would take its other frames too.
    std::size_t states = 0;
    for (const formats::PolylineTrack& p : session.document().polylines) {
      if (p.id == *id) states = p.states.size();
    }
    if (states > 1) {
      preview_.status = "the last vertex stays: the line has other frames";
      return kConsumed | kRender;
    }
    const Status done = session.apply(delete_polyline(session.document(), *id));
    if (done) {
      current_.reset();
      preview_ = ToolPreview{};
      session.set_selection({});
    }
    return report(done, "delete the polyline");
  }
  const Status done = session.apply(delete_vertex(session.document(), *id, frame, *vertex));
  if (done) session.set_selection(Selection{std::nullopt, id, std::nullopt});
  return report(done, "delete the vertex");
}

int PolylineTool::on_key(Session& session, const KeyEvent& event) {
  if (!event.press) return kIgnored;
  const std::string& k = event.key;
  if (k == "Escape" && dragging_) {
    dragging_.reset();
    preview_.lines.clear();
    preview_.status = "cancelled";
    return kConsumed | kRender;
  }
  if (k == "Return" || k == "Escape") {
    current_.reset();
    dragging_.reset();
    hovered_.reset();
    preview_ = ToolPreview{};
    return kConsumed | kRender | kFinished;
  }
  if (dragging_) return kIgnored;
  if (k == "Delete" || k == "BackSpace") return delete_vertex_at(session);
  if (k == "c") {
    const std::optional<std::int64_t> id = current(session);
    if (!id) return kIgnored;
    const formats::PolylineState* state = polyline_state(session.document(), *id, session.frame());
    const bool close = !state->line.closed;
    if (close && state->line.vertices.size() < 3) {
      preview_.status = "a closed line needs three vertices";
      return kConsumed | kRender;
    }
    return report(session.apply(set_closed(session.document(), *id, session.frame(), close)),
                  close ? "close the line" : "open the line");
  }
  return kIgnored;
}

}  // namespace pcanno::plugin
