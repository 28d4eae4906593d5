// The window's menus and commands: files, undo, automation, navigation, help.
#include <QAction>
#include <QFileDialog>
#include <QFileInfo>
#include <QMenuBar>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QStatusBar>

#include "pcanno/formats/datasets/sequence.hpp"
#include "pcanno/plugin/registry.hpp"
#include "pcanno/plugin/services/automation_services.hpp"
#include "pcanno/plugin/services/qa.hpp"
#include "pcanno/viewer/workstation/automation_job.hpp"
#include "pcanno/viewer/workstation/scene_view.hpp"
#include "pcanno/viewer/workstation/shortcut_sheet.hpp"
#include "pcanno/viewer/workstation/unsaved_edits.hpp"
#include "pcanno/viewer/workstation/workstation_window.hpp"

namespace pcanno::viewer::workstation {
namespace fs = std::filesystem;

namespace {

/// "id: description (*)" filters for the codecs that can read (or write), in registry order.
QStringList codec_filters(const plugin::Registry& registry, bool writing,
                          std::vector<std::string>& ids) {
  QStringList filters;
  for (const formats::LabelCodec& c : registry.codecs().codecs()) {
    if (writing ? !c.write : !c.read) continue;
    ids.push_back(c.id);
    filters << QString("%1: %2 (*)")
                   .arg(QString::fromStdString(c.id), QString::fromStdString(c.description));
  }
  return filters;
}

}  // namespace

void WorkstationWindow::build_actions() {
  const auto add = [this](QMenu* menu, const QString& text, const QKeySequence& key, auto slot) {
    QAction* a = menu->addAction(text);
    a->setShortcut(key);
    a->setShortcutContext(Qt::WindowShortcut);
    connect(a, &QAction::triggered, this, slot);
    return a;
  };
  QMenu* file = menuBar()->addMenu("&File");
  add(file, "&Open labels...", QKeySequence::Open, [this] { open_labels_dialog(); });
  add(file, "&Save", QKeySequence::Save, [this] { save(); });
  add(file, "Save &as...", QKeySequence("Ctrl+Shift+S"), [this] { save_as_dialog(); });
  add(file, "&Export...", QKeySequence("Ctrl+E"), [this] { export_dialog(); });
  add(file, "&Quit", QKeySequence("Ctrl+Q"), [this] { close(); });

  QMenu* edit = menuBar()->addMenu("&Edit");
  add(edit, "&Undo", QKeySequence("Ctrl+Z"), [this] { undo(); });
  add(edit, "&Redo", QKeySequence("Ctrl+Shift+Z"), [this] { redo(); });
  add(edit, "&New box", QKeySequence("N"), [this] {
    (void)start_tool(tools_->active_id() == "cuboid-create" ? tools_->home() : "cuboid-create");
  });
  add(edit, "&Propagate track", QKeySequence("P"), [this] { propagate_selected(); });
  add(edit, "&Interpolate track", QKeySequence("I"), [this] { interpolate_selected(); });
  add(edit, "Run &checks", QKeySequence("Ctrl+K"), [this] { run_checks_job(); });
  // Esc stops a running job wherever the focus is; between jobs the action is disabled, so Esc
  // reaches the focused widget (the tools cancel a drag with it).
  job_cancel_action_ =
      add(edit, "Cancel the running &job", QKeySequence(Qt::Key_Escape), [this] { cancel_job(); });
  job_cancel_action_->setEnabled(false);
  // Window-wide, so they work whichever widget has the focus; plain arrows belong to the focused
  // widget (frame stepping, or nudges in a view).
  QMenu* nudge = edit->addMenu("N&udge");
  static const char* const kNudges[][2] = {
      {"Left", "left"}, {"Right", "right"}, {"Up", "up"}, {"Down", "down"}};
  for (const auto& n : kNudges) {
    const std::string key = n[0];
    add(nudge, QString("Nudge %1").arg(n[1]), QKeySequence(QString("Alt+") + n[0]),
        [this, key] { nudge_selected(key, false); });
    add(nudge, QString("Nudge %1 (fine)").arg(n[1]), QKeySequence(QString("Alt+Shift+") + n[0]),
        [this, key] { nudge_selected(key, true); });
  }
  QMenu* classes = edit->addMenu("&Class");
  for (int i = 0; i < 9; ++i) {
    add(classes, QString("Class %1").arg(i + 1), QKeySequence(QString::number(i + 1)),
        [this, i] { choose_class(i); });
  }

  QMenu* view = menuBar()->addMenu("&View");
  add(view, "&Previous frame", QKeySequence(Qt::Key_Left), [this] { step(-1); });
  add(view, "&Next frame", QKeySequence(Qt::Key_Right), [this] { step(1); });
  add(view, "&First frame", QKeySequence(Qt::Key_Home), [this] { set_frame(0); });
  add(view, "&Last frame", QKeySequence(Qt::Key_End),
      [this] { set_frame(static_cast<std::int64_t>(session_->frame_count()) - 1); });
  add(view, "P&lay / pause", QKeySequence(Qt::Key_Space), [this] { toggle_play(); });
  add(view, "&Bird's eye", QKeySequence("B"), [this] { toggle_birds_eye(); });
  QAction* north_up =
      add(view, "Top view &north up", QKeySequence("H"), [this](bool on) { set_top_north_up(on); });
  north_up->setCheckable(true);
  north_up->setChecked(top_north_up());

  tools_menu_ = menuBar()->addMenu("&Tools");
  build_tools_menu();

  QMenu* help = menuBar()->addMenu("&Help");
  add(help, "&Shortcuts", QKeySequence(Qt::Key_F1), [this] { show_shortcuts(); });
}

bool WorkstationWindow::job_running() const { return job_ && job_->running(); }

bool WorkstationWindow::undo() {
  if (job_running() || !session_->can_undo()) return false;
  const formats::Status s = session_->undo();
  report(s, "undo");
  return static_cast<bool>(s);
}

bool WorkstationWindow::redo() {
  if (job_running() || !session_->can_redo()) return false;
  const formats::Status s = session_->redo();
  report(s, "redo");
  return static_cast<bool>(s);
}

bool WorkstationWindow::save(const fs::path& path) {
  if (job_running()) return false;
  const fs::path target = path.empty() ? session_->document_path() : path;
  if (target.empty()) {
    save_as_dialog();
    return !session_->dirty();
  }
  const formats::Status s = session_->save(target);
  report(s, "save");
  if (s) statusBar()->showMessage("saved " + QString::fromStdString(target.string()), 5000);
  update_status();
  return static_cast<bool>(s);
}

void WorkstationWindow::save_as_dialog() {
  QString path = QFileDialog::getSaveFileName(this, "Save document", "labels.pcanno.json",
                                              "pcanno document (*.json)");
  if (path.isEmpty()) return;
  // A name typed without the suffix would save a file that `pcanno` and Open do not recognise.
  if (!path.endsWith(".json", Qt::CaseInsensitive)) {
    path += ".pcanno.json";
    if (QFileInfo::exists(path) &&
        QMessageBox::question(this, "Save document", path + " exists. Replace it?") !=
            QMessageBox::Yes) {
      return;
    }
  }
  save(path.toStdString());
}

bool WorkstationWindow::settle_unsaved(const QString& action) {
  switch (ask_about_unsaved(this, *session_, action)) {
    case UnsavedChoice::kSave:
      // Save asks where when there is no document yet; cancelling that cancels the action.
      return save() && !session_->dirty();
    case UnsavedChoice::kDiscard:
      if (session_->dirty()) report(session_->abandon(), "discard");
      return true;
    case UnsavedChoice::kCancel:
      return false;
  }
  return false;
}

void WorkstationWindow::open_labels_dialog() {
  if (job_running()) return;
  if (!settle_unsaved("opening other labels")) return;
  std::vector<std::string> ids;
  QStringList filters = codec_filters(session_->registry(), false, ids);
  filters.prepend("any format, detected (*)");
  QString chosen;
  const QString path =
      QFileDialog::getOpenFileName(this, "Open labels", QString(), filters.join(";;"), &chosen);
  if (path.isEmpty()) return;
  const int index = filters.indexOf(chosen) - 1;
  report(open_labels(path.toStdString(), index >= 0 ? ids[static_cast<std::size_t>(index)] : ""),
         "open");
}

formats::Status WorkstationWindow::open_labels(const fs::path& path, const std::string& codec_id) {
  if (job_running()) return formats::Error{formats::ErrorCode::kIo, "a job is running", ""};
  auto codec = session_->registry().codecs().select(path, codec_id);
  if (!codec) return std::move(codec).error();
  const formats::Sequence* seq = session_->sequence();
  plugin::SessionOptions options;
  if (seq) {
    options.sequence = seq->root;
    options.sequence_options.name = seq->name;
  }
  options.recovery = plugin::RecoveryPolicy::kOffer;
  if ((*codec)->id == "pcanno") {
    // A native document keeps its journal: open it as the session's document.
    options.document = path;
  } else {
    if (!(*codec)->read) {
      return formats::Error{formats::ErrorCode::kUnsupported,
                            "format " + (*codec)->id + " cannot be read", path.string()};
    }
    formats::LabelContext context;
    context.sequence = seq;
    auto doc = (*codec)->read(path, context);
    if (!doc) return std::move(doc).error();
    // Journaled in the recovery folder, keyed by the dataset and these labels, until saved.
    std::error_code ec;
    const fs::path absolute = fs::weakly_canonical(path, ec);
    options.labels = std::move(*doc);
    options.labels_source = (*codec)->id + ":" + (ec ? path : absolute).string();
  }
  auto opened = plugin::Session::open(options);
  if (!opened) return std::move(opened).error();
  const QString recovery = resolve_pending_recovery(this, **opened);
  replace_session(std::move(*opened));
  if (!recovery.isEmpty()) statusBar()->showMessage(recovery, 8000);
  return {};
}

void WorkstationWindow::export_dialog() {
  if (job_running()) return;
  std::vector<std::string> ids;
  const QStringList filters = codec_filters(session_->registry(), true, ids);
  QString chosen;
  const QString path =
      QFileDialog::getSaveFileName(this, "Export labels", QString(), filters.join(";;"), &chosen);
  if (path.isEmpty() || filters.indexOf(chosen) < 0) return;
  // The dialog asked before overwriting. On the worker: a large export (KITTI object projects
  // every box into the camera) shows its progress and can be cancelled.
  export_labels_job(path.toStdString(), ids[static_cast<std::size_t>(filters.indexOf(chosen))],
                    true);
}

formats::Expected<std::function<formats::Status(const std::function<bool(double)>&)>>
WorkstationWindow::export_work(const fs::path& path, const std::string& codec_id, bool overwrite) {
  const formats::LabelCodec* codec = session_->registry().codecs().find(codec_id);
  if (!codec || !codec->write) {
    return formats::Error{formats::ErrorCode::kUnknownFormat,
                          "no label format " + codec_id + " that writes", path.string()};
  }
  // The codec writes to a temporary path and renames it into place: a cancelled export leaves
  // nothing behind.
  return std::function<formats::Status(const std::function<bool(double)>&)>(
      [this, codec, path, overwrite](const std::function<bool(double)>& progress) {
        formats::LabelContext context;
        context.sequence = session_->sequence();
        context.overwrite = overwrite;
        context.progress = progress;
        auto written = codec->write(session_->document(), path, context);
        if (!written) return formats::Status(std::move(written).error());
        // What the format could not hold is said, not lost silently: "exported as kitti-tracking:
        // wrote 15 boxes; dropped 2 polyline states: KITTI labels hold boxes only".
        export_summary_ = "exported as " + codec->id + ": " + formats::summarize(*written);
        return formats::Status();
      });
}

formats::Status WorkstationWindow::export_labels(const fs::path& path, const std::string& codec_id,
                                                 bool overwrite) {
  auto work = export_work(path, codec_id, overwrite);
  if (!work) return std::move(work).error();
  if (formats::Status s = (*work)({}); !s) return s;
  statusBar()->showMessage(QString::fromStdString(export_summary_), 8000);
  return {};
}

bool WorkstationWindow::export_labels_job(const fs::path& path, const std::string& codec_id,
                                          bool overwrite) {
  if (job_running()) return false;
  auto work = export_work(path, codec_id, overwrite);
  if (!work) {
    report(std::move(work).error(), "export");
    return false;
  }
  play_timer_.stop();
  if (!job_->start("export", std::move(*work))) return false;
  job_started("export");
  return true;
}

bool WorkstationWindow::run_checks_job() { return run_service("check", {}); }

void WorkstationWindow::replace_session(std::unique_ptr<plugin::Session> session) {
  if (observer_ >= 0) session_->remove_observer(observer_);
  observer_ = -1;
  tools_.reset();  // deactivates the active tool while its session is there
  session_ = std::move(session);
  frames_ = std::make_unique<FrameSource>(session_->sequence());
  loaded_frame_ = -1;
  follow_.forget_shown();
  attach_tools();
  build_tools_menu();  // the new session's registry may hold other plugins' tools
  attach_session();
  refresh();
  run_checks();
}

bool WorkstationWindow::propagate_selected() {
  const auto sel = session_->selection().track;
  const formats::Track* track = sel ? session_->document().track(*sel) : nullptr;
  if (!track || track->boxes.empty()) return false;
  // From the track's latest box at or before this frame: stepping past the last box and pressing
  // P continues the track from where it ends, as annotators expect.
  std::int64_t from = track->boxes.front().frame;
  for (const formats::BoxState& b : track->boxes) {
    if (b.frame <= session_->frame()) from = b.frame;
  }
  return run_service(
      "propagate",
      {{"track", std::to_string(*sel)}, {"from", std::to_string(from)}, {"direction", "forward"}});
}

bool WorkstationWindow::interpolate_selected() {
  const auto sel = session_->selection().track;
  if (!sel) return false;
  return run_service("interpolate", {{"track", std::to_string(*sel)}});
}

bool WorkstationWindow::run_service(const std::string& id, formats::AttributeMap parameters) {
  if (job_running()) return false;
  play_timer_.stop();
  changed_during_job_ = false;
  if (!job_->start(*session_, id, std::move(parameters))) return false;
  job_started(id);
  return true;
}

void WorkstationWindow::job_started(const std::string& name) {
  // Progress in the status bar rather than a modal dialog: a modal dialog takes the window's
  // activation, which nothing gives back without a window manager (Xvfb), and the window stays
  // visible while the job runs. Edits wait: the tools and commands refuse while job_running().
  job_bar_->setFormat(QString::fromStdString(name) + " %p%");
  job_bar_->setValue(0);
  job_bar_->show();
  job_cancel_->setEnabled(true);
  job_cancel_->show();
  job_cancel_action_->setEnabled(true);
  statusBar()->showMessage(
      QString("%1 running (Esc or Cancel stops it)").arg(QString::fromStdString(name)));
}

void WorkstationWindow::cancel_job() {
  if (!job_running() || job_->cancelling()) return;
  job_->cancel();
  // Said at once; the worker stops within half a second and job_finished() confirms.
  job_bar_->setFormat("cancelling " + QString::fromStdString(job_->name()) + "...");
  job_cancel_->setEnabled(false);
  statusBar()->showMessage("cancelling " + QString::fromStdString(job_->name()) + "...");
}

QString WorkstationWindow::job_progress_text() const {
  return job_bar_->isVisible() ? job_bar_->text() : QString();
}

void WorkstationWindow::job_finished(const QString& name, bool ok, bool cancelled,
                                     const QString& message) {
  job_bar_->hide();
  job_cancel_->hide();
  job_cancel_action_->setEnabled(false);
  QString text;
  bool full_check = false;
  if (cancelled) {
    text = name + " cancelled: nothing changed";
  } else if (!ok) {
    text = name + " stopped: " + message;
  } else if (name == "export") {
    text = QString::fromStdString(export_summary_);
  } else if (name == "check") {
    if (const plugin::QaReport* r = plugin::last_check_report(session_->registry())) {
      qa_ = *r;
      full_check = true;
      text = QString("check: %1 errors, %2 warnings")
                 .arg(r->count(plugin::Severity::kError))
                 .arg(r->count(plugin::Severity::kWarning));
    }
  } else {
    const plugin::ServiceOutcome* outcome =
        plugin::last_service_outcome(session_->registry(), name.toStdString());
    text = QString("%1: %2 boxes").arg(name).arg(outcome ? outcome->boxes : 0);
    if (outcome && !outcome->notes.empty()) {
      text += "; " + QString::fromStdString(outcome->notes.front());
    }
  }
  statusBar()->showMessage(text, 10000);
  changed_during_job_ = false;
  refresh();
  if (!full_check) run_checks();  // the full report just arrived: keep it until the next edit
}

void WorkstationWindow::toggle_play() {
  if (play_timer_.isActive()) {
    play_timer_.stop();
  } else if (!job_running()) {
    if (session_->frame() + 1 >= static_cast<std::int64_t>(session_->frame_count())) set_frame(0);
    play_timer_.start();
  }
}

void WorkstationWindow::toggle_birds_eye() { main_view_->set_birds_eye(!main_view_->birds_eye()); }

void WorkstationWindow::show_shortcuts() {
  auto* box = new QMessageBox(QMessageBox::NoIcon, "pcanno view: shortcuts", shortcut_sheet_html(),
                              QMessageBox::Close, this);
  box->setAttribute(Qt::WA_DeleteOnClose);
  box->setModal(false);
  box->show();
}

}  // namespace pcanno::viewer::workstation
