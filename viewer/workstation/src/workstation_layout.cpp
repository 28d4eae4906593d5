// The window's widgets: the four views, timeline and frame slider, the docked panels and the
// status bar, and what their signals do.
#include <QDockWidget>
#include <QHBoxLayout>
#include <QLabel>
#include <QSlider>
#include <QSplitter>
#include <QStatusBar>
#include <QVBoxLayout>

#include "pcanno/plugin/command.hpp"
#include "pcanno/viewer/workstation/attribute_panel.hpp"
#include "pcanno/viewer/workstation/automation_job.hpp"
#include "pcanno/viewer/workstation/class_palette_panel.hpp"
#include "pcanno/viewer/workstation/edit_gate.hpp"
#include "pcanno/viewer/workstation/job_status.hpp"
#include "pcanno/viewer/workstation/scene_view.hpp"
#include "pcanno/viewer/workstation/timeline_widget.hpp"
#include "pcanno/viewer/workstation/track_list_panel.hpp"
#include "pcanno/viewer/workstation/workstation_window.hpp"

namespace pcanno::viewer::workstation {
namespace {

QDockWidget* dock(QMainWindow* window, const QString& title, QWidget* content) {
  auto* d = new QDockWidget(title, window);
  d->setObjectName(title);
  d->setWidget(content);
  d->setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetFloatable);
  return d;
}

}  // namespace

void WorkstationWindow::build_layout() {
  SceneStyle style;
  style.color_by = color_by_;  // height: reads best in the small orthographic views
  style.background = {0.08, 0.08, 0.1};
  SceneStyle main_style = style;
  main_style.point_size = 1.5f;
  main_view_ = new SceneView(plugin::ViewKind::kPerspective, main_style, this);
  top_view_ = new SceneView(plugin::ViewKind::kTop, style, this);
  style.show_labels = false;  // side and front views show one box close up
  side_view_ = new SceneView(plugin::ViewKind::kSide, style, this);
  front_view_ = new SceneView(plugin::ViewKind::kFront, style, this);
  for (SceneView* v : views()) {
    v->pointer_handler = [this](SceneView& view, const plugin::PointerEvent& e) {
      return on_pointer(view, e);
    };
    v->key_handler = [this](SceneView& view, const plugin::KeyEvent& e) { return on_key(view, e); };
    connect(v, &SceneView::cursor_moved, this, [this](double x, double y, double z) {
      cursor_label_->setText(
          QString("x %1  y %2  z %3").arg(x, 0, 'f', 2).arg(y, 0, 'f', 2).arg(z, 0, 'f', 2));
    });
  }
  main_view_->setObjectName("main_view");
  top_view_->setObjectName("top_view");
  side_view_->setObjectName("side_view");
  front_view_->setObjectName("front_view");

  auto* ortho = new QSplitter(Qt::Vertical, this);
  ortho->addWidget(top_view_);
  ortho->addWidget(side_view_);
  ortho->addWidget(front_view_);
  ortho->setSizes({420, 200, 200});
  auto* views = new QSplitter(Qt::Horizontal, this);
  views->addWidget(main_view_);
  views->addWidget(ortho);
  views->setSizes({820, 400});

  timeline_ = new TimelineWidget(this);
  slider_ = new QSlider(Qt::Horizontal, this);
  slider_->setObjectName("frame_slider");
  frame_label_ = new QLabel(this);
  auto* nav = new QHBoxLayout;
  nav->addWidget(slider_, 1);
  nav->addWidget(frame_label_);
  auto* central = new QWidget(this);
  auto* layout = new QVBoxLayout(central);
  layout->setContentsMargins(2, 2, 2, 2);
  layout->addWidget(build_camera_panel(views), 1);
  layout->addWidget(timeline_);
  layout->addLayout(nav);
  setCentralWidget(central);
  connect(slider_, &QSlider::valueChanged, this, [this](int v) { set_frame(v); });
  connect(timeline_, &TimelineWidget::frame_clicked, this, [this](qint64 f) { set_frame(f); });

  track_list_ = new TrackListPanel(this);
  palette_ = new ClassPalettePanel(this);
  attributes_ = new AttributePanel(this);
  addDockWidget(Qt::LeftDockWidgetArea, dock(this, "Tracks", track_list_));
  addDockWidget(Qt::LeftDockWidgetArea, dock(this, "Classes (1-9)", palette_));
  addDockWidget(Qt::LeftDockWidgetArea, dock(this, "Attributes", attributes_));
  addDockWidget(Qt::LeftDockWidgetArea, dock(this, "Box", build_box_panel()));  // tilt
  connect(track_list_, &TrackListPanel::track_selected, this,
          [this](qint64 id) { select_track(id); });
  connect(track_list_, &TrackListPanel::track_activated, this, [this](qint64 id) {
    select_track(id);
    if (const formats::Track* t = session_->document().track(id); t && !t->boxes.empty()) {
      set_frame(t->boxes.front().frame);
    }
  });
  connect(track_list_, &TrackListPanel::polyline_selected, this,
          [this](qint64 id) { select_polyline(id); });
  connect(track_list_, &TrackListPanel::polyline_activated, this, [this](qint64 id) {
    select_polyline(id);
    for (const formats::PolylineTrack& p : session_->document().polylines) {
      if (p.id == id && !p.states.empty()) set_frame(p.states.front().frame);
    }
  });
  connect(palette_, &ClassPalettePanel::class_chosen, this,
          [this](const QString& label) { choose_label(label.toStdString()); });
  connect(attributes_, &AttributePanel::attribute_edited, this,
          [this](const EditTarget& target, bool frame_scope, const QString& k, const QString& v) {
            edit_attribute(target, frame_scope, k, v);
          });
  connect(attributes_, &AttributePanel::tag_edited, this,  // ontology
          [this](const EditTarget& target, bool frame_tag, const QString& k, const QString& v) {
            edit_tag(target, frame_tag, k, v);
          });
  // Everything that edits or moves the frame closes while a job holds the session; the views stay
  // open for looking around (their tools are closed by the ToolManager).
  for (QWidget* w :
       std::initializer_list<QWidget*>{track_list_, palette_, attributes_, slider_, timeline_}) {
    gate_->add(w);
  }
  build_status_bar();
}

void WorkstationWindow::build_status_bar() {
  tool_label_ = new QLabel(this);
  selection_label_ = new QLabel(this);
  points_label_ = new QLabel(this);
  cursor_label_ = new QLabel(this);
  statusBar()->addPermanentWidget(tool_label_);
  statusBar()->addPermanentWidget(selection_label_);
  statusBar()->addPermanentWidget(points_label_);
  statusBar()->addPermanentWidget(cursor_label_);
  // The running job: its step and percent in the bar, Cancel (or Esc) beside it.
  job_status_ = new JobStatus(*job_, statusBar());
  connect(job_status_, &JobStatus::cancel_clicked, this, [this] { cancel_job(); });
}

}  // namespace pcanno::viewer::workstation
