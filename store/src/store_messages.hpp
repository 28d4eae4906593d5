#pragma once
#include <cstdint>
#include <string>

#include "pcanno/formats/support/error.hpp"
#include "pcanno/store/model.hpp"

// The errors both backends give for the same refusals, worded once so that a person sees the same
// sentence whichever store they work on.

namespace pcanno::store {

/// An error with an optional path (the store file or server); spares the aggregate's every field.
inline formats::Error error(formats::ErrorCode code, std::string message, std::string path = {}) {
  return formats::Error{code, std::move(message), std::move(path), -1, -1};
}

/// "2026-12-07T20:31:05Z" for microseconds since the epoch (UTC).
std::string format_utc(std::int64_t at_us);

formats::Error task_not_found(std::int64_t task_id, const std::string& user);
formats::Error bad_transition(std::int64_t task_id, TaskState from, TaskState to);
formats::Error reject_needs_reason(std::int64_t task_id);
formats::Error leased_by_other(std::int64_t task_id, const std::string& holder,
                               std::int64_t expires_at_us);
formats::Error lease_lapsed(std::int64_t task_id);
formats::Error stale_version(std::int64_t task_id, std::int64_t version, const std::string& holder,
                             std::int64_t base_version);
formats::Error labels_frozen(std::int64_t task_id, TaskState state);
formats::Error snapshot_ahead(std::int64_t task_id, std::int64_t version, std::int64_t current);

/// A store whose schema is newer than this build (kUnsupported), or older (kConflict, naming the
/// command that migrates it). `where` is the file or server, `url` the --db value.
formats::Error schema_too_new(int version, const std::string& where);
formats::Error schema_too_old(int version, const std::string& where, const std::string& url);

/// A random token of 32 hex digits, for leases and client ids.
std::string random_token();

}  // namespace pcanno::store
