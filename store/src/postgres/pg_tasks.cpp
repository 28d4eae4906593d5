// Tasks, their workflow and leases on PostgreSQL. Who may do what is the server's decision
// (grants, policies and the tasks_check trigger); this file keeps the workflow's shape (which
// moves exist) and turns a refused or missing row into a message that names the task.
#include <cctype>

#include "pcanno/formats/labels/document/document.hpp"
#include "postgres/pg_store.hpp"

namespace pcanno::store::postgres {

using formats::ErrorCode;

const std::string& task_columns() {
  static const std::string columns =
      "id, project_id, sequence_id, first_frame, last_frame, label_kinds, state,"
      " coalesce(assignee, ''), version,"
      " CASE WHEN lease_expires_at > now() THEN coalesce(lease_holder, '') ELSE '' END,"
      " CASE WHEN lease_expires_at > now() THEN " +
      micros("lease_expires_at") + " ELSE 0 END";
  return columns;
}

Task read_task(const pqxx::row& row) {
  Task task;
  task.id = row[0].as<std::int64_t>();
  task.project_id = row[1].as<std::int64_t>();
  task.sequence_id = row[2].as<std::int64_t>();
  task.first_frame = row[3].as<std::int64_t>();
  task.last_frame = row[4].as<std::int64_t>();
  task.label_kinds = row[5].as<unsigned>();
  task.state = parse_task_state(row[6].as<std::string>()).value_or(TaskState::kNew);
  task.assignee = row[7].as<std::string>();
  task.version = row[8].as<std::int64_t>();
  task.lease_holder = row[9].as<std::string>();
  task.lease_expires_at_us = row[10].as<std::int64_t>();
  return task;
}

namespace {

Task read_one_task(pqxx::work& work, std::int64_t task_id) {
  return read_task(
      work.exec_params1("SELECT " + task_columns() + " FROM pcanno.tasks WHERE id = $1", task_id));
}

bool blank(const std::string& text) {
  for (const char c : text) {
    if (!std::isspace(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

}  // namespace

Expected<PostgresStore::LockedTask> PostgresStore::lock_task(pqxx::work& work,
                                                             std::int64_t task_id) {
  const pqxx::result rows =
      work.exec_params("SELECT " + task_columns() +
                           ", coalesce(lease_holder, ''), coalesce(lease_token, ''),"
                           " coalesce(" +
                           micros("lease_expires_at") +
                           ", 0), coalesce(lease_expires_at > now(), false)"
                           " FROM pcanno.tasks WHERE id = $1 FOR UPDATE",
                       task_id);
  if (rows.empty()) return task_not_found(task_id, user_);
  LockedTask locked;
  locked.task = read_task(rows[0]);
  locked.holder = rows[0][11].as<std::string>();
  locked.token = rows[0][12].as<std::string>();
  locked.expires_at_us = rows[0][13].as<std::int64_t>();
  locked.live = rows[0][14].as<bool>();
  return locked;
}

formats::Error PostgresStore::leased_by(const LockedTask& locked) {
  return leased_by_other(locked.task.id, locked.holder, locked.expires_at_us);
}

Expected<Task> PostgresStore::create_task(const NewTask& request) {
  if (request.first_frame < 0 || request.last_frame < request.first_frame) {
    return make_error(ErrorCode::kInvalidArgument,
                      "a task's frames " + std::to_string(request.first_frame) + ".." +
                          std::to_string(request.last_frame) + " are not a range");
  }
  if (request.label_kinds == 0 || (request.label_kinds & ~(kBoxes | kPolylines)) != 0) {
    return make_error(ErrorCode::kInvalidArgument, "a task needs label kinds (boxes, polylines)");
  }
  const std::string document =
      formats::serialize_pcanno_document(request.labels ? *request.labels : formats::Annotations{});
  return guarded([&](pqxx::connection& connection) -> Expected<Task> {
    pqxx::work work(connection);
    const pqxx::result sequence = work.exec_params(
        "SELECT project_id FROM pcanno.sequences WHERE id = $1", request.sequence_id);
    if (sequence.empty()) return not_visible("sequence", request.sequence_id);
    const std::int64_t task_id =
        work.exec_params1(
                "INSERT INTO pcanno.tasks (project_id, sequence_id, first_frame, last_frame,"
                " label_kinds) VALUES ($1, $2, $3, $4, $5) RETURNING id",
                sequence[0][0].as<std::int64_t>(), request.sequence_id, request.first_frame,
                request.last_frame, request.label_kinds)[0]
            .as<std::int64_t>();
    work.exec_params(
        "INSERT INTO pcanno.label_snapshots (task_id, version, document) VALUES ($1, 0, $2)",
        task_id, document);
    record_change(work, &task_id, "task");
    Task task = read_one_task(work, task_id);
    work.commit();
    return task;
  });
}

Expected<std::vector<Task>> PostgresStore::tasks(const TaskFilter& filter) {
  const std::string project = filter.project_id ? std::to_string(*filter.project_id) : "";
  const char* state = filter.state ? to_string(*filter.state) : nullptr;
  return guarded([&](pqxx::connection& connection) -> Expected<std::vector<Task>> {
    pqxx::work work(connection);
    const pqxx::result rows =
        work.exec_params("SELECT " + task_columns() +
                             " FROM pcanno.tasks"
                             " WHERE ($1::bigint IS NULL OR project_id = $1::bigint)"
                             " AND ($2::text IS NULL OR coalesce(assignee, '') = $2::text)"
                             " AND ($3::text IS NULL OR state = $3::text) ORDER BY id",
                         filter.project_id ? project.c_str() : nullptr,
                         filter.assignee ? filter.assignee->c_str() : nullptr, state);
    std::vector<Task> tasks;
    for (const pqxx::row& row : rows) tasks.push_back(read_task(row));
    return tasks;
  });
}

Expected<Task> PostgresStore::task(std::int64_t task_id) {
  return guarded([&](pqxx::connection& connection) -> Expected<Task> {
    pqxx::work work(connection);
    const pqxx::result rows =
        work.exec_params("SELECT " + task_columns() + " FROM pcanno.tasks WHERE id = $1", task_id);
    if (rows.empty()) return task_not_found(task_id, user_);
    return read_task(rows[0]);
  });
}

Status PostgresStore::assign(std::int64_t task_id, const std::string& user) {
  return guarded([&](pqxx::connection& connection) -> Status {
    pqxx::work work(connection);
    Expected<LockedTask> locked = lock_task(work, task_id);
    if (!locked) return std::move(locked).error();
    work.exec_params("UPDATE pcanno.tasks SET assignee = NULLIF($2, '') WHERE id = $1", task_id,
                     user);
    record_change(work, &task_id, "task");
    work.commit();
    return {};
  });
}

Expected<Task> PostgresStore::transition(std::int64_t task_id, TaskState to,
                                         const std::string& reason) {
  if (to == TaskState::kRejected && blank(reason)) {
    return reject_needs_reason(task_id);
  }
  return guarded([&](pqxx::connection& connection) -> Expected<Task> {
    pqxx::work work(connection);
    Expected<LockedTask> locked = lock_task(work, task_id);
    if (!locked) return std::move(locked).error();
    const TaskState from = locked->task.state;
    if (!can_transition(from, to)) {
      return bad_transition(task_id, from, to);
    }
    // The tasks_check trigger refuses (42501) a move this person's group may not make, and the
    // tasks_event trigger records the move with this reason (schema_integrity.cpp).
    work.exec_params("SELECT set_config('pcanno.reason', $1, true)", reason);
    work.exec_params("UPDATE pcanno.tasks SET state = $2 WHERE id = $1", task_id, to_string(to));
    record_change(work, &task_id, "task");
    Task task = read_one_task(work, task_id);
    work.commit();
    return task;
  });
}

Expected<std::vector<TaskEvent>> PostgresStore::task_events(std::int64_t task_id) {
  return guarded([&](pqxx::connection& connection) -> Expected<std::vector<TaskEvent>> {
    pqxx::work work(connection);
    if (work.exec_params("SELECT 1 FROM pcanno.tasks WHERE id = $1", task_id).empty()) {
      return task_not_found(task_id, user_);
    }
    const pqxx::result rows =
        work.exec_params("SELECT id, task_id, from_state, to_state, who, " + micros("at") +
                             ", reason FROM pcanno.task_events WHERE task_id = $1 ORDER BY id",
                         task_id);
    std::vector<TaskEvent> events;
    for (const pqxx::row& row : rows) {
      TaskEvent event;
      event.id = row[0].as<std::int64_t>();
      event.task_id = row[1].as<std::int64_t>();
      if (!row[2].is_null()) event.from = parse_task_state(row[2].as<std::string>());
      event.to = parse_task_state(row[3].as<std::string>()).value_or(TaskState::kNew);
      event.who = row[4].as<std::string>();
      event.at_us = row[5].as<std::int64_t>();
      event.reason = row[6].as<std::string>();
      events.push_back(std::move(event));
    }
    return events;
  });
}

Expected<Lease> PostgresStore::acquire_lease(std::int64_t task_id,
                                             std::chrono::milliseconds duration) {
  if (duration.count() <= 0) {
    return make_error(ErrorCode::kInvalidArgument, "a lease needs a positive duration");
  }
  return guarded([&](pqxx::connection& connection) -> Expected<Lease> {
    pqxx::work work(connection);
    Expected<LockedTask> locked = lock_task(work, task_id);
    if (!locked) return std::move(locked).error();
    if (!labels_editable(locked->task.state)) return labels_frozen(task_id, locked->task.state);
    if (locked->live && locked->holder != user_) {
      return leased_by(*locked);
    }
    const pqxx::row row = work.exec_params1(
        "UPDATE pcanno.tasks SET lease_holder = current_user,"
        " lease_token = gen_random_uuid()::text,"
        " lease_expires_at = now() + $2::bigint * interval '1 millisecond'"
        " WHERE id = $1 RETURNING lease_holder, lease_token, " +
            micros("lease_expires_at"),
        task_id, static_cast<std::int64_t>(duration.count()));
    record_change(work, &task_id, "lease");
    work.commit();
    return Lease{task_id, row[0].as<std::string>(), row[1].as<std::string>(),
                 row[2].as<std::int64_t>()};
  });
}

Expected<Lease> PostgresStore::heartbeat(const Lease& lease, std::chrono::milliseconds duration) {
  if (duration.count() <= 0) {
    return make_error(ErrorCode::kInvalidArgument, "a lease needs a positive duration");
  }
  return guarded([&](pqxx::connection& connection) -> Expected<Lease> {
    pqxx::work work(connection);
    Expected<LockedTask> locked = lock_task(work, lease.task_id);
    if (!locked) return std::move(locked).error();
    if (lease.token.empty() || locked->token != lease.token) {
      if (locked->live) return leased_by(*locked);
      return lease_lapsed(lease.task_id);
    }
    // Still this client's token: extend it, even past its expiry, since nobody else took it.
    const pqxx::row row = work.exec_params1(
        "UPDATE pcanno.tasks SET lease_expires_at = now() + $2::bigint * interval '1 millisecond'"
        " WHERE id = $1 RETURNING lease_holder, lease_token, " +
            micros("lease_expires_at"),
        lease.task_id, static_cast<std::int64_t>(duration.count()));
    work.commit();
    return Lease{lease.task_id, row[0].as<std::string>(), row[1].as<std::string>(),
                 row[2].as<std::int64_t>()};
  });
}

Status PostgresStore::release_lease(const Lease& lease) {
  return guarded([&](pqxx::connection& connection) -> Status {
    pqxx::work work(connection);
    Expected<LockedTask> locked = lock_task(work, lease.task_id);
    if (!locked) return std::move(locked).error();
    if (lease.token.empty() || locked->token != lease.token) {
      if (locked->live) return leased_by(*locked);
      return make_error(ErrorCode::kConflict,
                        "task " + std::to_string(lease.task_id) + ": this lease is not held");
    }
    work.exec_params(
        "UPDATE pcanno.tasks SET lease_holder = NULL, lease_token = NULL,"
        " lease_expires_at = NULL WHERE id = $1",
        lease.task_id);
    const std::int64_t task_id = lease.task_id;
    record_change(work, &task_id, "lease");
    work.commit();
    return {};
  });
}

}  // namespace pcanno::store::postgres
