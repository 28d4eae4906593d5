#pragma once
#include <memory>
#include <string>

#include "pcanno/store/project_store.hpp"

namespace pcanno::store {

/// The schema version this build creates and reads. A store with an older one is migrated by
/// `create`; a newer one is refused with kUnsupported.
inline constexpr int kStoreSchemaVersion = 2;

struct StoreOptions {
  /// SQLite only: who acts, since a file has no logins. Empty: $PCANNO_USER, else $USER, else
  /// "local". PostgreSQL ignores it: the connection's role is the user.
  std::string user;
  /// Create the store if it does not exist and migrate its schema to kStoreSchemaVersion
  /// (`pcanno project init`). Without it a missing store is kNotFound and an older schema
  /// kConflict, naming the command that migrates it.
  bool create = false;
};

/// Opens a store by URL:
/// - `sqlite:PATH`: an embedded single-file store;
/// - `postgresql://...` or `postgres://...` (a libpq URI), or `postgresql:` followed by a libpq
///   keyword string (`postgresql:service=team`, or nothing: PGHOST, PGPASSFILE and the other
///   libpq variables and service files apply in every form).
/// kInvalidArgument for another scheme, kUnsupported for PostgreSQL in a build without libpqxx.
Expected<std::unique_ptr<ProjectStore>> open_store(const std::string& url,
                                                   const StoreOptions& options = {});

}  // namespace pcanno::store
