#include "sqlite_db.hpp"
#include "store_messages.hpp"

#include <utility>

namespace pcanno::store::sqlite {

formats::Error sqlite_error(sqlite3* db, int code, const std::string& path) {
  const int primary = code & 0xff;
  formats::ErrorCode mapped = formats::ErrorCode::kIo;
  if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED) mapped = formats::ErrorCode::kBusy;
  if (primary == SQLITE_CONSTRAINT) mapped = formats::ErrorCode::kConflict;
  if (primary == SQLITE_CANTOPEN) mapped = formats::ErrorCode::kNotFound;
  if (primary == SQLITE_PERM || primary == SQLITE_READONLY) {
    mapped = formats::ErrorCode::kPermission;
  }
  if (primary == SQLITE_NOTADB || primary == SQLITE_CORRUPT) {
    mapped = formats::ErrorCode::kMalformed;
  }
  std::string message = db ? sqlite3_errmsg(db) : sqlite3_errstr(code);
  return error(mapped, "SQLite: " + message, path);
}

Statement::Statement(Statement&& other) noexcept
    : db_(other.db_),
      stmt_(other.stmt_),
      path_(std::move(other.path_)),
      bind_error_(other.bind_error_) {
  other.stmt_ = nullptr;
}

Statement::~Statement() {
  if (stmt_) sqlite3_finalize(stmt_);
}

Statement& Statement::bind(int index, std::int64_t value) {
  const int rc = sqlite3_bind_int64(stmt_, index, value);
  if (rc != SQLITE_OK) bind_error_ = rc;
  return *this;
}

Statement& Statement::bind(int index, double value) {
  const int rc = sqlite3_bind_double(stmt_, index, value);
  if (rc != SQLITE_OK) bind_error_ = rc;
  return *this;
}

Statement& Statement::bind(int index, std::string_view value) {
  const int rc =
      sqlite3_bind_text64(stmt_, index, value.data(), value.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  if (rc != SQLITE_OK) bind_error_ = rc;
  return *this;
}

Statement& Statement::bind_null(int index) {
  const int rc = sqlite3_bind_null(stmt_, index);
  if (rc != SQLITE_OK) bind_error_ = rc;
  return *this;
}

Expected<bool> Statement::step() {
  if (bind_error_ != SQLITE_OK) return sqlite_error(db_, bind_error_, path_);
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return sqlite_error(db_, rc, path_);
}

Status Statement::run() {
  while (true) {
    Expected<bool> row = step();
    if (!row) return std::move(row).error();
    if (!*row) return {};
  }
}

std::string Statement::text(int column) const {
  const unsigned char* data = sqlite3_column_text(stmt_, column);
  if (!data) return {};
  return std::string(reinterpret_cast<const char*>(data),
                     static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column)));
}

Expected<Database> Database::open(const std::string& path, bool create) {
  sqlite3* db = nullptr;
  const int flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0) | SQLITE_OPEN_NOMUTEX;
  const int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    formats::Error error = sqlite_error(db, rc, path);
    sqlite3_close(db);
    if (error.code == formats::ErrorCode::kNotFound) {
      error.message =
          "no project store here: create it with `pcanno project init --db sqlite:" + path + "`";
    }
    return error;
  }
  Database database(db, path);
  sqlite3_busy_timeout(db, 10000);
  sqlite3_extended_result_codes(db, 1);
  // WAL: readers do not block the writer. synchronous=FULL: an acknowledged commit survives a
  // power cut, as the engine's journal promises for local edits.
  for (const char* pragma :
       {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL", "PRAGMA foreign_keys=ON"}) {
    if (Status status = database.exec(pragma); !status) return std::move(status).error();
  }
  return database;
}

Database::Database(Database&& other) noexcept : db_(other.db_), path_(std::move(other.path_)) {
  other.db_ = nullptr;
}

Database& Database::operator=(Database&& other) noexcept {
  if (this != &other) {
    if (db_) sqlite3_close(db_);
    db_ = other.db_;
    path_ = std::move(other.path_);
    other.db_ = nullptr;
  }
  return *this;
}

Database::~Database() {
  if (db_) sqlite3_close(db_);
}

Expected<Statement> Database::prepare(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  const int rc = sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr);
  if (rc != SQLITE_OK) return sqlite_error(db_, rc, path_);
  return Statement(db_, stmt, path_);
}

Status Database::exec(const char* sql) {
  char* message = nullptr;
  const int rc = sqlite3_exec(db_, sql, nullptr, nullptr, &message);
  sqlite3_free(message);
  if (rc != SQLITE_OK) return sqlite_error(db_, rc, path_);
  return {};
}

Expected<WriteTransaction> WriteTransaction::begin(Database& db) {
  if (Status status = db.exec("BEGIN IMMEDIATE"); !status) return std::move(status).error();
  return WriteTransaction(&db);
}

WriteTransaction::~WriteTransaction() {
  if (db_) (void)db_->exec("ROLLBACK");
}

Status WriteTransaction::commit() {
  Status status = db_->exec("COMMIT");
  if (status) db_ = nullptr;
  return status;
}

}  // namespace pcanno::store::sqlite
