#include "pcanno/viewer/workstation/unsaved_edits.hpp"

#include <QDateTime>
#include <QLocale>
#include <QMessageBox>
#include <QPushButton>

#include "pcanno/plugin/session.hpp"

namespace pcanno::viewer::workstation {

QString resolve_pending_recovery(QWidget* parent, plugin::Session& session) {
  if (!session.pending_recovery()) return {};
  // A copy: deciding clears the session's.
  const plugin::PendingRecovery pending_copy = *session.pending_recovery();
  const plugin::PendingRecovery* pending = &pending_copy;
  const QString when = QDateTime::fromSecsSinceEpoch(pending->modified_unix_s)
                           .toString(QLocale().dateTimeFormat(QLocale::ShortFormat));
  QMessageBox box(QMessageBox::Question, "Recover unsaved edits",
                  QString("These labels have %1 unsaved edit(s) from a session that ended "
                          "without saving (last edit %2).\n\nRecover them?")
                      .arg(pending->edits)
                      .arg(when),
                  QMessageBox::NoButton, parent);
  box.setDetailedText("Journal: " + QString::fromStdString(pending->journal.string()));
  QPushButton* recover = box.addButton("&Recover", QMessageBox::AcceptRole);
  QPushButton* discard = box.addButton("&Discard", QMessageBox::DestructiveRole);
  box.setDefaultButton(recover);
  box.setEscapeButton(recover);
  box.exec();
  const bool discarding = box.clickedButton() == discard;
  const formats::Status status = discarding ? session.discard_recovery() : session.recover();
  if (!status) return "recovery: " + QString::fromStdString(status.error().describe());
  return QString(discarding ? "discarded %1 unsaved edit(s)" : "recovered %1 unsaved edit(s)")
      .arg(pending->edits);
}

UnsavedChoice ask_about_unsaved(QWidget* parent, const plugin::Session& session,
                                const QString& action) {
  if (!session.dirty()) return UnsavedChoice::kDiscard;
  const QString where = session.document_path().empty()
                            ? QString("They are not in any file yet.")
                            : QString("The last save of %1 does not hold them.")
                                  .arg(QString::fromStdString(session.document_path().string()));
  QMessageBox box(QMessageBox::Warning, "Unsaved edits",
                  "Save the labels before " + action + "?\n\n" + where,
                  QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel, parent);
  box.setDefaultButton(QMessageBox::Save);
  box.setEscapeButton(QMessageBox::Cancel);
  switch (box.exec()) {
    case QMessageBox::Save:
      return UnsavedChoice::kSave;
    case QMessageBox::Discard:
      return UnsavedChoice::kDiscard;
    default:
      return UnsavedChoice::kCancel;
  }
}

}  // namespace pcanno::viewer::workstation
