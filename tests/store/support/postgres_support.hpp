#pragma once
#include <memory>
#include <string>

#include "store_backend.hpp"

// The PostgreSQL test backend's pieces that PostgreSQL-only tests use directly: the process's
// throw-away cluster (tests/store/pg_cluster.sh) and the database of the store under test.

namespace pcanno::test {

struct PgCluster {
  std::string state;  ///< the script's state folder
  std::string port;
  std::string socket;  ///< the unix socket folder (the superuser connects there)
};

/// The cluster of this test process, started on first use and removed at exit; nullptr with
/// `why_not` when it cannot run here.
const PgCluster* pg_cluster(std::string* why_not);
/// Runs `pg_cluster.sh COMMAND` ("stop" or "start") on it; false when the script failed.
bool pg_cluster_control(const std::string& command);

/// libpq keyword string for the superuser over the unix socket.
std::string pg_superuser_conninfo(const std::string& database);
/// postgresql://USER:PASSWORD@127.0.0.1:PORT/DATABASE with password_for(user).
std::string pg_user_url(const std::string& user, const std::string& database);

/// make_postgres_backend()'s type: the database name of the current store.
class PostgresBackend : public StoreBackend {
 public:
  virtual const std::string& database() const = 0;
};

}  // namespace pcanno::test
