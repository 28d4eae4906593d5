#pragma once
#include <memory>
#include <string>

#include "pcanno/store/open_store.hpp"
#include "sqlite_db.hpp"

// The embedded backend: one SQLite file, shared by processes on one machine (WAL, write locks
// taken up front). It is single-user: there are no logins and no permissions, `user()` is only
// the name edits and events are recorded under, and access_control() says so.

namespace pcanno::store::sqlite {

class SqliteStore final : public ProjectStore {
 public:
  SqliteStore(Database db, std::string user) : db_(std::move(db)), user_(std::move(user)) {}

  std::string backend() const override { return "sqlite"; }
  std::string user() const override { return user_; }
  bool access_control() const override { return false; }
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
  /// Appends to the change feed inside the caller's transaction.
  Status record_change(std::optional<std::int64_t> task_id, const char* kind, std::int64_t at_us);
  Status record_event(std::int64_t task_id, std::optional<TaskState> from, TaskState to,
                      const std::string& reason, std::int64_t at_us);

  Database db_;
  std::string user_;
};

/// Creates the schema or migrates it to kStoreSchemaVersion (inside one transaction).
Status migrate(Database& db);
/// The schema version of an open database: 0 when it has no pcanno schema.
Expected<int> read_schema_version(Database& db);

/// Microseconds since the epoch, from this machine's clock (the only clock a file store has).
std::int64_t now_us();

}  // namespace pcanno::store::sqlite
