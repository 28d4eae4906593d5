// The window's menus and commands: files, undo, automation, navigation, help.
#include <QAction>
#include <QFileDialog>
#include <QFileInfo>
#include <QMenuBar>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QStatusBar>

#include "pcanno/formats/sequence.hpp"
#include "pcanno/plugin/registry.hpp"
#include "pcanno/plugin/services/automation_services.hpp"
#include "pcanno/viewer/workstation/automation_job.hpp"
#include "pcanno/viewer/workstation/scene_view.hpp"
#include "pcanno/viewer/workstation/shortcut_sheet.hpp"
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
  add(edit, "&New box", QKeySequence("N"),
      [this] { set_mode(mode_ == Mode::kCreate ? Mode::kEdit : Mode::kCreate); });
  add(edit, "&Propagate track", QKeySequence("P"), [this] { propagate_selected(); });
  add(edit, "&Interpolate track", QKeySequence("I"), [this] { interpolate_selected(); });
  add(edit, "Run &checks", QKeySequence("Ctrl+K"), [this] { run_checks(); });
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
  north_up->setChecked(top_north_up_);

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

void WorkstationWindow::open_labels_dialog() {
  if (job_running()) return;
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
  if ((*codec)->id == "pcanno") {
    // A native document keeps its journal: open it as the session's document.
    plugin::SessionOptions options;
    if (seq) options.sequence = seq->root;
    options.document = path;
    auto opened = plugin::Session::open(options);
    if (!opened) return std::move(opened).error();
    replace_session(std::move(*opened));
    return {};
  }
  if (!(*codec)->read) {
    return formats::Error{formats::ErrorCode::kUnsupported,
                          "format " + (*codec)->id + " cannot be read", path.string()};
  }
  formats::LabelContext context;
  context.sequence = seq;
  auto doc = (*codec)->read(path, context);
  if (!doc) return std::move(doc).error();
  std::optional<formats::Sequence> copy;
  if (seq) copy = *seq;
  replace_session(plugin::Session::create(std::move(*doc), std::move(copy)));
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
  // The dialog asked before overwriting.
  report(export_labels(path.toStdString(), ids[static_cast<std::size_t>(filters.indexOf(chosen))],
                       true),
         "export");
}

formats::Status WorkstationWindow::export_labels(const fs::path& path, const std::string& codec_id,
                                                 bool overwrite) {
  const formats::LabelCodec* codec = session_->registry().codecs().find(codec_id);
  if (!codec || !codec->write) {
    return formats::Error{formats::ErrorCode::kUnknownFormat,
                          "no label format " + codec_id + " that writes", path.string()};
  }
  formats::LabelContext context;
  context.sequence = session_->sequence();
  context.overwrite = overwrite;
  auto written = codec->write(session_->document(), path, context);
  if (!written) return std::move(written).error();
  // What the format could not hold is said, not lost silently: "exported as kitti-tracking:
  // wrote 15 boxes; dropped 2 polyline states: KITTI labels hold boxes only".
  statusBar()->showMessage(
      QString::fromStdString("exported as " + codec->id + ": " + formats::summarize(*written)),
      8000);
  return {};
}

void WorkstationWindow::replace_session(std::unique_ptr<plugin::Session> session) {
  if (observer_ >= 0) session_->remove_observer(observer_);
  observer_ = -1;
  session_ = std::move(session);
  frames_ = std::make_unique<FrameSource>(session_->sequence());
  loaded_frame_ = -1;
  shown_selection_.reset();
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
  // Progress in the status bar rather than a modal dialog: a modal dialog takes the window's
  // activation, which nothing gives back without a window manager (Xvfb), and the window stays
  // visible while the job runs. Edits wait: the tools and commands refuse while job_running().
  job_bar_->setValue(0);
  job_bar_->show();
  job_cancel_->show();
  statusBar()->showMessage(
      QString("%1 running (Esc or Cancel stops it)").arg(QString::fromStdString(id)));
  return true;
}

void WorkstationWindow::service_finished(const QString& id, bool ok, const QString& message) {
  job_bar_->hide();
  job_cancel_->hide();
  QString text;
  if (ok) {
    const plugin::ServiceOutcome* outcome =
        plugin::last_service_outcome(session_->registry(), id.toStdString());
    text = QString("%1: %2 boxes").arg(id).arg(outcome ? outcome->boxes : 0);
    if (outcome && !outcome->notes.empty()) {
      text += "; " + QString::fromStdString(outcome->notes.front());
    }
  } else {
    text = id + " stopped: " + message;
  }
  statusBar()->showMessage(text, 10000);
  changed_during_job_ = false;
  refresh();
  run_checks();
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
