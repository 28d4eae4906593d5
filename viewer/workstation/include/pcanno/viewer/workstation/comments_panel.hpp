#pragma once
#include <cstdint>
#include <optional>
#include <vector>

#include <QWidget>

#include "pcanno/store/model.hpp"

class QTableWidget;

namespace pcanno::viewer::workstation {

/// A store task's review comments, one row each: author, frame, track, text and whether it is
/// resolved (a check box, when the person may resolve). A double-click asks to go to the comment.
class CommentsPanel : public QWidget {
  Q_OBJECT

 public:
  explicit CommentsPanel(QWidget* parent = nullptr);

  /// Shows `comments`; `can_resolve` makes the resolved boxes checkable.
  void set_comments(const std::vector<store::Comment>& comments, bool can_resolve);
  const std::vector<store::Comment>& comments() const { return comments_; }
  QTableWidget* table() const { return table_; }

 signals:
  /// Double-click on comment `index`: go to its frame and select its track.
  void activated(int index);
  /// The resolved box of comment `comment_id` was toggled.
  void resolve_toggled(qint64 comment_id, bool resolved);

 private:
  QTableWidget* table_;
  std::vector<store::Comment> comments_;
  bool filling_ = false;  ///< set_comments() is writing the rows: no resolve_toggled
};

}  // namespace pcanno::viewer::workstation
