#pragma once
#include <cstdint>
#include <vector>

#include <QWidget>

#include "pcanno/viewer/workstation/timeline_model.hpp"

namespace pcanno::viewer::workstation {

/// The selected track over time: one cell per frame, filled by provenance (keyframe, manual,
/// interpolated, tracked, fitted, imported, model), a QA mark above frames with findings, and the
/// current frame as a cursor. When the frames include a scene's sweeps, a strip below the cells
/// marks the keyframes. A strip at the bottom marks the boxes to review (TimelineCell::review:
/// tracked with a score below plugin::kReviewScore). Clicking a cell jumps to its frame.
class TimelineWidget : public QWidget {
  Q_OBJECT

 public:
  explicit TimelineWidget(QWidget* parent = nullptr);

  void set_cells(std::vector<TimelineCell> cells);
  void set_current_frame(std::int64_t frame);
  const std::vector<TimelineCell>& cells() const { return cells_; }
  /// Frames with a review comment of the open store task: a tick over each.
  void set_comment_frames(std::vector<std::int64_t> frames);
  const std::vector<std::int64_t>& comment_frames() const { return comment_frames_; }
  /// The frame under widget x, or -1.
  std::int64_t frame_at(int x) const;
  QSize sizeHint() const override { return {600, 44}; }

 signals:
  void frame_clicked(qint64 frame);

 protected:
  void paintEvent(QPaintEvent* event) override;
  void mousePressEvent(QMouseEvent* event) override;
  bool event(QEvent* event) override;  // tooltips with the QA findings

 private:
  double cell_width() const;

  std::vector<TimelineCell> cells_;
  std::int64_t current_ = 0;
  std::vector<std::int64_t> comment_frames_;
};

/// The fill colour of a timeline cell, also used by the legend of the shortcut sheet.
QColor timeline_colour(const TimelineCell& cell);
/// The colour of the review mark under a cell.
QColor timeline_review_colour();

}  // namespace pcanno::viewer::workstation
