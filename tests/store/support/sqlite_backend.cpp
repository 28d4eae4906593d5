#include <optional>

#include "pcanno/store/open_store.hpp"
#include "store_backend.hpp"
#include "temp_dir.hpp"

namespace pcanno::test {
namespace {

// A store file in a temporary folder. People are only names here: open_as() passes the name as
// StoreOptions::user, which is all a SQLite store knows of who acts.
class SqliteBackend final : public StoreBackend {
 public:
  std::string name() const override { return "sqlite"; }

  formats::Status create() override {
    dir_.emplace("pcanno_store_");
    url_ = "sqlite:" + (dir_->path() / "project.db").string();
    formats::Expected<std::unique_ptr<store::ProjectStore>> admin =
        store::open_store(url_, {"ada", true});
    if (!admin) return std::move(admin).error();
    return (*admin)->add_user("ada", store::Role::kAdmin, password_for("ada"));
  }

  formats::Expected<std::unique_ptr<store::ProjectStore>> open_as(
      const std::string& user) override {
    return store::open_store(url_, {user, false});
  }

  void destroy() override { dir_.reset(); }

 private:
  std::optional<TempDir> dir_;
  std::string url_;
};

}  // namespace

std::unique_ptr<StoreBackend> make_sqlite_backend() { return std::make_unique<SqliteBackend>(); }

}  // namespace pcanno::test
