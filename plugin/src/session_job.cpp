#include "pcanno/plugin/session.hpp"

namespace pcanno::plugin {

using formats::Error;
using formats::ErrorCode;
using formats::Status;

namespace {
// The session whose job this thread runs; set by JobScope on the job's worker.
thread_local const Session* t_job_session = nullptr;
}  // namespace

Status Session::begin_job(const std::string& name) {
  std::lock_guard<std::mutex> lock(job_mutex_);
  if (busy_) {
    return Error{ErrorCode::kBusy, "'" + job_name_ + "' is running; cancel it or wait", ""};
  }
  job_name_ = name.empty() ? "a job" : name;
  busy_ = true;
  return {};
}

void Session::end_job() {
  std::lock_guard<std::mutex> lock(job_mutex_);
  busy_ = false;
  job_name_.clear();
}

std::string Session::busy_job() const {
  std::lock_guard<std::mutex> lock(job_mutex_);
  return job_name_;
}

Status Session::refuse_while_busy() const {
  if (!busy_ || t_job_session == this) return {};
  return Error{ErrorCode::kBusy,
               "'" + busy_job() + "' is running; edits wait until it ends or is cancelled", ""};
}

Session::JobScope::JobScope(const Session& session) : previous_(t_job_session) {
  t_job_session = &session;
}

Session::JobScope::~JobScope() { t_job_session = previous_; }

}  // namespace pcanno::plugin
