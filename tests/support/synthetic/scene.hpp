#pragma once
#include <cstdint>
#include <vector>

#include <Eigen/Core>

#include "synthetic/lidar_sequence.hpp"

// Internals of the synthetic sequence generator: seeded random numbers, the scene's primitives
// (vertical prisms, which let the ray caster intersect a whole column of beams at once) and the
// scripted routes of the actors.

namespace pcanno::synthetic::detail {

/// splitmix64: the same numbers on every platform and standard library (std::normal_distribution
/// is not), so one seed is one byte-identical sequence everywhere.
class Random {
 public:
  explicit Random(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next();
  double uniform();                    ///< [0, 1)
  double uniform(double a, double b);  ///< [a, b)
  double normal();                     ///< standard normal (Box-Muller)
  bool chance(double p) { return uniform() < p; }

 private:
  std::uint64_t state_;
};

/// An independent stream for (seed, stream): frames are rendered in any order with the same bytes.
std::uint64_t stream_seed(std::uint64_t seed, std::uint64_t stream);

enum class PrismShape { kBox, kCylinder };

/// A vertical prism in the world frame: a yawed rectangle or a circle in xy, from z0 to z1.
struct Prism {
  PrismShape shape = PrismShape::kBox;
  Eigen::Vector2d center = Eigen::Vector2d::Zero();  ///< [m]
  Eigen::Vector2d half{0.5, 0.5};  ///< box: half length, half width [m]; cylinder: radius in x
  double cos_yaw = 1.0;            ///< box heading (length along it)
  double sin_yaw = 0.0;
  double z0 = 0.0;  ///< [m] bottom
  double z1 = 1.0;  ///< [m] top
  double reflectance = 0.3;
  /// Porous volumes (hedges, tree crowns): mean depth [m] a ray enters before it returns, and the
  /// share of rays that pass through altogether. 0 for solid surfaces.
  double penetration = 0.0;
  double pass_through = 0.0;
  int actor = -1;  ///< index into Scenario::actors; -1 for the static scene

  double bound_radius() const;  ///< [m] of a circle around the footprint
};

Prism make_box(const Eigen::Vector2d& center, double half_length, double half_width, double yaw,
               double z0, double z1, double reflectance);
Prism make_cylinder(const Eigen::Vector2d& center, double radius, double z0, double z1,
                    double reflectance);

/// Horizontal distances [m] along the unit direction `dir` from `origin` where the ray's
/// projection enters and leaves the prism's footprint; false when it misses.
bool footprint_interval(const Prism& prism, const Eigen::Vector2d& origin,
                        const Eigen::Vector2d& dir, double& s_in, double& s_out);

/// The street's fixed layout [m], world frame: the road along +x, lanes and kerbs symmetric in y.
struct StreetLayout {
  static constexpr double kKerbY = 9.2;        ///< road edge (kerb) at |y|
  static constexpr double kKerbHeight = 0.13;  ///< pavement above the road
  static constexpr double kFacadeY = 12.5;     ///< building line at |y| (plus a set-back)
  static constexpr double kPavementEndY = 45.0;
  static constexpr double kParkingY = 8.1;             ///< centre line of the parking strips
  static constexpr double kSideStreetX = 100.0;        ///< a side street on the right (y < 0)
  static constexpr double kSideStreetHalfWidth = 6.0;  ///< [m]
  static constexpr double kCrosswalkX = 77.5;
  static constexpr double kEgoStopX = 60.0;  ///< where the recording car waits at the crosswalk
};

/// The static scene: ground patches, buildings, hedges, poles, trees.
struct StaticsData {
  std::vector<Prism> prisms;
  double x_min = 0.0;  ///< [m] extent of the street along x
  double x_max = 0.0;
  /// Building fronts on the left (+y) side: (x from, x to, facade y); for placing actors by walls.
  std::vector<Eigen::Vector3d> left_facades;
};

StaticsData make_statics(const ScenarioOptions& options, double x_min, double x_max, Random& rng);

/// Straight pieces joined by circular arcs: a route through waypoints with rounded corners.
class Route {
 public:
  Route() = default;
  /// Corners are rounded with `radius` [m] (less where the pieces are short).
  Route(const std::vector<Eigen::Vector2d>& waypoints, double radius);
  double length() const { return length_; }
  /// (x, y, heading) at arc length `s`, clamped to [0, length].
  Eigen::Vector3d at(double s) const;
  /// Arc length of the route point nearest `p` (to 0.05 m).
  double arc_length_near(const Eigen::Vector2d& p) const;

 private:
  struct Piece {
    Eigen::Vector2d start;
    double heading = 0.0;    ///< [rad] at the start
    double length = 0.0;     ///< [m]
    double curvature = 0.0;  ///< [1/m], + = left
  };
  std::vector<Piece> pieces_;
  double length_ = 0.0;
};

/// Speed over time, linear between knots (time [s], speed [m/s]); constant outside them.
struct SpeedProfile {
  std::vector<Eigen::Vector2d> knots;
  double speed(double t) const;
  double distance(double t0, double t1) const;  ///< [m] driven from t0 to t1 (signed)
};

/// Cruise at `v`, brake at `decel` to stand still at time `t_stop` for `wait` seconds, then
/// accelerate at `accel` to `v_after`.
SpeedProfile stop_and_go(double v, double t_stop, double wait, double v_after, double decel = 2.0,
                         double accel = 2.0);

}  // namespace pcanno::synthetic::detail

namespace pcanno::synthetic {
struct Scenario::Statics {
  detail::StaticsData data;
};
}  // namespace pcanno::synthetic
