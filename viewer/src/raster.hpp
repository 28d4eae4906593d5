#pragma once
// Software drawing into an RGB image (private to the viewer): what draw_overlay() needs to paint
// labels over camera images without a display. Coordinates are pixels (u right, v down) with
// (0, 0) the centre of the top-left pixel; everything is clipped to the image.
#include <Eigen/Core>

#include "pcanno/formats/datasets/image.hpp"
#include "pcanno/geometry/camera.hpp"
#include "pcanno/viewer/scene_style.hpp"

namespace pcanno::viewer::raster {

/// Dashes of a dashed line [px], measured along the line from its start.
struct DashPattern {
  double dash = 0.0;  ///< drawn length; <= 0: a solid line
  double gap = 0.0;   ///< skipped length
};

/// Liang-Barsky: the parameter range [t0, t1] of a + t (b - a), t in [0, 1], inside the rectangle
/// [lo, hi]; false when the segment misses it.
bool clip_to_rect(const Eigen::Vector2d& a, const Eigen::Vector2d& b, const Eigen::Vector2d& lo,
                  const Eigen::Vector2d& hi, double& t0, double& t1);

/// Sets every pixel whose centre lies within `width` / 2 of the line through a-b, between a and b
/// along the line's major axis (flat ends). At least one pixel per column (or row) is set, so a
/// line thinner than a pixel stays unbroken. Endpoints far outside the image (a box edge cut at
/// the near plane lands thousands of pixels away) cost nothing: the line is clipped first.
void draw_line(formats::Image& image, const Eigen::Vector2d& a, const Eigen::Vector2d& b,
               const Rgb& color, double width, const DashPattern& dashes = {});

/// A filled square of `size` x `size` pixels centred on the pixel nearest to `uv` (odd sizes
/// centre exactly).
void fill_square(formats::Image& image, const Eigen::Vector2d& uv, int size, const Rgb& color);

/// The outline of `box`, one pixel wide, on the pixels nearest to its sides.
void draw_rect(formats::Image& image, const geometry::PixelBox& box, const Rgb& color);

}  // namespace pcanno::viewer::raster
