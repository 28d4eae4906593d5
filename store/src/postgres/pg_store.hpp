#pragma once
#include <chrono>
#include <memory>
#include <pqxx/pqxx>
#include <string>
#include <utility>

#include "backends.hpp"
#include "store_messages.hpp"

// The PostgreSQL backend: one libpq connection per store object, opened lazily again after the
// server went away. Every statement is parameterised; what a person may read and write is decided
// by the server's grants, row-level security policies and triggers (postgres/schema.cpp), so the
// client only turns their refusals into ErrorCodes.
namespace pcanno::store::postgres {

formats::Error make_error(formats::ErrorCode code, std::string message);
/// `(extract(epoch FROM column) * 1000000)::bigint`: a timestamptz as microseconds.
std::string micros(const std::string& column);
/// The conninfo (keywords or URI) with bounds on how long a vanished server can block a call:
/// connect, keepalive and TCP user timeouts, unless the caller set them.
std::string with_timeouts(const std::string& conninfo);

/// Counts pcanno_changes notifications; wait_for_change re-reads the mark after each one.
class ChangeReceiver final : public pqxx::notification_receiver {
 public:
  explicit ChangeReceiver(pqxx::connection& connection)
      : pqxx::notification_receiver(connection, "pcanno_changes") {}
  void operator()(const std::string& /*payload*/, int /*backend_pid*/) override { ++received_; }

 private:
  long received_ = 0;
};

/// Keeps libpqxx from printing the server's errors on stderr: they come back as Errors instead.
class QuietErrors final : public pqxx::errorhandler {
 public:
  explicit QuietErrors(pqxx::connection& connection) : pqxx::errorhandler(connection) {}
  bool operator()(const char* /*message*/) noexcept override { return false; }
};

class PostgresStore final : public ProjectStore {
 public:
  explicit PostgresStore(std::string conninfo) : conninfo_(std::move(conninfo)) {}
  ~PostgresStore() override;

  /// Connects and checks (or with `create`, migrates) the schema.
  Status open(bool create);

  std::string backend() const override { return "postgresql"; }
  std::string user() const override { return user_; }
  bool access_control() const override { return true; }
  Expected<int> schema_version() override;

  Status add_user(const std::string& name, Role role, const std::string& password) override;
  Expected<std::vector<User>> users() override;

  Expected<Project> create_project(const std::string& name) override;
  Expected<std::vector<Project>> projects() override;
  Expected<Project> project(const std::string& name) override;
  Status add_member(std::int64_t project_id, const std::string& user) override;
  Expected<SequenceRecord> add_sequence(const SequenceRecord& sequence) override;
  Expected<std::vector<SequenceRecord>> sequences(std::int64_t project_id) override;
  Expected<SequenceRecord> sequence(std::int64_t sequence_id) override;

  Expected<Task> create_task(const NewTask& task) override;
  Expected<std::vector<Task>> tasks(const TaskFilter& filter) override;
  Expected<Task> task(std::int64_t task_id) override;
  Status assign(std::int64_t task_id, const std::string& user) override;
  Expected<Task> transition(std::int64_t task_id, TaskState to, const std::string& reason) override;
  Expected<std::vector<TaskEvent>> task_events(std::int64_t task_id) override;

  Expected<Lease> acquire_lease(std::int64_t task_id, std::chrono::milliseconds duration) override;
  Expected<Lease> heartbeat(const Lease& lease, std::chrono::milliseconds duration) override;
  Status release_lease(const Lease& lease) override;

  Expected<std::int64_t> commit(const CommitRequest& request) override;
  Expected<std::vector<LabelCommit>> history(std::int64_t task_id,
                                             std::int64_t after_version) override;
  Expected<Snapshot> snapshot(std::int64_t task_id, std::int64_t version) override;
  Status put_snapshot(std::int64_t task_id, std::int64_t version,
                      const formats::Annotations& document) override;

  Expected<Comment> add_comment(const Comment& comment) override;
  Expected<std::vector<Comment>> comments(std::int64_t task_id) override;
  Status resolve_comment(std::int64_t comment_id, bool resolved) override;

  Expected<std::int64_t> change_mark() override;
  Expected<bool> wait_for_change(std::int64_t mark, std::chrono::milliseconds timeout) override;

 private:
  /// Runs `body(connection)` on a live connection, turning every exception into an Error.
  template <typename Body>
  auto guarded(Body&& body) -> decltype(body(std::declval<pqxx::connection&>())) {
    Status ready = ensure_connected();
    if (!ready) return std::move(ready).error();
    // Idle is measured from the end of the last call: a long wait is use, not idleness.
    struct Stamp {
      std::chrono::steady_clock::time_point& at;
      ~Stamp() { at = std::chrono::steady_clock::now(); }
    } stamp{last_used_};
    try {
      return body(*connection_);
    } catch (...) {
      return current_exception_error();
    }
  }

  Status ensure_connected();
  /// Maps the exception in flight; drops the connection when the server went away.
  formats::Error current_exception_error();
  void drop_connection() noexcept;
  Status check_schema(pqxx::connection& connection, bool create);
  formats::Error not_visible(const char* what, std::int64_t id) const;
  /// The task row locked FOR UPDATE (kNotFound when this user cannot see it), with its lease as
  /// stored, live or not.
  struct LockedTask {
    Task task;
    std::string holder;  ///< "" when nobody ever took it or it was released
    std::string token;
    std::int64_t expires_at_us = 0;
    bool live = false;  ///< expires after the server's now()
  };
  Expected<LockedTask> lock_task(pqxx::work& work, std::int64_t task_id);
  /// kConflict "task N is leased by X until T".
  static formats::Error leased_by(const LockedTask& locked);
  /// A libpq URL naming the server and database, without credentials, for messages.
  std::string display_url() const;

  std::string conninfo_;
  std::string user_;
  std::unique_ptr<pqxx::connection> connection_;
  /// When the connection last finished a call: one idle for longer is checked before use.
  std::chrono::steady_clock::time_point last_used_{};
  // Declared after connection_, so destroyed before it:
  std::unique_ptr<QuietErrors> quiet_;
  std::unique_ptr<ChangeReceiver> receiver_;
};

/// The task columns read_task() reads, in its order.
const std::string& task_columns();
Task read_task(const pqxx::row& row);
/// Appends a row to pcanno.changes (its trigger notifies the listeners on commit).
void record_change(pqxx::work& work, const std::int64_t* task_id, const char* kind);

}  // namespace pcanno::store::postgres
