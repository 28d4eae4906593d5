#include "raster.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>

namespace pcanno::viewer::raster {
namespace {

void set_pixel(formats::Image& image, long u, long v, const Rgb& color) {
  if (u < 0 || v < 0 || u >= image.width || v >= image.height) return;
  std::uint8_t* p = image.rgb.data() +
                    (static_cast<std::size_t>(v) * image.width + static_cast<std::size_t>(u)) * 3;
  p[0] = color[0];
  p[1] = color[1];
  p[2] = color[2];
}

}  // namespace

bool clip_to_rect(const Eigen::Vector2d& a, const Eigen::Vector2d& b, const Eigen::Vector2d& lo,
                  const Eigen::Vector2d& hi, double& t0, double& t1) {
  t0 = 0.0;
  t1 = 1.0;
  const Eigen::Vector2d d = b - a;
  for (int axis = 0; axis < 2; ++axis) {
    const double p[2] = {-d[axis], d[axis]};
    const double q[2] = {a[axis] - lo[axis], hi[axis] - a[axis]};
    for (int k = 0; k < 2; ++k) {
      if (p[k] == 0.0) {
        if (q[k] < 0.0) return false;
        continue;
      }
      const double r = q[k] / p[k];
      if (p[k] < 0.0) {
        t0 = std::max(t0, r);
      } else {
        t1 = std::min(t1, r);
      }
    }
  }
  return t0 <= t1;
}

void draw_line(formats::Image& image, const Eigen::Vector2d& a, const Eigen::Vector2d& b,
               const Rgb& color, double width, const DashPattern& dashes) {
  if (image.empty() || !a.allFinite() || !b.allFinite()) return;
  const double half = std::max(width, 1.0) / 2.0;
  const double margin = half + 1.0;
  double t0 = 0.0, t1 = 1.0;
  if (!clip_to_rect(a, b, Eigen::Vector2d(-margin, -margin),
                    Eigen::Vector2d(image.width - 1 + margin, image.height - 1 + margin), t0, t1)) {
    return;
  }
  const Eigen::Vector2d d = b - a;
  const int major = std::abs(d.x()) >= std::abs(d.y()) ? 0 : 1;
  const int minor = 1 - major;
  if (d[major] == 0.0) {  // a point
    fill_square(image, a, static_cast<int>(std::lround(2.0 * half)), color);
    return;
  }
  const Eigen::Vector2d p = a + t0 * d, q = a + t1 * d;
  const double slope = d[minor] / d[major];
  // Pixels within `half` of the line, measured across it, are those within `extent` of its
  // centre along the minor axis.
  const double extent = half * std::sqrt(1.0 + slope * slope);
  const double length = d.norm();
  const double period = dashes.dash + dashes.gap;
  const long dim_major = major == 0 ? image.width : image.height;
  const long dim_minor = major == 0 ? image.height : image.width;
  const long first = std::max(0L, std::lround(std::min(p[major], q[major])));
  const long last = std::min(dim_major - 1, std::lround(std::max(p[major], q[major])));
  for (long c = first; c <= last; ++c) {
    const double t = (static_cast<double>(c) - a[major]) / d[major];  // along the whole line
    if (dashes.dash > 0.0 && period > 0.0) {
      double s = std::fmod(t * length, period);
      if (s < 0.0) s += period;
      if (s >= dashes.dash) continue;
    }
    const double centre = a[minor] + t * d[minor];
    // Half-open [centre - extent, centre + extent): a line `width` wide covers `width` pixels.
    const long r0 = std::max(0L, static_cast<long>(std::ceil(centre - extent)));
    const long r1 = std::min(dim_minor - 1, static_cast<long>(std::ceil(centre + extent)) - 1);
    for (long r = r0; r <= r1; ++r) {
      if (major == 0) {
        set_pixel(image, c, r, color);
      } else {
        set_pixel(image, r, c, color);
      }
    }
  }
}

void fill_square(formats::Image& image, const Eigen::Vector2d& uv, int size, const Rgb& color) {
  if (image.empty() || !uv.allFinite() || size <= 0) return;
  // Far-off centres would overflow the conversion; nothing of them is in the image anyway.
  if (std::abs(uv.x()) > 1e9 || std::abs(uv.y()) > 1e9) return;
  const long cu = std::lround(uv.x()), cv = std::lround(uv.y());
  const long lo = -(size / 2);
  for (long dv = lo; dv < lo + size; ++dv) {
    for (long du = lo; du < lo + size; ++du) set_pixel(image, cu + du, cv + dv, color);
  }
}

void draw_rect(formats::Image& image, const geometry::PixelBox& box, const Rgb& color) {
  if (image.empty() || box.empty()) return;
  const auto bound = [](double x, long max) {
    return std::lround(std::clamp(x, -1.0, static_cast<double>(max)));
  };
  const long l = bound(box.left, image.width), r = bound(box.right, image.width);
  const long t = bound(box.top, image.height), b = bound(box.bottom, image.height);
  for (long u = l; u <= r; ++u) {
    set_pixel(image, u, t, color);
    set_pixel(image, u, b, color);
  }
  for (long v = t; v <= b; ++v) {
    set_pixel(image, l, v, color);
    set_pixel(image, r, v, color);
  }
}

}  // namespace pcanno::viewer::raster
