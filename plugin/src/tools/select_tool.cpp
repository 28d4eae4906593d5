#include "pcanno/plugin/tools/select_tool.hpp"

#include <cmath>
#include <limits>

#include "pcanno/plugin/polyline_commands.hpp"
#include "pcanno/plugin/tools/tool_geometry.hpp"
#include "pcanno/plugin/tools/tool_support.hpp"

namespace pcanno::plugin {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

/// Depth along the ray [m] at which `box` is picked, or nullopt.
std::optional<double> box_pick_depth(const Ray& ray, const ViewInfo& view,
                                     const geometry::Cuboid& box) {
  if (view.kind != ViewKind::kTop) return ray_box_entry(ray, box);
  // Top view: the footprint under the pointer, whatever the box's height range.
  const Eigen::Vector3d up = box.rotation * Eigen::Vector3d::UnitZ();
  // The plane may lie behind the origin (top-view cameras sit at any height): use the whole line.
  const double denom = ray.direction.dot(up);
  if (std::abs(denom) < 1e-12) return std::nullopt;
  const Eigen::Vector3d hit =
      ray.origin + ((box.center - ray.origin).dot(up) / denom) * ray.direction;
  const Eigen::Vector3d p_box = box.rotation.conjugate() * (hit - box.center);
  if (std::abs(p_box.x()) > 0.5 * box.size.x() || std::abs(p_box.y()) > 0.5 * box.size.y()) {
    return std::nullopt;
  }
  return depth_along_ray(ray, box.center + 0.5 * box.size.z() * up);
}

}  // namespace

Selection SelectTool::pick(const Session& session, const Ray& ray, const ViewInfo& view) {
  const std::int64_t frame = session.frame();
  const double tolerance = pixels_to_meters(view, kPickPixels);

  Selection line_hit;
  double line_distance = kInf;
  double line_depth = kInf;
  bool line_is_vertex = false;
  for (const formats::PolylineTrack& track : session.document().polylines) {
    const std::optional<geometry::Polyline> line = polyline_in_world(session, track.id, frame);
    if (!line) continue;
    for (std::size_t i = 0; i < line->vertices.size(); ++i) {
      const double d = distance_to_ray(ray, line->vertices[i]);
      if (d <= tolerance && (!line_is_vertex || d < line_distance)) {
        line_hit = Selection{std::nullopt, track.id, i};
        line_distance = d;
        line_depth = depth_along_ray(ray, line->vertices[i]);
        line_is_vertex = true;
      }
    }
    if (line_is_vertex) continue;
    for (std::size_t i = 0; i < line->segment_count(); ++i) {
      const SegmentHit hit = closest_on_segment(ray, line->segment_start(i), line->segment_end(i));
      if (hit.distance <= tolerance && hit.distance < line_distance) {
        line_hit = Selection{std::nullopt, track.id, std::nullopt};
        line_distance = hit.distance;
        line_depth = depth_along_ray(ray, hit.point);
      }
    }
  }

  Selection box_hit;
  double box_depth = kInf;
  double box_area = kInf;
  for (const BoxAtFrame& b : session.boxes_at(frame)) {
    if (session.hides(*b.state)) continue;  // not drawn: the click reaches what is behind it
    const Expected<geometry::Cuboid> box = session.box_in_world(b.track->id, frame);
    if (!box) continue;
    const std::optional<double> depth = box_pick_depth(ray, view, *box);
    if (!depth) continue;
    // Equal depth (boxes on the same ground, seen from above): the smaller one, which is
    // otherwise hard to reach.
    const double area = box->size.x() * box->size.y();
    if (*depth < box_depth || (*depth == box_depth && area < box_area)) {
      box_hit = Selection{b.track->id, std::nullopt, std::nullopt};
      box_depth = *depth;
      box_area = area;
    }
  }

  const bool have_line = line_hit.polyline.has_value();
  if (have_line && (view.kind != ViewKind::kPerspective || line_depth <= box_depth)) {
    return line_hit;
  }
  return box_hit;
}

int SelectTool::on_pointer(Session& session, const PointerEvent& event) {
  if (event.type != PointerEvent::Type::kPress || event.button != MouseButton::kLeft) {
    return kIgnored;
  }
  const Selection picked = pick(session, event.ray, event.view);
  session.set_selection(picked);
  if (picked == Selection{}) {
    preview_.status.clear();
    return kRender;
  }
  if (picked.track) {
    const formats::Track* t = session.document().track(*picked.track);
    preview_.status = "track " + std::to_string(*picked.track) + (t ? " (" + t->label + ")" : "");
  } else {
    preview_.status = "polyline " + std::to_string(*picked.polyline) +
                      (picked.vertex ? ", vertex " + std::to_string(*picked.vertex) : "");
  }
  return kConsumed | kRender;
}

int SelectTool::on_key(Session& session, const KeyEvent& event) {
  if (!event.press) return kIgnored;
  const Selection selection = session.selection();
  if (event.key == "Escape") {
    if (selection == Selection{}) return kIgnored;
    session.set_selection({});
    preview_.status.clear();
    return kConsumed | kRender;
  }
  if (event.key != "Delete" && event.key != "BackSpace") return kIgnored;
  const std::int64_t frame = session.frame();
  Status done;
  if (selection.track) {
    done = session.apply(delete_box(session.document(), *selection.track, frame));
    if (done) session.set_selection({});
  } else if (selection.polyline && selection.vertex) {
    done = session.apply(
        delete_vertex(session.document(), *selection.polyline, frame, *selection.vertex));
    if (done) session.set_selection(Selection{std::nullopt, selection.polyline, std::nullopt});
  } else {
    return kIgnored;
  }
  preview_.status = done ? "deleted" : done.error().describe();
  return kConsumed | kRender;
}

}  // namespace pcanno::plugin
