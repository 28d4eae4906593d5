#include "store_messages.hpp"

#include <ctime>
#include <random>

#include "pcanno/store/open_store.hpp"

namespace pcanno::store {
namespace {

formats::Error conflict(std::string message) {
  return error(formats::ErrorCode::kConflict, std::move(message));
}

std::string task_name(std::int64_t task_id) { return "task " + std::to_string(task_id); }

}  // namespace

std::string format_utc(std::int64_t at_us) {
  const std::time_t seconds = static_cast<std::time_t>(at_us / 1000000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

formats::Error task_not_found(std::int64_t task_id, const std::string& user) {
  return error(formats::ErrorCode::kNotFound,
               task_name(task_id) + " does not exist or is not visible to " + user);
}

formats::Error bad_transition(std::int64_t task_id, TaskState from, TaskState to) {
  return conflict(task_name(task_id) + " is " + to_string(from) + ": it cannot move to " +
                  to_string(to));
}

formats::Error reject_needs_reason(std::int64_t task_id) {
  return error(formats::ErrorCode::kInvalidArgument,
               "rejecting " + task_name(task_id) + " needs a reason");
}

formats::Error leased_by_other(std::int64_t task_id, const std::string& holder,
                               std::int64_t expires_at_us) {
  return conflict(task_name(task_id) + " is leased by " + holder + " until " +
                  format_utc(expires_at_us));
}

formats::Error lease_lapsed(std::int64_t task_id) {
  return conflict(task_name(task_id) + ": this client's lease lapsed; open the task again");
}

formats::Error stale_version(std::int64_t task_id, std::int64_t version, const std::string& holder,
                             std::int64_t base_version) {
  return conflict(task_name(task_id) + " is at version " + std::to_string(version) +
                  (holder.empty() ? std::string() : " (leased by " + holder + ")") +
                  "; this edit was based on version " + std::to_string(base_version));
}

formats::Error labels_frozen(std::int64_t task_id, TaskState state) {
  return conflict(task_name(task_id) + " is " + to_string(state) +
                  ": its labels cannot change until it is rejected");
}

formats::Error snapshot_ahead(std::int64_t task_id, std::int64_t version, std::int64_t current) {
  return error(formats::ErrorCode::kInvalidArgument,
               "a snapshot of " + task_name(task_id) + " at version " + std::to_string(version) +
                   " is past its current version " + std::to_string(current));
}

formats::Error schema_too_new(int version, const std::string& where) {
  return error(formats::ErrorCode::kUnsupported,
               "the store has schema version " + std::to_string(version) +
                   ", newer than this pcanno's " + std::to_string(kStoreSchemaVersion) +
                   ": upgrade pcanno",
               where);
}

formats::Error schema_too_old(int version, const std::string& where, const std::string& url) {
  return error(formats::ErrorCode::kConflict,
               "the store has schema version " + std::to_string(version) +
                   ": migrate it with `pcanno project init --db " + url + "`",
               where);
}

std::string random_token() {
  static thread_local std::mt19937_64 engine{std::random_device{}()};
  static const char* kHex = "0123456789abcdef";
  std::string token(32, '0');
  for (std::size_t i = 0; i < token.size(); i += 16) {
    std::uint64_t bits = engine();
    for (std::size_t j = 0; j < 16; ++j, bits >>= 4) token[i + j] = kHex[bits & 0xf];
  }
  return token;
}

}  // namespace pcanno::store
