#pragma once
#include <cstdint>
#include <memory>
#include <vector>

#include <QImage>
#include <QPixmap>
#include <QWidget>

#include "pcanno/formats/datasets/image.hpp"
#include "pcanno/geometry/camera.hpp"
#include "pcanno/viewer/camera_overlay.hpp"

class QPainter;

namespace pcanno::viewer::workstation {

/// One camera image of the current frame, scaled to fit the widget (aspect kept, centred on
/// black), with the frame's boxes and polylines projected over it (a viewer::CameraOverlay painted
/// with QPainter: box edges, the heading face heavier, polylines, in class colours, the selected
/// shape in the selection colour, interpolated boxes dashed), the optional depth-coloured LiDAR
/// points and 2D boxes, and the box being dragged in the 3D views (the tool preview). An image that
/// is missing or does not decode shows its error text instead. A click on a shape reports it
/// (pick_shape()); a double click asks for the camera full size.
class CameraView : public QWidget {
  Q_OBJECT

 public:
  explicit CameraView(const QString& channel, QWidget* parent = nullptr);

  const QString& channel() const { return channel_; }
  /// The frame's image (null: `error` is shown instead) and what is drawn over it.
  void show_image(std::shared_ptr<const formats::Image> image, const QString& error);
  void set_overlay(CameraOverlay overlay, bool boxes_2d);
  /// Segments of boxes being edited (the tool preview) [px of this camera's image].
  void set_preview(std::vector<geometry::PixelSegment> segments, Rgb color);
  const CameraOverlay& overlay() const { return overlay_; }
  const std::shared_ptr<const formats::Image>& image() const { return image_; }
  const QString& error() const { return error_; }
  bool shows_boxes_2d() const { return boxes_2d_; }
  const std::vector<geometry::PixelSegment>& preview() const { return preview_; }
  Rgb preview_color() const { return preview_color_; }

  /// Where the image is drawn in the widget [logical px]; empty without an image size.
  QRectF image_rect() const;
  /// The widget point showing image pixel `uv` (pixel centres are integers), and back.
  QPointF widget_of(const Eigen::Vector2d& uv) const;
  Eigen::Vector2d image_of(const QPointF& p) const;

 signals:
  /// A left click on shape `id` of kind `kind` (OverlayShape::Kind as int).
  void shape_clicked(int kind, qint64 id);
  void double_clicked(const QString& channel);

 protected:
  void paintEvent(QPaintEvent* event) override;
  void mousePressEvent(QMouseEvent* event) override;
  void mouseDoubleClickEvent(QMouseEvent* event) override;
  void keyPressEvent(QKeyEvent* event) override;

 private:
  QSize image_size() const;  ///< decoded size, else the overlay's camera size
  double scale() const;      ///< widget px per image px
  void paint_overlay(QPainter& painter) const;

  QString channel_;
  std::shared_ptr<const formats::Image> image_;
  QImage qimage_;           ///< wraps image_'s bytes (no copy)
  mutable QPixmap scaled_;  ///< qimage_ at the current fit; rebuilt when either changes
  QString error_;
  CameraOverlay overlay_;
  bool boxes_2d_ = false;
  std::vector<geometry::PixelSegment> preview_;
  Rgb preview_color_{255, 0, 255};
};

}  // namespace pcanno::viewer::workstation
