// Labels (snapshots and the append-only commit log) and review comments on PostgreSQL.
#include "pcanno/formats/labels/document/document.hpp"
#include "pcanno/formats/labels/document/edit.hpp"
#include "postgres/pg_store.hpp"

namespace pcanno::store::postgres {

using formats::ErrorCode;

namespace {

bool task_exists(pqxx::work& work, std::int64_t task_id) {
  return !work.exec_params("SELECT 1 FROM pcanno.tasks WHERE id = $1", task_id).empty();
}

const std::string& comment_columns() {
  static const std::string columns =
      "id, task_id, track_id, frame, x, y, z, author, " + micros("at") + ", text, resolved";
  return columns;
}

Comment read_comment(const pqxx::row& row) {
  Comment comment;
  comment.id = row[0].as<std::int64_t>();
  comment.task_id = row[1].as<std::int64_t>();
  if (!row[2].is_null()) comment.track_id = row[2].as<std::int64_t>();
  comment.frame = row[3].as<std::int64_t>();
  comment.x = row[4].as<double>();
  comment.y = row[5].as<double>();
  comment.z = row[6].as<double>();
  comment.author = row[7].as<std::string>();
  comment.at_us = row[8].as<std::int64_t>();
  comment.text = row[9].as<std::string>();
  comment.resolved = row[10].as<bool>();
  return comment;
}

}  // namespace

Expected<std::int64_t> PostgresStore::commit(const CommitRequest& request) {
  const std::string edits = formats::serialize_edits(request.edits);
  return guarded([&](pqxx::connection& connection) -> Expected<std::int64_t> {
    // One statement in its own implicit transaction: pcanno.commit_labels locks the task row,
    // answers a replay, checks the lease and the base version, and appends (schema.cpp).
    pqxx::nontransaction work(connection);
    const pqxx::row row = work.exec_params1(
        "SELECT outcome, version, holder, expires_us FROM pcanno.commit_labels($1, $2, $3, $4, "
        "$5, $6)",
        request.task_id, request.base_version, request.lease_token, request.client_id,
        request.client_seq, edits);
    const std::string outcome = row[0].as<std::string>();
    const std::int64_t version = row[1].as<std::int64_t>();
    const std::string holder = row[2].as<std::string>();
    if (outcome == "ok") return version;
    if (outcome == "permission") {
      return make_error(ErrorCode::kPermission,
                        user_ + " may not write labels (no INSERT on pcanno.label_commits)");
    }
    if (outcome == "not_found") return task_not_found(request.task_id, user_);
    if (outcome == "leased") {
      return leased_by_other(request.task_id, holder, row[3].as<std::int64_t>());
    }
    if (outcome == "lapsed") return lease_lapsed(request.task_id);
    if (outcome == "frozen") {
      return labels_frozen(request.task_id,
                           parse_task_state(holder).value_or(TaskState::kSubmitted));
    }
    return stale_version(request.task_id, version, holder, request.base_version);
  });
}

Expected<std::vector<LabelCommit>> PostgresStore::history(std::int64_t task_id,
                                                          std::int64_t after_version) {
  return guarded([&](pqxx::connection& connection) -> Expected<std::vector<LabelCommit>> {
    pqxx::work work(connection);
    if (!task_exists(work, task_id)) return task_not_found(task_id, user_);
    const pqxx::result rows =
        work.exec_params("SELECT version, author, " + micros("at") +
                             ", client_id, client_seq, edits FROM pcanno.label_commits"
                             " WHERE task_id = $1 AND version > $2 ORDER BY version",
                         task_id, after_version);
    std::vector<LabelCommit> commits;
    for (const pqxx::row& row : rows) {
      LabelCommit commit;
      commit.task_id = task_id;
      commit.version = row[0].as<std::int64_t>();
      commit.author = row[1].as<std::string>();
      commit.at_us = row[2].as<std::int64_t>();
      commit.client_id = row[3].as<std::string>();
      commit.client_seq = row[4].as<std::int64_t>();
      Expected<std::vector<formats::DocumentEdit>> edits = formats::parse_edits(
          row[5].as<std::string>(),
          "task " + std::to_string(task_id) + " version " + std::to_string(commit.version));
      if (!edits) return std::move(edits).error();
      commit.edits = std::move(*edits);
      commits.push_back(std::move(commit));
    }
    return commits;
  });
}

Expected<Snapshot> PostgresStore::snapshot(std::int64_t task_id, std::int64_t version) {
  return guarded([&](pqxx::connection& connection) -> Expected<Snapshot> {
    pqxx::work work(connection);
    const pqxx::result rows = work.exec_params(
        "SELECT version, document FROM pcanno.label_snapshots"
        " WHERE task_id = $1 AND version <= $2 ORDER BY version DESC LIMIT 1",
        task_id, version);
    if (rows.empty()) {
      return make_error(ErrorCode::kNotFound, "task " + std::to_string(task_id) +
                                                  " has no snapshot at or below version " +
                                                  std::to_string(version) + " visible to " + user_);
    }
    return Snapshot{rows[0][0].as<std::int64_t>(), rows[0][1].as<std::string>()};
  });
}

Status PostgresStore::put_snapshot(std::int64_t task_id, std::int64_t version,
                                   const formats::Annotations& document) {
  const std::string text = formats::serialize_pcanno_document(document);
  return guarded([&](pqxx::connection& connection) -> Status {
    pqxx::work work(connection);
    const pqxx::result rows =
        work.exec_params("SELECT version FROM pcanno.tasks WHERE id = $1", task_id);
    if (rows.empty()) return task_not_found(task_id, user_);
    const std::int64_t current = rows[0][0].as<std::int64_t>();
    if (version > current) return snapshot_ahead(task_id, version, current);
    if (version < 0) {
      return make_error(ErrorCode::kInvalidArgument, "task " + std::to_string(task_id) +
                                                         ": no snapshot at version " +
                                                         std::to_string(version));
    }
    work.exec_params(
        "INSERT INTO pcanno.label_snapshots (task_id, version, document) VALUES ($1, $2, $3)"
        " ON CONFLICT (task_id, version) DO NOTHING",  // the same version, the same document
        task_id, version, text);
    record_change(work, &task_id, "snapshot");
    work.commit();
    return {};
  });
}

Expected<Comment> PostgresStore::add_comment(const Comment& comment) {
  const std::string track = comment.track_id ? std::to_string(*comment.track_id) : "";
  return guarded([&](pqxx::connection& connection) -> Expected<Comment> {
    pqxx::work work(connection);
    if (!task_exists(work, comment.task_id)) return task_not_found(comment.task_id, user_);
    const pqxx::row row = work.exec_params1(
        "INSERT INTO pcanno.comments (task_id, track_id, frame, x, y, z, text)"
        " VALUES ($1, $2::bigint, $3, $4, $5, $6, $7) RETURNING " +
            comment_columns(),
        comment.task_id, comment.track_id ? track.c_str() : nullptr, comment.frame, comment.x,
        comment.y, comment.z, comment.text);
    record_change(work, &comment.task_id, "comment");
    work.commit();
    return read_comment(row);
  });
}

Expected<std::vector<Comment>> PostgresStore::comments(std::int64_t task_id) {
  return guarded([&](pqxx::connection& connection) -> Expected<std::vector<Comment>> {
    pqxx::work work(connection);
    if (!task_exists(work, task_id)) return task_not_found(task_id, user_);
    std::vector<Comment> comments;
    for (const pqxx::row& row : work.exec_params("SELECT " + comment_columns() +
                                                     " FROM pcanno.comments WHERE task_id = $1"
                                                     " ORDER BY id",
                                                 task_id)) {
      comments.push_back(read_comment(row));
    }
    return comments;
  });
}

Status PostgresStore::resolve_comment(std::int64_t comment_id, bool resolved) {
  return guarded([&](pqxx::connection& connection) -> Status {
    pqxx::work work(connection);
    const pqxx::result rows =
        work.exec_params("UPDATE pcanno.comments SET resolved = $2 WHERE id = $1 RETURNING task_id",
                         comment_id, resolved);
    if (rows.empty()) return not_visible("comment", comment_id);
    const std::int64_t task_id = rows[0][0].as<std::int64_t>();
    record_change(work, &task_id, "comment");
    work.commit();
    return {};
  });
}

}  // namespace pcanno::store::postgres
