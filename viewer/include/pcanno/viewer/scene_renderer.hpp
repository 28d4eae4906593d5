#pragma once
#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "pcanno/formats/clouds/point_cloud.hpp"
#include "pcanno/formats/labels/annotations.hpp"
#include "pcanno/geometry/cuboid.hpp"
#include "pcanno/geometry/polyline.hpp"
#include "pcanno/geometry/pose.hpp"
#include "pcanno/plugin/tool.hpp"
#include "pcanno/viewer/scene_style.hpp"

#include <Eigen/Core>

class vtkPolyData;
class vtkRenderer;

namespace pcanno::plugin {
class Session;
}

namespace pcanno::viewer {

/// One box as the scene draws it [world].
struct SceneBox {
  geometry::Cuboid box_in_world;
  std::int64_t track_id = 0;
  std::string label;        ///< class name
  formats::BoxState state;  ///< provenance and keyframe flag (its `box` is not used)
  bool selected = false;
};

/// One polyline as the scene draws it [world] (the legend is in scene_style.hpp).
struct ScenePolyline {
  geometry::Polyline line_in_world;
  std::int64_t id = 0;
  std::array<std::uint8_t, 3> color{200, 200, 200};  ///< its class colour (polyline_color())
  bool closed_area = false;  ///< an area: filled when the renderer fills areas (top view)
  bool selected = false;
  std::optional<std::size_t> selected_vertex;  ///< of a selected polyline: marked distinctly
};

/// The polylines of the session's current frame as SceneRenderer draws them: in the world frame
/// (the LiDAR frame without poses), in their class colours under `style`, closed lines of three
/// or more vertices as areas, the session's selection (polyline and vertex) marked.
std::vector<ScenePolyline> scene_polylines(const plugin::Session& session, const SceneStyle& style);

/// Where a box's track-id label is anchored [world]: beside the middle of the box's left (+y) top
/// edge, `kLabelOffset` outside the outline and above the roof. The text stands on this point
/// (centred, growing up the screen from it), so in a top view that follows the heading it sits just
/// above the outline instead of over the object's own points, where a light id on light points
/// vanishes.
Eigen::Vector3d label_anchor(const geometry::Cuboid& box_in_world);
inline constexpr double kLabelOffset = 0.3;  ///< [m] outwards from the +y side and up from the roof

/// Where the views put their notional sensor for `cloud` [m, the cloud's file (LiDAR) frame]. The
/// default cameras are made for sensor-frame clouds (the scanner at 0, the ground 1.7 m below): for
/// those (a zero PointCloud::origin) this is 0. A georeferenced cloud (a LAS tile at UTM
/// coordinates) gets a point above the middle of its data, kSensorHeight over its median height,
/// so that the same cameras frame the tile instead of the CRS origin millions of metres away.
Eigen::Vector3d viewpoint_of(const formats::PointCloud& cloud);
inline constexpr double kSensorHeight = 1.73;  ///< [m] a vehicle's LiDAR over the road (KITTI)

/// Draws a frame of the engine into a host's vtkRenderer: one point-cloud actor, one actor for all
/// box edges and heading arrows, one 2D actor for track-id labels, one for the tool preview, and
/// for polylines one actor per kind of mark (lines, the selected line, vertex handles, the selected
/// vertex, area fills), never one per polyline.
///
/// Points are not copied: the actor's vtkPoints wrap the cloud's x, y, z vectors (a
/// structure-of-arrays VTK array, SetArray with save = 1) and the intensity and z columns feed the
/// colour lookup table directly, while the shared_ptr keeps the cloud alive. The cloud -> world
/// pose goes in the actor's user matrix. What is computed per frame: the vertex index list when
/// the point count grows (one shared 0, 1, 2, ... buffer reused for offsets and connectivity), and
/// for kDistance / kClass / kCamera colouring one float or RGB value per point. The GPU upload itself copies,
/// as any OpenGL upload must. No VTK filter runs on a frame change.
class SceneRenderer {
 public:
  explicit SceneRenderer(vtkRenderer* renderer, SceneStyle style = {});
  ~SceneRenderer();  ///< removes its actors from the renderer
  SceneRenderer(const SceneRenderer&) = delete;
  SceneRenderer& operator=(const SceneRenderer&) = delete;

  const SceneStyle& style() const { return style_; }
  /// Takes effect on the next set_* call or refresh().
  void set_style(const SceneStyle& style);

  /// Shows `cloud` (in its sensor frame) placed by `T_world_lidar`. nullptr clears the points.
  void set_cloud(std::shared_ptr<const formats::PointCloud> cloud,
                 const geometry::Pose& T_world_lidar = geometry::Pose::Identity());
  const std::shared_ptr<const formats::PointCloud>& cloud() const { return cloud_; }
  const geometry::Pose& T_world_lidar() const { return T_world_lidar_; }  ///< of set_cloud()

  /// ColorBy::kCamera: the colour of each point of the next (or current) cloud, from its camera
  /// images (camera_point_colors()); shared, so that a host's views take one computation. Colours
  /// that do not match the cloud's point count are ignored (every point no_camera_color). Takes
  /// effect on the next set_cloud() or refresh().
  void set_camera_colors(std::shared_ptr<const std::vector<Rgb>> colors);

  /// Replaces all boxes; `doc` gives class colours.
  void set_boxes(std::vector<SceneBox> boxes, const formats::Annotations& doc);
  /// Replaces all polylines.
  void set_polylines(std::vector<ScenePolyline> polylines);
  const std::vector<ScenePolyline>& polylines() const { return polylines_; }
  /// Whether closed polylines (areas) are filled, translucent (SceneStyle::area_opacity). Hosts
  /// turn it on for their top view; render_png() does for ViewKind::kTop. Off by default.
  void set_fill_areas(bool fill);
  bool fill_areas() const { return fill_areas_; }
  /// The active tool's preview (rubber band, handles); an empty preview hides it.
  void set_preview(const plugin::ToolPreview& preview);

  /// Boxes, polylines and selection of the session's current frame (not the cloud: the host
  /// owns frame loading, see AnnotationView).
  void update_from_session(const plugin::Session& session);

  /// While the camera moves, big clouds draw a strided subset (level of detail).
  void set_interacting(bool interacting);
  bool lod_active() const;

  std::size_t point_count() const { return cloud_ ? cloud_->size() : 0; }
  /// The point-cloud polydata the actor draws (its vtkPoints wrap the cloud's buffers), for hosts
  /// that pick points and for tests. Its points are in the cloud's float frame: relative to
  /// PointCloud::origin, which T_world_cloud() maps to the world.
  vtkPolyData* cloud_polydata() const;
  /// The cloud's float frame -> world: T_world_lidar * PointCloud::T_lidar_cloud() (the actor's
  /// user matrix). Boxes, labels and the camera stay in world coordinates (double).
  geometry::Pose T_world_cloud() const;
  const std::vector<SceneBox>& boxes() const { return boxes_; }

  /// Fits the camera's near and far planes around everything the scene draws (points and the
  /// annotation overlay share one camera). Call after moving the camera.
  void reset_clipping_range();

  /// Recomputes the point colours and redraws boxes and polylines (after set_style, or a class
  /// change of the boxes).
  void refresh();

 private:
  struct Vtk;
  void update_point_colors();
  void rebuild_boxes();
  void rebuild_polylines();

  SceneStyle style_;
  std::unique_ptr<Vtk> vtk_;
  std::shared_ptr<const formats::PointCloud> cloud_;
  geometry::Pose T_world_lidar_ = geometry::Pose::Identity();
  std::vector<SceneBox> boxes_;
  std::shared_ptr<const std::vector<Rgb>> camera_colors_;  ///< kCamera, per point
  std::vector<ScenePolyline> polylines_;
  bool fill_areas_ = false;
  formats::Annotations classes_;  ///< only the class schema of the last set_boxes()
  bool interacting_ = false;
  double auto_intensity_max_ = 0.0;  ///< SceneStyle::intensity_max <= 0: from the first frame
};

}  // namespace pcanno::viewer
