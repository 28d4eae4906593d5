#pragma once
#include <string>

#include "pcanno/store/model.hpp"
#include "sqlite_db.hpp"

// Column lists and the readers that turn a row of them into a record, so that every query that
// returns tasks (or comments) selects the same columns in the same order.

namespace pcanno::store::sqlite {

inline constexpr const char* kTaskColumns =
    "id, project_id, sequence_id, first_frame, last_frame, label_kinds, state, assignee, version, "
    "lease_holder, lease_expires_at_us";
/// A task row; the lease shows only while it is live at `now_us`.
Task read_task(const Statement& row, std::int64_t now_us);

inline constexpr const char* kCommentColumns =
    "id, task_id, track_id, frame, x, y, z, author, at_us, text, resolved";
Comment read_comment(const Statement& row);

inline constexpr const char* kSequenceColumns =
    "id, project_id, name, uri, layout, labels_uri, frame_count";
SequenceRecord read_sequence(const Statement& row);

/// Runs `query` (already bound) and reads every row with `read`.
template <typename T, typename Read>
Expected<std::vector<T>> read_all(Statement& query, Read read) {
  std::vector<T> out;
  while (true) {
    Expected<bool> row = query.step();
    if (!row) return std::move(row).error();
    if (!*row) return out;
    out.push_back(read(query));
  }
}

/// The one row `query` returns, or `missing` when it returns none.
template <typename T, typename Read>
Expected<T> read_one(Statement& query, Read read, formats::Error missing) {
  Expected<bool> row = query.step();
  if (!row) return std::move(row).error();
  if (!*row) return missing;
  return read(query);
}

}  // namespace pcanno::store::sqlite
