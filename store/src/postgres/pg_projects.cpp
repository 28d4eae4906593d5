// People, projects and sequences on PostgreSQL.
#include <libpq-fe.h>

#include <memory>

#include "postgres/pg_store.hpp"

namespace pcanno::store::postgres {

using formats::ErrorCode;

namespace {

const char* group_of(Role role) {
  switch (role) {
    case Role::kAnnotator:
      return "pcanno_annotator";
    case Role::kReviewer:
      return "pcanno_reviewer";
    case Role::kAdmin:
      return "pcanno_admin";
  }
  return "";
}

// The SCRAM-SHA-256 verifier of a password, made here so that the server never receives the
// password itself: a statement's parameters can reach the server's log (log_statement,
// log_min_duration_statement). PQencryptPasswordConn takes a connection object; libpqxx 6 does
// not hand out its own, so a short second connection serves (adding a person is rare).
Expected<std::string> scram_verifier(const std::string& conninfo, const std::string& user,
                                     const std::string& password) {
  const std::unique_ptr<PGconn, void (*)(PGconn*)> conn(
      PQconnectdb(with_timeouts(conninfo).c_str()), &PQfinish);
  if (!conn) return make_error(ErrorCode::kOutOfMemory, "out of memory");
  char* verifier =
      PQencryptPasswordConn(conn.get(), password.c_str(), user.c_str(), "scram-sha-256");
  if (verifier == nullptr) {
    return make_error(ErrorCode::kIo,
                      std::string("cannot make a SCRAM verifier for the password: ") +
                          PQerrorMessage(conn.get()));
  }
  std::string text(verifier);
  PQfreemem(verifier);
  return text;
}

const std::string& project_columns() {
  static const std::string columns = "id, name, created_by, " + micros("created_at");
  return columns;
}

Project read_project(const pqxx::row& row) {
  Project project;
  project.id = row[0].as<std::int64_t>();
  project.name = row[1].as<std::string>();
  project.created_by = row[2].as<std::string>();
  project.created_at_us = row[3].as<std::int64_t>();
  return project;
}

const char* const kSequenceColumns = "id, project_id, name, uri, layout, labels_uri, frame_count";

SequenceRecord read_sequence(const pqxx::row& row) {
  SequenceRecord sequence;
  sequence.id = row[0].as<std::int64_t>();
  sequence.project_id = row[1].as<std::int64_t>();
  sequence.name = row[2].as<std::string>();
  sequence.uri = row[3].as<std::string>();
  sequence.layout = row[4].as<std::string>();
  sequence.labels_uri = row[5].as<std::string>();
  sequence.frame_count = row[6].as<std::int64_t>();
  return sequence;
}

}  // namespace

void record_change(pqxx::work& work, const std::int64_t* task_id, const char* kind) {
  if (task_id) {
    work.exec_params("INSERT INTO pcanno.changes (task_id, kind) VALUES ($1, $2)", *task_id, kind);
  } else {
    work.exec_params("INSERT INTO pcanno.changes (task_id, kind) VALUES (NULL, $1)", kind);
  }
}

formats::Error PostgresStore::not_visible(const char* what, std::int64_t id) const {
  return make_error(ErrorCode::kNotFound, std::string(what) + " " + std::to_string(id) +
                                              " does not exist or is not visible to " + user_);
}

Status PostgresStore::add_user(const std::string& name, Role role, const std::string& password) {
  if (name.empty()) return make_error(ErrorCode::kInvalidArgument, "a user needs a name");
  std::string secret;  // empty: a role without a password (peer or certificate log-in)
  if (!password.empty()) {
    Expected<std::string> verifier = scram_verifier(conninfo_, name, password);
    if (!verifier) return std::move(verifier).error();
    secret = std::move(*verifier);
  }
  return guarded([&](pqxx::connection& connection) -> Status {
    pqxx::work work(connection);
    const pqxx::row exists = work.exec_params1(
        "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = $1)", name);
    if (exists[0].as<bool>()) {
      return make_error(ErrorCode::kConflict, "a user or role named '" + name + "' exists");
    }
    work.exec_params("SELECT pcanno.add_user($1, $2, $3)", name, group_of(role), secret);
    record_change(work, nullptr, "user");
    work.commit();
    return {};
  });
}

Expected<std::vector<User>> PostgresStore::users() {
  return guarded([&](pqxx::connection& connection) -> Expected<std::vector<User>> {
    pqxx::work work(connection);
    const pqxx::result rows = work.exec(
        "SELECT r.rolname, g.rolname FROM pg_catalog.pg_auth_members m"
        " JOIN pg_catalog.pg_roles r ON r.oid = m.member"
        " JOIN pg_catalog.pg_roles g ON g.oid = m.roleid"
        " WHERE g.rolname IN ('pcanno_annotator', 'pcanno_reviewer', 'pcanno_admin')"
        " ORDER BY r.rolname, g.rolname");
    std::vector<User> users;
    for (const pqxx::row& row : rows) {
      const std::string name = row[0].as<std::string>();
      const std::string group = row[1].as<std::string>();
      if (users.empty() || users.back().name != name) users.push_back(User{name, {}});
      if (std::optional<Role> role = parse_role(group.substr(7))) {  // after "pcanno_"
        users.back().roles.push_back(*role);
      }
    }
    return users;
  });
}

Expected<Project> PostgresStore::create_project(const std::string& name) {
  if (name.empty()) return make_error(ErrorCode::kInvalidArgument, "a project needs a name");
  return guarded([&](pqxx::connection& connection) -> Expected<Project> {
    pqxx::work work(connection);
    const pqxx::row row = work.exec_params1(
        "INSERT INTO pcanno.projects (name) VALUES ($1) RETURNING " + project_columns(), name);
    record_change(work, nullptr, "project");
    work.commit();
    return read_project(row);
  });
}

Expected<std::vector<Project>> PostgresStore::projects() {
  return guarded([&](pqxx::connection& connection) -> Expected<std::vector<Project>> {
    pqxx::work work(connection);
    std::vector<Project> projects;
    for (const pqxx::row& row :
         work.exec("SELECT " + project_columns() + " FROM pcanno.projects ORDER BY id")) {
      projects.push_back(read_project(row));
    }
    return projects;
  });
}

Expected<Project> PostgresStore::project(const std::string& name) {
  return guarded([&](pqxx::connection& connection) -> Expected<Project> {
    pqxx::work work(connection);
    const pqxx::result rows = work.exec_params(
        "SELECT " + project_columns() + " FROM pcanno.projects WHERE name = $1", name);
    if (rows.empty()) {
      return make_error(ErrorCode::kNotFound,
                        "project '" + name + "' does not exist or is not visible to " + user_);
    }
    return read_project(rows[0]);
  });
}

Status PostgresStore::add_member(std::int64_t project_id, const std::string& user) {
  if (user.empty()) return make_error(ErrorCode::kInvalidArgument, "a member needs a name");
  return guarded([&](pqxx::connection& connection) -> Status {
    pqxx::work work(connection);
    if (work.exec_params("SELECT 1 FROM pcanno.projects WHERE id = $1", project_id).empty()) {
      return not_visible("project", project_id);
    }
    work.exec_params(
        "INSERT INTO pcanno.project_members (project_id, member) VALUES ($1, $2)"
        " ON CONFLICT DO NOTHING",
        project_id, user);
    record_change(work, nullptr, "member");
    work.commit();
    return {};
  });
}

Expected<SequenceRecord> PostgresStore::add_sequence(const SequenceRecord& sequence) {
  if (sequence.name.empty()) {
    return make_error(ErrorCode::kInvalidArgument, "a sequence needs a name");
  }
  return guarded([&](pqxx::connection& connection) -> Expected<SequenceRecord> {
    pqxx::work work(connection);
    if (work.exec_params("SELECT 1 FROM pcanno.projects WHERE id = $1", sequence.project_id)
            .empty()) {
      return not_visible("project", sequence.project_id);
    }
    const pqxx::result taken =
        work.exec_params("SELECT 1 FROM pcanno.sequences WHERE project_id = $1 AND name = $2",
                         sequence.project_id, sequence.name);
    if (!taken.empty()) {
      return make_error(ErrorCode::kConflict, "project " + std::to_string(sequence.project_id) +
                                                  " already has a sequence '" + sequence.name +
                                                  "'");
    }
    const pqxx::row row = work.exec_params1(
        std::string("INSERT INTO pcanno.sequences (project_id, name, uri, layout, labels_uri,"
                    " frame_count) VALUES ($1, $2, $3, $4, $5, $6) RETURNING ") +
            kSequenceColumns,
        sequence.project_id, sequence.name, sequence.uri, sequence.layout, sequence.labels_uri,
        sequence.frame_count);
    record_change(work, nullptr, "sequence");
    work.commit();
    return read_sequence(row);
  });
}

Expected<std::vector<SequenceRecord>> PostgresStore::sequences(std::int64_t project_id) {
  return guarded([&](pqxx::connection& connection) -> Expected<std::vector<SequenceRecord>> {
    pqxx::work work(connection);
    std::vector<SequenceRecord> sequences;
    for (const pqxx::row& row :
         work.exec_params(std::string("SELECT ") + kSequenceColumns +
                              " FROM pcanno.sequences WHERE project_id = $1 ORDER BY id",
                          project_id)) {
      sequences.push_back(read_sequence(row));
    }
    return sequences;
  });
}

Expected<SequenceRecord> PostgresStore::sequence(std::int64_t sequence_id) {
  return guarded([&](pqxx::connection& connection) -> Expected<SequenceRecord> {
    pqxx::work work(connection);
    const pqxx::result rows = work.exec_params(
        std::string("SELECT ") + kSequenceColumns + " FROM pcanno.sequences WHERE id = $1",
        sequence_id);
    if (rows.empty()) return not_visible("sequence", sequence_id);
    return read_sequence(rows[0]);
  });
}

}  // namespace pcanno::store::postgres
