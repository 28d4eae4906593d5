#include "pcanno/store/task_sync.hpp"

#include <algorithm>

#include "store_messages.hpp"

namespace pcanno::store {
namespace {

using Clock = std::chrono::steady_clock;

// The outbox's journal base names the client and the sequence number of its first entry, so that
// entry i has sequence first + i: "<client id>:<first sequence>".
std::string outbox_base(const std::string& client_id, std::int64_t first_seq) {
  return client_id + ":" + std::to_string(first_seq);
}

bool parse_outbox_base(const std::string& base, std::string& client_id, std::int64_t& first_seq) {
  const std::size_t colon = base.rfind(':');
  if (colon == std::string::npos || colon == 0) return false;
  try {
    std::size_t used = 0;
    first_seq = std::stoll(base.substr(colon + 1), &used);
    if (used != base.size() - colon - 1 || first_seq < 1) return false;
  } catch (const std::exception&) {
    return false;
  }
  client_id = base.substr(0, colon);
  return true;
}

bool retryable(const formats::Error& error) {
  return error.code == formats::ErrorCode::kIo || error.code == formats::ErrorCode::kBusy;
}

}  // namespace

const char* to_string(SyncState state) {
  switch (state) {
    case SyncState::kSynced:
      return "synced";
    case SyncState::kPushing:
      return "pushing";
    case SyncState::kOffline:
      return "offline";
    case SyncState::kRefused:
      return "refused";
  }
  return "unknown";
}

Expected<std::unique_ptr<TaskSync>> TaskSync::open(std::unique_ptr<ProjectStore> store,
                                                   std::int64_t task_id,
                                                   const TaskSyncOptions& options) {
  // Before the lease: a second window on the same task must fail here, not take the lease from
  // the first and then fail on the outbox.
  if (plugin::Journal::in_use(options.outbox)) {
    return error(formats::ErrorCode::kPermission,
                 "task " + std::to_string(task_id) + " is open in another window of this client",
                 options.outbox.string());
  }
  std::unique_ptr<TaskSync> sync(new TaskSync());
  sync->task_id_ = task_id;
  sync->options_ = options;
  Expected<Lease> lease = store->acquire_lease(task_id, options.lease);
  if (!lease) return std::move(lease).error();
  sync->status_.lease = *lease;

  // An outbox left by an earlier run of this client: its entries the store has not seen are
  // edits this person made and was told were safe.
  std::vector<Pending> left;
  Expected<plugin::JournalContents> contents = plugin::Journal::read(options.outbox);
  std::uint64_t keep_bytes = 0;
  if (contents) {
    std::int64_t first_seq = 1;
    if (!parse_outbox_base(contents->base, sync->client_id_, first_seq)) {
      return error(formats::ErrorCode::kMalformed,
                   "not an outbox: its header does not name a client and a sequence",
                   options.outbox.string());
    }
    if (contents->damaged) {
      return error(formats::ErrorCode::kMalformed, contents->dropped, options.outbox.string());
    }
    for (std::size_t i = 0; i < contents->entries.size(); ++i) {
      left.push_back({first_seq + static_cast<std::int64_t>(i), std::move(contents->entries[i])});
    }
    sync->next_seq_ = first_seq + static_cast<std::int64_t>(left.size());
    keep_bytes = contents->valid_bytes;
  } else if (contents.error().code != formats::ErrorCode::kNotFound &&
             contents.error().code != formats::ErrorCode::kMalformed) {
    // A malformed outbox is one whose rewrite was cut short after everything was acknowledged
    // (compact() empties it only then): nothing in it is pending.
    return std::move(contents).error();
  }
  if (sync->client_id_.empty()) sync->client_id_ = random_token();

  Expected<std::vector<LabelCommit>> log = store->history(task_id, 0);
  if (!log) return std::move(log).error();
  std::int64_t acknowledged = sync->next_seq_ - 1 - static_cast<std::int64_t>(left.size());
  for (const LabelCommit& commit : *log) {
    if (commit.client_id == sync->client_id_) {
      acknowledged = std::max(acknowledged, commit.client_seq);
    }
  }
  // A restored or copied outbox may be behind the store: never reuse a number it holds.
  sync->next_seq_ = std::max(sync->next_seq_, acknowledged + 1);
  Expected<TaskLabels> labels = store->labels(task_id);
  if (!labels) return std::move(labels).error();
  sync->document_ = std::move(labels->document);
  sync->status_.version = labels->version;
  sync->status_.acknowledged = acknowledged;
  for (Pending& entry : left) {
    if (entry.seq <= acknowledged) continue;
    Expected<std::vector<formats::DocumentEdit>> applied =
        formats::apply_edits(sync->document_, entry.edits);
    if (!applied) {
      return error(formats::ErrorCode::kConflict,
                   "task " + std::to_string(task_id) + ": unsent edit " +
                       std::to_string(entry.seq) +
                       " of the outbox no longer applies to the "
                       "store's labels (" +
                       applied.error().message + "); the outbox is kept",
                   options.outbox.string());
    }
    sync->queue_.push_back(std::move(entry));
  }

  Expected<plugin::Journal> outbox =
      contents
          ? plugin::Journal::resume(options.outbox, keep_bytes, options.sync)
          : plugin::Journal::create(options.outbox, outbox_base(sync->client_id_, 1), options.sync);
  if (!outbox) return std::move(outbox).error();
  sync->outbox_.emplace(std::move(*outbox));
  sync->status_.pending = sync->queue_.size();
  sync->status_.state = sync->queue_.empty() ? SyncState::kSynced : SyncState::kPushing;
  sync->store_ = std::move(store);
  sync->heartbeat_at_ = Clock::now() + options.heartbeat;
  sync->worker_ = std::thread([raw = sync.get()] { raw->run(); });
  return sync;
}

TaskSync::~TaskSync() { stop_worker(); }

void TaskSync::stop_worker() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  changed_.notify_all();
  if (worker_.joinable()) worker_.join();
}

Status TaskSync::push(const std::vector<formats::DocumentEdit>& edits) {
  if (edits.empty()) return {};
  std::unique_lock<std::mutex> lock(mutex_);
  if (!outbox_) {
    return error(formats::ErrorCode::kConflict, "task " + std::to_string(task_id_) + " is closed");
  }
  // After one edit could not be kept, accept no more: a later edit sent without it would leave
  // a hole in the task's history. The editor's session still holds them all.
  if (!unsafe_.empty()) return error(formats::ErrorCode::kIo, unsafe_, options_.outbox.string());
  if (Status written = outbox_->append(edits); !written) {
    unsafe_ = "an edit could not be written to the outbox (" + written.error().describe() +
              "); it and any later ones are only in the open session";
    set_state(SyncState::kRefused, unsafe_);
    notify_listener(lock);
    changed_.notify_all();
    return written;
  }
  queue_.push_back({next_seq_++, edits});
  status_.pending = queue_.size();
  if (status_.state == SyncState::kSynced) status_.state = SyncState::kPushing;
  notify_listener(lock);
  changed_.notify_all();
  return {};
}

SyncStatus TaskSync::status() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return status_;
}

void TaskSync::set_listener(std::function<void(const SyncStatus&)> listener) {
  std::lock_guard<std::mutex> lock(mutex_);
  listener_ = std::move(listener);
}

bool TaskSync::wait_synced(std::chrono::milliseconds timeout) const {
  std::unique_lock<std::mutex> lock(mutex_);
  return changed_.wait_for(
             lock, timeout,
             [this] { return queue_.empty() || status_.state == SyncState::kRefused; }) &&
         queue_.empty() && unsafe_.empty();
}

Status TaskSync::close(std::chrono::milliseconds timeout) {
  const bool synced = wait_synced(timeout);
  stop_worker();
  std::lock_guard<std::mutex> lock(mutex_);
  if (!unsafe_.empty()) {
    return error(formats::ErrorCode::kIo, "task " + std::to_string(task_id_) + ": " + unsafe_,
                 options_.outbox.string());
  }
  if (!synced) {
    return error(status_.state == SyncState::kRefused ? formats::ErrorCode::kConflict
                                                      : formats::ErrorCode::kIo,
                 "task " + std::to_string(task_id_) + ": " + std::to_string(queue_.size()) +
                     " edit(s) not sent (" + status_.message + "); they stay in the outbox " +
                     options_.outbox.string() + " and are sent when the task is opened again");
  }
  outbox_.reset();
  return store_->release_lease(status_.lease);
}

int TaskSync::attach(plugin::Session& session) {
  // A failed push marks the sync refused and unsafe itself (push()); the host reads status().
  return session.add_observer([this](const plugin::Change& change) {
    if (change.edits && !change.edits->empty()) (void)push(*change.edits);
  });
}

void TaskSync::set_state(SyncState state, std::string message) {
  status_.state = state;
  status_.message = std::move(message);
}

void TaskSync::notify_listener(std::unique_lock<std::mutex>& lock) {
  if (!listener_) return;
  const SyncStatus snapshot = status_;
  const auto listener = listener_;
  lock.unlock();
  listener(snapshot);
  lock.lock();
}

void TaskSync::run() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (!stop_) {
    if (status_.state == SyncState::kRefused) {
      // Nothing more is sent once refused: sleep until close() or the destructor.
      changed_.wait(lock, [&] { return stop_; });
      break;
    }
    const auto wake = queue_.empty() ? heartbeat_at_ : std::max(retry_at_, Clock::now());
    changed_.wait_until(lock, std::min(wake, heartbeat_at_),
                        [&] { return stop_ || (!queue_.empty() && Clock::now() >= retry_at_); });
    if (stop_) break;
    const bool due_beat = Clock::now() >= heartbeat_at_;
    if (!due_beat && (queue_.empty() || Clock::now() < retry_at_)) continue;
    step(lock);
    changed_.notify_all();
  }
}

void TaskSync::step(std::unique_lock<std::mutex>& lock) {
  const auto fail = [&](const formats::Error& failure) {
    if (retryable(failure)) {
      backoff_ = std::clamp(backoff_ * 2, options_.retry_min, options_.retry_max);
      retry_at_ = Clock::now() + backoff_;
      heartbeat_at_ = std::max(heartbeat_at_, retry_at_);
      renew_first_ = true;
      set_state(SyncState::kOffline, failure.describe());
    } else {
      set_state(SyncState::kRefused, failure.describe());
    }
    notify_listener(lock);
  };

  if (renew_first_ || Clock::now() >= heartbeat_at_) {
    const Lease lease = status_.lease;
    lock.unlock();
    Expected<Lease> renewed = store_->heartbeat(lease, options_.lease);
    lock.lock();
    if (!renewed) return fail(renewed.error());
    status_.lease = *renewed;
    renew_first_ = false;
    heartbeat_at_ = Clock::now() + options_.heartbeat;
    if (status_.state == SyncState::kOffline) {
      set_state(queue_.empty() ? SyncState::kSynced : SyncState::kPushing, "");
      notify_listener(lock);
    }
    if (queue_.empty()) return;
  }
  if (queue_.empty()) return;
  CommitRequest request{task_id_,   status_.version,    status_.lease.token,
                        client_id_, queue_.front().seq, queue_.front().edits};
  lock.unlock();
  Expected<std::int64_t> version = store_->commit(request);
  lock.lock();
  if (!version) return fail(version.error());
  status_.version = *version;
  status_.acknowledged = request.client_seq;
  queue_.pop_front();
  status_.pending = queue_.size();
  backoff_ = std::chrono::milliseconds(0);
  if (queue_.empty()) {
    compact();
    if (status_.state != SyncState::kRefused) set_state(SyncState::kSynced, "");
  } else {
    set_state(SyncState::kPushing, "");
  }
  notify_listener(lock);
}

void TaskSync::compact() {
  // Only with nothing pending: a crash between emptying and rewriting loses nothing unsent.
  outbox_.reset();  // drops the lock first: create() takes it anew
  Expected<plugin::Journal> fresh =
      plugin::Journal::create(options_.outbox, outbox_base(client_id_, next_seq_), options_.sync);
  if (fresh) {
    outbox_.emplace(std::move(*fresh));
  } else {
    unsafe_ = "the outbox could not be rewritten (" + fresh.error().describe() +
              "); further edits cannot be kept";
    set_state(SyncState::kRefused, unsafe_);
  }
}

}  // namespace pcanno::store
