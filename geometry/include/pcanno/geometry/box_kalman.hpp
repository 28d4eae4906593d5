#pragma once
#include <Eigen/Core>

#include "pcanno/geometry/cuboid.hpp"

// A constant-velocity Kalman filter of one upright box in the world frame, the state AB3DMOT
// tracks: x, y, z, yaw, l, w, h, vx, vy. Detections measure the first seven. Yaw is kept
// continuous (not wrapped) and a measured box is first described with the axes nearest the
// state's (align_box()): detectors often confuse front and back, and an L-shape fit of a
// near-square footprint may call either side the length; averaging headings pi/2 or pi apart
// would turn the box sideways.

namespace pcanno::geometry {

/// Noise of the filter. Process noise is white acceleration (the standard discrete model: a
/// velocity change of `acceleration` * dt per step), plus random walks of yaw and size.
struct BoxKalmanNoise {
  double acceleration = 3.0;        ///< [m/s^2] of the object in xy
  double vertical = 0.3;            ///< [m/s^0.5] random walk of the centre's z
  double turn = 0.6;                ///< [rad/s^0.5] random walk of the yaw
  double size = 0.05;               ///< [m/s^0.5] random walk of l, w, h (a rigid object: small)
  double measured_position = 0.15;  ///< [m] of a detection's centre
  double measured_yaw = 0.15;       ///< [rad] of a detection's heading (after the flip)
  double measured_size = 0.2;       ///< [m] of a detection's l, w, h
  double initial_speed = 10.0;      ///< [m/s] standard deviation of the unknown first velocity
};

/// Turns `measured` [rad] by pi when that brings it within pi/2 of `reference` [rad]; returns the
/// result as the angle nearest to `reference` (reference - pi/2 < result <= reference + pi/2).
double align_heading(double measured, double reference);

/// The same upright box as `measured`, described with the heading nearest `reference` [rad]:
/// of its four descriptions (turned by a multiple of pi/2, length and width swapped at odd
/// multiples) the one whose yaw lies within pi/4 of the reference. Pitch and roll are dropped.
Cuboid align_box(const Cuboid& measured, double reference);

class BoxKalman {
 public:
  using State = Eigen::Matrix<double, 9, 1>;
  using Covariance = Eigen::Matrix<double, 9, 9>;

  /// Starts at the detected `box` (its yaw only: pitch and roll are dropped), velocity 0 with the
  /// uncertainty of BoxKalmanNoise::initial_speed.
  explicit BoxKalman(const Cuboid& box, const BoxKalmanNoise& noise = {});

  /// Moves the state `dt` [s] ahead (dt <= 0: nothing).
  void predict(double dt);
  /// Folds in a detection, first described with the state's axes (align_box()) when its length
  /// and width then agree better with the state's; else only turned by pi (align_heading()).
  void update(const Cuboid& measured);

  /// The current estimate as an upright box (yaw wrapped to [-pi, pi)).
  Cuboid box() const;
  Eigen::Vector2d velocity() const { return state_.tail<2>(); }  ///< [m/s] world xy
  /// Standard deviation [m] of the centre's xy, for gating.
  double position_sigma() const;
  const State& state() const { return state_; }
  const Covariance& covariance() const { return covariance_; }

 private:
  BoxKalmanNoise noise_;
  State state_ = State::Zero();
  Covariance covariance_ = Covariance::Identity();
};

}  // namespace pcanno::geometry
