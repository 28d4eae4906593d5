#pragma once
#include <atomic>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include <QObject>
#include <QTimer>

#include "pcanno/formats/labels/annotations.hpp"
#include "pcanno/formats/support/expected.hpp"

namespace pcanno::plugin {
class Session;
}

namespace pcanno::viewer::workstation {

/// Runs one long job on a worker thread: an automation service of the session's registry
/// ("propagate", "interpolate", "check", ...) or any other work (an export). The job holds the
/// Session's edit gate from start() until it has ended (Session::begin_job / end_job), and its
/// worker runs inside a Session::JobScope, so only the job edits meanwhile: the Session refuses
/// everyone else's edits with kBusy. The window shows the progress in its status bar and defers
/// its refreshes (observers fire on the worker; see WorkstationWindow::on_change). Services apply
/// their result as one undo step at the end, so a cancelled job leaves the document as it was.
/// Progress and the end are reported on the UI thread by polling, so no Qt object is touched from
/// the worker.
class AutomationJob : public QObject {
  Q_OBJECT

 public:
  /// The work: reports the fraction done and stops (kCancelled) when the callback returns false.
  using Work = std::function<formats::Status(const std::function<bool(double)>& progress)>;

  explicit AutomationJob(QObject* parent = nullptr);
  ~AutomationJob() override;  ///< cancels and joins a running job

  /// Runs `work` as job `name`, holding `session` until it ends. kBusy when a job holds the
  /// session already (this one or another host's).
  formats::Status start(plugin::Session& session, const std::string& name, Work work);
  bool running() const { return running_; }
  /// Asks the job to stop; it does within half a second and ends with finished(..., cancelled).
  void cancel() { cancel_ = true; }
  bool cancelling() const { return running_ && cancel_; }
  const std::string& name() const { return name_; }

 signals:
  /// `step`: what the job is doing now ("estimating ego motion"), else its name.
  void progress(int percent, QString step);
  /// `ok` false: failed or cancelled (`cancelled`), with the reason in `message`.
  void finished(QString name, bool ok, bool cancelled, QString message);

 private:
  void poll();
  /// Joins the worker and lets go of the session.
  void end();

  std::thread thread_;
  plugin::Session* session_ = nullptr;  ///< held from start() until end()
  QTimer poll_;
  std::atomic<bool> cancel_{false};
  std::atomic<bool> done_{false};
  std::atomic<int> percent_{0};
  std::atomic<bool> running_{false};  ///< read by session observers on the worker too
  std::string name_;
  std::mutex step_mutex_;
  std::string step_;        ///< plugin::current_step() on the worker; guarded by step_mutex_
  bool ok_ = false;         ///< written by the worker before done_, read after
  bool cancelled_ = false;  ///< likewise
  std::string message_;     ///< likewise
};

}  // namespace pcanno::viewer::workstation
