#include "pcanno/plugin/tools/ruler_tool.hpp"

#include <cstdio>

#include "pcanno/plugin/session.hpp"
#include "pcanno/plugin/tools/tool_geometry.hpp"

namespace pcanno::plugin {

std::string describe(const Measurement& m) {
  char text[128];
  std::snprintf(text, sizeof text, "3D %.2f m, ground %.2f m, height %+.2f m", m.distance(),
                m.ground_distance(), m.height_difference());
  return text;
}

void RulerTool::activate(Session& /*session*/) {
  measurement_.reset();
  pressed_ = false;
  preview_ = ToolPreview{};
  preview_.status = "ruler: click the start, then the end (Shift: no snapping to points)";
}

void RulerTool::deactivate(Session& /*session*/) {
  measurement_.reset();
  pressed_ = false;
  preview_ = ToolPreview{};
}

std::optional<Placement> RulerTool::place(const Session& session, const PointerEvent& event) {
  return points_.place(session, event.ray, event.view, (event.modifiers & kShift) == 0, kSnapPixels,
                       kSlabSnapDepth);
}

void RulerTool::show() {
  preview_ = ToolPreview{};
  if (!measurement_) return;
  const Measurement& m = *measurement_;
  geometry::Polyline line;
  line.vertices = {m.start, m.end};
  preview_.lines.push_back(line);
  // The right triangle's legs: along the ground at the start's height, then up or down to the end.
  const Eigen::Vector3d corner(m.end.x(), m.end.y(), m.start.z());
  geometry::Polyline legs;
  legs.vertices = {m.start, corner, m.end};
  preview_.lines.push_back(legs);
  preview_.handles = {m.start, m.end};
  const auto where = [](bool on_point) { return on_point ? "on a point" : "off the points"; };
  preview_.status = std::string("ruler: ") + describe(m) + " (start " + where(m.start_on_point) +
                    ", end " + where(m.end_on_point) + ")";
}

bool RulerTool::measuring(const Session& session) const {
  // A start placed on another frame's points does not pair with this frame's: the next click
  // starts over rather than mixing two scans.
  return measurement_ && !measurement_->complete && measurement_->frame == session.frame();
}

int RulerTool::press(Session& session, const PointerEvent& event) {
  if (measuring(session)) return move_end(session, event, true);
  const std::optional<Placement> start = place(session, event);
  if (!start) {
    preview_.status = "ruler: nothing under the pointer to measure from";
    return kConsumed | kRender;
  }
  Measurement m;
  m.start = m.end = start->point;
  m.start_on_point = m.end_on_point = start->on_point;
  m.frame = session.frame();
  measurement_ = m;
  pressed_ = true;
  // Where the pointer was, at the start's depth: a snapped start may lie pixels away from it.
  press_point_ = event.ray.origin + depth_along_ray(event.ray, m.start) * event.ray.direction;
  show();
  return kConsumed | kRender;
}

int RulerTool::move_end(Session& session, const PointerEvent& event, bool complete) {
  const std::optional<Placement> end = place(session, event);
  if (!end) return kConsumed;  // keeps the end where it was
  measurement_->end = end->point;
  measurement_->end_on_point = end->on_point;
  measurement_->complete = complete;
  show();
  return kConsumed | kRender;
}

int RulerTool::on_pointer(Session& session, const PointerEvent& event) {
  using Type = PointerEvent::Type;
  const bool measuring = this->measuring(session);
  switch (event.type) {
    case Type::kPress:
      if (event.button != MouseButton::kLeft) return kIgnored;  // right and middle move the camera
      return press(session, event);
    case Type::kDoubleClick: {
      // Two quick clicks close together arrive as a press and a double click: the second one
      // places the end unless it is on the start (a double click on one spot measures nothing).
      if (event.button != MouseButton::kLeft) return kIgnored;
      const bool on_start = measuring && distance_to_ray(event.ray, press_point_) <
                                             pixels_to_meters(event.view, kClickPixels);
      if (!measuring || on_start) return kConsumed;
      return move_end(session, event, true);
    }
    case Type::kMove:
      if (!measuring) return kIgnored;  // hovering over boxes stays the other tools'
      return move_end(session, event, false);
    case Type::kRelease: {
      if (event.button != MouseButton::kLeft) return kIgnored;
      // The release of a click that placed an end is the ruler's too.
      if (!pressed_) return measurement_ ? kConsumed : kIgnored;
      pressed_ = false;
      // A release away from the press ends a drag there; on it, the second click will.
      const bool dragged = measuring && distance_to_ray(event.ray, press_point_) >=
                                            pixels_to_meters(event.view, kClickPixels);
      if (!dragged) return kConsumed;
      return move_end(session, event, true);
    }
  }
  return kIgnored;
}

int RulerTool::on_key(Session& /*session*/, const KeyEvent& event) {
  if (!event.press || event.key != "Escape") return kIgnored;
  if (!measurement_) return kConsumed | kFinished;
  measurement_.reset();
  pressed_ = false;
  preview_ = ToolPreview{};
  preview_.status = "ruler: cleared";
  return kConsumed | kRender;
}

}  // namespace pcanno::plugin
