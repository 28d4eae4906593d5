#include "pcanno/viewer/workstation/workstation_window.hpp"

#include <algorithm>

#include <QCloseEvent>
#include <QLabel>
#include <QPainter>
#include <QSlider>
#include <QStatusBar>

#include "pcanno/plugin/command.hpp"
#include "pcanno/plugin/polyline_commands.hpp"
#include "pcanno/plugin/tools/polyline_tool.hpp"
#include "pcanno/plugin/tools/tool_geometry.hpp"
#include "pcanno/plugin/tools/tool_support.hpp"
#include "pcanno/viewer/workstation/attribute_panel.hpp"
#include "pcanno/viewer/workstation/automation_job.hpp"
#include "pcanno/viewer/workstation/class_palette_panel.hpp"
#include "pcanno/viewer/workstation/comment_markers.hpp"
#include "pcanno/viewer/workstation/edit_gate.hpp"
#include "pcanno/viewer/workstation/polyline_focus.hpp"
#include "pcanno/viewer/workstation/scene_view.hpp"
#include "pcanno/viewer/workstation/status_texts.hpp"
#include "pcanno/viewer/workstation/task_mode.hpp"
#include "pcanno/viewer/workstation/timeline_model.hpp"
#include "pcanno/viewer/workstation/timeline_widget.hpp"
#include "pcanno/viewer/workstation/track_list_panel.hpp"

namespace pcanno::viewer::workstation {
namespace {

constexpr double kTopMetersPerPixel = 0.1;  ///< initial top view: 35 m across a 350 px view

}  // namespace

WorkstationWindow::WorkstationWindow(std::unique_ptr<plugin::Session> session, QWidget* parent)
    : QMainWindow(parent),
      session_(std::move(session)),
      gate_(new EditGate(this)),
      job_(new AutomationJob(this)) {
  frames_ = std::make_unique<FrameSource>(session_->sequence());
  build_layout();
  attach_tools();
  build_actions();
  qa_timer_.setSingleShot(true);
  qa_timer_.setInterval(400);
  connect(&qa_timer_, &QTimer::timeout, this, [this] { run_checks(); });
  play_timer_.setInterval(100);  // 10 Hz, the LiDAR's own rate
  connect(&play_timer_, &QTimer::timeout, this, [this] {
    if (!step(1)) play_timer_.stop();  // the last frame, or the frame cannot change
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
  delete job_;  // joins a running job and lets go of the session before it goes
  job_ = nullptr;
  tools_.reset();  // deactivates the active tool while the session is there
  if (observer_ >= 0) session_->remove_observer(observer_);
  task_.reset();  // detaches from the session; close_task() has sent what it could
}

void WorkstationWindow::attach_session() {
  observer_ = session_->add_observer([this](const plugin::Change& c) { on_change(c); });
  prelabel_.shown_stale = true;
  session_->set_min_model_score(prelabel_.threshold);  // what the views hide, clicks pass through
  for (const std::string& w : session_->warnings())
    statusBar()->showMessage(QString::fromStdString(w), 8000);
}

void WorkstationWindow::on_change(const plugin::Change& change) {
  const bool edit = change.kind == plugin::ChangeKind::kEdit ||
                    change.kind == plugin::ChangeKind::kUndo ||
                    change.kind == plugin::ChangeKind::kRedo;
  if (edit) prelabel_.shown_stale = true;  // atomic: also from a job's worker
  // During a job this runs on the worker thread: touch nothing else; the job's end refreshes.
  if (session_->busy()) return;
  if (edit) qa_timer_.start();
  refresh();
}

void WorkstationWindow::refresh() {
  // The worker may be changing the document: read it once the job has ended.
  if (session_->busy()) return;
  if (task_) update_comment_markers();  // the comments of this frame
  drop_hidden_selection();              // pre-labels
  const formats::Annotations& doc = session_->document();
  const std::optional<std::int64_t> sel = session_->selection().track;
  const std::optional<std::int64_t> line = sel ? std::nullopt : session_->selection().polyline;
  const std::int64_t frame = session_->frame();
  track_list_->set_tracks(shown_document(), sel, line);  // pre-labels: low scores hidden
  update_track_repair();                                 // repair
  palette_->set_classes(doc);
  if (line) {
    const formats::PolylineTrack* p = nullptr;
    for (const formats::PolylineTrack& t : doc.polylines) {
      if (t.id == *line) p = &t;
    }
    attributes_->show_polyline(p, doc.class_or_default(p ? p->label : std::string()));
  } else {
    attributes_->show_track(sel ? doc.track(*sel) : nullptr, frame, &doc);
  }
  attributes_->show_tags(doc, frame);  // ontology: scene and frame tags
  update_box_panel();                  // tilt
  update_timeline();
  timeline_->set_current_frame(frame);
  {
    const QSignalBlocker block(slider_);
    slider_->setRange(0, std::max<int>(0, static_cast<int>(session_->frame_count()) - 1));
    slider_->setValue(static_cast<int>(frame));
  }
  if (loaded_frame_ != frame) {
    load_points();
  } else {
    show_points(false);  // the selection or its boxes may change what the display shows
  }
  for (SceneView* v : views()) v->scene().update_from_session(*session_);
  hide_low_scores();  // pre-labels
  update_cameras();
  update_preview();
  follow_cameras();
  update_status();
}

void WorkstationWindow::load_points() {
  const std::int64_t frame = session_->frame();
  std::string error;
  frame_ = frames_->get_frame(static_cast<std::size_t>(std::max<std::int64_t>(0, frame)), &error);
  // The cloud shares the loaded frame's ownership, images and all.
  cloud_ = frame_ ? formats::FrameCache::FramePtr(frame_, &frame_->cloud) : nullptr;
  loaded_frame_ = frame;
  show_points(true);  // the display options applied; camera colours, then the views
  const std::optional<geometry::Pose> pose = session_->T_world_lidar(frame);
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
  const std::optional<std::int64_t> line = session_->selection().polyline;
  if (!in.selected && line) {
    // The side and front views follow the polyline's selected vertex (else its middle) as they
    // follow a box; negative ids keep a polyline apart from the box track with the same id.
    in.selected = -1 - *line;
    if (const auto world = plugin::polyline_in_world(*session_, *line, in.frame)) {
      in.box = polyline_focus_box(*world, session_->selection().vertex);
    }
  }
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
  // While a line is drawn in the top view, the view stays where the clicks go.
  if (moves.top && tools_->active_id() != "polyline") top_view_->set_ortho_view(*moves.top);
  if (moves.side) side_view_->set_ortho_view(moves.side->view, moves.side->slab);
  if (moves.front) front_view_->set_ortho_view(moves.front->view, moves.front->slab);
  for (SceneView* v : views()) v->render_later();
}

void WorkstationWindow::update_preview() {
  // The box editor's handles belong to the selected box: none without one.
  static const plugin::ToolPreview kNone;
  const bool home = tools_->active_id() == tools_->home();
  const plugin::ToolPreview* shown = &tools_->preview();
  if (home && !session_->selection().track) {
    // A selected polyline is edited by the polyline tool kept at hand: its drags are shown.
    plugin::PolylineTool* lines = session_->selection().polyline ? polyline_tool() : nullptr;
    shown = lines ? &lines->preview() : &kNone;
  }
  const plugin::ToolPreview& preview = *shown;
  for (SceneView* v : views()) v->scene().set_preview(preview);
  update_camera_preview(preview);  // a box dragged in the 3D views moves in the cameras too
  if (!preview.status.empty())
    statusBar()->showMessage(QString::fromStdString(preview.status), 4000);
  for (SceneView* v : views()) v->render_later();
}

void WorkstationWindow::update_status() {
  sync_modes();
  const StatusTexts texts = status_texts(*session_, points_drawn(), tools_->active_id());
  frame_label_->setText(texts.frame);
  points_label_->setText(texts.points);
  tool_label_->setText(texts.tool);
  selection_label_->setText(texts.selection);
  setWindowTitle(task_ ? task_->title() : texts.title);
  update_measure_status();
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
  const plugin::Selection& selection = session_->selection();
  if (!selection.track && !selection.polyline) return false;
  plugin::KeyEvent event;
  event.key = key;
  event.press = true;
  event.modifiers = fine ? plugin::kShift : plugin::kNoModifier;
  event.view = top_view_->view_info();
  // A polyline moves whole, as one undo step (the polyline tool's nudge).
  const int result = tools_->send_key(selection.track ? "cuboid-edit" : "polyline", event);
  if (result & plugin::kRender) update_preview();
  return (result & plugin::kConsumed) != 0;
}

bool WorkstationWindow::set_frame(std::int64_t frame) {
  if (session_->frame_count() == 0) return false;
  frame =
      std::clamp<std::int64_t>(frame, 0, static_cast<std::int64_t>(session_->frame_count()) - 1);
  if (frame == session_->frame()) return false;
  const formats::Status moved = session_->set_frame(frame);  // kBusy during a job
  report(moved, "frame");
  return static_cast<bool>(moved);
}

bool WorkstationWindow::step(int delta) { return set_frame(session_->frame() + delta); }

void WorkstationWindow::select_track(std::optional<std::int64_t> track) {
  // Not an edit: allowed during a job (nothing of it is journaled), shown when the job has ended.
  plugin::Selection s;
  s.track = track;
  if (s == session_->selection()) return;
  session_->set_selection(s);
}

int WorkstationWindow::on_pointer(SceneView& /*view*/, const plugin::PointerEvent& event) {
  // The ToolManager is closed during a job: the event is left to the view's camera.
  if (read_only() && tools_->active_id() != "select") return 0;
  const int result = tools_->on_pointer(event);
  tool_result(result);
  return result;
}

int WorkstationWindow::on_key(SceneView& /*view*/, const plugin::KeyEvent& event) {
  // During a job Esc is the cancel action's (a window shortcut); the tools see no key.
  if (read_only() && event.key != "Escape") {
    if (event.press && (event.key == "Delete" || event.key == "BackSpace"))
      statusBar()->showMessage("review: the labels are read-only", 4000);
    return 0;
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

void WorkstationWindow::report(const formats::Status& status, const QString& what) {
  if (!status) {
    statusBar()->showMessage(what + ": " + QString::fromStdString(status.error().describe()), 8000);
  }
}

void WorkstationWindow::run_checks() {
  if (session_->busy()) return;  // reads the document the worker may be changing
  plugin::QaOptions options;
  options.check_points = false;  // reading every cloud would stall the UI; `pcanno check` does it
  auto report = plugin::check_annotations(session_->document(), session_->sequence(), options);
  if (report) qa_ = std::move(*report);
  update_timeline();
}

void WorkstationWindow::update_timeline() {
  const plugin::Selection& selection = session_->selection();
  const formats::Annotations& doc = shown_document();  // pre-labels: low scores hidden
  std::vector<TimelineCell> cells =
      !selection.track && selection.polyline
          ? polyline_timeline_cells(doc, session_->frame_count(), selection.polyline)
          : timeline_cells(doc, session_->frame_count(), selection.track, &qa_);
  mark_sweeps(cells, session_->sequence());  // sequences: keyframes marked among sweeps
  timeline_->set_cells(std::move(cells));
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
  if (submitting_) {  // submit_task() is waiting for the outbox and owns the task until then
    statusBar()->showMessage("submitting: close again when it has finished, or cancel it", 5000);
    return event->ignore();
  }
  // A task's edits are in the store or its outbox: nothing to save, only the lease to let go.
  if (task_) {
    close_task();
    return event->accept();
  }
  if (!settle_unsaved("closing")) return event->ignore();
  event->accept();
}

}  // namespace pcanno::viewer::workstation
