// The window's measuring: the ruler tool (M, the mode tool bar) with its reading in the status
// bar, and the selected box's live readout: its LiDAR points at this frame, counted as QA's
// few-points rule counts them, and its distance from the sensor.
#include <QAction>
#include <QLabel>
#include <QMenu>
#include <QStatusBar>
#include <QToolBar>

#include "pcanno/viewer/workstation/edit_gate.hpp"
#include "pcanno/viewer/workstation/workstation_window.hpp"

namespace pcanno::viewer::workstation {

namespace {

constexpr const char* kRuler = "ruler";

/// "1,234 points, 12.3 m from the sensor".
QString box_points_text(const plugin::BoxPoints& counted) {
  return QString("%L1 %2, %3 m from the sensor")
      .arg(counted.points)
      .arg(counted.points == 1 ? "point" : "points")
      .arg(counted.range, 0, 'f', 1);
}

}  // namespace

void WorkstationWindow::build_measure_actions(QMenu* edit) {
  ruler_action_ = edit->addAction("&Measure (ruler)");
  ruler_action_->setShortcut(QKeySequence("M"));
  ruler_action_->setShortcutContext(Qt::WindowShortcut);
  ruler_action_->setObjectName("mode:ruler");
  ruler_action_->setToolTip(
      "Ruler (M): click two points in any view; 3D and ground distance, height difference");
  ruler_action_->setCheckable(true);
  connect(ruler_action_, &QAction::triggered, this, [this] { (void)toggle_tool(kRuler); });
  gate_->add(ruler_action_);  // the ToolManager refuses to start tools during a job anyway
  if (modes_) modes_->addAction(ruler_action_);

  // Beside the tool's name: the reading stays after the tool's status message has gone.
  ruler_label_ = new QLabel(this);
  ruler_label_->setObjectName("ruler_reading");
  ruler_label_->hide();
  statusBar()->insertPermanentWidget(1, ruler_label_);
}

std::optional<plugin::Measurement> WorkstationWindow::ruler_measurement() const {
  if (tools_->active_id() != kRuler) return std::nullopt;
  const auto* ruler = dynamic_cast<const plugin::RulerTool*>(tools_->active());
  return ruler ? ruler->measurement() : std::nullopt;
}

std::optional<plugin::BoxPoints> WorkstationWindow::selected_box_points() const {
  const std::optional<std::int64_t> id = session_->selection().track;
  const std::int64_t frame = session_->frame();
  // The frame's own cloud (not the accumulated display), as QA counts it, once it is loaded.
  if (!id || !cloud_ || loaded_frame_ != frame) return std::nullopt;
  const formats::Track* track = session_->document().track(*id);
  const formats::BoxState* state = track ? track->at(frame) : nullptr;
  if (state == nullptr) return std::nullopt;
  formats::Expected<plugin::BoxPoints> counted =
      plugin::box_points(*state, session_->sequence(), *cloud_);
  if (!counted) return std::nullopt;  // a world box without the frame's pose: no LiDAR frame
  return *counted;
}

void WorkstationWindow::update_measure_status() {
  if (ruler_action_) ruler_action_->setChecked(tools_->active_id() == kRuler);
  // One box of ~100k points is counted in about a millisecond: no cache needed per refresh.
  if (const std::optional<plugin::BoxPoints> counted = selected_box_points()) {
    selection_label_->setText(selection_label_->text() + ", " + box_points_text(*counted));
  }
  if (!ruler_label_) return;
  const std::optional<plugin::Measurement> m = ruler_measurement();
  ruler_label_->setText(m ? QString::fromStdString("ruler: " + plugin::describe(*m)) : QString());
  ruler_label_->setVisible(m.has_value());
}

}  // namespace pcanno::viewer::workstation
