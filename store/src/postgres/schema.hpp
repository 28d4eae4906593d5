#pragma once
#include <string>
#include <vector>

// The PostgreSQL store's schema as migrations: element i takes a database from schema version i to
// i + 1. Each runs as the superuser (or a role that may create roles) inside one transaction that
// also records the new version; see docs/store-security.md for what the roles and policies mean.
namespace pcanno::store::postgres {

const std::vector<std::string>& migrations();

/// Version 2's step, which makes plain SQL obey the rules the client follows: first the checks of
/// the data it needs (as the migrating superuser), then the label log's rules
/// (schema_labels_v2.cpp) and the workflow's (schema_workflow_v2.cpp), as pcanno_owner.
const char* labels_v2_checks();
const char* labels_v2();
const char* workflow_v2();

}  // namespace pcanno::store::postgres
