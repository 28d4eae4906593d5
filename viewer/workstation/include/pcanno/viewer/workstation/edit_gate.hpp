#pragma once
#include <vector>

#include <QObject>
#include <QPointer>

class QAction;
class QActionGroup;
class QWidget;

namespace pcanno::viewer::workstation {

/// The window's one edit gate: every action and panel that edits the session or moves its frame,
/// closed while a job holds the session. The Session refuses those edits then anyway (kBusy, see
/// Session::begin_job) and the ToolManager keeps the views' events from the tools; closing the
/// gate means the window offers none of them. Actions that only look (cameras, help) stay outside.
class EditGate : public QObject {
  Q_OBJECT

 public:
  explicit EditGate(QObject* parent = nullptr);

  /// Puts `action` behind the gate (in its action group); returns it.
  QAction* add(QAction* action);
  void add(QWidget* widget);
  QActionGroup* actions() const { return actions_; }

  /// Opens (enables) or closes (disables) everything behind the gate.
  void set_open(bool open);
  bool is_open() const { return open_; }

 private:
  QActionGroup* actions_;
  std::vector<QPointer<QWidget>> widgets_;
  bool open_ = true;
};

}  // namespace pcanno::viewer::workstation
