#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pcanno/formats/labels/document/edit.hpp"

// The project store's data model: plain records, the same for every backend. Times are the
// server's clock in microseconds since the Unix epoch (UTC). Names of people are the store's user
// names: PostgreSQL role names on a server, the configured name on SQLite.

namespace pcanno::store {

/// The review workflow. Allowed moves (can_transition): new -> in progress -> submitted ->
/// in review -> accepted | rejected; rejected -> in progress.
enum class TaskState { kNew, kInProgress, kSubmitted, kInReview, kAccepted, kRejected };

/// "new", "in_progress", "submitted", "in_review", "accepted", "rejected": the spelling in the
/// database, the CLI and JSON.
const char* to_string(TaskState state);
std::optional<TaskState> parse_task_state(std::string_view text);
/// Whether the workflow allows `from` -> `to` (who may make the move is the backend's business).
bool can_transition(TaskState from, TaskState to);
/// Whether a task's labels may change in `state`: not while it is handed in (submitted, in
/// review) or accepted, so that a reviewer judges, and accepts, the labels that stay.
bool labels_editable(TaskState state);

/// A person's group. On PostgreSQL each is a group role (pcanno_annotator, pcanno_reviewer,
/// pcanno_admin) that the person's login role is a member of.
enum class Role { kAnnotator, kReviewer, kAdmin };
const char* to_string(Role role);  ///< "annotator", "reviewer", "admin"
std::optional<Role> parse_role(std::string_view text);

/// The label kinds a task covers.
enum LabelKinds : unsigned { kBoxes = 1u, kPolylines = 2u };
std::string label_kinds_to_string(unsigned kinds);  ///< "boxes", "polylines", "boxes,polylines"
std::optional<unsigned> parse_label_kinds(std::string_view text);

struct Project {
  std::int64_t id = 0;
  std::string name;
  std::string created_by;
  std::int64_t created_at_us = 0;
};

/// A sequence of a project, referenced where it lives (a path or URI): never copied into the store.
struct SequenceRecord {
  std::int64_t id = 0;
  std::int64_t project_id = 0;
  std::string name;        ///< unique in the project, e.g. "0000"
  std::string uri;         ///< dataset root or folder as the loader takes it
  std::string layout;      ///< "" (detect) or a forced layout id
  std::string labels_uri;  ///< starting labels ("<codec>:<path>"), "" for none
  std::int64_t frame_count = 0;
};

/// A unit of work: a frame range of one sequence and the kinds of labels to draw there.
struct Task {
  std::int64_t id = 0;
  std::int64_t project_id = 0;
  std::int64_t sequence_id = 0;
  std::int64_t first_frame = 0;  ///< inclusive
  std::int64_t last_frame = 0;   ///< inclusive
  unsigned label_kinds = kBoxes;
  TaskState state = TaskState::kNew;
  std::string assignee;      ///< "" when unassigned
  std::int64_t version = 0;  ///< label version: 0 is the starting snapshot, each commit adds 1
  std::string lease_holder;  ///< "" when no live lease
  std::int64_t lease_expires_at_us = 0;
};

/// One state change, with who made it, when and why.
struct TaskEvent {
  std::int64_t id = 0;
  std::int64_t task_id = 0;
  std::optional<TaskState> from;  ///< nullopt for the creation
  TaskState to = TaskState::kNew;
  std::string who;
  std::int64_t at_us = 0;
  std::string reason;
};

/// The right to write a task's labels, held by one person until it expires. A heartbeat extends
/// it; a lease whose holder stopped beating lapses and another person may take it.
struct Lease {
  std::int64_t task_id = 0;
  std::string holder;
  std::string token;  ///< proves the holder's client: a heartbeat or release names it
  std::int64_t expires_at_us = 0;
};

/// One acknowledged edit list of a task's labels: version `version` is the document after it.
struct LabelCommit {
  std::int64_t task_id = 0;
  std::int64_t version = 0;
  std::string author;
  std::int64_t at_us = 0;
  std::string client_id;        ///< the writing client's id: with client_seq it makes a replay
  std::int64_t client_seq = 0;  ///< idempotent (a commit is stored at most once)
  std::vector<formats::DocumentEdit> edits;
};

/// A review remark pinned to a place in the sequence.
struct Comment {
  std::int64_t id = 0;
  std::int64_t task_id = 0;
  std::optional<std::int64_t> track_id;  ///< the box's track, if it is about one
  std::int64_t frame = 0;
  double x = 0.0, y = 0.0, z = 0.0;  ///< [m] position in the sequence's world frame
  std::string author;
  std::int64_t at_us = 0;
  std::string text;
  bool resolved = false;
};

/// A person known to the store.
struct User {
  std::string name;
  std::vector<Role> roles;
};

}  // namespace pcanno::store
