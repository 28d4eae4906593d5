#pragma once
#include <QString>

class QWidget;

namespace pcanno::plugin {
class Session;
}

namespace pcanno::viewer::workstation {

/// When `session` holds unsaved edits of an earlier session (opened with RecoveryPolicy::kOffer),
/// asks the user in a modal dialog whether to recover them (the default button, also on Esc, so
/// that no choice ever loses work) or discard them, and does it. Returns the status text to show.
QString resolve_pending_recovery(QWidget* parent, plugin::Session& session);

/// The user's answer to "save the unsaved edits before `action`?".
enum class UnsavedChoice { kSave, kDiscard, kCancel };

/// Asks, when `session` has unsaved edits, whether to save them before `action` ("closing",
/// "opening other labels"); kDiscard without asking when there are none.
UnsavedChoice ask_about_unsaved(QWidget* parent, const plugin::Session& session,
                                const QString& action);

}  // namespace pcanno::viewer::workstation
