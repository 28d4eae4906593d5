#pragma once
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "pcanno/formats/labels/annotations.hpp"
#include "pcanno/plugin/journal.hpp"
#include "pcanno/plugin/session.hpp"
#include "pcanno/store/project_store.hpp"

// The client side of a task: keeps the labels a person edits in step with the project store.
//
// Every edit list is first appended to a local outbox (a plugin::Journal, synced to disk) and
// only then acknowledged to the editor; a worker thread sends the outbox to the store in order,
// each commit carrying this client's id and the edit's sequence number, and holds the lease with
// heartbeats. When the server cannot be reached the edits wait in the outbox while the person
// goes on working; the worker retries with backoff and, once the server answers, renews the lease
// and replays them. The store stores a (client id, sequence) pair once, so an edit whose
// acknowledgement was lost is not applied twice, and an edit the store acknowledged is never
// lost: it is in the store. A client that crashed finds its outbox on the next open(), asks the
// store which of its edits arrived, and replays the rest.

namespace pcanno::store {

struct TaskSyncOptions {
  /// The outbox file, one per task and client install (a host keeps it in its state folder).
  std::filesystem::path outbox;
  std::chrono::milliseconds lease{30000};      ///< lease duration asked for at each renewal
  std::chrono::milliseconds heartbeat{10000};  ///< how often the lease is renewed
  std::chrono::milliseconds retry_min{100};    ///< first wait after a failure, doubled up to
  std::chrono::milliseconds retry_max{5000};   ///< this
  plugin::JournalSync sync = plugin::JournalSync::kData;
};

enum class SyncState {
  kSynced,   ///< the store holds every edit
  kPushing,  ///< edits are on their way
  kOffline,  ///< the server cannot be reached; edits wait in the outbox and are retried
  kRefused,  ///< the store refused (the lease went to someone else, a stale version): edits stay
             ///< in the outbox, nothing more is sent; the message says why
};
const char* to_string(SyncState state);

struct SyncStatus {
  SyncState state = SyncState::kSynced;
  std::int64_t version = 0;       ///< the task's store version this client last wrote or read
  std::size_t pending = 0;        ///< edit lists in the outbox the store has not acknowledged
  std::int64_t acknowledged = 0;  ///< sequence number of the last acknowledged edit list
  std::string message;            ///< why offline or refused
  Lease lease;
};

class TaskSync {
 public:
  /// Takes the task's lease, loads its labels and replays this client's unacknowledged edits from
  /// an outbox left by an earlier run onto them (document() holds the result), then starts sending.
  /// `store` is used by the worker thread only from then on. kConflict when someone else holds the
  /// lease or the left edits no longer apply.
  static Expected<std::unique_ptr<TaskSync>> open(std::unique_ptr<ProjectStore> store,
                                                  std::int64_t task_id,
                                                  const TaskSyncOptions& options);
  /// Stops the worker. Unsent edits stay in the outbox for the next open(); the lease is kept
  /// until it expires (close() releases it).
  ~TaskSync();
  TaskSync(const TaskSync&) = delete;
  TaskSync& operator=(const TaskSync&) = delete;

  std::int64_t task_id() const { return task_id_; }
  const std::string& client_id() const { return client_id_; }
  /// The labels at open(), with the replayed edits: the editing session starts from these.
  const formats::Annotations& document() const { return document_; }

  /// Appends `edits` to the outbox (durable when this returns) and queues them for the store.
  /// Thread-safe. kIo when the outbox cannot be written: the edit is then not safe.
  Status push(const std::vector<formats::DocumentEdit>& edits);
  SyncStatus status() const;
  /// Called on the worker thread after every change of status().
  void set_listener(std::function<void(const SyncStatus&)> listener);
  /// Waits until every pushed edit is acknowledged; false on timeout or when refused.
  bool wait_synced(std::chrono::milliseconds timeout) const;
  /// Sends what is pending (waiting up to `timeout`), stops the worker and releases the lease.
  /// kConflict or kIo, naming how many edits remain in the outbox, when not everything was sent.
  Status close(std::chrono::milliseconds timeout);

  /// Pushes every edit `session` applies (edits, undo, redo) until detach() with the returned id.
  /// The session should not journal on its own: the outbox is its journal.
  int attach(plugin::Session& session);

 private:
  struct Pending {
    std::int64_t seq = 0;
    std::vector<formats::DocumentEdit> edits;
  };

  TaskSync() = default;
  void run();
  /// One step of the worker (a heartbeat or a commit); false when it should stop sending.
  void step(std::unique_lock<std::mutex>& lock);
  void set_state(SyncState state, std::string message);
  void notify_listener(std::unique_lock<std::mutex>& lock);
  /// Rewrites the outbox empty once everything is acknowledged, so that it does not grow forever.
  void compact();
  void stop_worker();

  std::unique_ptr<ProjectStore> store_;
  std::int64_t task_id_ = 0;
  std::string client_id_;
  TaskSyncOptions options_;
  formats::Annotations document_;

  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
  std::optional<plugin::Journal> outbox_;
  std::deque<Pending> queue_;
  std::int64_t next_seq_ = 1;
  SyncStatus status_;
  bool stop_ = false;
  /// Why edits can no longer be kept safe (the outbox could not be written); sticky: push(),
  /// wait_synced() and close() all report it.
  std::string unsafe_;
  bool renew_first_ = false;  ///< renew the lease before the next commit (after a failure)
  std::chrono::milliseconds backoff_{0};
  std::chrono::steady_clock::time_point retry_at_{};
  std::chrono::steady_clock::time_point heartbeat_at_{};
  std::function<void(const SyncStatus&)> listener_;
  std::thread worker_;
};

}  // namespace pcanno::store
