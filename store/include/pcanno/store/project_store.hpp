#pragma once
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "pcanno/formats/labels/annotations.hpp"
#include "pcanno/formats/support/expected.hpp"
#include "pcanno/store/model.hpp"

// A project store: projects, sequences, tasks with their review workflow, leases, labels as a
// snapshot plus an append-only log of the engine's edit lists, and review comments. Two backends
// implement it (open_store.hpp): SQLite, embedded and single-user, and PostgreSQL for a team, where
// the server's roles and row-level security policies decide who may read and write what.
//
// Errors: kConflict for a stale write, a lease someone else holds, or a move the workflow does not
// allow (the message names the holder or the state); kPermission when the server's policies refuse
// the statement; kNotFound for something that does not exist or that this user may not see; kIo
// when the server cannot be reached (the call may be retried); kUnsupported for a store whose
// schema is newer than this build. No exception leaves a store.

namespace pcanno::store {

using formats::Expected;
using formats::Status;

/// A task to create. `labels` is the starting snapshot (version 0); empty labels without it.
struct NewTask {
  std::int64_t sequence_id = 0;
  std::int64_t first_frame = 0;
  std::int64_t last_frame = 0;
  unsigned label_kinds = kBoxes;
  std::optional<formats::Annotations> labels;
};

/// Which tasks to list; unset members match everything (that this user may see).
struct TaskFilter {
  std::optional<std::int64_t> project_id;
  std::optional<std::string> assignee;
  std::optional<TaskState> state;
};

/// A write of a task's labels: the edit list applied on top of version `base_version`.
struct CommitRequest {
  std::int64_t task_id = 0;
  std::int64_t base_version = 0;
  std::string lease_token;      ///< the writer's live lease
  std::string client_id;        ///< stable per client install and task; with client_seq, makes a
  std::int64_t client_seq = 0;  ///< replayed commit land once
  std::vector<formats::DocumentEdit> edits;
};

/// A task's labels at a version.
struct TaskLabels {
  formats::Annotations document;
  std::int64_t version = 0;
};

/// The newest snapshot of a task at or below some version, as stored.
struct Snapshot {
  std::int64_t version = 0;
  std::string document_json;  ///< the native document (serialize_pcanno_document)
};

class ProjectStore {
 public:
  virtual ~ProjectStore() = default;

  /// "sqlite" or "postgresql".
  virtual std::string backend() const = 0;
  /// Who this connection acts as: the login role on PostgreSQL, the configured name on SQLite.
  virtual std::string user() const = 0;
  /// False on SQLite: anyone who can open the file can do anything, and `user()` is only a name.
  virtual bool access_control() const = 0;
  /// The schema version of the connected store.
  virtual Expected<int> schema_version() = 0;

  // ---- people ---------------------------------------------------------------------------------
  /// Creates a person (a login role in `role`'s group on PostgreSQL; `password` empty means peer
  /// or certificate authentication only). kConflict when the name exists.
  virtual Status add_user(const std::string& name, Role role, const std::string& password) = 0;
  virtual Expected<std::vector<User>> users() = 0;

  // ---- projects and sequences -----------------------------------------------------------------
  virtual Expected<Project> create_project(const std::string& name) = 0;
  virtual Expected<std::vector<Project>> projects() = 0;
  /// kNotFound when there is no such project or this user may not see it.
  virtual Expected<Project> project(const std::string& name) = 0;
  /// Makes `user` a member: members see the project (annotators still see only their tasks).
  virtual Status add_member(std::int64_t project_id, const std::string& user) = 0;
  /// Adds a sequence reference; kConflict when the project has one of that name.
  virtual Expected<SequenceRecord> add_sequence(const SequenceRecord& sequence) = 0;
  virtual Expected<std::vector<SequenceRecord>> sequences(std::int64_t project_id) = 0;
  virtual Expected<SequenceRecord> sequence(std::int64_t sequence_id) = 0;

  // ---- tasks ----------------------------------------------------------------------------------
  virtual Expected<Task> create_task(const NewTask& task) = 0;
  virtual Expected<std::vector<Task>> tasks(const TaskFilter& filter) = 0;
  virtual Expected<Task> task(std::int64_t task_id) = 0;
  /// Sets the assignee ("" unassigns); recorded as an event with the task's unchanged state.
  virtual Status assign(std::int64_t task_id, const std::string& user) = 0;
  /// Moves the task through the workflow, recording who, when and why. kConflict for a move the
  /// workflow does not allow from the task's current state.
  virtual Expected<Task> transition(std::int64_t task_id, TaskState to,
                                    const std::string& reason) = 0;
  /// The task's state changes and assignments, oldest first.
  virtual Expected<std::vector<TaskEvent>> task_events(std::int64_t task_id) = 0;

  // ---- leases ---------------------------------------------------------------------------------
  /// Takes the right to write the task's labels for `duration`. kConflict naming the holder and
  /// the expiry when someone else's lease is live. Taking it again as its holder renews it.
  virtual Expected<Lease> acquire_lease(std::int64_t task_id,
                                        std::chrono::milliseconds duration) = 0;
  /// Extends a live lease; kConflict when it lapsed and someone else took it.
  virtual Expected<Lease> heartbeat(const Lease& lease, std::chrono::milliseconds duration) = 0;
  virtual Status release_lease(const Lease& lease) = 0;

  // ---- labels ---------------------------------------------------------------------------------
  /// Appends one edit list and returns the task's new version. kConflict when `base_version` is
  /// not the current one or the lease is not live and the caller's; a commit whose (client_id,
  /// client_seq) was stored before returns that commit's version and stores nothing.
  virtual Expected<std::int64_t> commit(const CommitRequest& request) = 0;
  /// Commits with version > `after_version`, oldest first.
  virtual Expected<std::vector<LabelCommit>> history(std::int64_t task_id,
                                                     std::int64_t after_version) = 0;
  /// The newest snapshot at or below `version`.
  virtual Expected<Snapshot> snapshot(std::int64_t task_id, std::int64_t version) = 0;
  /// Stores the document at `version` (a version the log already reached), so that loading starts
  /// there instead of replaying from 0. The log is kept. Compaction is an admin's job: on
  /// PostgreSQL anyone else gets kPermission, since the server cannot check that the document
  /// equals the log it stands for.
  virtual Status put_snapshot(std::int64_t task_id, std::int64_t version,
                              const formats::Annotations& document) = 0;
  /// The document at the task's current version: the newest snapshot and the commits after it.
  Expected<TaskLabels> labels(std::int64_t task_id);

  // ---- review comments ------------------------------------------------------------------------
  /// Stores `comment` (its id, author and time are set by the store) and returns it.
  virtual Expected<Comment> add_comment(const Comment& comment) = 0;
  virtual Expected<std::vector<Comment>> comments(std::int64_t task_id) = 0;
  virtual Status resolve_comment(std::int64_t comment_id, bool resolved) = 0;

  // ---- live updates ---------------------------------------------------------------------------
  /// A number that grows with every change anyone makes (tasks, labels, comments).
  virtual Expected<std::int64_t> change_mark() = 0;
  /// Waits until change_mark() exceeds `mark` or `timeout` passes; returns whether it did.
  /// PostgreSQL wakes on LISTEN/NOTIFY; SQLite polls.
  virtual Expected<bool> wait_for_change(std::int64_t mark, std::chrono::milliseconds timeout) = 0;
};

}  // namespace pcanno::store
