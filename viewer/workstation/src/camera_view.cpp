#include "pcanno/viewer/workstation/camera_view.hpp"

#include <algorithm>

#include <QKeyEvent>
#include <QMouseEvent>
#include <QPainter>

namespace pcanno::viewer::workstation {
namespace {

constexpr double kPickTolerance = 6.0;  ///< [widget px] how near a click must be to a polyline
constexpr qreal kEdgeWidth = 2.0;       ///< [widget px] box edges and polylines
constexpr qreal kHeadingWidth = 4.0;    ///< [widget px] the heading (front) face
constexpr qreal kSelectedExtra = 1.5;   ///< [widget px] added for the selected shape

QColor qcolor(const Rgb& c) { return QColor(c[0], c[1], c[2]); }

QPen pen(const Rgb& c, qreal width, bool dashed = false) {
  QPen p(qcolor(c), width);
  p.setCosmetic(true);  // widths in widget pixels whatever the image's scale
  if (dashed) p.setStyle(Qt::DashLine);
  return p;
}

void draw_segments(QPainter& painter, const std::vector<geometry::PixelSegment>& segments) {
  for (const geometry::PixelSegment& s : segments) {
    painter.drawLine(QPointF(s.a.x(), s.a.y()), QPointF(s.b.x(), s.b.y()));
  }
}

}  // namespace

CameraView::CameraView(const QString& channel, QWidget* parent)
    : QWidget(parent), channel_(channel) {
  setObjectName("camera_" + channel);
  setMinimumSize(120, 70);
  setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
  setFocusPolicy(Qt::ClickFocus);
  setToolTip(channel + ": click a box to select it, double click for full size");
}

void CameraView::show_image(std::shared_ptr<const formats::Image> image, const QString& error) {
  if (image != image_) {
    image_ = std::move(image);
    // The QImage borrows the decoded bytes, which image_ keeps alive.
    qimage_ = image_ && !image_->empty() ? QImage(image_->rgb.data(), image_->width, image_->height,
                                                  image_->width * 3, QImage::Format_RGB888)
                                         : QImage();
    scaled_ = QPixmap();
  }
  error_ = error;
  update();
}

void CameraView::set_overlay(CameraOverlay overlay, bool boxes_2d) {
  overlay_ = std::move(overlay);
  boxes_2d_ = boxes_2d;
  update();
}

void CameraView::set_preview(std::vector<geometry::PixelSegment> segments, Rgb color) {
  if (segments.empty() && preview_.empty()) return;
  preview_ = std::move(segments);
  preview_color_ = color;
  update();
}

QSize CameraView::image_size() const {
  if (!qimage_.isNull()) return qimage_.size();
  return QSize(overlay_.width, overlay_.height);
}

double CameraView::scale() const {
  const QSize s = image_size();
  if (s.width() <= 0 || s.height() <= 0) return 0.0;
  return std::min(width() / static_cast<double>(s.width()),
                  height() / static_cast<double>(s.height()));
}

QRectF CameraView::image_rect() const {
  const double k = scale();
  if (k <= 0.0) return {};
  const QSizeF fit(image_size().width() * k, image_size().height() * k);
  return QRectF(QPointF((width() - fit.width()) / 2.0, (height() - fit.height()) / 2.0), fit);
}

QPointF CameraView::widget_of(const Eigen::Vector2d& uv) const {
  // Pixel u spans [u - 0.5, u + 0.5] of the image: its centre is u + 0.5 from the left edge.
  const QRectF r = image_rect();
  const double k = scale();
  return {r.left() + (uv.x() + 0.5) * k, r.top() + (uv.y() + 0.5) * k};
}

Eigen::Vector2d CameraView::image_of(const QPointF& p) const {
  const QRectF r = image_rect();
  const double k = scale();
  if (k <= 0.0) return {-1.0, -1.0};
  return {(p.x() - r.left()) / k - 0.5, (p.y() - r.top()) / k - 0.5};
}

void CameraView::paintEvent(QPaintEvent* /*event*/) {
  QPainter painter(this);
  painter.fillRect(rect(), QColor(20, 20, 24));
  const QRectF r = image_rect();
  if (!qimage_.isNull() && !r.isEmpty()) {
    const QSize target = r.size().toSize();
    if (scaled_.size() != target) {
      // Smooth scaling of a whole 1600x900 image to a strip thumbnail costs several ms per camera
      // on the UI thread at every frame; dropping to twice the target size by sampling first
      // keeps the smooth pass (and the look) while cutting most of that.
      const QImage* source = &qimage_;
      QImage coarse;
      if (qimage_.width() > 4 * target.width() && qimage_.height() > 4 * target.height()) {
        coarse = qimage_.scaled(target * 2, Qt::IgnoreAspectRatio, Qt::FastTransformation);
        source = &coarse;
      }
      scaled_ = QPixmap::fromImage(
          source->scaled(target, Qt::IgnoreAspectRatio, Qt::SmoothTransformation));
    }
    painter.drawPixmap(r.topLeft(), scaled_);
  }
  if (!r.isEmpty()) {
    painter.save();
    painter.setClipRect(r);
    // No antialiasing: edges keep their exact class colours over the photo.
    // Image pixels to widget pixels: scale, then the half-pixel of the centre convention.
    painter.translate(r.topLeft());
    painter.scale(scale(), scale());
    painter.translate(0.5, 0.5);
    paint_overlay(painter);
    painter.restore();
  }
  painter.setPen(Qt::white);
  if (qimage_.isNull()) {
    const QString text = error_.isEmpty() ? channel_ + ": no image for this frame" : error_;
    painter.drawText(rect().adjusted(8, 20, -8, -8), Qt::AlignCenter | Qt::TextWordWrap, text);
  }
  // The channel's name on a dark backing in the top-left corner.
  const QString name = channel_;
  const QRect box = painter.fontMetrics().boundingRect(name).adjusted(-3, -1, 3, 1);
  const QRect at = box.translated(4 - box.left(), 4 - box.top());
  painter.fillRect(at, QColor(0, 0, 0, 170));
  painter.drawText(at, Qt::AlignCenter, name);
}

void CameraView::paint_overlay(QPainter& painter) const {
  const auto& pts = overlay_.points;
  if (!pts.u.empty()) {
    // 2 widget pixels a point, whatever the scale.
    const double side = 2.0 / std::max(scale(), 1e-9);
    for (std::size_t i = 0; i < pts.u.size(); ++i) {
      const Rgb& c =
          i < overlay_.point_colors.size() ? overlay_.point_colors[i] : Rgb{255, 255, 255};
      painter.fillRect(QRectF(pts.u[i] - side / 2, pts.v[i] - side / 2, side, side), qcolor(c));
    }
  }
  for (const OverlayShape& s : overlay_.shapes) {  // far to near: the near ones on top
    const qreal extra = s.selected ? kSelectedExtra : 0.0;
    if (boxes_2d_ && s.kind == OverlayShape::Kind::kBox && !s.box_2d.empty()) {
      painter.setPen(pen(s.color, 1.0, true));
      painter.setBrush(Qt::NoBrush);
      painter.drawRect(
          QRectF(QPointF(s.box_2d.left, s.box_2d.top), QPointF(s.box_2d.right, s.box_2d.bottom)));
    }
    painter.setPen(pen(s.color, kEdgeWidth + extra, s.dashed));
    draw_segments(painter, s.segments);
    painter.setPen(pen(s.color, kHeadingWidth + extra, s.dashed));
    draw_segments(painter, s.heading);
  }
  if (!preview_.empty()) {
    painter.setPen(pen(preview_color_, kEdgeWidth));
    draw_segments(painter, preview_);
  }
}

void CameraView::mousePressEvent(QMouseEvent* event) {
  if (event->button() != Qt::LeftButton || !image_rect().contains(event->localPos())) {
    return QWidget::mousePressEvent(event);
  }
  const double k = std::max(scale(), 1e-9);
  const auto picked = pick_shape(overlay_, image_of(event->localPos()), kPickTolerance / k);
  if (picked) {
    const OverlayShape& s = overlay_.shapes[*picked];
    emit shape_clicked(static_cast<int>(s.kind), static_cast<qint64>(s.id));
  }
  event->accept();
}

void CameraView::mouseDoubleClickEvent(QMouseEvent* event) {
  if (event->button() != Qt::LeftButton) return QWidget::mouseDoubleClickEvent(event);
  emit double_clicked(channel_);
  event->accept();
}

void CameraView::keyPressEvent(QKeyEvent* event) {
  // The full-size window closes with Escape.
  if (isWindow() && event->key() == Qt::Key_Escape) {
    close();
    return event->accept();
  }
  QWidget::keyPressEvent(event);
}

}  // namespace pcanno::viewer::workstation
