#pragma once
#include <string>
#include <vector>

#include "pcanno/formats/labels/document/edit.hpp"

namespace pcanno::plugin {

/// One undo step: a command or a whole transaction.
struct UndoStep {
  std::string name;
  std::vector<formats::DocumentEdit> redo;  ///< applied in order to redo
  std::vector<formats::DocumentEdit> undo;  ///< applied in order to undo
};

/// Unlimited undo and redo. A new step clears the redo side, as every editor does.
class UndoStack {
 public:
  void push(UndoStep step) {
    done_.push_back(std::move(step));
    undone_.clear();
  }
  bool can_undo() const { return !done_.empty(); }
  bool can_redo() const { return !undone_.empty(); }
  /// The step undo() would revert / redo() would reapply; nullptr when there is none.
  const UndoStep* next_undo() const { return done_.empty() ? nullptr : &done_.back(); }
  const UndoStep* next_redo() const { return undone_.empty() ? nullptr : &undone_.back(); }
  /// Moves the top step to the other side, once the caller has applied it.
  void mark_undone() {
    undone_.push_back(std::move(done_.back()));
    done_.pop_back();
  }
  void mark_redone() {
    done_.push_back(std::move(undone_.back()));
    undone_.pop_back();
  }
  void clear() {
    done_.clear();
    undone_.clear();
  }
  std::size_t undo_count() const { return done_.size(); }
  std::size_t redo_count() const { return undone_.size(); }

 private:
  std::vector<UndoStep> done_;
  std::vector<UndoStep> undone_;
};

}  // namespace pcanno::plugin
