// The session's polylines as the scene draws them: world frame, class colours, selection.
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "pcanno/plugin/session.hpp"
#include "pcanno/viewer/box_look.hpp"
#include "pcanno/viewer/scene_renderer.hpp"

namespace pcanno::viewer {

std::vector<ScenePolyline> scene_polylines(const plugin::Session& session,
                                           const SceneStyle& style) {
  const std::int64_t frame = session.frame();
  const plugin::Selection& sel = session.selection();
  std::vector<ScenePolyline> lines;
  const std::optional<geometry::Pose> T_world_lidar = session.T_world_lidar(frame);
  for (const plugin::PolylineAtFrame& p : session.polylines_at(frame)) {
    ScenePolyline sp;
    sp.id = p.polyline->id;
    sp.line_in_world = p.state->line;
    if (p.state->shape_frame == formats::ShapeFrame::kLidar && T_world_lidar) {
      sp.line_in_world = geometry::transform(*T_world_lidar, sp.line_in_world);
    }
    sp.color = polyline_color(style, session.document(), p.polyline->label);
    sp.closed_area = sp.line_in_world.closed && sp.line_in_world.vertices.size() >= 3;
    sp.selected = sel.polyline && *sel.polyline == p.polyline->id;
    if (sp.selected) sp.selected_vertex = sel.vertex;
    lines.push_back(std::move(sp));
  }
  return lines;
}

}  // namespace pcanno::viewer
