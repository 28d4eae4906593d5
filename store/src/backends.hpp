#pragma once
#include <memory>
#include <string>

#include "pcanno/store/open_store.hpp"

// The backends open_store() dispatches to. Each lives in its own folder (sqlite/, postgres/).
namespace pcanno::store {

/// `path` is a file; `options.user` already resolved (never empty).
Expected<std::unique_ptr<ProjectStore>> open_sqlite_store(const std::string& path,
                                                          const StoreOptions& options);

#ifdef PCANNO_HAVE_POSTGRES
/// `conninfo` is what libpq takes: a URI or a keyword string, "" for the environment.
Expected<std::unique_ptr<ProjectStore>> open_postgres_store(const std::string& conninfo,
                                                            const StoreOptions& options);
#endif

}  // namespace pcanno::store
