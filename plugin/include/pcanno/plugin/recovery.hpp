#pragma once
#include <cstdint>
#include <filesystem>
#include <string>

// Recovery of unsaved edits. Every session journals its edits (journal.hpp): beside its document
// when it has one, else in a recovery journal under the user's state folder, keyed by the dataset
// and the labels it was opened with. Opening the same dataset and labels again finds that journal.

namespace pcanno::plugin {

/// What Session::open does with unsaved edits it finds in a journal.
enum class RecoveryPolicy {
  kRecover,  ///< replay them (the default: no acknowledged edit is ever lost)
  kOffer,    ///< open without them and describe them in Session::pending_recovery(), so that the
             ///< host can ask; Session::recover() or Session::discard_recovery() decides
  kDiscard,  ///< set the journal aside as `<journal>.discarded` and open the saved state
};

/// Unsaved edits found when opening, awaiting the host's decision (RecoveryPolicy::kOffer).
struct PendingRecovery {
  std::filesystem::path journal;     ///< the journal holding them
  std::size_t edits = 0;             ///< journal entries (commands, undos, redos) that would replay
  std::int64_t modified_unix_s = 0;  ///< when the last of them was written [s since 1970, UTC]
};

/// `$XDG_STATE_HOME/pcanno/recovery`, else `$HOME/.local/state/pcanno/recovery`, else
/// `<temp>/pcanno-recovery-<uid>` when neither variable is set.
std::filesystem::path default_recovery_folder();

/// The recovery journal of a session without a document, in `folder`:
/// `<dataset folder name>[_<sequence name>]-<16 hex digits>.journal` (the sequence name when it
/// differs from the folder's), the digits hashing the dataset's absolute path, the sequence name
/// and `labels_source` (what the starting labels were read from).
/// `slot` > 1 gives the journal of the slot-th session open at once on the same key
/// (`...-<digits>-<slot>.journal`).
std::filesystem::path recovery_journal_path(const std::filesystem::path& folder,
                                            const std::filesystem::path& dataset,
                                            const std::string& sequence_name,
                                            const std::string& labels_source, int slot = 1);

}  // namespace pcanno::plugin
