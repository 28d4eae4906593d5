// The PostgreSQL test backend: one throw-away cluster per test process (pg_cluster.sh), one fresh
// database per test, and the login roles the test made dropped again afterwards.
#include "postgres_support.hpp"

#ifdef PCANNO_STORE_POSTGRES
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <pqxx/pqxx>
#include <sstream>

#include "pcanno/store/open_store.hpp"
#endif

namespace pcanno::test {

#ifdef PCANNO_STORE_POSTGRES
namespace {

struct CommandResult {
  int exit_code = -1;
  std::string output;
};

// Paths here are ours (mkdtemp under /tmp and the build's script path): no quoting surprises.
CommandResult run_script(const std::string& command, const std::string& state) {
  const std::string line =
      std::string("'") + PCANNO_PG_CLUSTER_SCRIPT + "' " + command + " '" + state + "' 2>&1";
  CommandResult result;
  FILE* pipe = popen(line.c_str(), "r");
  if (!pipe) return result;
  std::array<char, 512> buffer{};
  while (std::fgets(buffer.data(), static_cast<int>(buffer.size()), pipe)) {
    result.output += buffer.data();
  }
  const int status = pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

// Owns the cluster: the destructor (at process exit) stops it and removes its folders.
class ClusterOwner {
 public:
  ClusterOwner() {
    char folder[] = "/tmp/pcanno-pgtest-XXXXXX";
    if (!mkdtemp(folder)) {
      why_not_ = "could not make a folder under /tmp";
      return;
    }
    cluster_.state = folder;
    const CommandResult up = run_script("up", cluster_.state);
    if (up.exit_code != 0) {
      why_not_ = up.output.empty() ? "pg_cluster.sh up failed" : up.output;
      while (!why_not_.empty() && why_not_.back() == '\n') why_not_.pop_back();
      if (up.exit_code != 3) why_not_ = "pg_cluster.sh up failed: " + why_not_;
      run_script("down", cluster_.state);
      return;
    }
    std::istringstream words(up.output);
    std::string word;
    while (words >> word) {
      const std::size_t equals = word.find('=');
      if (equals == std::string::npos) continue;
      const std::string key = word.substr(0, equals);
      const std::string value = word.substr(equals + 1);
      if (key == "PCANNO_PG_PORT") cluster_.port = value;
      if (key == "PCANNO_PG_SOCKET") cluster_.socket = value;
    }
    if (cluster_.port.empty() || cluster_.socket.empty()) {
      why_not_ = "pg_cluster.sh up printed no port: " + up.output;
      run_script("down", cluster_.state);
      return;
    }
    running_ = true;
  }
  ~ClusterOwner() {
    if (!cluster_.state.empty()) run_script("down", cluster_.state);
  }
  const PgCluster* cluster() const { return running_ ? &cluster_ : nullptr; }
  const std::string& why_not() const { return why_not_; }

 private:
  PgCluster cluster_;
  bool running_ = false;
  std::string why_not_;
};

ClusterOwner& owner() {
  static ClusterOwner instance;  // started once per process, stopped at exit
  return instance;
}

std::string url_encode(const std::string& text) {
  static const char* const kHex = "0123456789ABCDEF";
  std::string encoded;
  for (const unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      encoded += static_cast<char>(c);
    } else {
      encoded += '%';
      encoded += kHex[c >> 4];
      encoded += kHex[c & 15];
    }
  }
  return encoded;
}

// Runs DDL whose identifier is quoted by the server's format('%I'), from a parameter.
void exec_formatted(pqxx::connection& connection, const std::string& format_text,
                    const std::string& identifier) {
  pqxx::nontransaction work(connection);
  const std::string statement =
      work.exec_params1("SELECT format($1, $2::text)", format_text, identifier)[0]
          .as<std::string>();
  work.exec(statement);
}

class PostgresBackendImpl final : public PostgresBackend {
 public:
  std::string name() const override { return "postgresql"; }
  const std::string& database() const override { return database_; }

  formats::Status create() override {
    static std::atomic<int> counter{0};
    database_ = "pcanno_test_" + std::to_string(getpid()) + "_" + std::to_string(++counter);
    try {
      pqxx::connection admin(pg_superuser_conninfo("postgres"));
      exec_formatted(admin, "CREATE DATABASE %I", database_);
    } catch (const std::exception& error) {
      formats::Error failure;
      failure.code = formats::ErrorCode::kIo;
      failure.message = error.what();
      return failure;
    }
    store::StoreOptions options;
    options.create = true;
    auto opened = store::open_store("postgresql:" + pg_superuser_conninfo(database_), options);
    if (!opened) return std::move(opened).error();
    return (*opened)->add_user("ada", store::Role::kAdmin, password_for("ada"));
  }

  formats::Expected<std::unique_ptr<store::ProjectStore>> open_as(
      const std::string& user) override {
    return store::open_store(pg_user_url(user, database_));
  }

  void destroy() override {
    if (database_.empty()) return;
    try {
      pqxx::connection admin(pg_superuser_conninfo("postgres"));
      exec_formatted(admin, "DROP DATABASE IF EXISTS %I WITH (FORCE)", database_);
      std::vector<std::string> roles;
      {
        pqxx::nontransaction work(admin);
        for (const pqxx::row& row :
             work.exec("SELECT DISTINCT r.rolname FROM pg_auth_members m"
                       " JOIN pg_roles r ON r.oid = m.member JOIN pg_roles g ON g.oid = m.roleid"
                       " WHERE g.rolname IN ('pcanno_annotator', 'pcanno_reviewer', 'pcanno_admin')"
                       " AND r.rolcanlogin")) {
          roles.push_back(row[0].as<std::string>());
        }
      }
      for (const std::string& role : roles) exec_formatted(admin, "DROP ROLE %I", role);
    } catch (const std::exception& error) {
      std::fprintf(stderr, "postgres test backend: cleanup of %s failed: %s\n", database_.c_str(),
                   error.what());
    }
    database_.clear();
  }

 private:
  std::string database_;
};

}  // namespace

const PgCluster* pg_cluster(std::string* why_not) {
  const PgCluster* cluster = owner().cluster();
  if (!cluster && why_not) *why_not = owner().why_not();
  return cluster;
}

bool pg_cluster_control(const std::string& command) {
  const PgCluster* cluster = owner().cluster();
  return cluster && run_script(command, cluster->state).exit_code == 0;
}

std::string pg_superuser_conninfo(const std::string& database) {
  const PgCluster* cluster = owner().cluster();
  if (!cluster) return "";
  return "host=" + cluster->socket + " port=" + cluster->port + " user=postgres dbname=" + database;
}

std::string pg_user_url(const std::string& user, const std::string& database) {
  const PgCluster* cluster = owner().cluster();
  if (!cluster) return "";
  return "postgresql://" + url_encode(user) + ":" + url_encode(password_for(user)) +
         "@127.0.0.1:" + cluster->port + "/" + url_encode(database);
}

std::unique_ptr<StoreBackend> make_postgres_backend(std::string* why_not) {
  if (!pg_cluster(why_not)) return nullptr;
  return std::make_unique<PostgresBackendImpl>();
}

#else  // built without libpqxx

const PgCluster* pg_cluster(std::string* why_not) {
  if (why_not) *why_not = "this build has no PostgreSQL store (libpqxx was not found)";
  return nullptr;
}
bool pg_cluster_control(const std::string&) { return false; }
std::string pg_superuser_conninfo(const std::string&) { return ""; }
std::string pg_user_url(const std::string&, const std::string&) { return ""; }
std::unique_ptr<StoreBackend> make_postgres_backend(std::string* why_not) {
  pg_cluster(why_not);
  return nullptr;
}

#endif

}  // namespace pcanno::test
