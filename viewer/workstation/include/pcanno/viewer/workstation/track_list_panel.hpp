#pragma once
#include <cstdint>
#include <optional>
#include <vector>

#include <QWidget>

#include "pcanno/formats/labels/annotations.hpp"

class QLineEdit;
class QListWidget;

namespace pcanno::viewer::workstation {

/// The document's tracks, one row each ("#12 Car, 40 boxes, frames 3-42"), with a filter that
/// keeps rows containing its text (case-insensitive: a class name, "#12"). A click selects the
/// track, a double click (or Return) also jumps to its first frame.
class TrackListPanel : public QWidget {
  Q_OBJECT

 public:
  explicit TrackListPanel(QWidget* parent = nullptr);

  void set_tracks(const formats::Annotations& doc, std::optional<std::int64_t> selected);
  void set_filter(const QString& text);
  /// Ids of the rows the filter keeps, in list order.
  std::vector<std::int64_t> visible_tracks() const;
  QLineEdit* filter_edit() const { return filter_; }
  QListWidget* list() const { return list_; }

 signals:
  void track_selected(qint64 track);
  void track_activated(qint64 track);  ///< double click: jump to the first frame

 private:
  void apply_filter();

  QLineEdit* filter_;
  QListWidget* list_;
  bool updating_ = false;  ///< set_tracks() is rebuilding: selection signals are not the user's
};

}  // namespace pcanno::viewer::workstation
