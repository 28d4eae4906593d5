#pragma once
#include <cstddef>
#include <optional>
#include <vector>

#include <Eigen/Core>

#include "pcanno/geometry/cuboid.hpp"
#include "pcanno/geometry/ground.hpp"
#include "pcanno/geometry/point_view.hpp"

// One-click box fitting: the object's points are grown from a seed, its footprint found by the
// L-shape search with the closeness criterion (Zhang et al., "Efficient L-Shape Fitting for
// Vehicle Detection Using Laser Scanners", 2017), its height from robust percentiles above the
// ground, and sparse objects completed with the class's size prior from the visible corner. A
// component larger than the class (a pedestrian grown into the wall beside it, a parked car into a
// hedge) is first cut at the seed to the placement of the class's footprint that best explains it.

namespace pcanno::geometry {

/// What kind of object a class is, for cutting its points out of their surroundings: the
/// engine's view of a class's motion profile (formats::MotionKind), kept free of formats/.
enum class ObjectKind {
  kUnknown,     ///< no assumption beyond the size prior
  kVehicle,     ///< wide and long; its body faces are what the scan sees
  kPedestrian,  ///< a narrow column: a wall beside it is taller and longer
  kCyclist,     ///< narrow, long along its heading
};

struct FitOptions {
  double search_radius = 5.0;   ///< [m] BEV distance from the seed of candidate points
  double cluster_radius = 0.5;  ///< [m] neighbour distance of the region growing
  /// [m] the object is the connected cluster with the most points this close to the seed
  double seed_radius = 2.5;
  /// [m] without a class kind (ObjectKind::kUnknown), footprints smaller than this (diagonal) are
  /// small objects: they take their direction from the points' principal axis instead of the
  /// L-shape search. Pedestrians and cyclists always are; vehicles never are.
  double small_object_extent = 2.5;
  double min_height = 0.15;  ///< [m] above ground: lower points are ground
  double max_height = 4.0;   ///< [m] above ground: higher points are not the object
  double coarse_step_deg = 2.0;
  double fine_step_deg = 0.1;
  double top_percentile = 0.995;  ///< of the points' height: the roof, robust to a stray return
  /// Class size prior (length, width, height [m]); used to complete what the scan cannot see,
  /// and to cut a component larger than the class at the seed.
  std::optional<Eigen::Vector3d> size_prior;
  ObjectKind object_kind = ObjectKind::kUnknown;  ///< the class's kind, with the size prior
  /// Below this many points the prior's height is used, and its footprint from the visible corner.
  std::size_t sparse_points = 40;
  /// Heading [rad] known from motion, the previous box or the user. The box points closest to it,
  /// and small objects take it as their direction.
  std::optional<double> heading_hint;
  /// Without a hint, which of the two headings along the fitted axis to take [rad] (e.g. the
  /// recording car's): only breaks the front/back tie. Without either, the sensor's +x.
  std::optional<double> preferred_heading;
  Eigen::Vector3d sensor_origin = Eigen::Vector3d::Zero();  ///< [m] in the points' frame
};

struct FitResult {
  Cuboid box;                          ///< in the points' frame, yaw-only
  std::vector<std::size_t> point_ids;  ///< the object's points (indices into the view)
  /// Some extent or the height came from the size prior, or the points were cut to it.
  bool used_prior = false;
  /// The grown component was larger than the class and was cut to it: at the seed to its
  /// footprint, or (a vehicle) by leaving out the groups of points that rise above the class's
  /// height (a hedge or a wall beside it).
  bool cut_to_prior = false;
};

/// Indices of the points connected to `seed` through neighbours closer than `radius` [m],
/// starting from the point nearest to the seed in bird's-eye view; ascending.
std::vector<std::size_t> grow_cluster(const std::vector<Eigen::Vector3d>& points,
                                      const Eigen::Vector3d& seed, double radius);

/// The footprint direction in [0, pi/2) [rad] maximising the closeness criterion for `xy`, coarse
/// then fine; nullopt for fewer than 2 points.
std::optional<double> l_shape_direction(const std::vector<Eigen::Vector2d>& xy,
                                        double coarse_step_deg, double fine_step_deg);

/// Fits a box to the object around `seed` (in the points' frame). nullopt when no object point is
/// within `seed_radius` of the seed (a click on empty ground), or its cluster has fewer than 3
/// points. With a size prior, the component the seed picks is the one with the most points within
/// the class's reach of the seed (half its footprint's diagonal and a little), so that a click on a
/// pedestrian does not pick the wall behind it.
std::optional<FitResult> fit_box(const PointView& points, const GroundModel& ground,
                                 const Eigen::Vector3d& seed, const FitOptions& options = {});

}  // namespace pcanno::geometry
