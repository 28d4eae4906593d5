#pragma once
#include <atomic>
#include <string>
#include <thread>

#include <QObject>
#include <QTimer>

#include "pcanno/formats/annotations.hpp"

namespace pcanno::plugin {
class Session;
}

namespace pcanno::viewer::workstation {

/// Runs one automation service of the session's registry ("propagate", "interpolate", ...) on a
/// worker thread. The Session is single-threaded, so while a job runs the window must not touch
/// it: it shows a modal progress dialog and defers its refreshes (observers fire on the worker;
/// see WorkstationWindow::on_change). The service applies its boxes as one undo step. Progress and
/// the end are reported on the UI thread by polling, so no Qt object is touched from the worker.
class AutomationJob : public QObject {
  Q_OBJECT

 public:
  explicit AutomationJob(QObject* parent = nullptr);
  ~AutomationJob() override;  ///< cancels and joins a running job

  /// False when a job is running or the registry has no such service.
  bool start(plugin::Session& session, const std::string& service,
             formats::AttributeMap parameters);
  bool running() const { return running_; }
  void cancel() { cancel_ = true; }

 signals:
  void progress(int percent);
  /// `ok` false: failed or cancelled, with the reason in `message`.
  void finished(QString service, bool ok, QString message);

 private:
  void poll();

  std::thread thread_;
  QTimer poll_;
  std::atomic<bool> cancel_{false};
  std::atomic<bool> done_{false};
  std::atomic<int> percent_{0};
  bool running_ = false;
  std::string service_;
  bool ok_ = false;      ///< written by the worker before done_, read after
  std::string message_;  ///< likewise
};

}  // namespace pcanno::viewer::workstation
