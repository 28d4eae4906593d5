// File > Open sequence...: another sequence or scene of a dataset, with or without its sweeps.
#include <QAction>
#include <QFileDialog>
#include <QMenu>
#include <QStatusBar>

#include "pcanno/plugin/sequence_frames.hpp"
#include "pcanno/viewer/workstation/edit_gate.hpp"
#include "pcanno/viewer/workstation/sequence_dialog.hpp"
#include "pcanno/viewer/workstation/unsaved_edits.hpp"
#include "pcanno/viewer/workstation/workstation_session.hpp"
#include "pcanno/viewer/workstation/workstation_window.hpp"

namespace pcanno::viewer::workstation {
namespace fs = std::filesystem;

void WorkstationWindow::build_sequence_actions(QMenu* file) {
  QAction* a = file->addAction("Open se&quence...");
  a->setShortcut(QKeySequence("Ctrl+Shift+O"));
  a->setShortcutContext(Qt::WindowShortcut);
  connect(a, &QAction::triggered, this, [this] { open_sequence_dialog(); });
  gate_->add(a);  // replaces the session: not while a job holds it
}

void WorkstationWindow::open_sequence_dialog() {
  if (!settle_unsaved("opening another sequence")) return;
  const formats::Sequence* seq = session_->sequence();
  fs::path dataset = seq ? seq->root : fs::path();
  if (dataset.empty()) {
    // A document without points: the dataset is chosen first.
    const QString dir = QFileDialog::getExistingDirectory(this, "Dataset folder");
    if (dir.isEmpty()) return;
    dataset = dir.toStdString();
  }
  SequenceDialog dialog(dataset, seq ? seq->name : std::string(),
                        seq != nullptr && plugin::has_sweeps(*seq), this);
  if (dialog.exec() != QDialog::Accepted) return;
  const SequenceChoice choice = dialog.choice();
  if (choice.name.empty()) return;
  report(open_sequence(choice.dataset, choice.name, choice.sweeps), "open sequence");
}

formats::Status WorkstationWindow::open_sequence(const fs::path& dataset, const std::string& name,
                                                 bool sweeps) {
  // The job's worker uses the session: it may not be replaced under it.
  if (session_->busy()) {
    return formats::Error{
        formats::ErrorCode::kBusy,
        "'" + session_->busy_job() + "' is running; open the sequence once it has ended",
        dataset.string()};
  }
  // As `pcanno view DATASET --sequence-name NAME [--sweeps]` opens it: the dataset's own labels,
  // journaled in the recovery folder, and unsaved edits left for them offered back.
  WorkstationOptions options;
  options.sequence = dataset;
  options.sequence_name = name;
  options.include_sweeps = sweeps;
  options.recovery = plugin::RecoveryPolicy::kOffer;
  std::vector<std::string> notes;
  auto opened = open_workstation_session(options, &notes);
  if (!opened) return std::move(opened).error();
  const QString recovery = resolve_pending_recovery(this, **opened);
  replace_session(std::move(*opened));
  const formats::Sequence* seq = session_->sequence();
  QString said = QString("opened %1 (%2 frames%3)")
                     .arg(QString::fromStdString(name))
                     .arg(session_->frame_count())
                     .arg(seq != nullptr && plugin::has_sweeps(*seq) ? ", sweeps included" : "");
  if (!recovery.isEmpty()) said += "; " + recovery;
  statusBar()->showMessage(said, 8000);
  return {};
}

}  // namespace pcanno::viewer::workstation
