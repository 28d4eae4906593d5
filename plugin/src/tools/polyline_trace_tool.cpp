#include "pcanno/plugin/tools/polyline_trace_tool.hpp"

#include <cstdio>
#include <utility>

#include "pcanno/plugin/services/trace_service.hpp"
#include "pcanno/plugin/session.hpp"
#include "pcanno/plugin/tools/tool_geometry.hpp"

namespace pcanno::plugin {

void PolylineTraceTool::set_label(const std::string& label) {
  if (!label.empty()) label_ = label;
}

void PolylineTraceTool::deactivate(Session& /*session*/) {
  preview_ = ToolPreview{};
  scan_.reset();  // a frame's scan is ~10 MB; the tool may stay idle for long
  scan_sequence_ = nullptr;
  scan_frame_ = -1;
}

std::optional<Eigen::Vector3d> PolylineTraceTool::seed_for(const Session& session, const Ray& ray,
                                                           const ViewInfo& view) {
  const Eigen::Vector3d* best =
      nearest_to_ray(points_.points(session), ray, pixels_to_meters(view, kSnapPixels));
  if (best != nullptr) return *best;
  return points_.ground_hit(session, ray);
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
  if (!scan_ || scan_sequence_ != session.sequence() || scan_frame_ != request.frame) {
    scan_.reset();
    formats::Expected<geometry::LineScan> scan = frame_line_scan(session, request.frame);
    if (!scan) {
      preview_.status = scan.error().message;
      return kConsumed | kRender;
    }
    scan_ = std::move(*scan);
    scan_sequence_ = session.sequence();
    scan_frame_ = request.frame;
  }
  const formats::Expected<TraceOutcome> traced = trace_polyline_at(session, request, *scan_);
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
