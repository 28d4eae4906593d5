#include "pcanno/store/project_store.hpp"
#include "store_messages.hpp"

#include "pcanno/formats/labels/document/document.hpp"

namespace pcanno::store {

Expected<TaskLabels> ProjectStore::labels(std::int64_t task_id) {
  // Read the version first: commits that land between the reads only add to the log, so the
  // snapshot at or below it plus the log up to it is one consistent document.
  Expected<Task> current = task(task_id);
  if (!current) return std::move(current).error();
  Expected<Snapshot> base = snapshot(task_id, current->version);
  if (!base) return std::move(base).error();
  const std::string where =
      "task " + std::to_string(task_id) + " snapshot " + std::to_string(base->version);
  Expected<formats::Annotations> document =
      formats::parse_pcanno_document(base->document_json, where);
  if (!document) return std::move(document).error();
  Expected<std::vector<LabelCommit>> log = history(task_id, base->version);
  if (!log) return std::move(log).error();
  TaskLabels result{std::move(*document), base->version};
  for (const LabelCommit& commit : *log) {
    if (commit.version > current->version) break;
    if (commit.version != result.version + 1) {
      return error(formats::ErrorCode::kMalformed,
                   "task " + std::to_string(task_id) + ": the label log jumps from version " +
                       std::to_string(result.version) + " to " + std::to_string(commit.version));
    }
    Expected<std::vector<formats::DocumentEdit>> undo =
        formats::apply_edits(result.document, commit.edits);
    if (!undo) {
      formats::Error error = std::move(undo).error();
      error.message = "task " + std::to_string(task_id) + " version " +
                      std::to_string(commit.version) + ": " + error.message;
      return error;
    }
    result.version = commit.version;
  }
  return result;
}

}  // namespace pcanno::store
