#pragma once
#include <cstddef>
#include <optional>
#include <vector>

#include <Eigen/Core>

// Cutting an object out of a component that the region growing merged with its surroundings (a
// pedestrian with the wall beside it, a parked car with the hedge behind it): the placement of the
// class's footprint that best explains the points around the seed.

namespace pcanno::geometry::detail {

struct PriorCutOptions {
  Eigen::Vector2d footprint = Eigen::Vector2d(4.0, 1.8);  ///< prior (length, width) [m]
  /// [m] above ground: points higher than any object of the class (a wall, a tree) count against
  /// a placement and are never the object.
  double tall = 3.0;
  double band = 0.3;  ///< [m] ring around the footprint that a separate object leaves empty
  /// A point in the band counts this many times against a placement: an object stands apart, and
  /// a hedge or a wall that continues past a placement shows only a little of itself in the band.
  double band_weight = 3.0;
  double seed_slack = 0.25;  ///< [m] the click may be this far outside the object's footprint
  double size_slack = 0.15;  ///< the object may be this much (fraction) larger than the prior
  double cell = 0.1;         ///< [m] grid of the placement search
  double angle_step = 3.0;   ///< [deg] directions of the placement search over [0, 180)
  /// An opaque body (a vehicle): the scan sees only its faces towards the sensor, so its points lie
  /// in a shell along those faces; points inside it below `opaque_below` count against a
  /// placement (a hedge's foliage is seen in depth, a car's doors are not; its roof and bonnet,
  /// seen from above, are neither for nor against it).
  bool opaque = false;
  double shell = 0.4;         ///< [m] depth of the faces' shell (bumpers, mirrors, noise)
  double opaque_below = 1.0;  ///< [m] above ground
  Eigen::Vector2d sensor = Eigen::Vector2d::Zero();  ///< [m] in the points' frame
  /// [m] neighbour distance that separates the object from what it leans on inside the
  /// placement: the points within it that mostly continue past the placement (a wall's strip)
  /// are not the object.
  double tight_radius = 0.25;
};

struct PriorCut {
  std::vector<std::size_t> members;  ///< indices into the input, ascending
  double direction = 0.0;            ///< [rad] in [0, pi): the footprint's length axis
  Eigen::Vector2d centre = Eigen::Vector2d::Zero();  ///< [m] of the best placement
  /// Points explained minus points against: at most 0 when no object of the class is there (a
  /// stretch of wall: tall, and continuing past every placement).
  double score = 0.0;
};

/// Whether `xy` (bird's-eye view [m]) fits in the footprint enlarged by the size slack, measured
/// along `direction` [rad] and across it, in either assignment of length and width.
bool fits_footprint(const std::vector<Eigen::Vector2d>& xy, double direction,
                    const PriorCutOptions& options);

/// The placement (direction, centre) of the footprint, enlarged by the size slack, that holds the
/// click within the seed slack and scores best: points inside it below `tall` count for it (for an
/// opaque body only those in the shell of its faces towards the sensor); tall points inside it and
/// every point in the band around it count against it (a wall continues past a person; a hedge
/// past a car). Its members are the points inside below `tall`, but for the groups (closer than
/// the tight radius) that lie mostly outside it. nullopt when no placement holds a point.
/// `heights` are above the ground [m], one per point.
std::optional<PriorCut> cut_to_prior(const std::vector<Eigen::Vector2d>& xy,
                                     const std::vector<double>& heights,
                                     const Eigen::Vector2d& seed, const PriorCutOptions& options);

}  // namespace pcanno::geometry::detail
