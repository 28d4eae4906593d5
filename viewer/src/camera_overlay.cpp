// Boxes, polylines and points of one frame projected into one camera image (no drawing here: the
// raster and the workstation's painter both draw the same CameraOverlay).
#include "pcanno/viewer/camera_overlay.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

#include "pcanno/formats/labels/shape_frames.hpp"
#include "pcanno/geometry/convex_polygon.hpp"
#include "pcanno/viewer/box_look.hpp"
#include "raster.hpp"

namespace pcanno::viewer {
namespace {

// The convex hull of a shape's visible edge end points, counter-clockwise in (u, v): a box's
// outline in the image.
std::vector<Eigen::Vector2d> outline_hull(const OverlayShape& shape) {
  std::vector<Eigen::Vector2d> pts;
  pts.reserve(2 * (shape.segments.size() + shape.heading.size()));
  for (const auto* list : {&shape.segments, &shape.heading}) {
    for (const geometry::PixelSegment& s : *list) {
      pts.push_back(s.a);
      pts.push_back(s.b);
    }
  }
  return geometry::convex_hull(std::move(pts));
}

double distance_to_segment(const Eigen::Vector2d& p, const geometry::PixelSegment& s) {
  const Eigen::Vector2d d = s.b - s.a;
  const double len2 = d.squaredNorm();
  const double t = len2 > 0.0 ? std::clamp((p - s.a).dot(d) / len2, 0.0, 1.0) : 0.0;
  return (s.a + t * d - p).norm();
}

bool segment_meets_rect(const geometry::PixelSegment& s, const Eigen::Vector2d& lo,
                        const Eigen::Vector2d& hi) {
  double t0 = 0.0, t1 = 1.0;
  return raster::clip_to_rect(s.a, s.b, lo, hi, t0, t1);
}

// Does the convex polygon `hull` (counter-clockwise, >= 3 vertices) overlap the rectangle? Clips
// the polygon to the rectangle (Sutherland-Hodgman) and asks whether anything is left.
bool hull_meets_rect(std::vector<Eigen::Vector2d> poly, const Eigen::Vector2d& lo,
                     const Eigen::Vector2d& hi) {
  for (int side = 0; side < 4 && !poly.empty(); ++side) {
    const int axis = side % 2;
    const bool upper = side >= 2;
    const double bound = upper ? hi[axis] : lo[axis];
    const auto inside = [&](const Eigen::Vector2d& p) {
      return upper ? p[axis] <= bound : p[axis] >= bound;
    };
    std::vector<Eigen::Vector2d> out;
    for (std::size_t i = 0; i < poly.size(); ++i) {
      const Eigen::Vector2d& a = poly[i];
      const Eigen::Vector2d& b = poly[(i + 1) % poly.size()];
      const bool a_in = inside(a), b_in = inside(b);
      if (a_in) out.push_back(a);
      if (a_in != b_in) {
        const double t = (bound - a[axis]) / (b[axis] - a[axis]);
        out.push_back(a + t * (b - a));
      }
    }
    poly = std::move(out);
  }
  return !poly.empty();
}

// Whether a shape shows anything inside the image: one of its lines crosses it, or (a box seen
// from very near) its outline covers part of it.
bool shows_in_image(const OverlayShape& shape, int width, int height) {
  if (width <= 0 || height <= 0) return true;  // size unknown: keep what projects
  // Pixel j covers [j - 0.5, j + 0.5).
  const Eigen::Vector2d lo(-0.5, -0.5);
  const Eigen::Vector2d hi(width - 0.5, height - 0.5);
  for (const auto* list : {&shape.segments, &shape.heading}) {
    for (const geometry::PixelSegment& s : *list) {
      if (segment_meets_rect(s, lo, hi)) return true;
    }
  }
  if (shape.kind != OverlayShape::Kind::kBox) return false;
  const std::vector<Eigen::Vector2d> hull = outline_hull(shape);
  return hull.size() >= 3 && hull_meets_rect(hull, lo, hi);
}

void add_boxes(CameraOverlay& overlay, const formats::Annotations& annotations,
               const formats::Sequence* sequence, std::int64_t frame,
               const formats::CameraImage& image, const OverlayOptions& options,
               const SceneStyle& style) {
  for (const formats::Track& track : annotations.tracks) {
    const formats::BoxState* state = track.at(frame);
    if (state == nullptr) continue;
    const auto box = formats::box_in_lidar(*state, sequence);
    if (!box) continue;  // a world-frame box without the frame's pose has no place in the image
    const geometry::ProjectedCuboid projected =
        geometry::project_cuboid(image.camera, image.T_cam_lidar, *box);
    if (!projected.projects()) continue;
    OverlayShape shape;
    shape.kind = OverlayShape::Kind::kBox;
    shape.id = track.id;
    shape.label = track.label;
    shape.selected = options.selected_track && *options.selected_track == track.id;
    const BoxLook look = box_look(style, annotations, track.label, *state, shape.selected);
    shape.color = look.color;
    shape.dashed = look.dashed;
    for (std::size_t e = 0; e < projected.edges.size(); ++e) {
      if (!projected.edges[e]) continue;
      const bool front =
          std::find(geometry::kCuboidFrontEdges.begin(), geometry::kCuboidFrontEdges.end(),
                    static_cast<int>(e)) != geometry::kCuboidFrontEdges.end();
      (front ? shape.heading : shape.segments).push_back(*projected.edges[e]);
    }
    // draw_overlay() draws every non-empty 2D box: fill it only when asked for.
    if (options.boxes_2d) {
      shape.box_2d = image.camera.width > 0 && image.camera.height > 0
                         ? projected.bounds.clipped(image.camera.width, image.camera.height)
                         : projected.bounds;
    }
    shape.depth = geometry::depth_of(image.camera, image.T_cam_lidar * box->center);
    if (shows_in_image(shape, overlay.width, overlay.height)) {
      overlay.shapes.push_back(std::move(shape));
    }
  }
}

void add_polylines(CameraOverlay& overlay, const formats::Annotations& annotations,
                   const formats::Sequence* sequence, std::int64_t frame,
                   const formats::CameraImage& image, const OverlayOptions& options,
                   const SceneStyle& style) {
  const std::optional<geometry::Pose> T_world_lidar = formats::T_world_lidar_at(sequence, frame);
  for (const formats::PolylineTrack& track : annotations.polylines) {
    const formats::PolylineState* state = track.at(frame);
    if (state == nullptr) continue;
    geometry::Polyline line = state->line;
    if (state->shape_frame == formats::ShapeFrame::kWorld) {
      if (!T_world_lidar) continue;  // as for boxes: no pose, no place in the image
      line = geometry::transform(geometry::invert(*T_world_lidar), line);
    }
    OverlayShape shape;
    shape.kind = OverlayShape::Kind::kPolyline;
    shape.id = track.id;
    shape.label = track.label;
    shape.closed = line.closed && line.vertices.size() >= 3;
    shape.selected = options.selected_polyline && *options.selected_polyline == track.id;
    shape.color =
        shape.selected ? style.selection_color : polyline_color(style, annotations, track.label);
    shape.segments =
        geometry::project_polyline(image.camera, image.T_cam_lidar, line.vertices, shape.closed);
    if (shape.segments.empty()) continue;
    // The nearest vertex in front of the camera (a clipped end lies at the near plane).
    double depth = std::numeric_limits<double>::infinity();
    for (const Eigen::Vector3d& v : line.vertices) {
      depth = std::min(depth, std::max(geometry::depth_of(image.camera, image.T_cam_lidar * v),
                                       image.camera.near));
    }
    shape.depth = depth;
    if (shows_in_image(shape, overlay.width, overlay.height)) {
      overlay.shapes.push_back(std::move(shape));
    }
  }
}

}  // namespace

CameraOverlay compose_overlay(const formats::Annotations& annotations,
                              const formats::Sequence* sequence, std::int64_t frame,
                              const formats::CameraImage& image, const formats::PointCloud* cloud,
                              const OverlayOptions& options, const SceneStyle& style) {
  CameraOverlay overlay;
  overlay.channel = image.channel;
  overlay.width = image.camera.width;
  overlay.height = image.camera.height;
  add_boxes(overlay, annotations, sequence, frame, image, options, style);
  add_polylines(overlay, annotations, sequence, frame, image, options, style);
  // Far to near; stable, so that equal depths keep document order from one frame to the next.
  std::stable_sort(overlay.shapes.begin(), overlay.shapes.end(),
                   [](const OverlayShape& a, const OverlayShape& b) { return a.depth > b.depth; });
  if (options.points && cloud != nullptr && !cloud->empty()) {
    // The floats are relative to the cloud's origin: take them there in double first.
    overlay.points = geometry::project_points(
        image.camera, image.T_cam_lidar * cloud->T_lidar_cloud(), cloud->view());
    overlay.point_colors.reserve(overlay.points.depth.size());
    for (const float d : overlay.points.depth) {
      overlay.point_colors.push_back(depth_color(d, options.point_depth_max));
    }
  }
  return overlay;
}

std::optional<std::size_t> pick_shape(const CameraOverlay& overlay, const Eigen::Vector2d& uv,
                                      double tolerance) {
  // Boxes first: a click inside a box's outline means that box even where a lane line runs
  // through it (the box usually hides the road there).
  std::optional<std::size_t> best_box, best_line;
  const auto nearer = [&overlay](const std::optional<std::size_t>& best, std::size_t i) {
    return !best || overlay.shapes[i].depth < overlay.shapes[*best].depth;
  };
  for (std::size_t i = 0; i < overlay.shapes.size(); ++i) {
    const OverlayShape& shape = overlay.shapes[i];
    if (shape.kind == OverlayShape::Kind::kBox) {
      const std::vector<Eigen::Vector2d> hull = outline_hull(shape);
      bool inside = false;
      if (hull.size() >= 3) {
        inside = true;  // counter-clockwise in (u, v): uv is inside when left of every edge
        for (std::size_t k = 0; k < hull.size() && inside; ++k) {
          const Eigen::Vector2d& a = hull[k];
          const Eigen::Vector2d& b = hull[(k + 1) % hull.size()];
          inside = (b.x() - a.x()) * (uv.y() - a.y()) - (b.y() - a.y()) * (uv.x() - a.x()) >= 0.0;
        }
      } else {  // seen edge-on: a line or a point
        for (const auto* list : {&shape.segments, &shape.heading}) {
          for (const geometry::PixelSegment& s : *list) {
            inside = inside || distance_to_segment(uv, s) <= tolerance;
          }
        }
      }
      if (inside && nearer(best_box, i)) best_box = i;
    } else {
      bool near_line = false;
      for (const geometry::PixelSegment& s : shape.segments) {
        near_line = near_line || distance_to_segment(uv, s) <= tolerance;
      }
      if (near_line && nearer(best_line, i)) best_line = i;
    }
  }
  return best_box ? best_box : best_line;
}

Rgb depth_color(double depth, double max) {
  // Red (0) -> yellow (1/3) -> green (2/3) -> blue (1).
  double t = max > 0.0 && depth > 0.0 ? depth / max : 0.0;
  if (!(t <= 1.0)) t = 1.0;  // beyond max, or NaN (an infinite depth over an infinite max)
  const auto byte = [](double x) { return static_cast<std::uint8_t>(std::lround(255.0 * x)); };
  if (t < 1.0 / 3.0) return Rgb{255, byte(3.0 * t), 0};
  if (t < 2.0 / 3.0) return Rgb{byte(2.0 - 3.0 * t), 255, 0};
  return Rgb{0, byte(3.0 - 3.0 * t), byte(3.0 * t - 2.0)};
}

}  // namespace pcanno::viewer
