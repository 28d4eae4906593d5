// The session's journal: where it lives, recovery of the unsaved edits found there when opening,
// and saving (which moves the journal beside the document). Rules: docs/journal.md.
#include <chrono>
#include <system_error>
#include <utility>

#include "pcanno/formats/labels/document/document.hpp"
#include "pcanno/formats/support/atomic_write.hpp"
#include "pcanno/plugin/session.hpp"

namespace pcanno::plugin {
namespace {

namespace fs = std::filesystem;
using formats::DocumentEdit;

/// A free name `<path>.<tag>`, `<path>.<tag>-2`, ... for a journal set aside.
fs::path aside_name(const fs::path& path, const std::string& tag) {
  std::error_code ec;
  for (int i = 1;; ++i) {
    fs::path p = path;
    p += "." + tag + (i == 1 ? "" : "-" + std::to_string(i));
    if (!fs::exists(p, ec)) return p;
  }
}

std::int64_t modified_unix_s(const fs::path& path) {
  std::error_code ec;
  const fs::file_time_type t = fs::last_write_time(path, ec);
  if (ec) return 0;
  // file_time_type's clock has no portable epoch in C++17: go through the distance from now.
  const auto age = fs::file_time_type::clock::now() - t;
  const auto at = std::chrono::system_clock::now() -
                  std::chrono::duration_cast<std::chrono::system_clock::duration>(age);
  return std::chrono::duration_cast<std::chrono::seconds>(at.time_since_epoch()).count();
}

/// Sessions opened at once on the same dataset and labels each get a slot; more than this many
/// means something is leaking sessions.
constexpr int kMaxRecoverySlots = 64;

}  // namespace

Status Session::attach_journal(const SessionOptions& options) {
  journal_sync_ = options.journal_sync;
  if (!options.journal) return {};
  if (!document_path_.empty()) {
    journal_path_ = journal_path_for(document_path_);
    if (Journal::in_use(journal_path_)) {
      return Error{ErrorCode::kPermission,
                   "the document is open in another pcanno session (its journal " +
                       journal_path_.string() + " is in use); close that one first",
                   document_path_.string()};
    }
  } else {
    // No document: the starting state is the labels (or the empty frames), pinned by their hash,
    // and the journal lives in the recovery folder under a key of the dataset and labels.
    journal_base_ = content_hash(formats::serialize_pcanno_document(doc_));
    const fs::path folder =
        options.recovery_folder.empty() ? default_recovery_folder() : options.recovery_folder;
    std::error_code ec;
    fs::create_directories(folder, ec);
    if (ec) {
      return Error{ErrorCode::kIo,
                   "cannot create the recovery folder for unsaved edits: " + ec.message(),
                   folder.string()};
    }
    const std::string name = sequence_ ? sequence_->name : options.sequence_options.name;
    for (int slot = 1; slot <= kMaxRecoverySlots && journal_path_.empty(); ++slot) {
      const fs::path p =
          recovery_journal_path(folder, options.sequence, name, options.labels_source, slot);
      if (!Journal::in_use(p)) journal_path_ = p;
    }
    if (journal_path_.empty()) {
      return Error{ErrorCode::kPermission,
                   std::to_string(kMaxRecoverySlots) +
                       " sessions are open on this dataset already; close some first",
                   folder.string()};
    }
  }

  if (Status ok = take_journal(options.recovery); !ok) return ok;
  // A session without a document holds its recovery journal from the start, so that a second
  // session on the same dataset and labels takes the next slot (the destructor removes it again
  // when no edit was made).
  if (document_path_.empty() && !journal_) return ensure_journal();
  return {};
}

Status Session::take_journal(RecoveryPolicy policy) {
  Expected<JournalContents> contents = Journal::read(journal_path_);
  if (!contents && contents.error().code == ErrorCode::kNotFound) return {};
  if (!contents) {
    set_journal_aside("unreadable", contents.error().describe());
    return {};
  }
  if (contents->base != journal_base_) {
    // Written before the document's last save (a crash between saving and clearing it), for
    // another copy of the document, or for labels that have changed since: its edits are either
    // in the document already or apply to something else.
    set_journal_aside("stale", "the journal " + journal_path_.string() +
                                   " does not belong to this version of the " +
                                   (document_path_.empty() ? "labels" : "document"));
    return {};
  }
  // Held from now on, also while an offer waits, so that no other session takes these edits. A
  // torn last append is cut off; a damaged journal is kept whole, to be set aside for inspection.
  std::error_code size_ec;
  const std::uint64_t keep =
      contents->damaged ? fs::file_size(journal_path_, size_ec) : contents->valid_bytes;
  Expected<Journal> held = Journal::resume(journal_path_, keep, journal_sync_);
  if (!held) return std::move(held).error();
  journal_ = std::move(*held);
  if (contents->entries.empty() || policy == RecoveryPolicy::kRecover) {
    return replay(std::move(*contents));
  }
  if (policy == RecoveryPolicy::kDiscard) {
    set_journal_aside("discarded", "discarded " + std::to_string(contents->entries.size()) +
                                       " unsaved edit(s) at the user's request");
    return {};
  }
  pending_ =
      PendingRecovery{journal_path_, contents->entries.size(), modified_unix_s(journal_path_)};
  pending_contents_ = std::move(*contents);
  warnings_.push_back(std::to_string(pending_->edits) +
                      " unsaved edit(s) from an earlier session are in " + journal_path_.string() +
                      "; recover or discard them");
  return {};
}

Status Session::replay(JournalContents contents) {
  std::size_t replayed = 0;
  for (const std::vector<DocumentEdit>& entry : contents.entries) {
    Expected<std::vector<DocumentEdit>> undo = formats::apply_edits(doc_, entry);
    if (!undo) {
      contents.damaged = true;
      contents.dropped = "entry " + std::to_string(replayed + 1) + " of " + journal_path_.string() +
                         " does not apply: " + undo.error().describe();
      break;
    }
    ++replayed;
  }
  if (replayed > 0) {
    dirty_ = true;
    warnings_.push_back("recovered " + std::to_string(replayed) + " unsaved edit(s) from " +
                        journal_path_.string());
  }
  if (!contents.dropped.empty()) warnings_.push_back(contents.dropped);
  if (contents.damaged) {
    // Keep the damaged file for inspection, and journal what was recovered afresh, so that the
    // saved state plus the new journal is the state shown.
    set_journal_aside("damaged", "the journal " + journal_path_.string() + " is damaged");
    Expected<Journal> fresh = Journal::create(journal_path_, journal_base_, journal_sync_);
    if (!fresh) return std::move(fresh).error();
    for (std::size_t i = 0; i < replayed; ++i) {
      if (Status ok = fresh->append(contents.entries[i]); !ok) return ok;
    }
    journal_ = std::move(*fresh);
  }
  return {};
}

void Session::set_journal_aside(const std::string& tag, const std::string& why) {
  const fs::path aside = aside_name(journal_path_, tag);
  std::error_code ec;
  fs::rename(journal_path_, aside, ec);
  journal_.reset();  // it would append to the file set aside
  warnings_.push_back(why + "; it was kept as " + aside.string());
}

Status Session::recover() {
  if (Status ok = refuse_while_busy(); !ok) return ok;
  if (!pending_) return Error{ErrorCode::kConflict, "no unsaved edits await recovery", ""};
  JournalContents contents = std::move(*pending_contents_);
  pending_.reset();
  pending_contents_.reset();
  if (Status ok = replay(std::move(contents)); !ok) return ok;
  notify(ChangeKind::kEdit, "Recover unsaved edits", {});
  return {};
}

Status Session::discard_recovery() {
  if (Status ok = refuse_while_busy(); !ok) return ok;
  if (!pending_) return Error{ErrorCode::kConflict, "no unsaved edits await recovery", ""};
  set_journal_aside("discarded", "discarded " + std::to_string(pending_->edits) +
                                     " unsaved edit(s) at the user's request");
  pending_.reset();
  pending_contents_.reset();
  return document_path_.empty() ? ensure_journal() : Status{};
}

void Session::close_journal() {
  // Without unsaved edits the journal holds nothing worth recovering: leave no file behind. A
  // journal whose edits await the host's decision stays for the next open.
  if (!journal_ || dirty_ || pending_) return;
  journal_.reset();
  std::error_code ec;
  fs::remove(journal_path_, ec);
}

Status Session::abandon() {
  if (Status ok = refuse_while_busy(); !ok) return ok;
  if (Status ok = refuse_while_pending(); !ok) return ok;
  journal_.reset();
  abandoned_ = true;
  std::error_code ec;
  if (!journal_path_.empty()) fs::remove(journal_path_, ec);
  if (ec)
    return Error{ErrorCode::kIo, "cannot remove the journal: " + ec.message(),
                 journal_path_.string()};
  return {};
}

Status Session::refuse_while_pending() const {
  if (abandoned_) {
    return Error{ErrorCode::kConflict, "the session was closed without saving", ""};
  }
  if (pending_) {
    return Error{ErrorCode::kConflict,
                 "unsaved edits from an earlier session are waiting in " +
                     pending_->journal.string() + ": recover or discard them first",
                 ""};
  }
  return {};
}

Status Session::ensure_journal() {
  if (journal_path_.empty() || journal_) return {};
  Expected<Journal> j = Journal::create(journal_path_, journal_base_, journal_sync_);
  if (!j) return std::move(j).error();
  journal_ = std::move(*j);
  return {};
}

Status Session::save(const fs::path& path) {
  if (Status ok = refuse_while_busy(); !ok) return ok;
  if (Status ok = refuse_while_pending(); !ok) return ok;
  const fs::path target = path.empty() ? document_path_ : path;
  if (target.empty()) {
    return Error{ErrorCode::kInvalidArgument,
                 "the document has no file yet; choose where to save it", ""};
  }
  const std::string text = formats::serialize_pcanno_document(doc_);
  if (Status ok = formats::write_file_atomic(target, text, true); !ok) return ok;
  // The saved file holds every edit: the journal that held them goes (a recovery journal, or the
  // old document's after Save As), and the next edit starts a new one beside the saved file.
  journal_.reset();
  std::error_code ec;
  if (!journal_path_.empty()) {
    fs::remove(journal_path_, ec);
    journal_path_ = journal_path_for(target);
  }
  document_path_ = target;
  journal_base_ = content_hash(text);
  dirty_ = false;
  notify(ChangeKind::kSaved, "", {});
  return {};
}

}  // namespace pcanno::plugin
