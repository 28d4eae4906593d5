#pragma once
#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "pcanno/formats/datasets/sequence.hpp"
#include "pcanno/formats/labels/annotations.hpp"
#include "pcanno/geometry/pose.hpp"
#include "pcanno/plugin/command.hpp"
#include "pcanno/plugin/journal.hpp"
#include "pcanno/plugin/recovery.hpp"
#include "pcanno/plugin/registry.hpp"
#include "pcanno/plugin/undo_stack.hpp"

namespace pcanno::plugin {

struct SessionOptions {
  std::filesystem::path sequence;  ///< dataset root or folder; empty: a document without points
  formats::SequenceOptions sequence_options;
  /// Native document (.json). Loaded when it exists, created by the first save otherwise.
  std::filesystem::path document;
  /// Labels to start from when there is no `document` (the host read them with any codec);
  /// without them the session starts from the sequence's frames, without boxes.
  std::optional<formats::Annotations> labels;
  /// What `labels` were read from ("<codec id>:<path>"): with the dataset it keys the recovery
  /// journal, so that reopening the same dataset with the same labels finds unsaved edits.
  std::string labels_source;
  /// Journal every edit: beside the document, or without one in a recovery journal under
  /// `recovery_folder` (recovery.hpp). Save and Save As move the journal beside the document.
  bool journal = true;
  JournalSync journal_sync = JournalSync::kData;
  std::filesystem::path recovery_folder;               ///< default_recovery_folder() when empty
  RecoveryPolicy recovery = RecoveryPolicy::kRecover;  ///< unsaved edits found when opening
  /// Load shared-library plugins from PCANNO_PLUGIN_PATH into the registry.
  bool load_plugins = true;
};

enum class ChangeKind { kEdit, kUndo, kRedo, kFrame, kSelection, kSaved };

/// What an observer is told after every change.
struct Change {
  ChangeKind kind = ChangeKind::kEdit;
  std::string name;                     ///< command name for edits, undo and redo
  std::vector<std::int64_t> tracks;     ///< tracks touched (edits, undo, redo)
  std::vector<std::int64_t> polylines;  ///< polyline tracks touched
  /// The edits just applied to the document, in order (edits, undo, redo; none for recovered
  /// edits): what a mirror of the document (a project store) replays. Valid during the call only.
  const std::vector<formats::DocumentEdit>* edits = nullptr;
};

/// What is selected; shared by the tools and the views.
struct Selection {
  std::optional<std::int64_t> track;
  std::optional<std::int64_t> polyline;
  std::optional<std::size_t> vertex;  ///< of the selected polyline, at the current frame
  bool operator==(const Selection& o) const {
    return track == o.track && polyline == o.polyline && vertex == o.vertex;
  }
};

/// A box present at a frame.
struct BoxAtFrame {
  const formats::Track* track = nullptr;
  const formats::BoxState* state = nullptr;
};

/// A polyline present at a frame.
struct PolylineAtFrame {
  const formats::PolylineTrack* polyline = nullptr;
  const formats::PolylineState* state = nullptr;
};

/// An annotation session: a sequence, its document, unlimited undo, the crash journal and the
/// registry. Single-threaded: the host calls it from one thread (its UI thread).
class Session {
 public:
  using Observer = std::function<void(const Change&)>;

  /// Opens the sequence and the document (or starting labels). Unsaved edits found in the journal
  /// are handled by `options.recovery`; what was replayed, offered or set aside is listed in
  /// warnings(). Fails with kPermission when another live session journals the same document.
  static Expected<std::unique_ptr<Session>> open(const SessionOptions& options);
  /// A session over a document in memory, without journal: for read-only uses (rendering) and
  /// tests. Hosts that edit use open() with `SessionOptions::labels`, which journals. The
  /// document is normalised (sorted by id and frame).
  static std::unique_ptr<Session> create(formats::Annotations document,
                                         std::optional<formats::Sequence> sequence = {});
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  const formats::Sequence* sequence() const { return sequence_ ? &*sequence_ : nullptr; }
  const formats::Annotations& document() const { return doc_; }
  const std::filesystem::path& document_path() const { return document_path_; }
  const std::vector<std::string>& warnings() const { return warnings_; }
  Registry& registry() { return registry_; }
  const Registry& registry() const { return registry_; }

  /// Frames: the sequence's, else the document's.
  std::size_t frame_count() const;
  std::int64_t frame() const { return frame_; }
  Status set_frame(std::int64_t frame);

  const Selection& selection() const { return selection_; }
  void set_selection(const Selection& selection);

  /// Pre-labels (provenance kModel) scoring below this [0, 1] are hidden: hosts do not draw them
  /// and a click passes through them to what lies behind. A way of looking, not an edit: the
  /// boxes stay in the document, its exports and its undo history. 0 (the default) hides none.
  double min_model_score() const { return min_model_score_; }
  /// Clamped to [0, 1]. A selected box it hides at the current frame is deselected.
  void set_min_model_score(double score);
  /// Whether min_model_score() hides `box`.
  bool hides(const formats::BoxState& box) const;

  /// Boxes at `frame`, by track id (hidden ones included).
  std::vector<BoxAtFrame> boxes_at(std::int64_t frame) const;
  /// Polyline states at `frame`, by polyline id.
  std::vector<PolylineAtFrame> polylines_at(std::int64_t frame) const;
  /// T_world_lidar of `frame`; nullopt without poses.
  std::optional<geometry::Pose> T_world_lidar(std::int64_t frame) const;
  /// A box in the world frame (the LiDAR frame when the sequence has no poses), the frame tools
  /// and views work in.
  Expected<geometry::Cuboid> box_in_world(std::int64_t track_id, std::int64_t frame) const;
  /// The frame new shapes at `frame` are stored in: kWorld with poses, else kLidar (whose
  /// coordinates then equal the world's).
  formats::ShapeFrame shape_frame_for(std::int64_t frame) const;

  /// Applies, journals and records a command (one undo step, or part of the open transaction).
  /// Nothing changes when the edits are inconsistent or the journal cannot be written.
  Status apply(const Command& command);
  Status apply(Expected<Command> command);

  bool can_undo() const;
  bool can_redo() const;
  std::string undo_name() const;  ///< "" when there is nothing to undo
  std::string redo_name() const;
  Status undo();
  Status redo();

  /// Groups the commands applied until commit_transaction() into one undo step (nested calls
  /// join the outer transaction). cancel_transaction() reverts them.
  void begin_transaction(const std::string& name);
  Status commit_transaction();
  Status cancel_transaction();
  bool in_transaction() const { return transaction_depth_ > 0; }

  /// Writes the document atomically to `path` (default: document_path()), then removes the
  /// journal that held the saved edits; the next edit starts a journal beside the document (Save
  /// As moves the journal, also from a recovery journal).
  Status save(const std::filesystem::path& path = {});
  /// True when there are edits since the last save or open (recovered edits count as unsaved).
  bool dirty() const { return dirty_; }

  /// The journal edits go to ("" with journaling off); it exists once the first edit is made.
  const std::filesystem::path& journal_path() const { return journal_path_; }
  /// Unsaved edits of an earlier session, found by open() with RecoveryPolicy::kOffer. While set,
  /// edits, undo, redo and save are refused: the host first calls recover() or
  /// discard_recovery().
  const std::optional<PendingRecovery>& pending_recovery() const { return pending_; }
  /// Replays the pending edits (as open() with kRecover would have).
  Status recover();
  /// Sets the pending journal aside as `<journal>.discarded` and keeps the saved state.
  Status discard_recovery();
  /// Closing without saving, when the user chose to discard the unsaved edits: removes the journal
  /// so that the next open starts from the saved state. The session refuses edits afterwards.
  Status abandon();

  /// The one edit gate. A long job (propagation, a full check, an export) claims the session with
  /// begin_job(); until end_job(), apply, undo, redo, save, set_frame and the recovery calls fail
  /// with kBusy naming the job, except on a thread inside a JobScope (the job's worker). Reads
  /// stay allowed. kBusy when another job holds the session.
  Status begin_job(const std::string& name);
  void end_job();
  bool busy() const { return busy_; }
  std::string busy_job() const;  ///< "" when no job holds the session

  /// Lets the current thread edit while a job holds the session: create it on the job's worker
  /// for the work's lifetime. Scopes do not nest across sessions.
  class JobScope {
   public:
    explicit JobScope(const Session& session);
    ~JobScope();
    JobScope(const JobScope&) = delete;
    JobScope& operator=(const JobScope&) = delete;

   private:
    const Session* previous_;
  };

  int add_observer(Observer observer);
  void remove_observer(int id);

 private:
  Session() = default;
  Status apply_and_journal(const std::vector<formats::DocumentEdit>& edits,
                           std::vector<formats::DocumentEdit>& undo);
  Status ensure_journal();
  Status refuse_while_pending() const;
  Status refuse_while_busy()
      const;  ///< kBusy unless no job holds the session or this is its thread
  /// Chooses journal_path_ and takes the journal found there.
  Status attach_journal(const SessionOptions& options);
  /// Holds the journal at journal_path_ and applies `policy` to the unsaved edits it holds.
  Status take_journal(RecoveryPolicy policy);
  void close_journal();
  /// Replays `contents` read from the journal held in journal_.
  Status replay(JournalContents contents);
  void set_journal_aside(const std::string& tag, const std::string& why);
  void notify(ChangeKind kind, const std::string& name,
              const std::vector<formats::DocumentEdit>& edits);

  std::optional<formats::Sequence> sequence_;
  formats::Annotations doc_;
  UndoStack undo_;
  Registry registry_;
  Selection selection_;
  double min_model_score_ = 0.0;
  std::int64_t frame_ = 0;
  bool dirty_ = false;
  std::vector<std::string> warnings_;

  std::filesystem::path document_path_;
  std::filesystem::path journal_path_;  ///< "" when journaling is off
  JournalSync journal_sync_ = JournalSync::kData;
  /// content_hash() of the saved document, or of the starting labels without a document ("none"
  /// for a document path that does not exist yet).
  std::string journal_base_ = "none";
  std::optional<Journal> journal_;
  std::optional<PendingRecovery> pending_;
  std::optional<JournalContents> pending_contents_;
  bool abandoned_ = false;

  int transaction_depth_ = 0;
  UndoStep transaction_;

  std::map<int, Observer> observers_;
  int next_observer_ = 0;

  std::atomic<bool> busy_{false};
  mutable std::mutex job_mutex_;
  std::string job_name_;  ///< guarded by job_mutex_
};

}  // namespace pcanno::plugin
