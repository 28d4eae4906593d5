#pragma once
#include <sqlite3.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "pcanno/formats/support/expected.hpp"

// A thin RAII layer over the SQLite C API: a connection, prepared statements with positional
// parameters, and transactions that roll back unless committed. Every statement the store runs
// is prepared and bound; no value is ever spliced into SQL text.

namespace pcanno::store::sqlite {

using formats::Expected;
using formats::Status;

class Statement {
 public:
  Statement(sqlite3* db, sqlite3_stmt* stmt, std::string path)
      : db_(db), stmt_(stmt), path_(std::move(path)) {}
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&&) = delete;
  Statement(const Statement&) = delete;
  ~Statement();

  Statement& bind(int index, std::int64_t value);
  Statement& bind(int index, double value);
  Statement& bind(int index, std::string_view value);
  Statement& bind(int index, const char* value) { return bind(index, std::string_view(value)); }
  Statement& bind_null(int index);

  /// Steps once: true while a row is available, false when done; an error names the store file.
  Expected<bool> step();
  /// Steps to the end (for statements without rows).
  Status run();

  std::int64_t int64(int column) const { return sqlite3_column_int64(stmt_, column); }
  double real(int column) const { return sqlite3_column_double(stmt_, column); }
  std::string text(int column) const;
  bool is_null(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }

 private:
  sqlite3* db_ = nullptr;
  sqlite3_stmt* stmt_ = nullptr;
  std::string path_;
  int bind_error_ = SQLITE_OK;
};

class Database {
 public:
  /// Opens (or with `create`, creates) the file, in WAL mode with a busy timeout, so that other
  /// processes on the same file wait for a write lock instead of failing at once.
  static Expected<Database> open(const std::string& path, bool create);
  Database(Database&& other) noexcept;
  Database& operator=(Database&& other) noexcept;
  Database(const Database&) = delete;
  ~Database();

  Expected<Statement> prepare(std::string_view sql);
  /// Runs SQL without parameters (schema, pragmas, transaction control).
  Status exec(const char* sql);
  std::int64_t last_insert_id() const { return sqlite3_last_insert_rowid(db_); }
  const std::string& path() const { return path_; }

 private:
  Database(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  sqlite3* db_ = nullptr;
  std::string path_;
};

/// An error naming the store file and SQLite's message; busy and locked map to kBusy, a
/// constraint violation to kConflict, the rest to kIo.
formats::Error sqlite_error(sqlite3* db, int code, const std::string& path);

/// BEGIN IMMEDIATE on creation (the write lock up front, so that a read-check-write sequence is
/// atomic against other processes); ROLLBACK on destruction unless commit() succeeded.
class WriteTransaction {
 public:
  static Expected<WriteTransaction> begin(Database& db);
  WriteTransaction(WriteTransaction&& other) noexcept : db_(other.db_) { other.db_ = nullptr; }
  WriteTransaction& operator=(WriteTransaction&&) = delete;
  WriteTransaction(const WriteTransaction&) = delete;
  ~WriteTransaction();
  Status commit();

 private:
  explicit WriteTransaction(Database* db) : db_(db) {}
  Database* db_ = nullptr;
};

}  // namespace pcanno::store::sqlite
