#pragma once
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "pcanno/viewer/camera.hpp"
#include "pcanno/viewer/render_png.hpp"
#include "pcanno/viewer/scene_renderer.hpp"

// Screenshot checks shared by the viewer and `pcanno render` tests: box edges must be drawn where
// the camera projects them, in the box's legend colour, and pixels far from every box must not
// carry a box colour.

namespace pcanno::test {

struct ExpectedBox {
  geometry::Cuboid box_in_world;
  viewer::Rgb color{0, 0, 0};
};

struct EdgeCheck {
  int edge_samples = 0;
  int edge_hits = 0;
  int background_samples = 0;
  int background_box_colored = 0;  ///< far from every box, yet in a box colour
  int background_lit = 0;          ///< far from every box and not the background colour (points)
  std::string misses;              ///< first few missed samples, for the failure message

  double hit_ratio() const { return edge_samples ? double(edge_hits) / edge_samples : 0.0; }
};

inline bool close_color(const std::uint8_t* px, const viewer::Rgb& c, int tolerance) {
  for (int k = 0; k < 3; ++k) {
    if (std::abs(int(px[k]) - int(c[k])) > tolerance) return false;
  }
  return true;
}

inline double distance_to_segment(const Eigen::Vector2d& p, const Eigen::Vector2d& a,
                                  const Eigen::Vector2d& b) {
  const Eigen::Vector2d ab = b - a;
  const double t = std::clamp((p - a).dot(ab) / std::max(ab.squaredNorm(), 1e-12), 0.0, 1.0);
  return (a + t * ab - p).norm();
}

/// Samples points along every box edge (away from corners, where edges of neighbouring boxes may
/// cross, and away from the track-id labels) and a grid of background pixels.
/// `radius` [px]: a sample hits when a pixel of the box colour lies within it (rasterisation
/// rounds line positions by up to a pixel).
inline EdgeCheck check_edges(const viewer::Image& image, const viewer::CameraPose& camera,
                             const std::vector<ExpectedBox>& boxes, int radius = 2,
                             int tolerance = 12, double label_clearance = 45.0,
                             double background_clearance = 14.0) {
  static constexpr int kEdges[12][2] = {{0, 1}, {1, 2}, {2, 3}, {3, 0}, {4, 5}, {5, 6},
                                        {6, 7}, {7, 4}, {0, 4}, {1, 5}, {2, 6}, {3, 7}};
  EdgeCheck out;
  const int w = image.width, h = image.height;
  auto pixel = [&](int x, int y) { return image.rgb.data() + (std::size_t(y) * w + x) * 3; };
  std::vector<Eigen::Vector2d> labels;
  std::vector<std::pair<Eigen::Vector2d, Eigen::Vector2d>> segments;
  for (const ExpectedBox& b : boxes) {
    if (auto a = viewer::project(camera, viewer::label_anchor(b.box_in_world), w, h)) {
      labels.push_back(*a);
    }
  }
  auto near_label = [&](const Eigen::Vector2d& p, double clearance) {
    for (const auto& l : labels) {
      // Text grows to the right of and above its anchor.
      if (p.x() > l.x() - clearance * 0.5 && p.x() < l.x() + clearance &&
          p.y() > l.y() - clearance && p.y() < l.y() + clearance * 0.5) {
        return true;
      }
    }
    return false;
  };
  for (const ExpectedBox& b : boxes) {
    // The heading arrow (as SceneRenderer draws it) is box-coloured too: keep the background
    // samples off it.
    const geometry::Cuboid& c3 = b.box_in_world;
    const Eigen::Matrix3d R = c3.rotation.toRotationMatrix();
    const Eigen::Vector3d top = c3.center + R.col(2) * (c3.size.z() / 2.0);
    const Eigen::Vector3d tip = top + R.col(0) * (c3.size.x() / 2.0);
    const double head = std::min(0.25 * c3.size.x(), 0.5 * c3.size.y());
    for (const Eigen::Vector3d& end :
         {top, Eigen::Vector3d(tip - R.col(0) * head + R.col(1) * head),
          Eigen::Vector3d(tip - R.col(0) * head - R.col(1) * head)}) {
      const auto a = viewer::project(camera, tip, w, h);
      const auto c = viewer::project(camera, end, w, h);
      if (a && c) segments.emplace_back(*a, *c);
    }
  }
  for (const ExpectedBox& b : boxes) {
    const auto corners = b.box_in_world.corners();
    for (const auto& e : kEdges) {
      const auto a = viewer::project(camera, corners[e[0]], w, h);
      const auto c = viewer::project(camera, corners[e[1]], w, h);
      if (!a || !c) continue;
      segments.emplace_back(*a, *c);
      if ((*c - *a).norm() < 12.0) continue;  // edge seen end-on: nothing to sample
      for (double t : {0.2, 0.35, 0.5, 0.65, 0.8}) {
        const Eigen::Vector2d p = *a + t * (*c - *a);
        const int x = int(std::floor(p.x())), y = int(std::floor(p.y()));
        if (x < radius || y < radius || x >= w - radius || y >= h - radius) continue;
        if (near_label(p, label_clearance)) continue;
        ++out.edge_samples;
        bool hit = false;
        for (int dy = -radius; dy <= radius && !hit; ++dy) {
          for (int dx = -radius; dx <= radius && !hit; ++dx) {
            hit = close_color(pixel(x + dx, y + dy), b.color, tolerance);
          }
        }
        if (hit) {
          ++out.edge_hits;
        } else if (out.misses.size() < 400) {
          const std::uint8_t* px = pixel(x, y);
          out.misses += "(" + std::to_string(x) + "," + std::to_string(y) + ": " +
                        std::to_string(px[0]) + " " + std::to_string(px[1]) + " " +
                        std::to_string(px[2]) + ") ";
        }
      }
    }
  }
  for (int y = 4; y < h - 4; y += 7) {
    for (int x = 4; x < w - 4; x += 7) {
      const Eigen::Vector2d p(x + 0.5, y + 0.5);
      bool far = !near_label(p, label_clearance * 1.5);
      for (const auto& s : segments) {
        if (!far) break;
        far = distance_to_segment(p, s.first, s.second) > background_clearance;
      }
      if (!far) continue;
      ++out.background_samples;
      const std::uint8_t* px = pixel(x, y);
      if (px[0] + px[1] + px[2] > 0) ++out.background_lit;
      for (const ExpectedBox& b : boxes) {
        if (close_color(px, b.color, tolerance)) {
          ++out.background_box_colored;
          break;
        }
      }
    }
  }
  return out;
}

}  // namespace pcanno::test
