#pragma once
#include <memory>
#include <string>

#include "pcanno/store/project_store.hpp"

// A store backend under test. The shared suite (tests/store/store_suite_test.cpp) runs every case
// against each backend that can run here: a fresh store per test, opened as any of its people.
//
// Conventions every backend follows:
// - after create() the store exists with the current schema and one admin, "ada";
// - people the tests add (ProjectStore::add_user) get the password password_for(name), and
//   open_as(name) connects as them with it.

namespace pcanno::test {

inline std::string password_for(const std::string& user) { return "pw-" + user + "-Secret1"; }

class StoreBackend {
 public:
  virtual ~StoreBackend() = default;
  virtual std::string name() const = 0;
  /// A fresh, empty store with its schema and the admin "ada".
  virtual formats::Status create() = 0;
  /// The store opened as `user`.
  virtual formats::Expected<std::unique_ptr<store::ProjectStore>> open_as(
      const std::string& user) = 0;
  /// Removes the store and everything create() and the test added (files, databases, roles).
  virtual void destroy() = 0;
};

std::unique_ptr<StoreBackend> make_sqlite_backend();
/// nullptr, with `why_not` set, when no PostgreSQL server can be started here (not root, or
/// postgresql-15 missing).
std::unique_ptr<StoreBackend> make_postgres_backend(std::string* why_not);

}  // namespace pcanno::test
