// The window's menus and commands: files, undo, navigation, help; the edit gate over them.
#include <QAction>
#include <QFileDialog>
#include <QFileInfo>
#include <QMenuBar>
#include <QMessageBox>
#include <QStatusBar>

#include "pcanno/formats/datasets/sequence.hpp"
#include "pcanno/plugin/attribute_rules.hpp"
#include "pcanno/plugin/registry.hpp"
#include "pcanno/plugin/sequence_frames.hpp"
#include "pcanno/viewer/workstation/edit_gate.hpp"
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
  // Behind the edit gate: whatever edits the session or moves its frame (the Session refuses
  // those during a job anyway); outside it: quitting, looking, help, and cancelling the job.
  const auto gated = [this, &add](QMenu* menu, const QString& text, const QKeySequence& key,
                                  auto slot) { return gate_->add(add(menu, text, key, slot)); };
  QMenu* file = menuBar()->addMenu("&File");
  gated(file, "&Open labels...", QKeySequence::Open, [this] { open_labels_dialog(); });
  build_sequence_actions(file);  // sequences: Open sequence...
  build_task_actions(file);      // project store tasks: Open task...
  gated(file, "&Save", QKeySequence::Save, [this] { save(); });
  gated(file, "Save &as...", QKeySequence("Ctrl+Shift+S"), [this] { save_as_dialog(); });
  gated(file, "&Export...", QKeySequence("Ctrl+E"), [this] { export_dialog(); });
  add(file, "&Quit", QKeySequence("Ctrl+Q"), [this] { close(); });

  QMenu* edit = menuBar()->addMenu("&Edit");
  gated(edit, "&Undo", QKeySequence("Ctrl+Z"), [this] { undo(); });
  gated(edit, "&Redo", QKeySequence("Ctrl+Shift+Z"), [this] { redo(); });
  home_action_ =
      gated(edit, "Select and &edit", QKeySequence(), [this] { (void)start_tool(tools_->home()); });
  box_action_ =
      gated(edit, "&New box", QKeySequence("N"), [this] { (void)toggle_tool("cuboid-create"); });
  polyline_action_ =
      gated(edit, "Po&lyline", QKeySequence("L"), [this] { (void)toggle_tool("polyline"); });
  trace_action_ = gated(edit, "One-click polyline (&trace)", QKeySequence("T"),
                        [this] { (void)toggle_tool("polyline-trace"); });
  build_modes_toolbar();
  build_measure_actions(edit);
  gated(edit, "&Propagate track or polyline", QKeySequence("P"), [this] { propagate_selected(); });
  gated(edit, "&Interpolate track or polyline", QKeySequence("I"),
        [this] { interpolate_selected(); });
  gated(edit, "Run &checks", QKeySequence("Ctrl+K"), [this] { run_checks_job(); });
  build_prelabel_actions(edit);  // pre-labels: Ctrl+D, Ctrl+Alt+D, the min score box
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
    gated(nudge, QString("Nudge %1").arg(n[1]), QKeySequence(QString("Alt+") + n[0]),
          [this, key] { nudge_selected(key, false); });
    gated(nudge, QString("Nudge %1 (fine)").arg(n[1]), QKeySequence(QString("Alt+Shift+") + n[0]),
          [this, key] { nudge_selected(key, true); });
  }
  QMenu* classes = edit->addMenu("&Class");
  for (int i = 0; i < 9; ++i) {
    gated(classes, QString("Class %1").arg(i + 1), QKeySequence(QString::number(i + 1)),
          [this, i] { choose_class(i); });
  }

  build_track_actions();  // repair: the Track menu

  QMenu* view = menuBar()->addMenu("&View");
  gated(view, "&Previous frame", QKeySequence(Qt::Key_Left), [this] { step(-1); });
  gated(view, "&Next frame", QKeySequence(Qt::Key_Right), [this] { step(1); });
  gated(view, "&First frame", QKeySequence(Qt::Key_Home), [this] { set_frame(0); });
  gated(view, "&Last frame", QKeySequence(Qt::Key_End),
        [this] { set_frame(static_cast<std::int64_t>(session_->frame_count()) - 1); });
  gated(view, "P&lay / pause", QKeySequence(Qt::Key_Space), [this] { toggle_play(); });
  add(view, "&Bird's eye", QKeySequence("B"),
      [this] { main_view_->set_birds_eye(!main_view_->birds_eye()); });
  QAction* north_up =
      add(view, "Top view &north up", QKeySequence("H"), [this](bool on) { set_top_north_up(on); });
  north_up->setCheckable(true);
  north_up->setChecked(top_north_up());
  build_camera_actions(view);
  build_display_actions(view);  // sparse

  tools_menu_ = menuBar()->addMenu("&Tools");
  build_tools_menu();

  QMenu* help = menuBar()->addMenu("&Help");
  add(help, "&Shortcuts", QKeySequence(Qt::Key_F1), [this] { show_shortcuts(); });
}

bool WorkstationWindow::undo() {
  const formats::Status s = session_->undo();
  // Nothing to undo is no news; anything else (kBusy during a job) is said.
  if (!s && s.error().code != formats::ErrorCode::kConflict) report(s, "undo");
  return static_cast<bool>(s);
}

bool WorkstationWindow::redo() {
  const formats::Status s = session_->redo();
  if (!s && s.error().code != formats::ErrorCode::kConflict) report(s, "redo");
  return static_cast<bool>(s);
}

bool WorkstationWindow::save(const fs::path& path) {
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
  // The job's worker uses the session: it may not be replaced under it.
  if (session_->busy()) {
    return formats::Error{
        formats::ErrorCode::kBusy,
        "'" + session_->busy_job() + "' is running; open labels once it has ended", path.string()};
  }
  auto codec = session_->registry().codecs().select(path, codec_id);
  if (!codec) return std::move(codec).error();
  const formats::Sequence* seq = session_->sequence();
  plugin::SessionOptions options;
  if (seq) {
    options.sequence = seq->root;
    options.sequence_options.name = seq->name;
    options.sequence_options.include_sweeps = plugin::has_sweeps(*seq);  // sequences
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

void WorkstationWindow::replace_session(std::unique_ptr<plugin::Session> session) {
  if (observer_ >= 0) session_->remove_observer(observer_);
  observer_ = -1;
  tools_.reset();  // deactivates the active tool while its session is there
  session_ = std::move(session);
  frames_ = std::make_unique<FrameSource>(session_->sequence());
  loaded_frame_ = -1;
  follow_.forget_shown();
  // The last two tracks selected were the old document's: the same ids may be other objects now.
  repair_last_.reset();
  repair_previous_.reset();
  attach_tools();
  build_tools_menu();  // the new session's registry may hold other plugins' tools
  attach_session();
  if (class_schema_) {  // as `--schema` loaded it into the first session
    report(session_->apply(plugin::load_class_schema(session_->document(), *class_schema_)),
           "--schema");
  }
  refresh();
  run_checks();
}

void WorkstationWindow::toggle_play() {
  if (play_timer_.isActive()) {
    play_timer_.stop();
  } else {
    // From the start when at the end; the timer stops when a frame cannot be reached.
    if (session_->frame() + 1 >= static_cast<std::int64_t>(session_->frame_count())) set_frame(0);
    play_timer_.start();
  }
}

void WorkstationWindow::show_shortcuts() {
  auto* box = new QMessageBox(QMessageBox::NoIcon, "pcanno view: shortcuts", shortcut_sheet_html(),
                              QMessageBox::Close, this);
  box->setAttribute(Qt::WA_DeleteOnClose);
  box->setModal(false);
  box->show();
}

}  // namespace pcanno::viewer::workstation
