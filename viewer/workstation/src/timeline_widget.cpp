#include "pcanno/viewer/workstation/timeline_widget.hpp"

#include <algorithm>

#include <QHelpEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QToolTip>

#include "pcanno/plugin/automation/propagation.hpp"

namespace pcanno::viewer::workstation {
namespace {
constexpr int kMarkHeight = 8;  ///< [px] QA strip above the cells
constexpr int kKeyHeight = 4;   ///< [px] strip below the cells marking keyframes among sweeps
constexpr int kReviewHeight = 4;  ///< [px] strip at the bottom marking boxes to review
}

QColor timeline_review_colour() { return {255, 70, 200}; }

QColor timeline_colour(const TimelineCell& cell) {
  if (!cell.has_box) return {45, 45, 50};
  if (cell.keyframe) return {250, 250, 250};
  switch (cell.provenance) {
    case formats::Provenance::kInterpolated:
      return {90, 160, 255};
    case formats::Provenance::kTracked:
      return {255, 160, 40};
    case formats::Provenance::kFitted:
      return {120, 220, 120};
    case formats::Provenance::kImported:
      return {180, 180, 180};
    case formats::Provenance::kModel:
      return {200, 120, 220};
    case formats::Provenance::kManual:
      return {230, 230, 150};
  }
  return {128, 128, 128};
}

TimelineWidget::TimelineWidget(QWidget* parent) : QWidget(parent) {
  setMinimumHeight(36);
  setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
  setMouseTracking(true);
}

void TimelineWidget::set_cells(std::vector<TimelineCell> cells) {
  cells_ = std::move(cells);
  update();
}

void TimelineWidget::set_current_frame(std::int64_t frame) {
  current_ = frame;
  update();
}

double TimelineWidget::cell_width() const {
  return cells_.empty() ? 1.0 : static_cast<double>(width()) / static_cast<double>(cells_.size());
}

std::int64_t TimelineWidget::frame_at(int x) const {
  if (cells_.empty() || x < 0 || x >= width()) return -1;
  return std::min<std::int64_t>(static_cast<std::int64_t>(x / cell_width()),
                                static_cast<std::int64_t>(cells_.size()) - 1);
}

void TimelineWidget::set_comment_frames(std::vector<std::int64_t> frames) {
  if (frames == comment_frames_) return;
  comment_frames_ = std::move(frames);
  update();
}

void TimelineWidget::paintEvent(QPaintEvent* /*event*/) {
  QPainter p(this);
  p.fillRect(rect(), QColor(25, 25, 28));
  const double w = cell_width();
  const int top = kMarkHeight + 2;
  const bool sweeps = std::any_of(cells_.begin(), cells_.end(),
                                  [](const TimelineCell& c) { return c.sweep; });
  const bool reviews = std::any_of(cells_.begin(), cells_.end(),
                                   [](const TimelineCell& c) { return c.review; });
  const int review_band = reviews ? kReviewHeight + 1 : 0;
  const int h = height() - top - 2 - (sweeps ? kKeyHeight + 1 : 0) - review_band;
  for (std::size_t i = 0; i < cells_.size(); ++i) {
    const TimelineCell& c = cells_[i];
    const QRectF r(i * w + (w > 4 ? 1 : 0), top, std::max(1.0, w - (w > 4 ? 2 : 0)), h);
    p.fillRect(r, timeline_colour(c));
    if (c.has_box && c.keyframe && w > 6) {  // a diamond tells keyframes apart in greyscale too
      const QPointF m = r.center();
      const double s = std::min(r.width(), r.height()) * 0.3;
      const QPointF diamond[4] = {
          {m.x(), m.y() - s}, {m.x() + s, m.y()}, {m.x(), m.y() + s}, {m.x() - s, m.y()}};
      p.setBrush(QColor(40, 40, 40));
      p.setPen(Qt::NoPen);
      p.drawPolygon(diamond, 4);
    }
    if (sweeps && !c.sweep) {  // the dataset's keyframes (annotated samples) among its sweeps
      p.fillRect(QRectF(i * w, height() - 2 - review_band - kKeyHeight, std::max(1.0, w),
                        kKeyHeight),
                 QColor(80, 220, 230));
    }
    if (c.review) {  // a tracked box to look at: coasted or poorly registered
      p.fillRect(QRectF(i * w, height() - 2 - kReviewHeight, std::max(1.0, w), kReviewHeight),
                 timeline_review_colour());
    }
    if (c.qa) {
      const QColor mark = *c.qa == plugin::Severity::kError     ? QColor(240, 60, 60)
                          : *c.qa == plugin::Severity::kWarning ? QColor(240, 200, 40)
                                                                : QColor(120, 180, 240);
      p.fillRect(QRectF(i * w, 0, std::max(1.0, w), kMarkHeight), mark);
    }
  }
  for (std::int64_t f : comment_frames_) {  // review comments: a magenta tick across the top
    if (f < 0 || static_cast<std::size_t>(f) >= cells_.size()) continue;
    const double x = (static_cast<double>(f) + 0.5) * w;
    p.fillRect(QRectF(x - 1.5, 0, 3, top + h / 2.0), QColor(230, 60, 230));
  }
  if (current_ >= 0 && static_cast<std::size_t>(current_) < cells_.size()) {
    p.setPen(QPen(QColor(255, 60, 60), 2));
    p.setBrush(Qt::NoBrush);
    p.drawRect(QRectF(current_ * w + 1, 1, std::max(2.0, w - 2), height() - 2));
  }
}

void TimelineWidget::mousePressEvent(QMouseEvent* event) {
  const std::int64_t f = frame_at(static_cast<int>(event->localPos().x()));
  if (f >= 0) emit frame_clicked(f);
}

bool TimelineWidget::event(QEvent* event) {
  if (event->type() == QEvent::ToolTip) {
    auto* help = static_cast<QHelpEvent*>(event);
    const std::int64_t f = frame_at(help->pos().x());
    if (f >= 0) {
      const TimelineCell& c = cells_[static_cast<std::size_t>(f)];
      QString text = QString("frame %1").arg(f);
      if (std::any_of(cells_.begin(), cells_.end(), [](const TimelineCell& x) { return x.sweep; })) {
        text += c.sweep ? " (sweep)" : " (keyframe)";
      }
      if (c.has_box) {
        text +=
            QString(": %1%2").arg(formats::to_string(c.provenance), c.keyframe ? ", keyframe" : "");
        if (c.score) text += QString(", score %1").arg(*c.score, 0, 'f', 2);
        if (c.review) {
          text += QString("\nreview: tracked with a score below %1 (coasted or poorly registered)")
                      .arg(plugin::kReviewScore, 0, 'f', 2);
        }
      }
      if (!c.qa_text.empty()) text += "\n" + QString::fromStdString(c.qa_text);
      QToolTip::showText(help->globalPos(), text, this);
    } else {
      QToolTip::hideText();
    }
    return true;
  }
  return QWidget::event(event);
}

}  // namespace pcanno::viewer::workstation
