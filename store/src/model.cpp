#include "pcanno/store/model.hpp"

#include <array>
#include <utility>

namespace pcanno::store {
namespace {

constexpr std::array<std::pair<TaskState, const char*>, 6> kStates = {{
    {TaskState::kNew, "new"},
    {TaskState::kInProgress, "in_progress"},
    {TaskState::kSubmitted, "submitted"},
    {TaskState::kInReview, "in_review"},
    {TaskState::kAccepted, "accepted"},
    {TaskState::kRejected, "rejected"},
}};

constexpr std::array<std::pair<Role, const char*>, 3> kRoles = {{
    {Role::kAnnotator, "annotator"},
    {Role::kReviewer, "reviewer"},
    {Role::kAdmin, "admin"},
}};

}  // namespace

const char* to_string(TaskState state) {
  for (const auto& [value, name] : kStates) {
    if (value == state) return name;
  }
  return "unknown";
}

std::optional<TaskState> parse_task_state(std::string_view text) {
  for (const auto& [value, name] : kStates) {
    if (text == name) return value;
  }
  return std::nullopt;
}

bool can_transition(TaskState from, TaskState to) {
  switch (from) {
    case TaskState::kNew:
    case TaskState::kRejected:
      return to == TaskState::kInProgress;
    case TaskState::kInProgress:
      return to == TaskState::kSubmitted;
    case TaskState::kSubmitted:
      return to == TaskState::kInReview;
    case TaskState::kInReview:
      return to == TaskState::kAccepted || to == TaskState::kRejected;
    case TaskState::kAccepted:
      return false;
  }
  return false;
}

bool labels_editable(TaskState state) {
  return state == TaskState::kNew || state == TaskState::kInProgress ||
         state == TaskState::kRejected;
}

const char* to_string(Role role) {
  for (const auto& [value, name] : kRoles) {
    if (value == role) return name;
  }
  return "unknown";
}

std::optional<Role> parse_role(std::string_view text) {
  for (const auto& [value, name] : kRoles) {
    if (text == name) return value;
  }
  return std::nullopt;
}

std::string label_kinds_to_string(unsigned kinds) {
  std::string text;
  if (kinds & kBoxes) text = "boxes";
  if (kinds & kPolylines) text += text.empty() ? "polylines" : ",polylines";
  return text;
}

std::optional<unsigned> parse_label_kinds(std::string_view text) {
  unsigned kinds = 0;
  while (!text.empty()) {
    const std::size_t comma = text.find(',');
    const std::string_view item = text.substr(0, comma);
    if (item == "boxes") {
      kinds |= kBoxes;
    } else if (item == "polylines") {
      kinds |= kPolylines;
    } else {
      return std::nullopt;
    }
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
    if (text.empty()) return std::nullopt;  // a trailing comma
  }
  if (kinds == 0) return std::nullopt;
  return kinds;
}

}  // namespace pcanno::store
