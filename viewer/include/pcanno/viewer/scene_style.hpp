#pragma once
#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>

namespace pcanno::viewer {

/// How points are coloured.
enum class ColorBy {
  kIntensity,  ///< grey ramp over the intensity column (zero-copy: a lookup table over it)
  kHeight,     ///< blue -> green -> red over z in the sensor frame (zero-copy as well)
  kDistance,   ///< the same ramp over the horizontal range from the sensor (computed per frame)
  kClass,      ///< the colour of the box class a point lies in; grey outside (computed per frame)
  /// The pixel colour of the frame's camera images where the point projects (the first camera that
  /// sees it, camera_colors.hpp); `no_camera_color` where none does. The host hands the colours
  /// over (SceneRenderer::set_camera_colors()), computed once per frame for all its views.
  kCamera,
  /// Each point's frame offset in an accumulation (plugin::kFrameOffsetAttribute, zero-copy) on
  /// the ramp, symmetric about the current frame: earlier frames towards blue, the current frame
  /// green, later frames towards red. A cloud without the column is all current (green).
  kTime,
};
/// "intensity", "height", "distance", "class", "camera", "time"
const char* to_string(ColorBy c);

using Rgb = std::array<std::uint8_t, 3>;

/// Everything a scene's look depends on; plain data with defaults. Box colours come from the
/// document's class schema (ClassSpec::color) unless `class_colors` overrides them.
///
/// Box legend (provenance of the box at the shown frame):
/// - keyframe, or manual / imported: the class colour, solid edges;
/// - interpolated (not a keyframe): the class colour at `interpolated_dim`, dashed edges;
/// - tracked, fitted or model (not a keyframe): `automatic_color`, solid;
/// - selected: `selection_color`, whatever the provenance.
/// Every box has a heading arrow on its top face pointing along box +x, and its track id on a dark
/// backing beside its left top edge (label_anchor()).
///
/// Polylines: in their class colour (`class_colors`, else the document's class, else the default
/// schema's), with a square handle on every vertex that keeps its size on screen; the selected
/// polyline in `selection_color`, `selected_line_width` wide, its selected vertex a bigger square
/// in `selected_vertex_color`. Closed polylines (areas) are filled at `area_opacity` in views that
/// fill areas (SceneRenderer::set_fill_areas(): the top view).
struct SceneStyle {
  ColorBy color_by = ColorBy::kIntensity;
  float point_size = 2.0f;                               ///< [px]
  float line_width = 2.0f;                               ///< [px] box edges, arrows and polylines
  float selected_line_width = 4.0f;                      ///< [px] the selected polyline
  float handle_size = 7.0f;                              ///< [px] square on each polyline vertex
  float selected_vertex_size = 12.0f;                    ///< [px] the selected polyline vertex
  std::array<double, 3> background{0.0, 0.0, 0.0};       ///< RGB in 0..1
  std::map<std::string, Rgb, std::less<>> class_colors;  ///< per class, overrides the document
  Rgb default_box_color{200, 200, 200};                  ///< class unknown to the document
  Rgb selection_color{255, 255, 0};
  Rgb automatic_color{0, 200, 255};  ///< tracked / fitted / model boxes
  Rgb selected_vertex_color{255, 255, 255};
  double area_opacity = 0.25;      ///< fill of a closed polyline (area), 0..1; 0: no fill
  Rgb preview_color{255, 0, 255};  ///< tool preview (rubber band, handles)
  Rgb label_color{255, 255, 255};
  Rgb label_backing{0, 0, 0};          ///< box behind each track id
  double label_backing_opacity = 0.8;  ///< 0: no backing
  double interpolated_dim = 0.55;      ///< brightness factor of interpolated boxes, 0..1
  double dash_length = 0.4;            ///< [m] dash and gap of interpolated edges
  bool show_labels = true;             ///< track ids
  /// Boxes, polylines, labels and the tool preview in an overlay layer of the host's window, so
  /// points never hide them (needs the renderer to be in a window when the scene is created).
  bool annotations_on_top = true;
  int label_font_size = 16;  ///< [px]
  /// Intensity mapped to white; <= 0: the 95th percentile of the first frame shown (a sample of
  /// <= 4096 points), kept for the following frames, so that KITTI (0..1) and nuScenes (0..255)
  /// both read well without the brightness changing from frame to frame.
  double intensity_max = 0.0;
  double height_min = -2.5;             ///< [m] sensor frame z mapped to the first ramp colour
  double height_max = 1.0;              ///< [m] mapped to the last
  double distance_max = 60.0;           ///< [m] range mapped to the last ramp colour
  Rgb outside_class_color{90, 90, 90};  ///< kClass: points in no box
  Rgb no_camera_color{128, 128, 128};   ///< kCamera: points no camera image sees
  /// Level of detail: while the camera moves, clouds above this many points draw every k-th point
  /// only (k chosen to draw about `lod_points`).
  std::size_t lod_threshold = 2'000'000;
  std::size_t lod_points = 500'000;
};

}  // namespace pcanno::viewer
