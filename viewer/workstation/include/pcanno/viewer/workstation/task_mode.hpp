#pragma once
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <QObject>
#include <QString>

#include "pcanno/formats/support/expected.hpp"
#include "pcanno/plugin/session.hpp"
#include "pcanno/store/project_store.hpp"
#include "pcanno/store/task_sync.hpp"

// The workstation's side of a project store task: `pcanno view --db URL --task ID [--review]`
// and File > Open task. As the annotator, the labels come from a store::TaskSync that holds the
// lease and sends every edit through its outbox; as the reviewer, they are read once from the
// store and stay read-only while the task is accepted, rejected or commented on.

namespace pcanno::viewer::workstation {

/// What `pcanno view --db URL [--user NAME] --task ID [--review]` opens.
struct TaskOpenOptions {
  std::string url;   ///< "sqlite:PATH", "postgresql://..."
  std::string user;  ///< SQLite: who acts (StoreOptions::user); empty: $PCANNO_USER, $USER
  std::int64_t task_id = 0;
  bool review = false;  ///< open for review (also chosen for a reviewer opening a submitted task)
  /// Where the outbox goes; empty: default_outbox(url, user, task_id).
  std::filesystem::path outbox;
  /// Passed to the TaskSync (tests shorten the heartbeat and the retries).
  std::chrono::milliseconds lease{30000};
};

/// `$XDG_STATE_HOME/pcanno/outbox/<content_hash(url + "\n" + user)>/task-<id>.outbox` (default
/// state folder ~/.local/state): one outbox per store, person and task, so that unsent edits are
/// found again on that person's next open of the same task.
std::filesystem::path default_outbox(const std::string& url, const std::string& user,
                                     std::int64_t task_id);

/// The store URL a dialog starts from: `url` when given, else $PCANNO_DB.
std::string default_store_url(const std::string& url);

class TaskMode : public QObject {
  Q_OBJECT

 public:
  struct Opened;
  /// Opens the task and a session over its labels (journal off: the outbox is the journal). As
  /// the annotator the task moves from new or rejected to in progress; for review it moves from
  /// submitted to in review. The session starts at the task's first frame.
  static formats::Expected<Opened> open(const TaskOpenOptions& options);
  ~TaskMode() override;

  bool review() const { return review_; }
  const store::Task& task() const { return task_; }
  const store::SequenceRecord& sequence() const { return sequence_; }
  const std::string& user() const { return user_; }
  const std::string& url() const { return url_; }
  /// The sync's last status (review: always synced, no lease).
  const store::SyncStatus& sync_status() const { return status_; }
  const std::vector<store::Comment>& comments() const { return comments_; }
  std::size_t open_comments() const;

  /// "pcanno — task 3 · 0000 frames 0-9 · in_progress · lease alice until 21:40Z · synced ·
  /// 2 open comments".
  QString title() const;

  /// Pushes every edit of `session` to the store (annotator; nothing in review) until close()
  /// or destruction, which detach from it: `session` must outlive this or its close().
  void attach(plugin::Session& session);

  /// Waits for the outbox to drain (calling `keep_waiting` about every 100 ms: false cancels),
  /// then moves the task to submitted. Refused (kConflict / kIo, the edits kept in the outbox)
  /// when the sync is refused or offline.
  formats::Status submit(const std::function<bool()>& keep_waiting);
  formats::Status accept();
  formats::Status reject(const std::string& reason);
  formats::Status add_comment(const store::Comment& comment);
  formats::Status resolve(std::int64_t comment_id, bool resolved);

  /// Reads the task and its comments again when the store changed; emits changed() then.
  void poll();
  /// Sends what is pending and lets go of the lease. An error names the edits that stay in the
  /// outbox (they are sent on the next open).
  formats::Status close(std::chrono::milliseconds timeout);

 signals:
  /// The task, its comments or the sync status changed (always on the GUI thread).
  void changed();

 private:
  TaskMode() = default;
  formats::Status reload();
  void detach();

  bool review_ = false;
  std::string url_;
  std::string user_;
  std::unique_ptr<store::ProjectStore> store_;  ///< the GUI thread's connection
  std::unique_ptr<store::TaskSync> sync_;       ///< annotator only; its own connection
  store::Task task_;
  store::SequenceRecord sequence_;
  store::SyncStatus status_;
  std::vector<store::Comment> comments_;
  std::int64_t mark_ = -1;
  plugin::Session* attached_ = nullptr;
  int observer_ = -1;
};

struct TaskMode::Opened {
  std::unique_ptr<TaskMode> mode;
  std::unique_ptr<plugin::Session> session;
};

}  // namespace pcanno::viewer::workstation
