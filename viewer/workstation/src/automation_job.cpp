#include "pcanno/viewer/workstation/automation_job.hpp"

#include <algorithm>

#include "pcanno/plugin/automation/progress.hpp"
#include "pcanno/plugin/session.hpp"

namespace pcanno::viewer::workstation {

AutomationJob::AutomationJob(QObject* parent) : QObject(parent) {
  poll_.setInterval(30);
  connect(&poll_, &QTimer::timeout, this, [this] { poll(); });
}

AutomationJob::~AutomationJob() {
  cancel_ = true;
  end();
}

void AutomationJob::end() {
  if (thread_.joinable()) thread_.join();
  if (session_ != nullptr) session_->end_job();
  session_ = nullptr;
}

formats::Status AutomationJob::start(plugin::Session& session, const std::string& name,
                                     Work work) {
  if (running_) {
    return formats::Error{formats::ErrorCode::kBusy, "'" + name_ + "' is running; cancel it or wait",
                          ""};
  }
  if (formats::Status claimed = session.begin_job(name); !claimed) return claimed;
  end();  // the last job's thread, already done
  session_ = &session;
  running_ = true;
  cancel_ = false;
  done_ = false;
  percent_ = 0;
  name_ = name;
  {
    const std::lock_guard<std::mutex> lock(step_mutex_);
    step_.clear();
  }
  thread_ = std::thread([this, work = std::move(work)] {
    const plugin::Session::JobScope scope(*session_);  // the one thread that may edit now
    const formats::Status status = work([this](double fraction) {
      percent_ = std::clamp(static_cast<int>(fraction * 100.0), 0, 100);
      // The services name their steps on this thread (plugin::ProgressStep).
      const std::string& step = plugin::current_step();
      {
        const std::lock_guard<std::mutex> lock(step_mutex_);
        if (step_ != step) step_ = step;
      }
      return !cancel_.load();
    });
    ok_ = static_cast<bool>(status);
    cancelled_ = !status && status.error().code == formats::ErrorCode::kCancelled;
    message_ = status ? std::string() : status.error().describe();
    done_ = true;
  });
  poll_.start();
  return {};
}

void AutomationJob::poll() {
  QString step;
  {
    const std::lock_guard<std::mutex> lock(step_mutex_);
    step = QString::fromStdString(step_);
  }
  emit progress(percent_.load(), step.isEmpty() ? QString::fromStdString(name_) : step);
  if (!done_) return;
  poll_.stop();
  end();
  running_ = false;
  emit finished(QString::fromStdString(name_), ok_, cancelled_, QString::fromStdString(message_));
}

}  // namespace pcanno::viewer::workstation
