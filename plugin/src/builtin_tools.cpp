#include "builtin_tools.hpp"

#include <memory>

#include "pcanno/plugin/registry.hpp"
#include "pcanno/plugin/tools/cuboid_create_tool.hpp"
#include "pcanno/plugin/tools/cuboid_edit_tool.hpp"
#include "pcanno/plugin/tools/polyline_tool.hpp"
#include "pcanno/plugin/tools/polyline_trace_tool.hpp"
#include "pcanno/plugin/tools/ruler_tool.hpp"
#include "pcanno/plugin/tools/select_tool.hpp"

namespace pcanno::plugin::detail {

namespace {

template <typename T>
ToolFactory factory(const char* id, const char* description) {
  return ToolFactory{ComponentInfo{"tool", id, "1.0.0", 0, "built-in", description},
                     [] { return std::unique_ptr<Tool>(std::make_unique<T>()); }};
}

}  // namespace

void add_builtin_tools(Registry& registry) {
  registry.add_tool(factory<SelectTool>(
      "select", "pick a box or a polyline vertex or segment; Delete removes the selected box"));
  registry.add_tool(factory<CuboidCreateTool>(
      "cuboid-create",
      "drag a box's footprint in the top view, or click an object to fit a box to its points"));
  registry.add_tool(factory<CuboidEditTool>(
      "cuboid-edit",
      "move, turn and resize the selected box by its faces in the top, side and front views; "
      "keyboard nudges"));
  registry.add_tool(factory<PolylineTool>(
      "polyline", "add, insert, move and delete polyline vertices; close; snap to points"));
  registry.add_tool(factory<PolylineTraceTool>(
      "polyline-trace",
      "click a lane marking or curb to trace it along the frame's intensity ridge or height step"));
  registry.add_tool(factory<RulerTool>(
      "ruler", "measure between two clicks, snapped to points: 3D and ground distance, height"));
}

}  // namespace pcanno::plugin::detail
