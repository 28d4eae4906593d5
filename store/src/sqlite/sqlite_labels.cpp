// Leases, the label log and its snapshots, review comments and the change feed of SqliteStore.
#include <thread>

#include "pcanno/formats/labels/document/document.hpp"
#include "sqlite_rows.hpp"
#include "sqlite_store.hpp"
#include "store_messages.hpp"

namespace pcanno::store::sqlite {
namespace {

struct LeaseRow {
  std::string holder;
  std::string token;
  std::int64_t expires_at_us = 0;
  std::int64_t version = 0;
  TaskState state = TaskState::kNew;
};

/// The task's lease columns and version; kNotFound for a task that does not exist.
Expected<LeaseRow> read_lease(Database& db, std::int64_t task_id, const std::string& user) {
  Expected<Statement> query = db.prepare(
      "SELECT lease_holder, lease_token, lease_expires_at_us, version, state FROM tasks "
      "WHERE id = ?");
  if (!query) return std::move(query).error();
  query->bind(1, task_id);
  return read_one<LeaseRow>(
      *query,
      [](const Statement& row) {
        return LeaseRow{row.text(0), row.text(1), row.int64(2), row.int64(3),
                        parse_task_state(row.text(4)).value_or(TaskState::kNew)};
      },
      task_not_found(task_id, user));
}

Status write_lease(Database& db, std::int64_t task_id, const std::string& holder,
                   const std::string& token, std::int64_t expires_at_us) {
  Expected<Statement> update = db.prepare(
      "UPDATE tasks SET lease_holder = ?, lease_token = ?, lease_expires_at_us = ? WHERE id = ?");
  if (!update) return std::move(update).error();
  return update->bind(1, holder).bind(2, token).bind(3, expires_at_us).bind(4, task_id).run();
}

/// Why a lease `token` that is not the task's current one is refused: another person's live lease,
/// or none at all.
formats::Error refuse_token(std::int64_t task_id, const LeaseRow& current, std::int64_t now) {
  if (current.holder.empty() || current.expires_at_us <= now) return lease_lapsed(task_id);
  return leased_by_other(task_id, current.holder, current.expires_at_us);
}

std::int64_t micros(std::chrono::milliseconds duration) {
  return static_cast<std::int64_t>(duration.count()) * 1000;
}

}  // namespace

Expected<Lease> SqliteStore::acquire_lease(std::int64_t task_id,
                                           std::chrono::milliseconds duration) {
  Expected<WriteTransaction> transaction = WriteTransaction::begin(db_);
  if (!transaction) return std::move(transaction).error();
  Expected<LeaseRow> current = read_lease(db_, task_id, user_);
  if (!current) return std::move(current).error();
  if (!labels_editable(current->state)) return labels_frozen(task_id, current->state);
  const std::int64_t now = now_us();
  if (!current->holder.empty() && current->holder != user_ && current->expires_at_us > now) {
    return leased_by_other(task_id, current->holder, current->expires_at_us);
  }
  Lease lease{task_id, user_, random_token(), now + micros(duration)};
  if (Status status = write_lease(db_, task_id, lease.holder, lease.token, lease.expires_at_us);
      !status) {
    return std::move(status).error();
  }
  if (Status status = record_change(task_id, "lease", now); !status) {
    return std::move(status).error();
  }
  if (Status status = transaction->commit(); !status) return std::move(status).error();
  return lease;
}

Expected<Lease> SqliteStore::heartbeat(const Lease& lease, std::chrono::milliseconds duration) {
  Expected<WriteTransaction> transaction = WriteTransaction::begin(db_);
  if (!transaction) return std::move(transaction).error();
  Expected<LeaseRow> current = read_lease(db_, lease.task_id, user_);
  if (!current) return std::move(current).error();
  const std::int64_t now = now_us();
  if (current->token != lease.token) return refuse_token(lease.task_id, *current, now);
  Lease renewed = lease;
  renewed.expires_at_us = now + micros(duration);
  if (Status status =
          write_lease(db_, lease.task_id, current->holder, current->token, renewed.expires_at_us);
      !status) {
    return std::move(status).error();
  }
  if (Status status = transaction->commit(); !status) return std::move(status).error();
  return renewed;
}

Status SqliteStore::release_lease(const Lease& lease) {
  Expected<WriteTransaction> transaction = WriteTransaction::begin(db_);
  if (!transaction) return std::move(transaction).error();
  Expected<LeaseRow> current = read_lease(db_, lease.task_id, user_);
  if (!current) return std::move(current).error();
  if (current->token != lease.token) return refuse_token(lease.task_id, *current, now_us());
  if (Status status = write_lease(db_, lease.task_id, "", "", 0); !status) return status;
  if (Status status = record_change(lease.task_id, "lease", now_us()); !status) return status;
  return transaction->commit();
}

Expected<std::int64_t> SqliteStore::commit(const CommitRequest& request) {
  Expected<WriteTransaction> transaction = WriteTransaction::begin(db_);
  if (!transaction) return std::move(transaction).error();
  // A replay of a commit the store already holds (the client lost the acknowledgement): answer
  // with its version and store nothing, so that no edit is applied twice.
  Expected<Statement> seen = db_.prepare(
      "SELECT version FROM label_commits WHERE task_id = ? AND client_id = ? AND client_seq = ?");
  if (!seen) return std::move(seen).error();
  seen->bind(1, request.task_id).bind(2, request.client_id).bind(3, request.client_seq);
  Expected<bool> found = seen->step();
  if (!found) return std::move(found).error();
  if (*found) return seen->int64(0);

  Expected<LeaseRow> current = read_lease(db_, request.task_id, user_);
  if (!current) return std::move(current).error();
  if (!labels_editable(current->state)) return labels_frozen(request.task_id, current->state);
  const std::int64_t now = now_us();
  const bool live = !current->holder.empty() && current->expires_at_us > now;
  if (!live || current->token != request.lease_token) {
    return refuse_token(request.task_id, *current, now);
  }
  if (request.base_version != current->version) {
    return stale_version(request.task_id, current->version, current->holder, request.base_version);
  }
  const std::int64_t version = current->version + 1;
  Expected<Statement> insert = db_.prepare(
      "INSERT INTO label_commits (task_id, version, author, at_us, client_id, client_seq, edits) "
      "VALUES (?, ?, ?, ?, ?, ?, ?)");
  if (!insert) return std::move(insert).error();
  if (Status status = insert->bind(1, request.task_id)
                          .bind(2, version)
                          .bind(3, user_)
                          .bind(4, now)
                          .bind(5, request.client_id)
                          .bind(6, request.client_seq)
                          .bind(7, formats::serialize_edits(request.edits))
                          .run();
      !status) {
    return std::move(status).error();
  }
  Expected<Statement> bump = db_.prepare("UPDATE tasks SET version = ? WHERE id = ?");
  if (!bump) return std::move(bump).error();
  if (Status status = bump->bind(1, version).bind(2, request.task_id).run(); !status) {
    return std::move(status).error();
  }
  if (Status status = record_change(request.task_id, "labels", now); !status) {
    return std::move(status).error();
  }
  if (Status status = transaction->commit(); !status) return std::move(status).error();
  return version;
}

Expected<std::vector<LabelCommit>> SqliteStore::history(std::int64_t task_id,
                                                        std::int64_t after_version) {
  if (Expected<Task> exists = task(task_id); !exists) return std::move(exists).error();
  Expected<Statement> query = db_.prepare(
      "SELECT version, author, at_us, client_id, client_seq, edits FROM label_commits "
      "WHERE task_id = ? AND version > ? ORDER BY version");
  if (!query) return std::move(query).error();
  query->bind(1, task_id).bind(2, after_version);
  std::vector<LabelCommit> out;
  while (true) {
    Expected<bool> row = query->step();
    if (!row) return std::move(row).error();
    if (!*row) return out;
    LabelCommit commit{
        task_id, query->int64(0), query->text(1), query->int64(2), query->text(3), query->int64(4),
        {}};
    const std::string where = db_.path() + ": task " + std::to_string(task_id) + " version " +
                              std::to_string(commit.version);
    Expected<std::vector<formats::DocumentEdit>> edits =
        formats::parse_edits(query->text(5), where);
    if (!edits) return std::move(edits).error();
    commit.edits = std::move(*edits);
    out.push_back(std::move(commit));
  }
}

Expected<Snapshot> SqliteStore::snapshot(std::int64_t task_id, std::int64_t version) {
  Expected<Statement> query = db_.prepare(
      "SELECT version, document FROM label_snapshots WHERE task_id = ? AND version <= ? "
      "ORDER BY version DESC LIMIT 1");
  if (!query) return std::move(query).error();
  query->bind(1, task_id).bind(2, version);
  return read_one<Snapshot>(
      *query,
      [](const Statement& row) {
        return Snapshot{row.int64(0), row.text(1)};
      },
      task_not_found(task_id, user_));
}

Status SqliteStore::put_snapshot(std::int64_t task_id, std::int64_t version,
                                 const formats::Annotations& document) {
  const std::string text = formats::serialize_pcanno_document(document);
  Expected<WriteTransaction> transaction = WriteTransaction::begin(db_);
  if (!transaction) return std::move(transaction).error();
  Expected<LeaseRow> current = read_lease(db_, task_id, user_);
  if (!current) return std::move(current).error();
  if (version > current->version || version < 0) {
    return snapshot_ahead(task_id, version, current->version);
  }
  Expected<Statement> upsert = db_.prepare(
      "INSERT OR REPLACE INTO label_snapshots (task_id, version, document) VALUES (?, ?, ?)");
  if (!upsert) return std::move(upsert).error();
  if (Status status = upsert->bind(1, task_id).bind(2, version).bind(3, text).run(); !status) {
    return status;
  }
  return transaction->commit();
}

Expected<Comment> SqliteStore::add_comment(const Comment& comment) {
  if (comment.text.empty()) {
    return error(formats::ErrorCode::kInvalidArgument, "a comment needs text");
  }
  Expected<WriteTransaction> transaction = WriteTransaction::begin(db_);
  if (!transaction) return std::move(transaction).error();
  if (Expected<Task> exists = task(comment.task_id); !exists) return std::move(exists).error();
  Comment stored = comment;
  stored.author = user_;
  stored.at_us = now_us();
  Expected<Statement> insert = db_.prepare(
      "INSERT INTO comments (task_id, track_id, frame, x, y, z, author, at_us, text, resolved) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  if (!insert) return std::move(insert).error();
  insert->bind(1, stored.task_id);
  if (stored.track_id) {
    insert->bind(2, *stored.track_id);
  } else {
    insert->bind_null(2);
  }
  if (Status status = insert->bind(3, stored.frame)
                          .bind(4, stored.x)
                          .bind(5, stored.y)
                          .bind(6, stored.z)
                          .bind(7, stored.author)
                          .bind(8, stored.at_us)
                          .bind(9, stored.text)
                          .bind(10, std::int64_t{stored.resolved ? 1 : 0})
                          .run();
      !status) {
    return std::move(status).error();
  }
  stored.id = db_.last_insert_id();
  if (Status status = record_change(stored.task_id, "comment", stored.at_us); !status) {
    return std::move(status).error();
  }
  if (Status status = transaction->commit(); !status) return std::move(status).error();
  return stored;
}

Expected<std::vector<Comment>> SqliteStore::comments(std::int64_t task_id) {
  Expected<Statement> query = db_.prepare(std::string("SELECT ") + kCommentColumns +
                                          " FROM comments WHERE task_id = ? ORDER BY id");
  if (!query) return std::move(query).error();
  query->bind(1, task_id);
  return read_all<Comment>(*query, read_comment);
}

Status SqliteStore::resolve_comment(std::int64_t comment_id, bool resolved) {
  Expected<WriteTransaction> transaction = WriteTransaction::begin(db_);
  if (!transaction) return std::move(transaction).error();
  Expected<Statement> find = db_.prepare("SELECT task_id FROM comments WHERE id = ?");
  if (!find) return std::move(find).error();
  find->bind(1, comment_id);
  Expected<bool> row = find->step();
  if (!row) return std::move(row).error();
  if (!*row) {
    return error(formats::ErrorCode::kNotFound,
                 "comment " + std::to_string(comment_id) + " does not exist");
  }
  const std::int64_t task_id = find->int64(0);
  Expected<Statement> update = db_.prepare("UPDATE comments SET resolved = ? WHERE id = ?");
  if (!update) return std::move(update).error();
  if (Status status = update->bind(1, std::int64_t{resolved ? 1 : 0}).bind(2, comment_id).run();
      !status) {
    return status;
  }
  if (Status status = record_change(task_id, "comment", now_us()); !status) return status;
  return transaction->commit();
}

Expected<std::int64_t> SqliteStore::change_mark() {
  Expected<Statement> query = db_.prepare("SELECT coalesce(max(id), 0) FROM changes");
  if (!query) return std::move(query).error();
  return read_one<std::int64_t>(
      *query, [](const Statement& row) { return row.int64(0); },
      error(formats::ErrorCode::kIo, "no change mark", db_.path()));
}

Expected<bool> SqliteStore::wait_for_change(std::int64_t mark, std::chrono::milliseconds timeout) {
  // A file has no notifications: poll. 50 ms keeps a dashboard live at a negligible cost.
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    Expected<std::int64_t> current = change_mark();
    if (!current) return std::move(current).error();
    if (*current > mark) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

}  // namespace pcanno::store::sqlite
