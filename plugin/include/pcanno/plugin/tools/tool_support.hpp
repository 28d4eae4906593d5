#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "pcanno/formats/datasets/sequence.hpp"
#include "pcanno/formats/labels/annotations.hpp"
#include "pcanno/geometry/cuboid.hpp"
#include "pcanno/geometry/ground.hpp"
#include "pcanno/geometry/polyline.hpp"
#include "pcanno/plugin/tool.hpp"

// What the built-in tools share beyond ray geometry: moving shapes between the world frame the
// tools work in and the frame a document stores them in, and the current frame's points.

namespace pcanno::plugin {

class Session;

/// `T_world_shape` of shapes stored in `shape_frame` at `frame`; nullopt when stored coordinates
/// already are world coordinates (kWorld, or kLidar without a pose), so that no rounding creeps in.
std::optional<geometry::Pose> T_world_shape(const Session& session, formats::ShapeFrame shape_frame,
                                            std::int64_t frame);

/// A world-frame box or point expressed in `shape_frame` at `frame`, for storing.
geometry::Cuboid box_for_storage(const Session& session, formats::ShapeFrame shape_frame,
                                 std::int64_t frame, const geometry::Cuboid& box_in_world);
Eigen::Vector3d point_for_storage(const Session& session, formats::ShapeFrame shape_frame,
                                  std::int64_t frame, const Eigen::Vector3d& point_in_world);

/// The state of polyline `id` at `frame`, or nullptr.
const formats::PolylineState* polyline_state(const formats::Annotations& doc, std::int64_t id,
                                             std::int64_t frame);
/// Polyline `id` at `frame` in the world frame; nullopt when it has no line there.
std::optional<geometry::Polyline> polyline_in_world(const Session& session, std::int64_t id,
                                                    std::int64_t frame);

/// Default size (length, width, height) [m] for a new box of `label`: the class's
/// ClassSpec::default_size when the document has the class, else a built-in size for common
/// classes (car, van, truck, bus, pedestrian, cyclist, ... matched by name, case-insensitively),
/// else the generic ClassSpec default.
Eigen::Vector3d default_box_size(const formats::Annotations& doc, const std::string& label);

/// Where a click lands (FramePoints::place).
struct Placement {
  Eigen::Vector3d point = Eigen::Vector3d::Zero();  ///< [m, world]
  bool on_point = false;  ///< exactly on a LiDAR point of the frame (snapped)
};

/// The points of the session's current frame in the world frame, read once per frame through
/// Sequence::load_frame and cached. Hosts that hold the points already, and tests, inject them
/// with set_points() instead.
class FramePoints {
 public:
  /// Uses `points_in_world` [m] for every frame until clear_points(); shared, so that a host's
  /// tools hold one copy of the frame.
  void set_points(std::shared_ptr<const std::vector<Eigen::Vector3d>> points_in_world);
  void set_points(std::vector<Eigen::Vector3d> points_in_world);
  void clear_points();
  /// Points of session.frame(); empty without a sequence or when the frame cannot be read.
  const std::vector<Eigen::Vector3d>& points(const Session& session);
  /// Where `ray` meets the ground of these points [world]: the patchwise ground model fitted to
  /// them (once per frame), else, with no ground to fit, the plane z = 0. nullopt for a ray that
  /// misses it. A vertex placed without snapping lands on the road, not at the sensor's height.
  std::optional<Eigen::Vector3d> ground_hit(const Session& session, const Ray& ray);
  /// Where a click along `ray` in `view` lands, as the built-in tools place vertices and ends:
  /// with `snap`, exactly on the point nearest to the ray within `snap_pixels` (nearest_to_ray);
  /// otherwise, or with no point there, on the ground (ground_hit), or, for rays that miss it,
  /// on the plane through the view's focus facing the viewer. The side and front views show a
  /// slab around their focus: they snap only to points within `slab_depth` [m] of that plane and
  /// otherwise place onto it (their rays run parallel to the ground). nullopt when nowhere.
  std::optional<Placement> place(const Session& session, const Ray& ray, const ViewInfo& view,
                                 bool snap, double snap_pixels, double slab_depth);

 private:
  /// The ground model of `points`, fitted relative to `ground_origin_` (floats keep UTM
  /// coordinates exact that way); refitted when the points change.
  const geometry::GroundModel* ground(const std::vector<Eigen::Vector3d>& points,
                                      std::int64_t frame);

  std::shared_ptr<const std::vector<Eigen::Vector3d>> injected_;
  const formats::Sequence* cached_sequence_ = nullptr;
  std::int64_t cached_frame_ = -1;
  std::vector<Eigen::Vector3d> cache_;
  std::optional<geometry::GroundModel> ground_;
  Eigen::Vector3d ground_origin_ = Eigen::Vector3d::Zero();
  const Eigen::Vector3d* ground_of_ = nullptr;  ///< data() of the points ground_ was fitted to
  std::size_t ground_size_ = 0;
  std::int64_t ground_frame_ = -1;
};

/// The `q`-quantile (q in [0, 1]) of the z of `points` whose xy lies in the footprint of `box`
/// (in the box's own xy-plane; z ignored); nullopt with fewer than `min_points` there.
std::optional<double> ground_z_under(const std::vector<Eigen::Vector3d>& points,
                                     const geometry::Cuboid& box, double q,
                                     std::size_t min_points = 3);

}  // namespace pcanno::plugin
