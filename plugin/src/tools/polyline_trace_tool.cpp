#include "pcanno/plugin/tools/polyline_trace_tool.hpp"

#include <cstdio>
#include <limits>
#include <utility>

#include "pcanno/plugin/services/trace_service.hpp"
#include "pcanno/plugin/session.hpp"
#include "pcanno/plugin/tools/tool_geometry.hpp"

namespace pcanno::plugin {

void PolylineTraceTool::set_label(const std::string& label) {
  if (!label.empty()) label_ = label;
}

void PolylineTraceTool::deactivate(Session& /*session*/) { preview_ = ToolPreview{}; }

std::optional<Eigen::Vector3d> PolylineTraceTool::seed_for(const Session& session, const Ray& ray,
                                                           const ViewInfo& view) {
  const double tolerance = pixels_to_meters(view, kSnapPixels);
  const Eigen::Vector3d* best = nullptr;
  double best_distance = std::numeric_limits<double>::infinity();
  for (const Eigen::Vector3d& p : points_.points(session)) {
    if (depth_along_ray(ray, p) <= 0.0) continue;
    const double d = distance_to_ray(ray, p);
    if (d <= tolerance && d < best_distance) {
      best = &p;
      best_distance = d;
    }
  }
  if (best != nullptr) return *best;
  return intersect_ground(ray);
}

int PolylineTraceTool::on_pointer(Session& session, const PointerEvent& event) {
  if (event.type != PointerEvent::Type::kPress || event.button != MouseButton::kLeft) {
    return kIgnored;
  }
  const std::optional<Eigen::Vector3d> seed = seed_for(session, event.ray, event.view);
  if (!seed) {
    preview_.status = "trace: the click meets no point and no ground";
    return kConsumed | kRender;
  }
  TraceRequest request;
  request.seed_in_world = *seed;
  request.frame = session.frame();
  request.label = label_;
  const formats::Expected<TraceOutcome> traced = trace_polyline_at(session, request);
  if (!traced) {
    preview_.status = traced.error().message;
    return kConsumed | kRender;
  }
  session.set_selection(Selection{std::nullopt, traced->polyline, std::nullopt});
  char text[160];
  std::snprintf(text, sizeof text, "traced %s: %zu vertices, %.1f m", traced->label.c_str(),
                traced->vertices, traced->length);
  preview_.status = text;
  return kConsumed | kRender;
}

int PolylineTraceTool::on_key(Session& /*session*/, const KeyEvent& event) {
  if (event.press && event.key == "Escape") return kConsumed | kFinished;
  return kIgnored;
}

}  // namespace pcanno::plugin
