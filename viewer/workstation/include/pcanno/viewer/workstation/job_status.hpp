#pragma once
#include <string>

#include <QObject>
#include <QString>

class QProgressBar;
class QPushButton;
class QStatusBar;

namespace pcanno::viewer::workstation {

class AutomationJob;

/// The status bar's display of the running job: a bar with its step and percent, and Cancel
/// beside it; both hidden between jobs. Progress shows in the status bar rather than in a modal
/// dialog: a modal dialog takes the window's activation, which nothing gives back without a window
/// manager (Xvfb), and the window stays usable for looking around while the job runs.
class JobStatus : public QObject {
  Q_OBJECT

 public:
  /// Adds the bar ("job_progress") and the button ("job_cancel") to `bar`, following `job`.
  JobStatus(AutomationJob& job, QStatusBar* bar);

  void show_started(const std::string& name);
  /// Said at once when the user cancels; the job confirms when it has stopped.
  void show_cancelling(const std::string& name);
  void hide();
  /// "<step> <percent>%" while a job runs, "" otherwise.
  QString text() const;

 signals:
  void cancel_clicked();

 private:
  AutomationJob& job_;
  QProgressBar* bar_;
  QPushButton* cancel_;
};

}  // namespace pcanno::viewer::workstation
