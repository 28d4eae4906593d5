#include "pcanno/viewer/workstation/workstation_window.hpp"

#include <algorithm>

#include <QCloseEvent>
#include <QDockWidget>
#include <QHBoxLayout>
#include <QLabel>
#include <QMessageBox>
#include <QPainter>
#include <QProgressBar>
#include <QPushButton>
#include <QSlider>
#include <QSplitter>
#include <QStatusBar>
#include <QVBoxLayout>

#include "pcanno/plugin/command.hpp"
#include "pcanno/plugin/tools/tool_geometry.hpp"
#include "pcanno/viewer/workstation/attribute_panel.hpp"
#include "pcanno/viewer/workstation/automation_job.hpp"
#include "pcanno/viewer/workstation/class_palette_panel.hpp"
#include "pcanno/viewer/workstation/scene_view.hpp"
#include "pcanno/viewer/workstation/status_texts.hpp"
#include "pcanno/viewer/workstation/timeline_model.hpp"
#include "pcanno/viewer/workstation/timeline_widget.hpp"
#include "pcanno/viewer/workstation/track_list_panel.hpp"

namespace pcanno::viewer::workstation {
namespace {

constexpr double kTopMetersPerPixel = 0.1;  ///< initial top view: 35 m across a 350 px view

QDockWidget* dock(QMainWindow* window, const QString& title, QWidget* content) {
  auto* d = new QDockWidget(title, window);
  d->setObjectName(title);
  d->setWidget(content);
  d->setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetFloatable);
  return d;
}

}  // namespace

WorkstationWindow::WorkstationWindow(std::unique_ptr<plugin::Session> session, QWidget* parent)
    : QMainWindow(parent), session_(std::move(session)), job_(new AutomationJob(this)) {
  frames_ = std::make_unique<FrameSource>(session_->sequence());
  build_layout();
  attach_tools();
  build_actions();
  refresh_timer_.setSingleShot(true);
  connect(&refresh_timer_, &QTimer::timeout, this, [this] { refresh(); });
  qa_timer_.setSingleShot(true);
  qa_timer_.setInterval(400);
  connect(&qa_timer_, &QTimer::timeout, this, [this] { run_checks(); });
  play_timer_.setInterval(100);  // 10 Hz, the LiDAR's own rate
  connect(&play_timer_, &QTimer::timeout, this, [this] {
    if (session_->frame() + 1 >= static_cast<std::int64_t>(session_->frame_count())) {
      play_timer_.stop();
      return;
    }
    step(1);
  });
  connect(job_, &AutomationJob::finished, this, &WorkstationWindow::job_finished);
  attach_session();
  top_view_->set_ortho_view(
      plugin::make_top_view(Eigen::Vector3d(15.0, 0.0, 0.0), kTopMetersPerPixel));
  // Until a box is selected the side and front views look at a car-sized spot ahead.
  const geometry::Cuboid ahead = geometry::Cuboid::from_yaw(Eigen::Vector3d(15.0, 0.0, -0.8),
                                                            Eigen::Vector3d(4.5, 1.9, 1.7), 0.0);
  side_view_->set_ortho_view(plugin::make_side_view(ahead, 0.03), 3.0);
  front_view_->set_ortho_view(plugin::make_front_view(ahead, 0.03), 3.0);
  refresh();
  run_checks();
}

WorkstationWindow::~WorkstationWindow() {
  play_timer_.stop();
  delete job_;  // joins a running job before the session goes
  job_ = nullptr;
  tools_.reset();  // deactivates the active tool while the session is there
  if (observer_ >= 0) session_->remove_observer(observer_);
}

void WorkstationWindow::build_layout() {
  SceneStyle style;
  style.color_by = ColorBy::kHeight;  // reads best in the small orthographic views
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
  layout->addWidget(views, 1);
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
  connect(track_list_, &TrackListPanel::track_selected, this,
          [this](qint64 id) { select_track(id); });
  connect(track_list_, &TrackListPanel::track_activated, this, [this](qint64 id) {
    select_track(id);
    if (const formats::Track* t = session_->document().track(id); t && !t->boxes.empty()) {
      set_frame(t->boxes.front().frame);
    }
  });
  connect(palette_, &ClassPalettePanel::class_chosen, this, [this](const QString& label) {
    tools_->set_label(label.toStdString());
    if (job_running()) return;
    const auto sel = session_->selection().track;
    const formats::Track* t = sel ? session_->document().track(*sel) : nullptr;
    if (t && t->label != label.toStdString()) {
      report(session_->apply(plugin::set_class(session_->document(), *sel, label.toStdString())),
             "class");
    }
  });
  connect(attributes_, &AttributePanel::attribute_edited, this,
          [this](bool frame_scope, const QString& k, const QString& v) {
            edit_attribute(frame_scope, k, v);
          });

  mode_label_ = new QLabel(this);
  selection_label_ = new QLabel(this);
  points_label_ = new QLabel(this);
  cursor_label_ = new QLabel(this);
  statusBar()->addPermanentWidget(mode_label_);
  statusBar()->addPermanentWidget(selection_label_);
  statusBar()->addPermanentWidget(points_label_);
  statusBar()->addPermanentWidget(cursor_label_);
  // The running job: its step and percent in the bar, Cancel (or Esc) beside it.
  job_bar_ = new QProgressBar(this);
  job_bar_->setObjectName("job_progress");
  job_bar_->setRange(0, 100);
  job_bar_->setMinimumWidth(220);
  job_bar_->setTextVisible(true);
  job_cancel_ = new QPushButton("Cancel", this);
  job_cancel_->setObjectName("job_cancel");
  job_cancel_->setToolTip("Stop the running job (Esc); nothing changes");
  statusBar()->addPermanentWidget(job_bar_);
  statusBar()->addPermanentWidget(job_cancel_);
  job_bar_->hide();
  job_cancel_->hide();
  connect(job_cancel_, &QPushButton::clicked, this, [this] { cancel_job(); });
  connect(job_, &AutomationJob::progress, this, [this](int percent, const QString& step) {
    if (job_->cancelling()) return;  // cancel_job() said so; the worker stops any moment
    job_bar_->setFormat(step + " %p%");
    job_bar_->setValue(percent);
  });
}

void WorkstationWindow::attach_session() {
  observer_ = session_->add_observer([this](const plugin::Change& c) { on_change(c); });
  for (const std::string& w : session_->warnings())
    statusBar()->showMessage(QString::fromStdString(w), 8000);
}

void WorkstationWindow::on_change(const plugin::Change& change) {
  // During a job this runs on the worker thread: touch nothing but the flag.
  if (job_ && job_->running()) {
    changed_during_job_ = true;
    return;
  }
  if (change.kind == plugin::ChangeKind::kEdit || change.kind == plugin::ChangeKind::kUndo ||
      change.kind == plugin::ChangeKind::kRedo) {
    qa_timer_.start();
  }
  refresh();
}

void WorkstationWindow::refresh() {
  if (job_ && job_->running()) {
    changed_during_job_ = true;
    return;
  }
  const formats::Annotations& doc = session_->document();
  const std::optional<std::int64_t> sel = session_->selection().track;
  const std::int64_t frame = session_->frame();
  track_list_->set_tracks(doc, sel);
  palette_->set_classes(doc);
  attributes_->show_track(sel ? doc.track(*sel) : nullptr, frame);
  timeline_->set_cells(timeline_cells(doc, session_->frame_count(), sel, &qa_));
  timeline_->set_current_frame(frame);
  {
    const QSignalBlocker block(slider_);
    slider_->setRange(0, std::max<int>(0, static_cast<int>(session_->frame_count()) - 1));
    slider_->setValue(static_cast<int>(frame));
  }
  if (loaded_frame_ != frame) load_points();
  for (SceneView* v : views()) v->scene().update_from_session(*session_);
  update_preview();
  follow_cameras();
  update_status();
}

void WorkstationWindow::load_points() {
  const std::int64_t frame = session_->frame();
  std::string error;
  cloud_ = frames_->get(static_cast<std::size_t>(std::max<std::int64_t>(0, frame)), &error);
  const std::optional<geometry::Pose> pose = session_->T_world_lidar(frame);
  for (SceneView* v : views()) {
    v->scene().set_cloud(cloud_, pose.value_or(geometry::Pose::Identity()));
  }
  std::vector<Eigen::Vector3d> world;
  if (cloud_) {
    world.reserve(cloud_->size());
    for (std::size_t i = 0; i < cloud_->size(); ++i) {
      const Eigen::Vector3d p = cloud_->point(i);  // in double: UTM clouds keep millimetres
      world.push_back(pose ? Eigen::Vector3d(*pose * p) : p);
    }
  }
  // The tools would otherwise read the frame again.
  tools_->set_points(std::make_shared<const std::vector<Eigen::Vector3d>>(std::move(world)));
  if (!error.empty()) statusBar()->showMessage(QString::fromStdString(error), 8000);
  loaded_frame_ = frame;
}

std::optional<geometry::Cuboid> WorkstationWindow::selected_box() const {
  const std::optional<std::int64_t> sel = session_->selection().track;
  if (!sel) return std::nullopt;
  auto box = session_->box_in_world(*sel, session_->frame());
  return box ? std::optional<geometry::Cuboid>(*box) : std::nullopt;
}

void WorkstationWindow::follow_cameras() {
  FollowInput in;
  in.frame = session_->frame();
  in.selected = session_->selection().track;
  in.box = selected_box();
  // With poses the world is a map frame: the cameras ride along with the car. A georeferenced
  // cloud (UTM) is far from the world origin: they ride to its viewpoint too.
  in.ego = CameraFollow::ego_pose(session_->T_world_lidar(in.frame),
                                  cloud_ ? viewpoint_of(*cloud_) : Eigen::Vector3d::Zero());
  in.top = top_view_->view_info();
  const auto shorter = [](const SceneView* v) { return std::min(v->width(), v->height()); };
  in.top_pixels = shorter(top_view_);
  in.side_pixels = shorter(side_view_);
  in.front_pixels = shorter(front_view_);
  const FollowMoves moves = follow_.update(in);
  if (moves.main_delta) main_view_->move_camera(*moves.main_delta);
  if (moves.top_delta) top_view_->move_camera(*moves.top_delta);
  if (moves.top) top_view_->set_ortho_view(*moves.top);
  if (moves.side) side_view_->set_ortho_view(moves.side->view, moves.side->slab);
  if (moves.front) front_view_->set_ortho_view(moves.front->view, moves.front->slab);
  for (SceneView* v : views()) v->render_later();
}

void WorkstationWindow::update_preview() {
  // The box editor's handles belong to the selected box: none without one.
  static const plugin::ToolPreview kNone;
  const bool idle_editor = tools_->active_id() == "cuboid-edit" && !session_->selection().track;
  const plugin::ToolPreview& preview = idle_editor ? kNone : tools_->preview();
  for (SceneView* v : views()) v->scene().set_preview(preview);
  if (!preview.status.empty())
    statusBar()->showMessage(QString::fromStdString(preview.status), 4000);
  for (SceneView* v : views()) v->render_later();
}

void WorkstationWindow::update_status() {
  const StatusTexts texts =
      status_texts(*session_, cloud_ ? cloud_->size() : 0, tools_->active_id());
  frame_label_->setText(texts.frame);
  points_label_->setText(texts.points);
  mode_label_->setText(texts.tool);
  selection_label_->setText(texts.selection);
  setWindowTitle(texts.title);
}

QString WorkstationWindow::status_text() const {
  return frame_label_->text() + " | " + points_label_->text() + " | " + selection_label_->text() +
         " | " + cursor_label_->text();
}

void WorkstationWindow::set_top_north_up(bool north_up) {
  follow_.set_north_up(north_up);
  top_view_->set_ortho_view(follow_.turned(top_view_->view_info(), selected_box()));
  statusBar()->showMessage(
      north_up ? "top view: north up" : "top view: turned to the selected box's heading", 4000);
}

bool WorkstationWindow::nudge_selected(const std::string& key, bool fine) {
  if (job_running() || !session_->selection().track) return false;
  plugin::KeyEvent event;
  event.key = key;
  event.press = true;
  event.modifiers = fine ? plugin::kShift : plugin::kNoModifier;
  event.view = top_view_->view_info();
  const int result = tools_->send_key("cuboid-edit", event);
  if (result & plugin::kRender) update_preview();
  return (result & plugin::kConsumed) != 0;
}

void WorkstationWindow::set_frame(std::int64_t frame) {
  if (job_running() || session_->frame_count() == 0) return;
  frame =
      std::clamp<std::int64_t>(frame, 0, static_cast<std::int64_t>(session_->frame_count()) - 1);
  if (frame == session_->frame()) return;
  report(session_->set_frame(frame), "frame");
}

void WorkstationWindow::step(int delta) { set_frame(session_->frame() + delta); }

void WorkstationWindow::select_track(std::optional<std::int64_t> track) {
  if (job_running()) return;  // the worker owns the session until the job ends
  plugin::Selection s;
  s.track = track;
  if (s == session_->selection()) return;
  session_->set_selection(s);
}

void WorkstationWindow::choose_class(int index) {
  if (!job_running()) palette_->choose(index);
}

int WorkstationWindow::on_pointer(SceneView& /*view*/, const plugin::PointerEvent& event) {
  if (job_running()) return plugin::kConsumed;
  const int result = tools_->on_pointer(event);
  tool_result(result);
  return result;
}

int WorkstationWindow::on_key(SceneView& /*view*/, const plugin::KeyEvent& event) {
  if (job_running()) {
    if (event.key == "Escape") cancel_job();
    return plugin::kConsumed;
  }
  const int result = tools_->on_key(event);
  tool_result(result);
  return result;
}

void WorkstationWindow::tool_result(int result) {
  if (!(result & (plugin::kRender | plugin::kFinished))) return;
  update_preview();
  update_status();  // a finished tool handed over to the box editor
}

void WorkstationWindow::edit_attribute(bool frame_scope, const QString& key, const QString& value) {
  if (job_running()) return;
  const auto sel = session_->selection().track;
  if (!sel || key.isEmpty()) return;
  const std::optional<std::string> v =
      value.isEmpty() ? std::nullopt : std::optional<std::string>(value.toStdString());
  if (frame_scope) {
    report(session_->apply(plugin::set_box_attribute(session_->document(), *sel, session_->frame(),
                                                     key.toStdString(), v)),
           "attribute");
  } else {
    report(session_->apply(
               plugin::set_track_attribute(session_->document(), *sel, key.toStdString(), v)),
           "attribute");
  }
}

void WorkstationWindow::report(const formats::Status& status, const QString& what) {
  if (!status) {
    statusBar()->showMessage(what + ": " + QString::fromStdString(status.error().describe()), 8000);
  }
}

void WorkstationWindow::run_checks() {
  if (job_running()) return;
  plugin::QaOptions options;
  options.check_points = false;  // reading every cloud would stall the UI; `pcanno check` does it
  auto report = plugin::check_annotations(session_->document(), session_->sequence(), options);
  if (report) qa_ = std::move(*report);
  timeline_->set_cells(timeline_cells(session_->document(), session_->frame_count(),
                                      session_->selection().track, &qa_));
}

bool WorkstationWindow::save_screenshot(const QString& path) {
  QPixmap pixmap = grab();
  QPainter painter(&pixmap);
  // QWidget::grab() leaves GL views blank on some platforms: paint their framebuffers in.
  for (SceneView* v : views()) {
    painter.drawImage(v->mapTo(this, QPoint(0, 0)), v->grabFramebuffer());
  }
  painter.end();
  return pixmap.save(path, "PNG");
}

void WorkstationWindow::closeEvent(QCloseEvent* event) {
  if (job_running()) {
    // The worker owns the session: stop it first, close once it has let go.
    cancel_job();
    statusBar()->showMessage("cancelling the running job; close again when it has stopped", 5000);
    return event->ignore();
  }
  if (!settle_unsaved("closing")) return event->ignore();
  event->accept();
}

}  // namespace pcanno::viewer::workstation
