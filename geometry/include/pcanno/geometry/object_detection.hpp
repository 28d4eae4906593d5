#pragma once
#include <cstddef>
#include <functional>
#include <optional>
#include <vector>

#include <Eigen/Core>

#include "pcanno/geometry/cuboid.hpp"
#include "pcanno/geometry/ground.hpp"
#include "pcanno/geometry/point_view.hpp"

// A classical whole-frame object detector for one LiDAR scan, without learning:
//  1. ground removal with the scan's GroundModel;
//  2. clustering of the remaining points in a bird's-eye-view grid, height-aware: a cell whose
//     lowest point floats high above the ground (a canopy, a sign) is not part of any object, and
//     points above a vertical gap in a cell's column are cut off (a branch over a parked car);
//  3. the footprint direction of each cluster from the L-shape search (l_shape_direction), the
//     principal axis for small ones;
//  4. classification by footprint size, height and the shape of the visible sides into Car, Van,
//     Truck, Pedestrian and Cyclist; walls, hedges, poles and vegetation are rejected, and so is
//     what stands on the ground along its length (a vehicle rides on its wheels: skirt_gap);
//  5. a score in [0, 1] from how well the cluster matches its class: point count against what the
//     range allows, the straightness of its sides and its size against the class's.

namespace pcanno::geometry {

/// The classes the detector tells apart (KITTI's; plugin/src/detectors names them).
enum class ObjectClass { kCar, kVan, kTruck, kPedestrian, kCyclist };

struct ObjectDetectionOptions {
  double max_range = 60.0;   ///< [m] BEV distance from the sensor; farther points are ignored
  double min_height = 0.25;  ///< [m] above ground: lower points are ground, kerbs and noise
  double max_height = 4.2;   ///< [m] above ground: higher points belong to no object
  double cell = 0.15;        ///< [m] side of the BEV clustering cells
  /// Cells this many apart (Chebyshev) or fewer connect: a gap of up to (link_cells - 1) cells is
  /// bridged, so sparse far objects stay whole.
  int link_cells = 2;
  /// [m] a cell whose lowest point is higher than this above the ground is overhang (canopy,
  /// sign, balcony), not the foot of an object.
  double max_base = 1.0;
  /// [m] a vertical gap this tall ends an object's column: a tree's crown over a parked car
  /// (from 1 m above its roof) is cut off, while the band of side windows of a car or a van
  /// (0.4-0.7 m of glass that returns little) is bridged. At 0.5 m a van's top beyond the windows
  /// was cut off and the van measured as tall as a car.
  double column_gap = 0.7;
  std::size_t min_points = 8;  ///< clusters with fewer points are not reported
  double min_score = 0.2;      ///< detections scoring lower are dropped
  GroundOptions ground;
  /// [m] above ground: points from here up to `min_height` are not clustered, but they show
  /// whether an object stands on the ground along its length (ClusterShape::skirt_gap). Lower
  /// points are the ground's own noise.
  double foot_height = 0.08;
};

/// What a cluster looks like, the input of the classification.
struct ClusterShape {
  Cuboid box;                     ///< measured box: L-shape footprint, height above ground
  double visible_length = 0.0;    ///< [m] the footprint's longer side as measured
  double visible_width = 0.0;     ///< [m] its shorter side
  double height = 0.0;            ///< [m] robust top above the ground
  double range = 0.0;             ///< [m] BEV distance of the footprint's centre from the sensor
  std::size_t points = 0;
  /// Share of the low points (the vertical sides) within a few cm of the footprint's outline:
  /// near 1 for a car's flat sides, lower for a hedge or a bush.
  double side_fit = 0.0;
  /// Share of the footprint's long side covered by low points (bumpers, doors); a cyclist's or a
  /// fence's open frame covers less.
  double low_fill = 0.0;
  /// The same for the upper third of the height: a car's or van's back is as wide at the window as
  /// at the bumper; a cyclist's rider covers a third of the bicycle's length.
  double upper_fill = 0.0;
  /// [m] how far the low points of one spot scatter in depth (median over 0.25 m BEV cells of the
  /// spread of their distances to the outline): a few cm for sheet metal, a decimetre and more for
  /// leaves.
  double roughness = 0.0;
  /// |cos| of the angle between the sensor's ray to the footprint's centre and its long side: 0
  /// when that side is seen square on, 1 when the ray runs along it. A box seen obliquely shows
  /// two faces; a plane seen obliquely with no second face is a wall.
  double obliqueness = 0.0;
  /// Share of the long side's 0.25 m stretches holding body returns (up to 1 m above the ground)
  /// whose lowest return stays 0.12 m or more above the cluster's lowest level: the gap under a
  /// vehicle's sills and bumpers between its wheels. Walls, sheds, fences and most hedges stand on
  /// the ground along their whole length and score near 0. Negative when unknown: no return within
  /// 0.2 m of the ground anywhere along it (measure_cluster without foot points, a far object
  /// between two rings, a body whose wheels are hidden).
  double skirt_gap = -1.0;
};

struct ObjectDetection {
  ObjectClass object_class = ObjectClass::kCar;
  Cuboid box;  ///< in the points' frame, yaw-only, completed to the class size away from the sensor
  double score = 0.0;  ///< [0, 1]
  ClusterShape shape;  ///< the measurements the class and the score came from
};

/// The class of a cluster, or nullopt when it is no object of interest (wall, hedge, pole, tree,
/// building, noise).
std::optional<ObjectClass> classify_cluster(const ClusterShape& shape);

/// How well `shape` matches `object_class`, in [0, 1].
double detection_score(const ClusterShape& shape, ObjectClass object_class);

/// Measures the cluster `ids` of `points`; `heights` are the points' heights above the ground (per
/// point of `points`). nullopt for fewer than 3 points. Without foot points the skirt is unknown.
std::optional<ClusterShape> measure_cluster(const std::vector<Eigen::Vector3d>& points,
                                            const std::vector<double>& heights,
                                            const std::vector<std::size_t>& ids,
                                            const GroundModel& ground);

/// The same, with `foot_ids`: the points of the cluster's cells between
/// ObjectDetectionOptions::foot_height and min_height above the ground, which are not part of the
/// cluster's shape but show the gap under a vehicle (ClusterShape::skirt_gap).
std::optional<ClusterShape> measure_cluster(const std::vector<Eigen::Vector3d>& points,
                                            const std::vector<double>& heights,
                                            const std::vector<std::size_t>& ids,
                                            const std::vector<std::size_t>& foot_ids,
                                            const GroundModel& ground);

/// Steps 1-2 and the measurements: every cluster of `min_points` or more above `ground`, before
/// classification (for diagnostics, and for detectors with their own classifier). nullopt when
/// `stop` returned true.
std::optional<std::vector<ClusterShape>> scan_clusters(const PointView& points,
                                                       const GroundModel& ground,
                                                       const ObjectDetectionOptions& options = {},
                                                       const std::function<bool()>& stop = {});

/// Detects the objects of one scan (points in the sensor's frame, the sensor at the origin),
/// sorted by descending score. nullopt when `stop` returned true (it is polled between steps and
/// clusters). A scan without ground gives no detections.
std::optional<std::vector<ObjectDetection>> detect_objects(
    const PointView& points, const ObjectDetectionOptions& options = {},
    const std::function<bool()>& stop = {});

}  // namespace pcanno::geometry
