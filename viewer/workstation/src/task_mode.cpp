#include "pcanno/viewer/workstation/task_mode.hpp"

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <thread>

#include <QMetaObject>

#include "pcanno/formats/datasets/sequence.hpp"
#include "pcanno/plugin/journal.hpp"
#include "pcanno/plugin/plugin_loader.hpp"
#include "pcanno/plugin/registry.hpp"
#include "pcanno/store/open_store.hpp"

namespace pcanno::viewer::workstation {
namespace fs = std::filesystem;
using formats::Error;
using formats::ErrorCode;
using formats::Expected;
using formats::Status;
using store::TaskState;

namespace {

/// "21:40Z": the hour and minute of `us` (UTC).
std::string clock_utc(std::int64_t us) {
  const std::time_t t = static_cast<std::time_t>(us / 1000000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char text[16];
  std::snprintf(text, sizeof text, "%02d:%02dZ", tm.tm_hour, tm.tm_min);
  return text;
}

bool has_role(store::ProjectStore& s, const std::string& user, store::Role role) {
  Expected<std::vector<store::User>> users = s.users();
  if (!users) return false;
  for (const store::User& u : *users) {
    if (u.name != user) continue;
    for (store::Role r : u.roles) {
      if (r == role || r == store::Role::kAdmin) return true;
    }
  }
  return false;
}

/// The session over the task's sequence and `labels`, at the task's first frame; the journal off
/// (the outbox, or nothing in review, keeps the edits).
Expected<std::unique_ptr<plugin::Session>> open_task_session(const store::SequenceRecord& seq,
                                                             const store::Task& task,
                                                             formats::Annotations labels) {
  plugin::SessionOptions options;
  plugin::Registry registry = plugin::Registry::with_builtins();
  plugin::load_plugins_from_environment(registry);
  options.sequence = seq.uri;
  options.sequence_options.readers = registry.shared_readers();
  options.sequence_options.layout = seq.layout;
  options.sequence_options.name = seq.name;
  // A layout with one sequence per folder names it after the folder, not as the project does.
  if (!formats::open_sequence(options.sequence, options.sequence_options)) {
    options.sequence_options.name.clear();
  }
  options.labels = std::move(labels);
  options.journal = false;
  Expected<std::unique_ptr<plugin::Session>> session = plugin::Session::open(options);
  if (!session) return session;
  if (task.first_frame > 0) (void)(*session)->set_frame(task.first_frame);
  return session;
}

}  // namespace

fs::path default_outbox(const std::string& url, const std::string& user, std::int64_t task_id) {
  // Keyed by person too: on a shared account one person's unsent edits must never be sent, in
  // another's name, by the other's open of the same task.
  const std::string hex = plugin::content_hash(url + "\n" + user);
  fs::path state;
  if (const char* x = std::getenv("XDG_STATE_HOME"); x && *x) {
    state = x;
  } else if (const char* home = std::getenv("HOME"); home && *home) {
    state = fs::path(home) / ".local" / "state";
  } else {
    state = fs::temp_directory_path();
  }
  return state / "pcanno" / "outbox" / hex / ("task-" + std::to_string(task_id) + ".outbox");
}

std::string default_store_url(const std::string& url) {
  if (!url.empty()) return url;
  const char* env = std::getenv("PCANNO_DB");
  return env ? env : "";
}

Expected<TaskMode::Opened> TaskMode::open(const TaskOpenOptions& options) {
  store::StoreOptions store_options;
  store_options.user = options.user;
  Expected<std::unique_ptr<store::ProjectStore>> gui =
      store::open_store(options.url, store_options);
  if (!gui) return std::move(gui).error();
  std::unique_ptr<TaskMode> mode(new TaskMode());
  mode->url_ = options.url;
  mode->store_ = std::move(*gui);
  mode->user_ = mode->store_->user();
  Expected<store::Task> task = mode->store_->task(options.task_id);
  if (!task) return std::move(task).error();
  Expected<store::SequenceRecord> seq = mode->store_->sequence(task->sequence_id);
  if (!seq) return std::move(seq).error();
  mode->sequence_ = *seq;
  const bool awaiting_review =
      task->state == TaskState::kSubmitted || task->state == TaskState::kInReview;
  mode->review_ = options.review ||
                  (awaiting_review && has_role(*mode->store_, mode->user_, store::Role::kReviewer));

  Opened opened;
  if (mode->review_) {
    if (!awaiting_review) {
      return Error{ErrorCode::kConflict,
                   "task " + std::to_string(task->id) + " is " + store::to_string(task->state) +
                       ": only a submitted task can be reviewed",
                   options.url};
    }
    if (task->state == TaskState::kSubmitted) {
      task = mode->store_->transition(task->id, TaskState::kInReview, "");
      if (!task) return std::move(task).error();
    }
    Expected<store::TaskLabels> labels = mode->store_->labels(task->id);
    if (!labels) return std::move(labels).error();
    Expected<std::unique_ptr<plugin::Session>> session =
        open_task_session(*seq, *task, std::move(labels->document));
    if (!session) return std::move(session).error();
    opened.session = std::move(*session);
    mode->status_.version = labels->version;
  } else {
    Expected<std::unique_ptr<store::ProjectStore>> worker =
        store::open_store(options.url, store_options);
    if (!worker) return std::move(worker).error();
    const std::string worker_user = (*worker)->user();
    store::TaskSyncOptions sync_options;
    sync_options.outbox = options.outbox.empty()
                              ? default_outbox(options.url, worker_user, task->id)
                              : options.outbox;
    std::error_code ec;
    fs::create_directories(sync_options.outbox.parent_path(), ec);
    sync_options.lease = options.lease;
    sync_options.heartbeat = options.lease / 3;
    Expected<std::unique_ptr<store::TaskSync>> sync =
        store::TaskSync::open(std::move(*worker), task->id, sync_options);
    if (!sync) return std::move(sync).error();
    mode->sync_ = std::move(*sync);
    if (task->state == TaskState::kNew || task->state == TaskState::kRejected) {
      task = mode->store_->transition(task->id, TaskState::kInProgress, "");
      if (!task) return std::move(task).error();
    }
    Expected<std::unique_ptr<plugin::Session>> session =
        open_task_session(*seq, *task, mode->sync_->document());
    if (!session) return std::move(session).error();
    opened.session = std::move(*session);
    mode->status_ = mode->sync_->status();
    // The worker reports on its own thread; the window hears of it on the GUI thread.
    TaskMode* self = mode.get();
    mode->sync_->set_listener([self](const store::SyncStatus& s) {
      QMetaObject::invokeMethod(
          self,
          [self, s] {
            self->status_ = s;
            emit self->changed();
          },
          Qt::QueuedConnection);
    });
  }
  mode->task_ = *task;
  (void)mode->reload();
  opened.mode = std::move(mode);
  return opened;
}

TaskMode::~TaskMode() {
  // Stop the worker before this object goes: its listener posts to it.
  detach();
  if (sync_) sync_->set_listener({});
  sync_.reset();
}

void TaskMode::detach() {
  if (attached_ && observer_ >= 0) attached_->remove_observer(observer_);
  attached_ = nullptr;
  observer_ = -1;
}

std::size_t TaskMode::open_comments() const {
  std::size_t n = 0;
  for (const store::Comment& c : comments_) n += c.resolved ? 0 : 1;
  return n;
}

QString TaskMode::title() const {
  std::string t = "pcanno \u2014 task " + std::to_string(task_.id) + " \u00b7 " + sequence_.name +
                  " frames " + std::to_string(task_.first_frame) + "-" +
                  std::to_string(task_.last_frame) + " \u00b7 " + store::to_string(task_.state);
  if (review_) {
    t += " \u00b7 review (read-only)";
  } else {
    const store::Lease& lease = status_.lease;
    if (!lease.holder.empty()) {
      t += " \u00b7 lease " + lease.holder + " until " + clock_utc(lease.expires_at_us);
    }
    switch (status_.state) {
      case store::SyncState::kSynced:
        t += " \u00b7 synced";
        break;
      case store::SyncState::kPushing:
        t += " \u00b7 pushing, " + std::to_string(status_.pending) + " pending";
        break;
      case store::SyncState::kOffline:
        t += " \u00b7 offline, " + std::to_string(status_.pending) + " pending";
        break;
      case store::SyncState::kRefused:
        t += " \u00b7 refused: " + status_.message;
        break;
    }
  }
  if (const std::size_t n = open_comments(); n > 0) {
    t += " \u00b7 " + std::to_string(n) + (n == 1 ? " open comment" : " open comments");
  }
  return QString::fromStdString(t);
}

void TaskMode::attach(plugin::Session& session) {
  if (!sync_) return;
  detach();
  attached_ = &session;
  observer_ = sync_->attach(session);
}

Status TaskMode::submit(const std::function<bool()>& keep_waiting) {
  if (review_) return Error{ErrorCode::kConflict, "a task under review is not submitted", ""};
  if (!sync_) return Error{ErrorCode::kConflict, "the task is closed", ""};
  for (;;) {
    const store::SyncStatus s = sync_->status();
    if (s.state == store::SyncState::kRefused) {
      return Error{ErrorCode::kConflict,
                   "not submitted: the store refused the edits (" + s.message + "); " +
                       std::to_string(s.pending) + " stay in the outbox",
                   ""};
    }
    if (s.state == store::SyncState::kOffline) {
      return Error{ErrorCode::kIo,
                   "not submitted: the store cannot be reached (" + s.message + "); " +
                       std::to_string(s.pending) +
                       " edits wait in the outbox and are sent when it answers",
                   ""};
    }
    if (s.pending == 0) break;
    if (sync_->wait_synced(std::chrono::milliseconds(100))) break;
    if (!keep_waiting()) return Error{ErrorCode::kCancelled, "submit cancelled", ""};
  }
  // Sent back while this window was open: the work resumes (rejected -> in progress) before it
  // is handed in again, as opening the task would have done.
  if (Status fresh = reload(); !fresh) return fresh;
  if (task_.state == TaskState::kNew || task_.state == TaskState::kRejected) {
    Expected<store::Task> started = store_->transition(task_.id, TaskState::kInProgress, "");
    if (!started) return std::move(started).error();
    task_ = *started;
  }
  Expected<store::Task> moved = store_->transition(task_.id, TaskState::kSubmitted, "");
  if (!moved) return std::move(moved).error();
  task_ = *moved;
  emit changed();
  return {};
}

Status TaskMode::accept() {
  Expected<store::Task> moved = store_->transition(task_.id, TaskState::kAccepted, "");
  if (!moved) return std::move(moved).error();
  task_ = *moved;
  emit changed();
  return {};
}

Status TaskMode::reject(const std::string& reason) {
  if (reason.empty()) return Error{ErrorCode::kInvalidArgument, "a rejection needs a reason", ""};
  Expected<store::Task> moved = store_->transition(task_.id, TaskState::kRejected, reason);
  if (!moved) return std::move(moved).error();
  task_ = *moved;
  emit changed();
  return {};
}

Status TaskMode::add_comment(const store::Comment& comment) {
  store::Comment c = comment;
  c.task_id = task_.id;
  Expected<store::Comment> added = store_->add_comment(c);
  if (!added) return std::move(added).error();
  comments_.push_back(*added);
  emit changed();
  return {};
}

Status TaskMode::resolve(std::int64_t comment_id, bool resolved) {
  if (Status done = store_->resolve_comment(comment_id, resolved); !done) return done;
  for (store::Comment& c : comments_) {
    if (c.id == comment_id) c.resolved = resolved;
  }
  emit changed();
  return {};
}

Status TaskMode::reload() {
  Expected<std::int64_t> mark = store_->change_mark();
  if (!mark) return std::move(mark).error();
  Expected<store::Task> task = store_->task(task_.id);
  if (!task) return std::move(task).error();
  Expected<std::vector<store::Comment>> comments = store_->comments(task_.id);
  if (!comments) return std::move(comments).error();
  task_ = *task;
  comments_ = std::move(*comments);
  mark_ = *mark;
  return {};
}

void TaskMode::poll() {
  Expected<std::int64_t> mark = store_->change_mark();
  if (!mark || *mark == mark_) return;  // unreachable stores are the sync status's business
  if (reload()) emit changed();
}

Status TaskMode::close(std::chrono::milliseconds timeout) {
  if (!sync_) return {};
  detach();
  sync_->set_listener({});
  Status closed = sync_->close(timeout);
  sync_.reset();
  return closed;
}

}  // namespace pcanno::viewer::workstation
