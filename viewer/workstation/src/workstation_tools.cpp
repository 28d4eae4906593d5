// The window's tools: the workstation's arrangement of the engine's ToolManager and the Tools menu.
#include <QAction>
#include <QMenu>
#include <QStatusBar>

#include "pcanno/plugin/registry.hpp"
#include "pcanno/plugin/tools/polyline_tool.hpp"
#include "pcanno/viewer/workstation/class_palette_panel.hpp"
#include "pcanno/viewer/workstation/edit_gate.hpp"
#include "pcanno/viewer/workstation/workstation_window.hpp"

namespace pcanno::viewer::workstation {

void WorkstationWindow::attach_tools() {
  tools_ = std::make_unique<plugin::ToolManager>(*session_);
  // The box editor is home: a create returns to it after one box (N again for the next), and it
  // takes what another tool leaves, so the side and front views' faces stay at hand. The picker
  // takes the clicks left in the plan views; in the side and front views an empty click must not
  // drop the box they show.
  report(tools_->set_home("cuboid-edit"), "tools");
  // The polyline tool edits the selected polyline in every view (its vertices, segments, the
  // whole line); it draws only while it is the active tool (L).
  report(tools_->set_companions(
             {{"cuboid-edit", {}},
              {"polyline", {}},
              {"select", {plugin::ViewKind::kTop, plugin::ViewKind::kPerspective}}}),
         "tools");
  if (plugin::PolylineTool* lines = polyline_tool()) lines->set_drawing(false);
  tools_->set_home_after_create(true);
  report(tools_->start(tools_->home()), "tools");
  give_labels();
}

void WorkstationWindow::build_tools_menu() {
  tools_menu_->clear();
  for (const plugin::ToolFactory& tool : session_->registry().tools()) {
    const std::string id = tool.info.id;
    QAction* a = tools_menu_->addAction(QString::fromStdString(id));
    a->setObjectName(QString::fromStdString("tool:" + id));
    a->setToolTip(QString::fromStdString(tool.info.description));
    a->setStatusTip(QString::fromStdString(tool.info.description));
    connect(a, &QAction::triggered, this, [this, id] { (void)start_tool(id); });
    gate_->add(a);
  }
  update_trace_action();
}

formats::Status WorkstationWindow::start_tool(const std::string& id) {
  if (read_only() && id != "select") {
    statusBar()->showMessage(
        "review: the labels are read-only; tool " + QString::fromStdString(id) + " is not started",
        6000);
    return formats::Error{formats::ErrorCode::kPermission, "review mode: the labels are read-only",
                          ""};
  }
  formats::Status started = tools_->start(id);
  report(started, "tool");
  if (started) statusBar()->showMessage(QString::fromStdString("tool: " + id), 4000);
  update_preview();
  update_status();
  return started;
}

}  // namespace pcanno::viewer::workstation
