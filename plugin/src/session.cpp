#include "pcanno/plugin/session.hpp"

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>
#include <utility>

#include "pcanno/formats/labels/document/document.hpp"
#include "pcanno/formats/labels/shape_frames.hpp"
#include "pcanno/formats/support/atomic_write.hpp"
#include "pcanno/plugin/plugin_loader.hpp"
#include "pcanno/plugin/sequence_frames.hpp"

namespace pcanno::plugin {
namespace {

namespace fs = std::filesystem;
using formats::DocumentEdit;

/// Deselects a box min_model_score() hides at the current frame (after the threshold rose, the
/// frame changed or an edit lowered its score): Delete or a nudge must never act on an unseen box.
void drop_hidden_selection(Session& session) {
  const std::optional<std::int64_t> id = session.selection().track;
  if (!id) return;
  const formats::Track* track = session.document().track(*id);
  const formats::BoxState* box = track != nullptr ? track->at(session.frame()) : nullptr;
  if (box != nullptr && session.hides(*box)) session.set_selection({});
}

Expected<std::string> read_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error{ErrorCode::kPermission, "cannot open the document", path.string()};
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) return Error{ErrorCode::kIo, "cannot read the document", path.string()};
  return buffer.str();
}

/// The track and polyline ids an edit list touches, for observers.
void touched(const std::vector<DocumentEdit>& edits, std::vector<std::int64_t>& tracks,
             std::vector<std::int64_t>& polylines) {
  std::set<std::int64_t> t;
  std::set<std::int64_t> p;
  for (const DocumentEdit& e : edits) {
    if (const auto* x = std::get_if<formats::TrackEdit>(&e)) t.insert(x->track_id);
    if (const auto* x = std::get_if<formats::BoxEdit>(&e)) t.insert(x->track_id);
    if (const auto* x = std::get_if<formats::PolylineEdit>(&e)) p.insert(x->polyline_id);
    if (const auto* x = std::get_if<formats::PolylineStateEdit>(&e)) p.insert(x->polyline_id);
  }
  tracks.assign(t.begin(), t.end());
  polylines.assign(p.begin(), p.end());
}

}  // namespace

Expected<std::unique_ptr<Session>> Session::open(const SessionOptions& options) {
  std::unique_ptr<Session> s(new Session());
  s->registry_ = Registry::with_builtins();
  if (options.load_plugins) load_plugins_from_environment(s->registry_);

  if (!options.sequence.empty()) {
    // Plugin readers open frames as the built-ins do (by suffix and content).
    formats::SequenceOptions sequence_options = options.sequence_options;
    if (!sequence_options.readers) sequence_options.readers = s->registry_.shared_readers();
    Expected<formats::Sequence> seq = formats::open_sequence(options.sequence, sequence_options);
    if (!seq) return std::move(seq).error();
    s->sequence_ = std::move(*seq);
  }

  s->document_path_ = options.document;
  std::error_code ec;
  if (!options.document.empty() && fs::exists(options.document, ec)) {
    Expected<std::string> bytes = read_bytes(options.document);
    if (!bytes) return std::move(bytes).error();
    Expected<formats::Annotations> doc =
        formats::parse_pcanno_document(*bytes, options.document.string());
    if (!doc) return std::move(doc).error();
    s->doc_ = std::move(*doc);
    s->journal_base_ = content_hash(*bytes);
  } else {
    if (options.labels) s->doc_ = *options.labels;
    if (s->sequence_) {
      const formats::Sequence& seq = *s->sequence_;
      if (s->doc_.sequence.path.empty()) {
        s->doc_.sequence = formats::SequenceRef{seq.layout, seq.root.string(), seq.name};
      }
      if (s->doc_.frames.empty()) {
        for (const formats::FrameRef& f : seq.frames) {
          s->doc_.frames.push_back(formats::FrameInfo{f.name, f.timestamp_us, {}, ""});
        }
      }
    }
  }
  if (s->sequence_) {
    // Labels made on a scene's keyframes, shown with its sweeps: frame i of the document must be
    // frame i of the sequence, or keyframe boxes would land on sweeps.
    Expected<std::optional<std::string>> fitted =
        fit_document_to_sequence(s->doc_, *s->sequence_);
    if (!fitted) {
      formats::Error e = std::move(fitted).error();
      if (e.path.empty()) e.path = options.document.string();
      return e;
    }
    if (*fitted) {
      s->warnings_.push_back(**fitted);
      // Edits journaled against the fitted frame numbers must not replay onto the document as
      // saved (its own numbering): such a journal is stale for a session without the sweeps.
      s->journal_base_ += "+frames:" + std::to_string(s->sequence_->size());
    }
  }
  s->doc_.normalize();
  if (Status ok = s->attach_journal(options); !ok) return std::move(ok).error();
  return s;
}

std::unique_ptr<Session> Session::create(formats::Annotations document,
                                         std::optional<formats::Sequence> sequence) {
  std::unique_ptr<Session> s(new Session());
  s->registry_ = Registry::with_builtins();
  s->doc_ = std::move(document);
  s->doc_.normalize();
  s->sequence_ = std::move(sequence);
  return s;
}

Session::~Session() { close_journal(); }

std::size_t Session::frame_count() const {
  return sequence_ ? sequence_->size() : doc_.frames.size();
}

Status Session::set_frame(std::int64_t frame) {
  if (Status ok = refuse_while_busy(); !ok) return ok;
  const auto n = static_cast<std::int64_t>(frame_count());
  if (frame < 0 || (n > 0 && frame >= n)) {
    return Error{ErrorCode::kNotFound,
                 "frame " + std::to_string(frame) + " is outside 0.." + std::to_string(n - 1), ""};
  }
  if (frame != frame_) {
    frame_ = frame;
    if (selection_.vertex) selection_.vertex.reset();  // vertices are per frame
    notify(ChangeKind::kFrame, "", {});
  }
  return {};
}

void Session::set_selection(const Selection& selection) {
  if (selection == selection_) return;
  selection_ = selection;
  notify(ChangeKind::kSelection, "", {});
}

void Session::set_min_model_score(double score) {
  min_model_score_ = std::clamp(score, 0.0, 1.0);
  drop_hidden_selection(*this);
}

bool Session::hides(const formats::BoxState& box) const {
  return box.provenance == formats::Provenance::kModel && box.score &&
         *box.score < min_model_score_;
}

std::vector<BoxAtFrame> Session::boxes_at(std::int64_t frame) const {
  std::vector<BoxAtFrame> out;
  for (const formats::Track& t : doc_.tracks) {
    if (const formats::BoxState* b = t.at(frame)) out.push_back(BoxAtFrame{&t, b});
  }
  return out;
}

std::vector<PolylineAtFrame> Session::polylines_at(std::int64_t frame) const {
  std::vector<PolylineAtFrame> out;
  for (const formats::PolylineTrack& p : doc_.polylines) {
    const auto it = std::lower_bound(
        p.states.begin(), p.states.end(), frame,
        [](const formats::PolylineState& s, std::int64_t f) { return s.frame < f; });
    if (it != p.states.end() && it->frame == frame) out.push_back(PolylineAtFrame{&p, &*it});
  }
  return out;
}

std::optional<geometry::Pose> Session::T_world_lidar(std::int64_t frame) const {
  return formats::T_world_lidar_at(sequence(), frame);
}

Expected<geometry::Cuboid> Session::box_in_world(std::int64_t track_id, std::int64_t frame) const {
  const formats::Track* t = doc_.track(track_id);
  const formats::BoxState* b = t != nullptr ? t->at(frame) : nullptr;
  if (b == nullptr) {
    return Error{
        ErrorCode::kNotFound,
        "track " + std::to_string(track_id) + " has no box in frame " + std::to_string(frame), ""};
  }
  // Without a pose, the world of the views is the LiDAR frame.
  if (b->shape_frame == formats::ShapeFrame::kLidar && !T_world_lidar(frame)) return b->box;
  return formats::box_in_world(*b, sequence());
}

formats::ShapeFrame Session::shape_frame_for(std::int64_t frame) const {
  return T_world_lidar(frame) ? formats::ShapeFrame::kWorld : formats::ShapeFrame::kLidar;
}

Status Session::apply_and_journal(const std::vector<DocumentEdit>& edits,
                                  std::vector<DocumentEdit>& undo) {
  if (Status ok = refuse_while_busy(); !ok) return ok;
  if (Status ok = refuse_while_pending(); !ok) return ok;
  if (Status ok = ensure_journal(); !ok) return ok;
  Expected<std::vector<DocumentEdit>> inverse = formats::apply_edits(doc_, edits);
  if (!inverse) return std::move(inverse).error();
  if (journal_) {
    if (Status ok = journal_->append(edits); !ok) {
      // An edit that cannot be journaled could be lost in a crash: refuse it.
      (void)formats::apply_edits(doc_, *inverse);
      return ok;
    }
  }
  undo = std::move(*inverse);
  dirty_ = true;
  return {};
}

Status Session::apply(const Command& command) {
  if (command.edits.empty()) return {};
  std::vector<DocumentEdit> undo;
  if (Status ok = apply_and_journal(command.edits, undo); !ok) return ok;
  if (transaction_depth_ > 0) {
    transaction_.redo.insert(transaction_.redo.end(), command.edits.begin(), command.edits.end());
    undo.insert(undo.end(), std::make_move_iterator(transaction_.undo.begin()),
                std::make_move_iterator(transaction_.undo.end()));
    transaction_.undo = std::move(undo);
  } else {
    undo_.push(UndoStep{command.name, command.edits, std::move(undo)});
  }
  notify(ChangeKind::kEdit, command.name, command.edits);
  return {};
}

Status Session::apply(Expected<Command> command) {
  if (!command) return std::move(command).error();
  return apply(*command);
}

bool Session::can_undo() const { return transaction_depth_ == 0 && undo_.can_undo(); }
bool Session::can_redo() const { return transaction_depth_ == 0 && undo_.can_redo(); }
std::string Session::undo_name() const { return can_undo() ? undo_.next_undo()->name : ""; }
std::string Session::redo_name() const { return can_redo() ? undo_.next_redo()->name : ""; }

Status Session::undo() {
  // Before reading the undo stack: a job's worker may be pushing to it.
  if (Status ok = refuse_while_busy(); !ok) return ok;
  if (transaction_depth_ > 0) {
    return Error{ErrorCode::kConflict, "finish the running operation before undoing", ""};
  }
  const UndoStep* step = undo_.next_undo();
  if (step == nullptr) return Error{ErrorCode::kConflict, "nothing to undo", ""};
  std::vector<DocumentEdit> ignored;
  if (Status ok = apply_and_journal(step->undo, ignored); !ok) return ok;
  const std::string name = step->name;
  const std::vector<DocumentEdit> edits = step->undo;
  undo_.mark_undone();
  notify(ChangeKind::kUndo, name, edits);
  return {};
}

Status Session::redo() {
  // Before reading the undo stack: a job's worker may be pushing to it.
  if (Status ok = refuse_while_busy(); !ok) return ok;
  if (transaction_depth_ > 0) {
    return Error{ErrorCode::kConflict, "finish the running operation before redoing", ""};
  }
  const UndoStep* step = undo_.next_redo();
  if (step == nullptr) return Error{ErrorCode::kConflict, "nothing to redo", ""};
  std::vector<DocumentEdit> ignored;
  if (Status ok = apply_and_journal(step->redo, ignored); !ok) return ok;
  const std::string name = step->name;
  const std::vector<DocumentEdit> edits = step->redo;
  undo_.mark_redone();
  notify(ChangeKind::kRedo, name, edits);
  return {};
}

void Session::begin_transaction(const std::string& name) {
  if (transaction_depth_++ == 0) transaction_ = UndoStep{name, {}, {}};
}

Status Session::commit_transaction() {
  if (transaction_depth_ == 0) {
    return Error{ErrorCode::kConflict, "no transaction is open", ""};
  }
  if (--transaction_depth_ > 0) return {};
  if (!transaction_.redo.empty()) undo_.push(std::move(transaction_));
  transaction_ = UndoStep{};
  return {};
}

Status Session::cancel_transaction() {
  if (transaction_depth_ == 0) {
    return Error{ErrorCode::kConflict, "no transaction is open", ""};
  }
  transaction_depth_ = 0;
  UndoStep step = std::move(transaction_);
  transaction_ = UndoStep{};
  if (step.undo.empty()) return {};
  std::vector<DocumentEdit> ignored;
  if (Status ok = apply_and_journal(step.undo, ignored); !ok) return ok;
  notify(ChangeKind::kUndo, step.name, step.undo);
  return {};
}

int Session::add_observer(Observer observer) {
  observers_.emplace(next_observer_, std::move(observer));
  return next_observer_++;
}

void Session::remove_observer(int id) { observers_.erase(id); }

void Session::notify(ChangeKind kind, const std::string& name,
                     const std::vector<DocumentEdit>& edits) {
  if (!observers_.empty()) {
    Change change;
    change.kind = kind;
    change.name = name;
    touched(edits, change.tracks, change.polylines);
    change.edits = &edits;
    // Copied: an observer may remove itself (or others) while being told.
    const std::map<int, Observer> observers = observers_;
    for (const auto& [id, observer] : observers) {
      if (observer) observer(change);
    }
  }
  if (kind != ChangeKind::kSelection && kind != ChangeKind::kSaved) drop_hidden_selection(*this);
}

}  // namespace pcanno::plugin
