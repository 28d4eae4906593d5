#include "pcanno/viewer/workstation/automation_job.hpp"

#include "pcanno/plugin/registry.hpp"
#include "pcanno/plugin/session.hpp"

namespace pcanno::viewer::workstation {

AutomationJob::AutomationJob(QObject* parent) : QObject(parent) {
  poll_.setInterval(30);
  connect(&poll_, &QTimer::timeout, this, [this] { poll(); });
}

AutomationJob::~AutomationJob() {
  cancel_ = true;
  if (thread_.joinable()) thread_.join();
}

bool AutomationJob::start(plugin::Session& session, const std::string& service,
                          formats::AttributeMap parameters) {
  if (running_) return false;
  const plugin::AutomationService* s = session.registry().service(service);
  if (!s) return false;
  if (thread_.joinable()) thread_.join();
  running_ = true;
  cancel_ = false;
  done_ = false;
  percent_ = 0;
  service_ = service;
  auto run = s->run;
  thread_ = std::thread([this, &session, run, parameters = std::move(parameters)] {
    const formats::Status status = run(session, parameters, [this](double fraction) {
      percent_ = static_cast<int>(fraction * 100.0);
      return !cancel_.load();
    });
    ok_ = static_cast<bool>(status);
    message_ = status ? std::string() : status.error().describe();
    done_ = true;
  });
  poll_.start();
  return true;
}

void AutomationJob::poll() {
  emit progress(percent_.load());
  if (!done_) return;
  poll_.stop();
  thread_.join();
  running_ = false;
  emit finished(QString::fromStdString(service_), ok_, QString::fromStdString(message_));
}

}  // namespace pcanno::viewer::workstation
