// The PostgreSQL store's connection: opening, the schema check and migrations, mapping the
// server's errors to ErrorCodes, and LISTEN/NOTIFY for live updates.
#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <utility>

#include "postgres/pg_store.hpp"
#include "postgres/schema.hpp"

namespace pcanno::store {

Expected<std::unique_ptr<ProjectStore>> open_postgres_store(const std::string& conninfo,
                                                            const StoreOptions& options) {
  try {
    auto store = std::make_unique<postgres::PostgresStore>(conninfo);
    Status opened = store->open(options.create);
    if (!opened) return std::move(opened).error();
    return std::unique_ptr<ProjectStore>(std::move(store));
  } catch (const std::exception& error) {  // std::bad_alloc: nothing may escape
    return postgres::make_error(formats::ErrorCode::kOutOfMemory, error.what());
  }
}

namespace postgres {

using formats::ErrorCode;

formats::Error make_error(ErrorCode code, std::string message) {
  formats::Error error;
  error.code = code;
  error.message = std::move(message);
  return error;
}

std::string micros(const std::string& column) {
  return "(extract(epoch FROM " + column + ") * 1000000)::bigint";
}

// Without bounds a dropped network leaves a commit or heartbeat waiting for TCP to give up
// (minutes), and with it the window that closes the task. Settings the caller gave (in the string
// or, for the connect timeout, PGCONNECT_TIMEOUT) win.
std::string with_timeouts(const std::string& conninfo) {
  static const std::pair<const char*, const char*> kDefaults[] = {
      {"connect_timeout", "10"},     {"keepalives", "1"},       {"keepalives_idle", "30"},
      {"keepalives_interval", "10"}, {"keepalives_count", "3"}, {"tcp_user_timeout", "30000"}};
  const bool uri = conninfo.rfind("postgresql://", 0) == 0 || conninfo.rfind("postgres://", 0) == 0;
  std::string out = conninfo;
  for (const auto& [key, value] : kDefaults) {
    if (conninfo.find(std::string(key) + "=") != std::string::npos) continue;
    if (std::string(key) == "connect_timeout" && std::getenv("PGCONNECT_TIMEOUT")) continue;
    if (uri) {
      out += out.find('?') == std::string::npos ? '?' : '&';
    } else if (!out.empty()) {
      out += ' ';
    }
    out += std::string(key) + "=" + value;
  }
  return out;
}

PostgresStore::~PostgresStore() { drop_connection(); }

void PostgresStore::drop_connection() noexcept {
  receiver_.reset();
  quiet_.reset();
  connection_.reset();
}

Status PostgresStore::open(bool create) {
  Status ready = ensure_connected();
  if (!ready) return ready;
  try {
    return check_schema(*connection_, create);
  } catch (...) {
    return current_exception_error();
  }
}

Status PostgresStore::ensure_connected() {
  using Clock = std::chrono::steady_clock;
  // A connection that sat idle may have lost its server (a restart, a dropped network) without
  // its socket saying so yet: the next statement on it would fail although the server is back.
  // As connection pools do, check one idle for longer than a burst of calls first, and open a
  // fresh one when it is gone. Busy connections (a commit after a commit) skip the round trip.
  constexpr std::chrono::milliseconds kIdleCheck{250};
  if (connection_ && connection_->is_open()) {
    if (Clock::now() - last_used_ < kIdleCheck) return {};
    try {
      pqxx::nontransaction probe(*connection_);
      probe.exec("SELECT 1");
      return {};
    } catch (const pqxx::broken_connection&) {  // gone: replaced below
    } catch (const pqxx::sql_error&) {          // terminated by the server (57P01 and kin)
    }
  }
  drop_connection();
  try {
    connection_ = std::make_unique<pqxx::connection>(with_timeouts(conninfo_));
    quiet_ = std::make_unique<QuietErrors>(*connection_);
    pqxx::nontransaction query(*connection_);
    user_ = query.exec("SELECT current_user")[0][0].as<std::string>();
    last_used_ = Clock::now();
    return {};
  } catch (const pqxx::broken_connection& error) {
    // libpq reports a refused login like a lost server; retrying will not help those.
    drop_connection();
    std::string message = error.what();
    while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) {
      message.pop_back();
    }
    const auto says = [&](const char* text) { return message.find(text) != std::string::npos; };
    if (says("authentication failed") || says("no pg_hba.conf entry") ||
        (says("role \"") && says("does not exist"))) {
      return make_error(ErrorCode::kPermission, "PostgreSQL refused the login: " + message);
    }
    if (says("database \"") && says("does not exist")) {
      return make_error(ErrorCode::kNotFound, message);
    }
    return make_error(ErrorCode::kIo, "PostgreSQL server unreachable: " + message);
  } catch (...) {
    return current_exception_error();
  }
}

namespace {

// libpqxx 6.4 leaves sqlstate() empty on the exception classes it picks by SQLSTATE; the class
// still says which it was.
std::string sqlstate_of(const pqxx::sql_error& error) {
  if (!error.sqlstate().empty()) return error.sqlstate();
  if (dynamic_cast<const pqxx::insufficient_privilege*>(&error)) return "42501";
  if (dynamic_cast<const pqxx::unique_violation*>(&error)) return "23505";
  if (dynamic_cast<const pqxx::check_violation*>(&error)) return "23514";
  if (dynamic_cast<const pqxx::foreign_key_violation*>(&error)) return "23503";
  return "";
}

}  // namespace

formats::Error PostgresStore::current_exception_error() {
  try {
    throw;
  } catch (const pqxx::broken_connection& error) {
    drop_connection();
    return make_error(ErrorCode::kIo,
                      std::string("PostgreSQL server unreachable: ") + error.what());
  } catch (const pqxx::sql_error& error) {
    const std::string state = sqlstate_of(error);
    std::string message = error.what();
    while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) {
      message.pop_back();
    }
    if (state.rfind("08", 0) == 0 || state == "57P01" || state == "57P02" || state == "57P03") {
      drop_connection();
      return make_error(ErrorCode::kIo, "PostgreSQL server unreachable: " + message);
    }
    if (state == "42501") return make_error(ErrorCode::kPermission, message);
    if (state == "23505" || state == "42710" || state == "23514") {
      return make_error(ErrorCode::kConflict, message);
    }
    if (state == "22023") return make_error(ErrorCode::kInvalidArgument, message);
    if (state == "3D000") return make_error(ErrorCode::kNotFound, message);
    return make_error(ErrorCode::kIo, message);
  } catch (const pqxx::in_doubt_error& error) {
    drop_connection();
    return make_error(ErrorCode::kIo,
                      std::string("PostgreSQL server unreachable: ") + error.what());
  } catch (const std::bad_alloc&) {
    return make_error(ErrorCode::kOutOfMemory, "out of memory");
  } catch (const std::exception& error) {
    // A failure libpqxx noticed itself (a lost socket mid-statement surfaces this way too).
    if (connection_ && !connection_->is_open()) {
      drop_connection();
      return make_error(ErrorCode::kIo,
                        std::string("PostgreSQL server unreachable: ") + error.what());
    }
    return make_error(ErrorCode::kIo, error.what());
  } catch (...) {
    return make_error(ErrorCode::kIo, "unknown error from libpqxx");
  }
}

std::string PostgresStore::display_url() const {
  if (!connection_) return "postgresql:";
  const char* host = connection_->hostname();
  const char* port = connection_->port();
  const char* database = connection_->dbname();
  const std::string host_text = host ? host : "";
  const std::string port_text = port ? port : "";
  const std::string database_text = database ? database : "";
  if (host_text.empty() || host_text.front() == '/') {  // a unix socket folder
    return "postgresql:host=" + host_text + " port=" + port_text + " dbname=" + database_text;
  }
  return "postgresql://" + host_text + ":" + port_text + "/" + database_text;
}

namespace {

int read_version(pqxx::transaction_base& work) {
  const pqxx::row table = work.exec1("SELECT to_regclass('pcanno.schema_version') IS NOT NULL");
  if (!table[0].as<bool>()) return 0;
  const pqxx::result version = work.exec("SELECT max(version) FROM pcanno.schema_version");
  return version.empty() || version[0][0].is_null() ? 0 : version[0][0].as<int>();
}

}  // namespace

Status PostgresStore::check_schema(pqxx::connection& connection, bool create) {
  pqxx::work work(connection);
  int version = read_version(work);
  if (version > kStoreSchemaVersion) return schema_too_new(version, display_url());
  if (version == kStoreSchemaVersion) return {};
  if (!create) return schema_too_old(version, display_url(), display_url());
  // Two inits at once: the second waits here, then finds the work done.
  work.exec("SELECT pg_advisory_xact_lock(hashtext('pcanno.schema'))");
  version = read_version(work);
  const std::vector<std::string>& steps = migrations();
  for (int next = version; next < kStoreSchemaVersion && next < static_cast<int>(steps.size());
       ++next) {
    work.exec(steps[static_cast<std::size_t>(next)]);
  }
  work.exec("DELETE FROM pcanno.schema_version");
  work.exec_params("INSERT INTO pcanno.schema_version (version) VALUES ($1)", kStoreSchemaVersion);
  work.commit();
  return {};
}

Expected<int> PostgresStore::schema_version() {
  return guarded([&](pqxx::connection& connection) -> Expected<int> {
    pqxx::work work(connection);
    return read_version(work);
  });
}

Expected<std::int64_t> PostgresStore::change_mark() {
  return guarded([&](pqxx::connection& connection) -> Expected<std::int64_t> {
    pqxx::work work(connection);
    return work.exec1("SELECT coalesce(max(id), 0) FROM pcanno.changes")[0].as<std::int64_t>();
  });
}

Expected<bool> PostgresStore::wait_for_change(std::int64_t mark,
                                              std::chrono::milliseconds timeout) {
  using Clock = std::chrono::steady_clock;
  const Clock::time_point deadline = Clock::now() + timeout;
  // LISTEN first, then read the mark: a change committed in between is seen by the read, a later
  // one by the notification.
  Status listening = guarded([&](pqxx::connection& connection) -> Status {
    if (!receiver_) receiver_ = std::make_unique<ChangeReceiver>(connection);
    return {};
  });
  if (!listening) return std::move(listening).error();
  while (true) {
    Expected<std::int64_t> now_mark = change_mark();
    if (!now_mark) return std::move(now_mark).error();
    if (*now_mark > mark) return true;
    const auto left =
        std::chrono::duration_cast<std::chrono::microseconds>(deadline - Clock::now());
    if (left.count() <= 0) return false;
    // Wake at least every second to re-read the mark, whatever happens to the notifications.
    const long long slice = std::min<long long>(left.count(), 1000000);
    Status waited = guarded([&](pqxx::connection& connection) -> Status {
      if (!receiver_) receiver_ = std::make_unique<ChangeReceiver>(connection);
      connection.await_notification(static_cast<long>(slice / 1000000),
                                    static_cast<long>(slice % 1000000));
      return {};
    });
    if (!waited) return std::move(waited).error();
  }
}

}  // namespace postgres
}  // namespace pcanno::store
