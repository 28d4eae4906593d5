// draw_overlay(): a CameraOverlay painted into its image in software, for the CLI and tests.
#include <algorithm>

#include "pcanno/viewer/camera_overlay.hpp"
#include "raster.hpp"

namespace pcanno::viewer {

void draw_overlay(formats::Image& image, const CameraOverlay& overlay, float line_width) {
  const double width = std::max(1.0, static_cast<double>(line_width));
  // Points first, under the shapes; far shapes before near ones (the overlay's order).
  const std::size_t n = std::min(overlay.points.u.size(), overlay.points.v.size());
  for (std::size_t i = 0; i < n; ++i) {
    const Rgb color =
        i < overlay.point_colors.size() ? overlay.point_colors[i] : Rgb{255, 255, 255};
    raster::fill_square(image, Eigen::Vector2d(overlay.points.u[i], overlay.points.v[i]), 3, color);
  }
  for (const OverlayShape& shape : overlay.shapes) {
    if (shape.kind == OverlayShape::Kind::kBox) raster::draw_rect(image, shape.box_2d, shape.color);
    const double w = shape.selected ? 2.0 * width : width;
    // Dashes scale with the line so that they read the same at any width.
    const raster::DashPattern dashes =
        shape.dashed ? raster::DashPattern{4.0 * width, 3.0 * width} : raster::DashPattern{};
    for (const geometry::PixelSegment& s : shape.segments) {
      raster::draw_line(image, s.a, s.b, shape.color, w, dashes);
    }
    for (const geometry::PixelSegment& s : shape.heading) {
      raster::draw_line(image, s.a, s.b, shape.color, w + width, dashes);
    }
  }
}

}  // namespace pcanno::viewer
