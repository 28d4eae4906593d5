#pragma once
#include <string>
#include <vector>

// The PostgreSQL store's schema as migrations: element i takes a database from schema version i to
// i + 1. Each runs as the superuser (or a role that may create roles) inside one transaction that
// also records the new version; see docs/store-security.md for what the roles and policies mean.
namespace pcanno::store::postgres {

const std::vector<std::string>& migrations();

/// Version 2's step (schema_integrity.cpp): the checks that make plain SQL obey the workflow.
const char* integrity_v2();

}  // namespace pcanno::store::postgres
