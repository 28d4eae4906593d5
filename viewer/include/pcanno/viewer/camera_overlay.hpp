#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "pcanno/formats/clouds/point_cloud.hpp"
#include "pcanno/formats/datasets/image.hpp"
#include "pcanno/formats/datasets/sequence.hpp"
#include "pcanno/formats/labels/annotations.hpp"
#include "pcanno/geometry/camera.hpp"
#include "pcanno/viewer/scene_style.hpp"

namespace pcanno::viewer {

/// What a camera overlay shows besides the boxes and polylines.
struct OverlayOptions {
  bool boxes_2d = false;  ///< each box's projected 2D box (clipped to the image)
  bool points = false;    ///< the frame's LiDAR points, coloured by depth
  double point_depth_max = 60.0;       ///< [m] depth mapped to the last ramp colour
  std::optional<std::int64_t> selected_track;     ///< drawn in SceneStyle::selection_color
  std::optional<std::int64_t> selected_polyline;  ///< the same for a polyline track
};

/// One box or polyline of the document as a camera sees it, in pixels of that camera's image.
struct OverlayShape {
  enum class Kind { kBox, kPolyline };
  Kind kind = Kind::kBox;
  std::int64_t id = 0;  ///< box track id or polyline track id (see `kind`)
  std::string label;    ///< class
  Rgb color{200, 200, 200};  ///< class colour with provenance (box_look()), or the selection's
  bool selected = false;
  bool dashed = false;  ///< interpolated box
  bool closed = false;  ///< polyline area
  /// Box: the visible parts of its 12 edges, clipped at the near plane, without the front face's;
  /// polyline: its visible segments.
  std::vector<geometry::PixelSegment> segments;
  /// Box: the visible parts of the front face's edges (box +x, the heading face), drawn heavier.
  std::vector<geometry::PixelSegment> heading;
  /// Box with OverlayOptions::boxes_2d: bounds of the visible part, clipped to the image; else
  /// empty.
  geometry::PixelBox box_2d;
  double depth = 0.0;  ///< [m] box centre or nearest vertex, along the optical axis; for ordering
};

/// Everything drawn over one camera image of one frame.
struct CameraOverlay {
  std::string channel;
  int width = 0;  ///< [px] image size the pixels refer to
  int height = 0;
  std::vector<OverlayShape> shapes;  ///< far to near, so that near shapes are drawn last
  geometry::ProjectedPoints points;  ///< with OverlayOptions::points
  std::vector<Rgb> point_colors;     ///< one per projected point (depth ramp)
};

/// Projects the boxes and polylines present at `frame` (and the cloud's points, with
/// options.points) into `image`'s camera. Shapes are taken to the frame's LiDAR frame with
/// formats::box_in_lidar() and the polyline equivalent, then through image.T_cam_lidar; shapes that
/// project nowhere into the image are left out. Colours follow `style` and the document's classes
/// exactly as in the 3D views. `cloud` is in the frame's LiDAR frame and may be null.
CameraOverlay compose_overlay(const formats::Annotations& annotations,
                              const formats::Sequence* sequence, std::int64_t frame,
                              const formats::CameraImage& image, const formats::PointCloud* cloud,
                              const OverlayOptions& options, const SceneStyle& style);

/// The shape under pixel `uv` [px]: a box whose visible outline (the convex hull of its projected
/// visible edges) contains it, else a polyline passing within `tolerance` [px]; the nearest
/// (smallest depth) wins. Index into overlay.shapes, or nullopt.
std::optional<std::size_t> pick_shape(const CameraOverlay& overlay, const Eigen::Vector2d& uv,
                                      double tolerance = 6.0);

/// Draws `overlay` onto `image` (same size as the overlay's camera): points as 3x3 squares,
/// shapes as lines `line_width` [px] wide (the selected one and box heading faces heavier,
/// interpolated boxes dashed), 2D boxes thin. Software rasterisation: the CLI and tests use it
/// without a display; the workstation paints the same overlay with Qt.
void draw_overlay(formats::Image& image, const CameraOverlay& overlay, float line_width = 2.0f);

/// Depth ramp of projected points: near red -> yellow -> green -> blue far, clamped at `max`.
Rgb depth_color(double depth, double max);

}  // namespace pcanno::viewer
