// Project store tasks in the window: the Task and Review menus, the Comments dock, the title with
// the task's lease and sync state, review mode's read-only labels, closing with the outbox.
#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDockWidget>
#include <QInputDialog>
#include <QMenuBar>
#include <QMessageBox>
#include <QProgressDialog>
#include <QStatusBar>

#include "pcanno/store/model.hpp"
#include "pcanno/viewer/workstation/attribute_panel.hpp"
#include "pcanno/viewer/workstation/box_panel.hpp"
#include "pcanno/viewer/workstation/class_palette_panel.hpp"
#include "pcanno/viewer/workstation/comment_markers.hpp"
#include "pcanno/viewer/workstation/comments_panel.hpp"
#include "pcanno/viewer/workstation/edit_gate.hpp"
#include "pcanno/viewer/workstation/scene_view.hpp"
#include "pcanno/viewer/workstation/task_dialog.hpp"
#include "pcanno/viewer/workstation/task_mode.hpp"
#include "pcanno/viewer/workstation/timeline_widget.hpp"
#include "pcanno/viewer/workstation/workstation_window.hpp"

namespace pcanno::viewer::workstation {

void WorkstationWindow::build_task_actions(QMenu* file) {
  QAction* open = file->addAction("Open &task...", this, [this] { open_task_dialog(); });
  open->setObjectName("open-task");
  task_menu_ = menuBar()->addMenu("T&ask");
  submit_action_ = task_menu_->addAction("&Submit", this, [this] { submit_task(); });
  submit_action_->setObjectName("task:submit");
  submit_action_->setShortcut(QKeySequence("Ctrl+Shift+Return"));
  review_menu_ = menuBar()->addMenu("Re&view");
  const auto review = [this](const char* name, const QString& text, const char* key, auto slot) {
    QAction* a = review_menu_->addAction(text, this, slot);
    a->setObjectName(name);
    a->setShortcut(QKeySequence(key));
    return a;
  };
  review("review:accept", "&Accept", "Ctrl+Shift+A", [this] { accept_task(); });
  review("review:reject", "&Reject...", "Ctrl+Shift+R", [this] { reject_dialog(); });
  review("review:comment", "&Comment...", "Ctrl+Shift+C", [this] { comment_dialog(); });
  // Until a task is open: the Track menu keeps Ctrl+Shift+A/C/R.
  for (QAction* a : task_menu_->actions() + review_menu_->actions()) a->setEnabled(false);

  comments_ = new CommentsPanel(this);
  comments_dock_ = new QDockWidget("Comments", this);
  comments_dock_->setObjectName("comments-dock");
  comments_dock_->setWidget(comments_);
  addDockWidget(Qt::RightDockWidgetArea, comments_dock_);
  comments_dock_->hide();
  connect(comments_, &CommentsPanel::activated, this, [this](int index) {
    const store::Comment c = comments_->comments().at(static_cast<std::size_t>(index));
    set_frame(c.frame);
    if (c.track_id) select_track(*c.track_id);
  });
  connect(comments_, &CommentsPanel::resolve_toggled, this, [this](qint64 id, bool resolved) {
    if (task_) report(task_->resolve(id, resolved), "resolve");
  });
  task_timer_.setInterval(1000);
  connect(&task_timer_, &QTimer::timeout, this, [this] {
    if (task_) task_->poll();
  });
}

void WorkstationWindow::set_store(const std::string& url, const std::string& user) {
  store_url_ = url;
  store_user_ = user;
}

void WorkstationWindow::enter_task(std::unique_ptr<TaskMode> task) {
  task_ = std::move(task);
  store_url_ = task_->url();
  task_->attach(*session_);
  connect(task_.get(), &TaskMode::changed, this, [this] { update_task_view(); });
  const bool review = task_->review();
  for (QAction* a : task_menu_->actions()) a->setEnabled(!review);
  for (QAction* a : review_menu_->actions()) a->setEnabled(review);
  // After a review in this window the labels open again; a handed-in task opens read-only.
  if (read_only() || gate_->is_open()) set_labels_editable(!read_only());
  comments_dock_->show();
  task_timer_.start();
  update_task_view();
}

formats::Status WorkstationWindow::open_task(const TaskOpenOptions& options) {
  if (job_running()) return formats::Error{formats::ErrorCode::kBusy, "a job runs", ""};
  if (submitting_) return formats::Error{formats::ErrorCode::kBusy, "a submit waits", ""};
  if (!task_ && !settle_unsaved("opening a task")) {
    return formats::Error{formats::ErrorCode::kCancelled, "cancelled", ""};
  }
  // Open the new task before closing the current one: when the new one cannot be opened (its
  // lease is someone else's, the store is away), the current task stays open and synced.
  formats::Expected<TaskMode::Opened> opened = TaskMode::open(options);
  if (!opened) {
    report(opened.error(), "open task");
    return std::move(opened).error();
  }
  close_task();
  task_.reset();
  replace_session(std::move(opened->session));
  enter_task(std::move(opened->mode));
  return {};
}

void WorkstationWindow::open_task_dialog() {
  TaskDialog dialog(store_url_, store_user_, task_ && task_->review(), this);
  if (dialog.exec() != QDialog::Accepted) return;
  if (auto choice = dialog.choice()) {
    if (formats::Status opened = open_task(*choice); !opened) {
      QMessageBox::warning(this, "Open task", QString::fromStdString(opened.error().describe()));
    }
  }
}

bool WorkstationWindow::read_only() const {
  return task_ && (task_->review() || submitting_ || !store::labels_editable(task_->task().state));
}

void WorkstationWindow::set_labels_editable(bool editable) {
  labels_open_ = editable;
  if (editable) {
    for (QAction* a : gate_->actions()->actions()) a->setEnabled(true);
    for (QWidget* w : std::initializer_list<QWidget*>{attributes_, box_panel_, palette_}) {
      if (w) w->setEnabled(true);
    }
    (void)tools_->set_home("cuboid-edit");
    return;
  }
  // Frame navigation stays (the View menu); everything else behind the gate edits.
  QList<QAction*> keep;
  for (QAction* top : menuBar()->actions()) {
    if (top->text() != "&View" || !top->menu()) continue;
    keep = top->menu()->actions();
    for (QAction* a : top->menu()->actions()) {
      if (a->menu()) keep += a->menu()->actions();
    }
  }
  for (QAction* a : gate_->actions()->actions()) {
    if (!keep.contains(a)) a->setEnabled(false);
  }
  for (QWidget* w : std::initializer_list<QWidget*>{attributes_, box_panel_, palette_}) {
    if (w) w->setEnabled(false);
  }
  (void)tools_->set_home("select");
  (void)tools_->start("select");
}

void WorkstationWindow::update_task_view() {
  if (!task_) return;
  // The store moved the task under the window (a reviewer sent it back): open or close the labels
  // to match. During a job the gate is closed and job_finished() decides.
  if (!submitting_ && gate_->is_open() && labels_open_ == read_only()) {
    set_labels_editable(!read_only());
  }
  if (!task_->review()) submit_action_->setEnabled(store::labels_editable(task_->task().state));
  setWindowTitle(task_->title());
  comments_->set_comments(task_->comments(), task_->review());
  std::vector<std::int64_t> frames;
  for (const store::Comment& c : task_->comments()) frames.push_back(c.frame);
  timeline_->set_comment_frames(std::move(frames));
  update_comment_markers();
}

void WorkstationWindow::update_comment_markers() {
  if (!task_) return;
  if (markers_.empty()) {
    for (SceneView* v : views())
      markers_.push_back(std::make_unique<CommentMarkers>(v->renderer()));
  }
  for (std::size_t i = 0; i < markers_.size(); ++i) {
    markers_[i]->show(task_->comments(), session_->frame());
    views()[i]->render_later();
  }
}

std::size_t WorkstationWindow::comment_markers_shown() const {
  return markers_.empty() ? 0 : markers_.front()->shown();
}

bool WorkstationWindow::submit_task() {
  if (!task_ || task_->review() || submitting_) return false;
  if (job_running()) {  // its edits reach the outbox only when it ends: they would come too late
    statusBar()->showMessage("not submitted: a job is running; submit once it has ended", 8000);
    return false;
  }
  // The wait below runs the event loop: until the task is handed in, no edit may slip in after
  // the outbox drained (the store would refuse it on the submitted task), and neither a second
  // submit nor closing the window may pull the task from under the wait.
  submitting_ = true;
  set_labels_editable(false);
  QProgressDialog progress("Sending the edits to the store...", "Cancel", 0, 0, this);
  progress.setMinimumDuration(500);
  progress.setWindowModality(Qt::WindowModal);
  const formats::Status submitted = task_->submit([&] {
    QApplication::processEvents();
    return !progress.wasCanceled();
  });
  progress.reset();
  submitting_ = false;
  if (!submitted) {
    set_labels_editable(!read_only());
    statusBar()->showMessage(QString::fromStdString(submitted.error().describe()), 10000);
    if (submitted.error().code != formats::ErrorCode::kCancelled) {
      QMessageBox::warning(this, "Submit", QString::fromStdString(submitted.error().message));
    }
    return false;
  }
  statusBar()->showMessage(
      QString("task %1 submitted: its labels are read-only until a reviewer sends it back")
          .arg(task_->task().id),
      8000);
  return true;
}

bool WorkstationWindow::accept_task() {
  if (!task_ || !task_->review()) return false;
  const formats::Status done = task_->accept();
  report(done, "accept");
  if (done) statusBar()->showMessage(QString("task %1 accepted").arg(task_->task().id), 8000);
  return static_cast<bool>(done);
}

bool WorkstationWindow::reject_task(const QString& reason) {
  if (!task_ || !task_->review()) return false;
  if (reason.trimmed().isEmpty()) {
    statusBar()->showMessage("not rejected: a rejection needs a reason", 8000);
    return false;
  }
  const formats::Status done = task_->reject(reason.trimmed().toStdString());
  report(done, "reject");
  if (done) statusBar()->showMessage(QString("task %1 rejected").arg(task_->task().id), 8000);
  return static_cast<bool>(done);
}

void WorkstationWindow::reject_dialog() {
  if (!task_ || !task_->review()) return;
  bool ok = false;
  const QString reason = QInputDialog::getText(this, "Reject", "Why is the task rejected?",
                                               QLineEdit::Normal, "", &ok);
  if (ok) reject_task(reason);
}

bool WorkstationWindow::comment_task(const QString& text) {
  if (!task_ || text.trimmed().isEmpty()) return false;
  store::Comment c;
  c.frame = session_->frame();
  c.text = text.trimmed().toStdString();
  const std::optional<geometry::Cuboid> box = selected_box();
  const Eigen::Vector3d at = box ? box->center : main_view_->view_info().focus;
  if (box) c.track_id = session_->selection().track;
  c.x = at.x();
  c.y = at.y();
  c.z = at.z();
  const formats::Status done = task_->add_comment(c);
  report(done, "comment");
  return static_cast<bool>(done);
}

void WorkstationWindow::comment_dialog() {
  if (!task_) return;
  bool ok = false;
  const QString text =
      QInputDialog::getText(this, "Comment", "Comment:", QLineEdit::Normal, "", &ok);
  if (ok) comment_task(text);
}

bool WorkstationWindow::close_task() {
  if (!task_) return true;
  task_timer_.stop();
  const std::size_t pending = task_->sync_status().pending;
  const formats::Status closed = task_->close(std::chrono::seconds(5));
  if (!closed) {
    // Never lost: the outbox keeps them and the next open of this task sends them.
    QMessageBox::information(
        this, "Edits kept",
        QString("%1 edit(s) could not be sent now (%2). They stay in the outbox and are sent "
                "when you open task %3 again.")
            .arg(pending)
            .arg(QString::fromStdString(closed.error().message))
            .arg(task_->task().id));
  }
  return true;
}

}  // namespace pcanno::viewer::workstation
