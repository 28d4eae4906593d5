#include "sqlite_store.hpp"

#include <chrono>

#include "pcanno/formats/labels/document/document.hpp"
#include "sqlite_rows.hpp"
#include "store_messages.hpp"

namespace pcanno::store::sqlite {

std::int64_t now_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Task read_task(const Statement& row, std::int64_t now) {
  Task task;
  task.id = row.int64(0);
  task.project_id = row.int64(1);
  task.sequence_id = row.int64(2);
  task.first_frame = row.int64(3);
  task.last_frame = row.int64(4);
  task.label_kinds = static_cast<unsigned>(row.int64(5));
  task.state = parse_task_state(row.text(6)).value_or(TaskState::kNew);
  task.assignee = row.text(7);
  task.version = row.int64(8);
  if (row.int64(10) > now) {
    task.lease_holder = row.text(9);
    task.lease_expires_at_us = row.int64(10);
  }
  return task;
}

Comment read_comment(const Statement& row) {
  Comment comment;
  comment.id = row.int64(0);
  comment.task_id = row.int64(1);
  if (!row.is_null(2)) comment.track_id = row.int64(2);
  comment.frame = row.int64(3);
  comment.x = row.real(4);
  comment.y = row.real(5);
  comment.z = row.real(6);
  comment.author = row.text(7);
  comment.at_us = row.int64(8);
  comment.text = row.text(9);
  comment.resolved = row.int64(10) != 0;
  return comment;
}

SequenceRecord read_sequence(const Statement& row) {
  SequenceRecord sequence;
  sequence.id = row.int64(0);
  sequence.project_id = row.int64(1);
  sequence.name = row.text(2);
  sequence.uri = row.text(3);
  sequence.layout = row.text(4);
  sequence.labels_uri = row.text(5);
  sequence.frame_count = row.int64(6);
  return sequence;
}

namespace {

Project read_project(const Statement& row) {
  return Project{row.int64(0), row.text(1), row.text(2), row.int64(3)};
}

formats::Error project_not_found(const std::string& what) {
  return error(formats::ErrorCode::kNotFound, "no project " + what);
}

}  // namespace

Expected<int> SqliteStore::schema_version() { return read_schema_version(db_); }

Status SqliteStore::record_change(std::optional<std::int64_t> task_id, const char* kind,
                                  std::int64_t at_us) {
  Expected<Statement> insert =
      db_.prepare("INSERT INTO changes (task_id, kind, at_us) VALUES (?, ?, ?)");
  if (!insert) return std::move(insert).error();
  if (task_id) {
    insert->bind(1, *task_id);
  } else {
    insert->bind_null(1);
  }
  return insert->bind(2, kind).bind(3, at_us).run();
}

Status SqliteStore::record_event(std::int64_t task_id, std::optional<TaskState> from, TaskState to,
                                 const std::string& reason, std::int64_t at_us) {
  Expected<Statement> insert = db_.prepare(
      "INSERT INTO task_events (task_id, from_state, to_state, who, at_us, reason) "
      "VALUES (?, ?, ?, ?, ?, ?)");
  if (!insert) return std::move(insert).error();
  insert->bind(1, task_id);
  if (from) {
    insert->bind(2, to_string(*from));
  } else {
    insert->bind_null(2);
  }
  if (Status status =
          insert->bind(3, to_string(to)).bind(4, user_).bind(5, at_us).bind(6, reason).run();
      !status) {
    return status;
  }
  return record_change(task_id, "task", at_us);
}

// ---- people -------------------------------------------------------------------------------------

Status SqliteStore::add_user(const std::string& name, Role role, const std::string&) {
  if (name.empty()) {
    return error(formats::ErrorCode::kInvalidArgument, "a user needs a name");
  }
  Expected<Statement> insert = db_.prepare("INSERT INTO users (name, role) VALUES (?, ?)");
  if (!insert) return std::move(insert).error();
  Status status = insert->bind(1, name).bind(2, to_string(role)).run();
  if (!status && status.error().code == formats::ErrorCode::kConflict) {
    return error(formats::ErrorCode::kConflict, "user " + name + " exists already");
  }
  return status;
}

Expected<std::vector<User>> SqliteStore::users() {
  Expected<Statement> query = db_.prepare("SELECT name, role FROM users ORDER BY name");
  if (!query) return std::move(query).error();
  return read_all<User>(*query, [](const Statement& row) {
    return User{row.text(0), {parse_role(row.text(1)).value_or(Role::kAnnotator)}};
  });
}

// ---- projects and sequences ---------------------------------------------------------------------

Expected<Project> SqliteStore::create_project(const std::string& name) {
  if (name.empty()) {
    return error(formats::ErrorCode::kInvalidArgument, "a project needs a name");
  }
  Expected<WriteTransaction> transaction = WriteTransaction::begin(db_);
  if (!transaction) return std::move(transaction).error();
  const std::int64_t at = now_us();
  Expected<Statement> insert =
      db_.prepare("INSERT INTO projects (name, created_by, created_at_us) VALUES (?, ?, ?)");
  if (!insert) return std::move(insert).error();
  if (Status status = insert->bind(1, name).bind(2, user_).bind(3, at).run(); !status) {
    if (status.error().code == formats::ErrorCode::kConflict) {
      return error(formats::ErrorCode::kConflict, "project " + name + " exists already");
    }
    return std::move(status).error();
  }
  Project project{db_.last_insert_id(), name, user_, at};
  if (Status status = record_change(std::nullopt, "project", at); !status) {
    return std::move(status).error();
  }
  if (Status status = transaction->commit(); !status) return std::move(status).error();
  return project;
}

Expected<std::vector<Project>> SqliteStore::projects() {
  Expected<Statement> query =
      db_.prepare("SELECT id, name, created_by, created_at_us FROM projects ORDER BY id");
  if (!query) return std::move(query).error();
  return read_all<Project>(*query, read_project);
}

Expected<Project> SqliteStore::project(const std::string& name) {
  Expected<Statement> query =
      db_.prepare("SELECT id, name, created_by, created_at_us FROM projects WHERE name = ?");
  if (!query) return std::move(query).error();
  query->bind(1, name);
  return read_one<Project>(*query, read_project, project_not_found(name));
}

Status SqliteStore::add_member(std::int64_t project_id, const std::string& user) {
  Expected<Statement> insert =
      db_.prepare("INSERT OR IGNORE INTO project_members (project_id, member) VALUES (?, ?)");
  if (!insert) return std::move(insert).error();
  Status status = insert->bind(1, project_id).bind(2, user).run();
  if (!status && status.error().code == formats::ErrorCode::kConflict) {
    return project_not_found(std::to_string(project_id));  // the foreign key refused it
  }
  return status;
}

Expected<SequenceRecord> SqliteStore::add_sequence(const SequenceRecord& sequence) {
  Expected<WriteTransaction> transaction = WriteTransaction::begin(db_);
  if (!transaction) return std::move(transaction).error();
  Expected<Statement> insert = db_.prepare(
      "INSERT INTO sequences (project_id, name, uri, layout, labels_uri, frame_count) "
      "VALUES (?, ?, ?, ?, ?, ?)");
  if (!insert) return std::move(insert).error();
  Status status = insert->bind(1, sequence.project_id)
                      .bind(2, sequence.name)
                      .bind(3, sequence.uri)
                      .bind(4, sequence.layout)
                      .bind(5, sequence.labels_uri)
                      .bind(6, sequence.frame_count)
                      .run();
  if (!status) {
    if (status.error().code == formats::ErrorCode::kConflict) {
      return error(formats::ErrorCode::kConflict, "project " + std::to_string(sequence.project_id) +
                                                      " has no such project or a sequence named " +
                                                      sequence.name + " already");
    }
    return std::move(status).error();
  }
  SequenceRecord stored = sequence;
  stored.id = db_.last_insert_id();
  if (Status change = record_change(std::nullopt, "sequence", now_us()); !change) {
    return std::move(change).error();
  }
  if (Status done = transaction->commit(); !done) return std::move(done).error();
  return stored;
}

Expected<std::vector<SequenceRecord>> SqliteStore::sequences(std::int64_t project_id) {
  Expected<Statement> query = db_.prepare(std::string("SELECT ") + kSequenceColumns +
                                          " FROM sequences WHERE project_id = ? ORDER BY id");
  if (!query) return std::move(query).error();
  query->bind(1, project_id);
  return read_all<SequenceRecord>(*query, read_sequence);
}

Expected<SequenceRecord> SqliteStore::sequence(std::int64_t sequence_id) {
  Expected<Statement> query =
      db_.prepare(std::string("SELECT ") + kSequenceColumns + " FROM sequences WHERE id = ?");
  if (!query) return std::move(query).error();
  query->bind(1, sequence_id);
  return read_one<SequenceRecord>(
      *query, read_sequence,
      error(formats::ErrorCode::kNotFound,
            "sequence " + std::to_string(sequence_id) + " does not exist"));
}

// ---- tasks --------------------------------------------------------------------------------------

Expected<Task> SqliteStore::create_task(const NewTask& spec) {
  if (spec.first_frame < 0 || spec.last_frame < spec.first_frame) {
    return error(formats::ErrorCode::kInvalidArgument,
                 "a task's frames must be 0 <= first <= last, got " +
                     std::to_string(spec.first_frame) + "-" + std::to_string(spec.last_frame));
  }
  Expected<SequenceRecord> sequence_record = sequence(spec.sequence_id);
  if (!sequence_record) return std::move(sequence_record).error();
  const std::string document =
      formats::serialize_pcanno_document(spec.labels.value_or(formats::Annotations{}));
  Expected<WriteTransaction> transaction = WriteTransaction::begin(db_);
  if (!transaction) return std::move(transaction).error();
  const std::int64_t at = now_us();
  Expected<Statement> insert = db_.prepare(
      "INSERT INTO tasks (project_id, sequence_id, first_frame, last_frame, label_kinds, state) "
      "VALUES (?, ?, ?, ?, ?, 'new')");
  if (!insert) return std::move(insert).error();
  if (Status status = insert->bind(1, sequence_record->project_id)
                          .bind(2, spec.sequence_id)
                          .bind(3, spec.first_frame)
                          .bind(4, spec.last_frame)
                          .bind(5, static_cast<std::int64_t>(spec.label_kinds))
                          .run();
      !status) {
    return std::move(status).error();
  }
  const std::int64_t task_id = db_.last_insert_id();
  Expected<Statement> snapshot_insert =
      db_.prepare("INSERT INTO label_snapshots (task_id, version, document) VALUES (?, 0, ?)");
  if (!snapshot_insert) return std::move(snapshot_insert).error();
  if (Status status = snapshot_insert->bind(1, task_id).bind(2, document).run(); !status) {
    return std::move(status).error();
  }
  if (Status status = record_event(task_id, std::nullopt, TaskState::kNew, "created", at);
      !status) {
    return std::move(status).error();
  }
  if (Status status = transaction->commit(); !status) return std::move(status).error();
  return task(task_id);
}

Expected<std::vector<Task>> SqliteStore::tasks(const TaskFilter& filter) {
  // Unset filters bind NULL and match every row, so one prepared statement serves them all.
  Expected<Statement> query = db_.prepare(
      std::string("SELECT ") + kTaskColumns +
      " FROM tasks WHERE (?1 IS NULL OR project_id = ?1) AND (?2 IS NULL OR assignee = ?2) "
      "AND (?3 IS NULL OR state = ?3) ORDER BY id");
  if (!query) return std::move(query).error();
  if (filter.project_id) query->bind(1, *filter.project_id);
  if (filter.assignee) query->bind(2, *filter.assignee);
  if (filter.state) query->bind(3, to_string(*filter.state));
  const std::int64_t now = now_us();
  return read_all<Task>(*query, [now](const Statement& row) { return read_task(row, now); });
}

Expected<Task> SqliteStore::task(std::int64_t task_id) {
  Expected<Statement> query =
      db_.prepare(std::string("SELECT ") + kTaskColumns + " FROM tasks WHERE id = ?");
  if (!query) return std::move(query).error();
  query->bind(1, task_id);
  const std::int64_t now = now_us();
  return read_one<Task>(
      *query, [now](const Statement& row) { return read_task(row, now); },
      task_not_found(task_id, user_));
}

Status SqliteStore::assign(std::int64_t task_id, const std::string& user) {
  Expected<WriteTransaction> transaction = WriteTransaction::begin(db_);
  if (!transaction) return std::move(transaction).error();
  Expected<Task> current = task(task_id);
  if (!current) return std::move(current).error();
  Expected<Statement> update = db_.prepare("UPDATE tasks SET assignee = ? WHERE id = ?");
  if (!update) return std::move(update).error();
  if (Status status = update->bind(1, user).bind(2, task_id).run(); !status) return status;
  const std::string reason = user.empty() ? "unassigned" : "assigned to " + user;
  if (Status status = record_event(task_id, current->state, current->state, reason, now_us());
      !status) {
    return status;
  }
  return transaction->commit();
}

Expected<Task> SqliteStore::transition(std::int64_t task_id, TaskState to,
                                       const std::string& reason) {
  if (to == TaskState::kRejected && reason.empty()) return reject_needs_reason(task_id);
  Expected<WriteTransaction> transaction = WriteTransaction::begin(db_);
  if (!transaction) return std::move(transaction).error();
  Expected<Task> current = task(task_id);
  if (!current) return std::move(current).error();
  if (!can_transition(current->state, to)) return bad_transition(task_id, current->state, to);
  Expected<Statement> update = db_.prepare("UPDATE tasks SET state = ? WHERE id = ?");
  if (!update) return std::move(update).error();
  if (Status status = update->bind(1, to_string(to)).bind(2, task_id).run(); !status) {
    return std::move(status).error();
  }
  if (Status status = record_event(task_id, current->state, to, reason, now_us()); !status) {
    return std::move(status).error();
  }
  if (Status status = transaction->commit(); !status) return std::move(status).error();
  current->state = to;
  return current;
}

Expected<std::vector<TaskEvent>> SqliteStore::task_events(std::int64_t task_id) {
  if (Expected<Task> exists = task(task_id); !exists) return std::move(exists).error();
  Expected<Statement> query = db_.prepare(
      "SELECT id, task_id, from_state, to_state, who, at_us, reason FROM task_events "
      "WHERE task_id = ? ORDER BY id");
  if (!query) return std::move(query).error();
  query->bind(1, task_id);
  return read_all<TaskEvent>(*query, [](const Statement& row) {
    TaskEvent event;
    event.id = row.int64(0);
    event.task_id = row.int64(1);
    if (!row.is_null(2)) event.from = parse_task_state(row.text(2));
    event.to = parse_task_state(row.text(3)).value_or(TaskState::kNew);
    event.who = row.text(4);
    event.at_us = row.int64(5);
    event.reason = row.text(6);
    return event;
  });
}

}  // namespace pcanno::store::sqlite
