#include "pcanno/store/open_store.hpp"

#include <cstdlib>

#include "backends.hpp"
#include "store_messages.hpp"

namespace pcanno::store {
namespace {

bool starts_with(const std::string& text, const char* prefix) { return text.rfind(prefix, 0) == 0; }

std::string resolved_user(const StoreOptions& options) {
  if (!options.user.empty()) return options.user;
  for (const char* variable : {"PCANNO_USER", "USER"}) {
    const char* value = std::getenv(variable);
    if (value && *value) return value;
  }
  return "local";
}

}  // namespace

Expected<std::unique_ptr<ProjectStore>> open_store(const std::string& url,
                                                   const StoreOptions& options) {
  if (starts_with(url, "sqlite:")) {
    std::string path = url.substr(7);
    if (starts_with(path, "//")) path = path.substr(2);  // sqlite:///abs/path as well
    if (path.empty()) {
      return error(formats::ErrorCode::kInvalidArgument, "--db sqlite:PATH: the path is missing");
    }
    StoreOptions resolved = options;
    resolved.user = resolved_user(options);
    return open_sqlite_store(path, resolved);
  }
  const bool uri = starts_with(url, "postgresql://") || starts_with(url, "postgres://");
  if (uri || starts_with(url, "postgresql:")) {
#ifdef PCANNO_HAVE_POSTGRES
    return open_postgres_store(uri ? url : url.substr(11), options);
#else
    return error(formats::ErrorCode::kUnsupported,
                 "this pcanno was built without PostgreSQL (libpqxx): use --db sqlite:PATH");
#endif
  }
  return error(
      formats::ErrorCode::kInvalidArgument,
      "--db '" + url + "': expected sqlite:PATH, postgresql://... or postgresql:KEY=VALUE ...");
}

}  // namespace pcanno::store
