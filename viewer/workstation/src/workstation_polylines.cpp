// The window's polyline modes: the polyline and one-click polyline tools, the mode tool bar, the
// class palette's groups and the labels the tools get.
#include <algorithm>

#include <QAction>
#include <QStatusBar>
#include <QToolBar>

#include "pcanno/plugin/command.hpp"
#include "pcanno/plugin/polyline_commands.hpp"
#include "pcanno/plugin/registry.hpp"
#include "pcanno/plugin/tools/polyline_tool.hpp"
#include "pcanno/viewer/workstation/class_palette_panel.hpp"
#include "pcanno/viewer/workstation/workstation_window.hpp"

namespace pcanno::viewer::workstation {
namespace {

/// The tools that draw polylines: they take the palette's polyline class. The one-click tool
/// comes from the registry (a built-in once it is there).
constexpr const char* kPolylineTools[] = {"polyline", "polyline-trace"};

bool is_polyline_tool(const std::string& id) {
  return std::find(std::begin(kPolylineTools), std::end(kPolylineTools), id) !=
         std::end(kPolylineTools);
}

}  // namespace

plugin::PolylineTool* WorkstationWindow::polyline_tool() {
  formats::Expected<plugin::Tool*> tool = tools_->tool("polyline");
  return tool ? dynamic_cast<plugin::PolylineTool*>(*tool) : nullptr;
}

bool WorkstationWindow::polyline_mode() const {
  if (is_polyline_tool(tools_->active_id())) return true;
  const plugin::Selection& selection = session_->selection();
  return !selection.track && selection.polyline.has_value();
}

formats::Status WorkstationWindow::toggle_tool(const std::string& id) {
  return start_tool(tools_->active_id() == id ? tools_->home() : id);
}

void WorkstationWindow::select_polyline(std::optional<std::int64_t> polyline) {
  plugin::Selection s;
  s.polyline = polyline;
  if (s == session_->selection()) return;
  session_->set_selection(s);
}

void WorkstationWindow::give_labels() {
  if (!palette_) return;
  const std::string box = palette_->current(formats::ShapeKind::kBox);
  if (!box.empty()) tools_->set_label(box);
  // After the box class: set_label gives every tool the same class.
  const std::string line = palette_->current(formats::ShapeKind::kPolyline);
  if (line.empty()) return;
  const std::vector<std::string> ids = tools_->tool_ids();
  for (const char* id : kPolylineTools) {
    if (std::find(ids.begin(), ids.end(), id) == ids.end()) continue;
    if (formats::Expected<plugin::Tool*> t = tools_->tool(id)) (*t)->set_label(line);
  }
}

void WorkstationWindow::choose_class(int index) { palette_->choose(index); }

void WorkstationWindow::choose_label(const std::string& label) {
  give_labels();
  const formats::Annotations& doc = session_->document();
  const plugin::Selection& selection = session_->selection();
  if (doc.class_or_default(label).shape == formats::ShapeKind::kPolyline) {
    if (selection.track || !selection.polyline) return;
    for (const formats::PolylineTrack& p : doc.polylines) {
      if (p.id == *selection.polyline && p.label != label) {
        report(session_->apply(plugin::set_polyline_class(doc, p.id, label)), "class");
        return;
      }
    }
    return;
  }
  const formats::Track* t = selection.track ? doc.track(*selection.track) : nullptr;
  if (t && t->label != label) {
    report(session_->apply(plugin::set_class(doc, *selection.track, label)), "class");
  }
}

void WorkstationWindow::sync_modes() {
  palette_->set_shape(polyline_mode() ? formats::ShapeKind::kPolyline : formats::ShapeKind::kBox);
  if (!modes_) return;
  const std::string& active = tools_->active_id();
  home_action_->setChecked(active == tools_->home());
  box_action_->setChecked(active == "cuboid-create");
  polyline_action_->setChecked(active == "polyline");
  trace_action_->setChecked(active == "polyline-trace");
}

void WorkstationWindow::build_modes_toolbar() {
  modes_ = addToolBar("Modes");
  modes_->setObjectName("modes");
  for (QAction* a : {home_action_, box_action_, polyline_action_, trace_action_}) {
    a->setCheckable(true);
    modes_->addAction(a);
  }
  home_action_->setObjectName("mode:home");
  box_action_->setObjectName("mode:box");
  polyline_action_->setObjectName("mode:polyline");
  trace_action_->setObjectName("mode:polyline-trace");
}

void WorkstationWindow::update_trace_action() {
  // The one-click tool may be missing from a registry: T then says so (start_tool's kNotFound).
  const std::vector<std::string> ids = tools_->tool_ids();
  const bool there = std::find(ids.begin(), ids.end(), "polyline-trace") != ids.end();
  trace_action_->setToolTip(there ? "One-click polyline (T): click a lane marking or a curb"
                                  : "One-click polyline (T): not available (no polyline-trace "
                                    "tool registered)");
}

}  // namespace pcanno::viewer::workstation
