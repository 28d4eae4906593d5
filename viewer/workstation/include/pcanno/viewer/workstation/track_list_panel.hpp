#pragma once
#include <cstdint>
#include <optional>
#include <vector>

#include <QWidget>

#include "pcanno/formats/labels/annotations.hpp"

class QLabel;
class QLineEdit;
class QListWidget;

namespace pcanno::viewer::workstation {

/// The document's box tracks, one row each ("#12 Car, 40 boxes, frames 3-42"), then its polyline
/// tracks ("polyline 3 Lane marking, 20 lines, frames 0-19"), with a filter that keeps rows
/// containing its text (case-insensitive: a class name, "#12", "polyline"). A click selects the
/// track or polyline, a double click (or Return) also jumps to its first frame.
class TrackListPanel : public QWidget {
  Q_OBJECT

 public:
  explicit TrackListPanel(QWidget* parent = nullptr);

  /// `selected`: a box track's id; `selected_polyline`: a polyline track's (the row made current).
  void set_tracks(const formats::Annotations& doc, std::optional<std::int64_t> selected,
                  std::optional<std::int64_t> selected_polyline = std::nullopt);
  void set_filter(const QString& text);
  /// Ids of the box track rows the filter keeps, in list order.
  std::vector<std::int64_t> visible_tracks() const;
  /// Ids of the polyline rows the filter keeps, in list order.
  std::vector<std::int64_t> visible_polylines() const;
  /// The list row of polyline `id`, -1 when none.
  int polyline_row(std::int64_t id) const;
  /// What stands between track `selected` and a merge (under the list, and in each other row's
  /// tip): with a `partner` (the track Ctrl+M would merge into), that pair's shared frames, which
  /// make the merge impossible, and the gaps the merged track would have; without one, which
  /// tracks `selected` can merge with and which are blocked, with their frames.
  void set_merge_pair(const formats::Annotations& doc, std::optional<std::int64_t> selected,
                      std::optional<std::int64_t> partner);
  /// The text under the list ("" without a selected track).
  QString merge_text() const;
  QLineEdit* filter_edit() const { return filter_; }
  QListWidget* list() const { return list_; }

 signals:
  void track_selected(qint64 track);
  void track_activated(qint64 track);  ///< double click: jump to the first frame
  void polyline_selected(qint64 polyline);
  void polyline_activated(qint64 polyline);  ///< double click: jump to its first frame

 private:
  void apply_filter();
  std::vector<std::int64_t> visible(bool polylines) const;

  QLineEdit* filter_;
  QListWidget* list_;
  QLabel* merge_info_;  ///< set_merge_pair()
  bool updating_ = false;  ///< set_tracks() is rebuilding: selection signals are not the user's
};

}  // namespace pcanno::viewer::workstation
