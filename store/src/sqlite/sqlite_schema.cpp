#include <filesystem>

#include "backends.hpp"
#include "sqlite_store.hpp"
#include "store_messages.hpp"

namespace pcanno::store {
namespace sqlite {
namespace {

// Migration i takes a store from version i to i + 1. Never edit a step that has shipped: add one.
constexpr const char* kMigrations[] = {
    R"sql(
CREATE TABLE schema_version (version INTEGER NOT NULL);
INSERT INTO schema_version VALUES (0);
CREATE TABLE users (
  name TEXT PRIMARY KEY,
  role TEXT NOT NULL CHECK (role IN ('annotator', 'reviewer', 'admin')));
CREATE TABLE projects (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  created_by TEXT NOT NULL,
  created_at_us INTEGER NOT NULL);
CREATE TABLE project_members (
  project_id INTEGER NOT NULL REFERENCES projects(id),
  member TEXT NOT NULL,
  PRIMARY KEY (project_id, member));
CREATE TABLE sequences (
  id INTEGER PRIMARY KEY,
  project_id INTEGER NOT NULL REFERENCES projects(id),
  name TEXT NOT NULL,
  uri TEXT NOT NULL,
  layout TEXT NOT NULL DEFAULT '',
  labels_uri TEXT NOT NULL DEFAULT '',
  frame_count INTEGER NOT NULL DEFAULT 0,
  UNIQUE (project_id, name));
CREATE TABLE tasks (
  id INTEGER PRIMARY KEY,
  project_id INTEGER NOT NULL REFERENCES projects(id),
  sequence_id INTEGER NOT NULL REFERENCES sequences(id),
  first_frame INTEGER NOT NULL,
  last_frame INTEGER NOT NULL,
  label_kinds INTEGER NOT NULL,
  state TEXT NOT NULL CHECK (state IN
    ('new', 'in_progress', 'submitted', 'in_review', 'accepted', 'rejected')),
  assignee TEXT NOT NULL DEFAULT '',
  version INTEGER NOT NULL DEFAULT 0,
  lease_holder TEXT NOT NULL DEFAULT '',
  lease_token TEXT NOT NULL DEFAULT '',
  lease_expires_at_us INTEGER NOT NULL DEFAULT 0);
CREATE TABLE task_events (
  id INTEGER PRIMARY KEY,
  task_id INTEGER NOT NULL REFERENCES tasks(id),
  from_state TEXT,
  to_state TEXT NOT NULL,
  who TEXT NOT NULL,
  at_us INTEGER NOT NULL,
  reason TEXT NOT NULL DEFAULT '');
CREATE INDEX task_events_by_task ON task_events (task_id, id);
CREATE TABLE label_snapshots (
  task_id INTEGER NOT NULL REFERENCES tasks(id),
  version INTEGER NOT NULL,
  document TEXT NOT NULL,
  PRIMARY KEY (task_id, version));
CREATE TABLE label_commits (
  task_id INTEGER NOT NULL REFERENCES tasks(id),
  version INTEGER NOT NULL,
  author TEXT NOT NULL,
  at_us INTEGER NOT NULL,
  client_id TEXT NOT NULL,
  client_seq INTEGER NOT NULL,
  edits TEXT NOT NULL,
  PRIMARY KEY (task_id, version),
  UNIQUE (task_id, client_id, client_seq));
CREATE TABLE comments (
  id INTEGER PRIMARY KEY,
  task_id INTEGER NOT NULL REFERENCES tasks(id),
  track_id INTEGER,
  frame INTEGER NOT NULL,
  x REAL NOT NULL,
  y REAL NOT NULL,
  z REAL NOT NULL,
  author TEXT NOT NULL,
  at_us INTEGER NOT NULL,
  text TEXT NOT NULL,
  resolved INTEGER NOT NULL DEFAULT 0);
CREATE INDEX comments_by_task ON comments (task_id, id);
CREATE TABLE changes (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  task_id INTEGER,
  kind TEXT NOT NULL,
  at_us INTEGER NOT NULL);
)sql",
    // Version 2 made PostgreSQL's rules hold for plain SQL (triggers, grants); nothing changed
    // here.
    "SELECT 1;",
};
constexpr int kMigrationCount = static_cast<int>(sizeof kMigrations / sizeof kMigrations[0]);
static_assert(kMigrationCount == kStoreSchemaVersion, "one migration per schema version");

}  // namespace

Expected<int> read_schema_version(Database& db) {
  Expected<Statement> exists = db.prepare(
      "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'");
  if (!exists) return std::move(exists).error();
  Expected<bool> row = exists->step();
  if (!row) return std::move(row).error();
  if (exists->int64(0) == 0) return 0;
  Expected<Statement> version = db.prepare("SELECT version FROM schema_version");
  if (!version) return std::move(version).error();
  row = version->step();
  if (!row) return std::move(row).error();
  if (!*row) return 0;
  return static_cast<int>(version->int64(0));
}

Status migrate(Database& db) {
  Expected<WriteTransaction> transaction = WriteTransaction::begin(db);
  if (!transaction) return std::move(transaction).error();
  Expected<int> version = read_schema_version(db);
  if (!version) return std::move(version).error();
  if (*version > kStoreSchemaVersion) {
    return schema_too_new(*version, db.path());
  }
  for (int step = *version; step < kStoreSchemaVersion; ++step) {
    if (Status status = db.exec(kMigrations[step]); !status) return status;
  }
  Expected<Statement> set = db.prepare("UPDATE schema_version SET version = ?");
  if (!set) return std::move(set).error();
  if (Status status = set->bind(1, std::int64_t{kStoreSchemaVersion}).run(); !status) {
    return status;
  }
  return transaction->commit();
}

}  // namespace sqlite

Expected<std::unique_ptr<ProjectStore>> open_sqlite_store(const std::string& path,
                                                          const StoreOptions& options) {
  std::error_code ec;
  if (!options.create && !std::filesystem::exists(path, ec)) {
    return error(formats::ErrorCode::kNotFound,
                 "no project store here: create it with `pcanno project init --db "
                 "sqlite:" +
                     path + "`",
                 path);
  }
  Expected<sqlite::Database> db = sqlite::Database::open(path, options.create);
  if (!db) return std::move(db).error();
  if (options.create) {
    if (Status status = sqlite::migrate(*db); !status) return std::move(status).error();
  }
  Expected<int> version = sqlite::read_schema_version(*db);
  if (!version) return std::move(version).error();
  if (*version == 0) {
    return error(formats::ErrorCode::kMalformed,
                 "not a pcanno project store (no schema_version table)", path);
  }
  if (*version > kStoreSchemaVersion) {
    return schema_too_new(*version, path);
  }
  if (*version < kStoreSchemaVersion) {
    return schema_too_old(*version, path, "sqlite:" + path);
  }
  return std::unique_ptr<ProjectStore>(
      std::make_unique<sqlite::SqliteStore>(std::move(*db), options.user));
}

}  // namespace pcanno::store
