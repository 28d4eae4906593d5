#include "pcanno/plugin/tools/polyline_tool.hpp"

#include <cmath>
#include <utility>

#include "pcanno/plugin/polyline_commands.hpp"
#include "pcanno/plugin/session.hpp"
#include "pcanno/plugin/tools/select_tool.hpp"
#include "pcanno/plugin/tools/tool_geometry.hpp"

namespace pcanno::plugin {

void PolylineTool::set_label(const std::string& label) {
  if (!label.empty()) label_ = label;
}

std::string PolylineTool::label_for(const formats::Annotations& doc) const {
  // The host gives every tool the class chosen last, a box class too: that one is not for lines.
  if (!label_.empty() && doc.class_or_default(label_).shape == formats::ShapeKind::kPolyline) {
    return label_;
  }
  return doc.default_class(formats::ShapeKind::kPolyline);
}

void PolylineTool::activate(Session& session) {
  drawing_ = true;
  current_ = session.selection().polyline;
  if (!current(session)) current_.reset();
}

void PolylineTool::deactivate(Session& /*session*/) {
  drawing_ = false;
  current_.reset();
  dragging_.reset();
  line_drag_ = false;
  hovered_.reset();
  preview_ = ToolPreview{};
}

std::optional<std::int64_t> PolylineTool::current(const Session& session) const {
  const std::optional<std::int64_t> id = drawing_ ? current_ : session.selection().polyline;
  if (!id || polyline_state(session.document(), *id, session.frame()) == nullptr) {
    return std::nullopt;
  }
  return id;
}

std::optional<Eigen::Vector3d> PolylineTool::place(const Session& session, const Ray& ray,
                                                   const ViewInfo& view, bool snap) {
  const std::optional<Placement> placed =
      points_.place(session, ray, view, snapping_ && snap, kSnapPixels, kSlabSnapDepth);
  if (!placed) return std::nullopt;
  return placed->point;
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

int PolylineTool::insert_on_segment(Session& session, const PointerEvent& event, std::int64_t id,
                                    const geometry::Polyline& line) {
  const double tolerance = pixels_to_meters(event.view, kVertexPixels);
  std::optional<SegmentHit> best;
  std::size_t segment = 0;
  for (std::size_t i = 0; i < line.segment_count(); ++i) {
    const SegmentHit hit = closest_on_segment(event.ray, line.segment_start(i), line.segment_end(i));
    if (hit.distance <= tolerance && (!best || hit.distance < best->distance)) {
      best = hit;
      segment = i;
    }
  }
  if (!best) return kIgnored;
  const std::int64_t frame = session.frame();
  const formats::PolylineState* state = polyline_state(session.document(), id, frame);
  const Eigen::Vector3d stored = point_for_storage(session, state->shape_frame, frame, best->point);
  const Status done =
      session.apply(insert_vertex(session.document(), id, frame, segment + 1, stored));
  if (done) {
    session.set_selection(Selection{std::nullopt, id, segment + 1});
    // Held on: a drag goes on to move the new vertex (a second undo step).
    dragging_ = segment + 1;
    drag_to_ = best->point;
    drag_moved_ = false;
  }
  return report(done, "insert a vertex");
}

int PolylineTool::press(Session& session, const PointerEvent& event) {
  const std::int64_t frame = session.frame();
  const std::optional<std::int64_t> id = current(session);
  std::optional<geometry::Polyline> line;
  if (id) line = polyline_in_world(session, *id, frame);
  // New vertices are placed where the ground is seen: in the side and front views a click edits.
  const bool appends = drawing_ && (event.view.kind == ViewKind::kTop ||
                                    event.view.kind == ViewKind::kPerspective);

  if (line && (event.modifiers & kAlt) != 0) {
    // The whole line, grabbed at its vertex or segment under the pointer.
    const double tolerance = pixels_to_meters(event.view, kVertexPixels);
    std::optional<Eigen::Vector3d> grabbed;
    if (const std::optional<std::size_t> v = vertex_under(*line, event.ray, event.view)) {
      grabbed = line->vertices[*v];
    } else {
      for (std::size_t i = 0; i < line->segment_count(); ++i) {
        const SegmentHit hit =
            closest_on_segment(event.ray, line->segment_start(i), line->segment_end(i));
        if (hit.distance <= tolerance) grabbed = hit.point;
      }
    }
    if (!grabbed) return kIgnored;
    line_drag_ = true;
    grab_ = *grabbed;
    drag_to_ = *grabbed;
    drag_moved_ = false;
    session.set_selection(Selection{std::nullopt, id, std::nullopt});
    return kConsumed | kRender;
  }
  if (line) {
    if (const std::optional<std::size_t> v = vertex_under(*line, event.ray, event.view)) {
      dragging_ = v;
      drag_to_ = line->vertices[*v];
      drag_moved_ = false;
      session.set_selection(Selection{std::nullopt, id, v});
      return kConsumed | kRender;
    }
  }
  if (!drawing_ && (event.modifiers & (kAlt | kControl)) == 0) {
    // Editing: a vertex of another line is selected and grabbed at once, so that one drag
    // moves it (the picker alone would need a click first).
    const Selection picked = SelectTool::pick(session, event.ray, event.view);
    if (picked.polyline && picked.vertex && picked.polyline != id) {
      const std::optional<geometry::Polyline> other =
          polyline_in_world(session, *picked.polyline, frame);
      if (other && *picked.vertex < other->vertices.size()) {
        session.set_selection(picked);
        dragging_ = picked.vertex;
        drag_to_ = other->vertices[*picked.vertex];
        drag_moved_ = false;
        return kConsumed | kRender;
      }
    }
  }
  if (!appends || (event.modifiers & kControl) != 0) {
    if (!line) return kIgnored;
    const int inserted = insert_on_segment(session, event, *id, *line);
    if (inserted != kIgnored || appends) {
      if (inserted == kIgnored) preview_.status = "no segment under the pointer";
      return kConsumed | kRender;
    }
    return kIgnored;  // editing: a click away from the line is another tool's (select)
  }

  const std::optional<Eigen::Vector3d> p = place(session, event.ray, event.view, snaps(event));
  if (!p) return kIgnored;
  if (!line) {
    const formats::ShapeFrame shape_frame = session.shape_frame_for(frame);
    geometry::Polyline first;
    first.vertices.push_back(point_for_storage(session, shape_frame, frame, *p));
    const std::int64_t new_id = next_polyline_id(session.document());
    const Status done = session.apply(create_polyline(
        session.document(), label_for(session.document()), frame, first, shape_frame));
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
  if (std::optional<Eigen::Vector3d> p = place(session, event.ray, event.view, snaps(event))) {
    drag_moved_ = true;
    drag_to_ = *p;
  }
}

std::optional<Eigen::Vector3d> PolylineTool::line_drag_point(const PointerEvent& event) const {
  // Top and perspective views slide the line over the ground (its heights kept); the side and
  // front views move it in their own plane.
  const Eigen::Vector3d normal = event.view.kind == ViewKind::kSide ||
                                         event.view.kind == ViewKind::kFront
                                     ? towards_viewer(event.view)
                                     : Eigen::Vector3d::UnitZ();
  return intersect_plane(event.ray, grab_, normal);
}

int PolylineTool::put_line(Session& session, std::int64_t id, geometry::Polyline line,
                           const std::string& what) {
  const std::int64_t frame = session.frame();
  const formats::PolylineState* state = polyline_state(session.document(), id, frame);
  if (state == nullptr) return kIgnored;
  for (Eigen::Vector3d& v : line.vertices) {
    v = point_for_storage(session, state->shape_frame, frame, v);
  }
  return report(session.apply(set_polyline(session.document(), id, frame, line)), what);
}

int PolylineTool::finish_line_drag(Session& session, const PointerEvent& event) {
  line_drag_ = false;
  preview_.lines.clear();
  const std::optional<std::int64_t> id = current(session);
  const std::optional<Eigen::Vector3d> to = line_drag_point(event);
  if (!id || !to || (*to - grab_).norm() <= pixels_to_meters(event.view, kClickPixels)) {
    return kConsumed | kRender;
  }
  std::optional<geometry::Polyline> line = polyline_in_world(session, *id, session.frame());
  if (!line) return kConsumed | kRender;
  for (Eigen::Vector3d& v : line->vertices) v += *to - grab_;
  return put_line(session, *id, std::move(*line), "move the line");
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
  if (!line) line_drag_ = false;
  last_view_ = event.view;

  switch (event.type) {
    case PointerEvent::Type::kPress:
      if (event.button != MouseButton::kLeft) {
        return dragging_ || line_drag_ ? kConsumed : kIgnored;
      }
      return press(session, event);
    case PointerEvent::Type::kRelease:
      if (event.button != MouseButton::kLeft) return kIgnored;
      if (line_drag_) return finish_line_drag(session, event);
      if (!dragging_) return kIgnored;
      follow(session, event, line->vertices[*dragging_]);
      return finish_drag(session);
    case PointerEvent::Type::kDoubleClick: {
      if (!line || event.button != MouseButton::kLeft) return kIgnored;
      // The first click of the double click did its part (grabbed a vertex, added the last one).
      dragging_.reset();
      const std::optional<std::size_t> v = vertex_under(*line, event.ray, event.view);
      const bool closes = v == std::size_t{0} && !line->closed && line->vertices.size() >= 3;
      if (closes) {
        const int closed =
            report(session.apply(set_closed(session.document(), *id, session.frame(), true)),
                   "close the line");
        return drawing_ ? closed | finish_line(session) : closed;
      }
      return drawing_ ? finish_line(session) : kIgnored;
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
  if (line_drag_) {
    geometry::Polyline moved = *line;
    if (const std::optional<Eigen::Vector3d> to = line_drag_point(event)) {
      for (Eigen::Vector3d& v : moved.vertices) v += *to - grab_;
    }
    preview_.handles = moved.vertices;
    preview_.lines.push_back(std::move(moved));
    return kConsumed | kRender;
  }
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
  const bool appends = drawing_ && (event.view.kind == ViewKind::kTop ||
                                    event.view.kind == ViewKind::kPerspective);
  if (appends && !line->closed && !hovered_) {
    if (std::optional<Eigen::Vector3d> p = place(session, event.ray, event.view, snaps(event))) {
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
  const std::int64_t frame = session.frame();
  if (!vertex) {
    // The line as a whole is selected: its state at this frame goes (the line with its last).
    if (selection.polyline != id) return kIgnored;
    const Status done = session.apply(delete_polyline_state(session.document(), *id, frame));
    if (done) {
      current_.reset();
      preview_ = ToolPreview{};
      session.set_selection({});
    }
    return report(done, "delete the line at this frame");
  }
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
  if (k == "Escape" && (dragging_ || line_drag_)) {
    dragging_.reset();
    line_drag_ = false;
    preview_.lines.clear();
    preview_.status = "cancelled";
    return kConsumed | kRender;
  }
  if ((k == "Return" || k == "Escape") && drawing_) return finish_line(session);
  if (dragging_ || line_drag_) return kIgnored;
  if (k == "Left" || k == "Right" || k == "Up" || k == "Down") return nudge(session, event);
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

int PolylineTool::finish_line(Session& session) {
  int result = kConsumed | kRender | kFinished;
  if (const std::optional<std::int64_t> id = current(session)) {
    const formats::PolylineState* state = polyline_state(session.document(), *id, session.frame());
    std::string label;
    for (const formats::PolylineTrack& p : session.document().polylines) {
      if (p.id == *id) label = p.label;
    }
    // An area class (a crosswalk) is closed once it has an area's three corners.
    if (session.document().class_or_default(label).closed && !state->line.closed &&
        state->line.vertices.size() >= 3) {
      result |= report(session.apply(set_closed(session.document(), *id, session.frame(), true)),
                       "close the area");
    }
  }
  current_.reset();
  dragging_.reset();
  line_drag_ = false;
  hovered_.reset();
  const std::string status = preview_.status;
  preview_ = ToolPreview{};
  preview_.status = status;
  return result;
}

int PolylineTool::nudge(Session& session, const KeyEvent& event) {
  const std::optional<std::int64_t> id = current(session);
  if (!id) return kIgnored;
  std::optional<geometry::Polyline> line = polyline_in_world(session, *id, session.frame());
  if (!line) return kIgnored;
  const ViewInfo view = event.view ? *event.view
                        : last_view_ ? *last_view_
                                     : make_top_view(line->vertices.front(), 0.02);
  const double step = kNudgeStep * ((event.modifiers & kShift) != 0 ? kFineFactor : 1.0);
  const std::string& k = event.key;
  const Eigen::Vector3d axis = k == "Left" || k == "Right" ? screen_right(view) : screen_up(view);
  const double sign = k == "Right" || k == "Up" ? 1.0 : -1.0;
  for (Eigen::Vector3d& v : line->vertices) v += (sign * step) * axis;
  return put_line(session, *id, std::move(*line), "move the line");
}

}  // namespace pcanno::plugin
