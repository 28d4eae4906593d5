#pragma once
#include <Eigen/Core>

// A road user's motion on the ground plane, for carrying a tracked object through frames where it
// is not seen (occlusion, too few returns) and for telling how far from the prediction a
// re-acquired object may be. An extended Kalman filter on position, velocity, heading and yaw
// rate in the world frame, with two motion kinds:
// - coordinated turn (vehicles, cyclists): the velocity turns with the yaw rate and is held along
//   the heading (a pseudo-measurement of zero sideways speed: cars and bicycles cannot slide);
// - free (pedestrians): velocity and heading evolve apart (people step sideways and turn on the
//   spot), and the yaw rate fades, so a coasted pedestrian walks straight on.

namespace pcanno::geometry {

struct MotionModelOptions {
  bool coordinated_turn = true;        ///< see above; false: the free model
  double acceleration_noise = 3.0;     ///< [m/s^2] standard deviation of unmodelled acceleration
  double yaw_acceleration_noise = 0.5; ///< [rad/s^2] the same for the yaw rate
  double max_speed = 50.0;             ///< [m/s] the state's speed is held below this
  double max_yaw_rate = 1.5;           ///< [rad/s]
  double yaw_rate_decay = 0.0;         ///< [1/s] the yaw rate fades as exp(-decay t) when predicted
  double sideways_speed_sigma = 0.3;   ///< [m/s] coordinated turn: the no-slip pseudo-measurement
  double initial_speed_sigma = 6.0;    ///< [m/s] per axis, before any measurement of the motion
  double initial_yaw_rate_sigma = 0.3; ///< [rad/s]
};

/// Built-in profiles (the class schema's motion kinds map onto these).
MotionModelOptions vehicle_motion();     ///< coordinated turn, 3 m/s^2, 50 m/s, 1.5 rad/s
MotionModelOptions cyclist_motion();     ///< coordinated turn, 2 m/s^2, 15 m/s, 3 rad/s
MotionModelOptions pedestrian_motion();  ///< free, 0.5 m/s^2, 4 m/s, yaw rate fading over 0.5 s

/// The filter's state in the world frame.
struct MotionState {
  Eigen::Vector2d position = Eigen::Vector2d::Zero();  ///< [m]
  Eigen::Vector2d velocity = Eigen::Vector2d::Zero();  ///< [m/s]
  double yaw = 0.0;                                    ///< [rad], in [-pi, pi)
  double yaw_rate = 0.0;                               ///< [rad/s]
};

class MotionFilter {
 public:
  using Vector = Eigen::Matrix<double, 6, 1>;  ///< x, y, vx, vy, yaw, yaw rate
  using Matrix = Eigen::Matrix<double, 6, 6>;

  /// Starts at a known pose (a keyframe), standing still with the motion unknown
  /// (MotionModelOptions::initial_speed_sigma, initial_yaw_rate_sigma).
  MotionFilter(const Eigen::Vector2d& position, double yaw, const MotionModelOptions& options,
               double position_sigma = 0.05, double yaw_sigma = 0.02);

  /// Sets the motion from a known earlier pose `dt` [s] before the current one (a box in the
  /// frame before the keyframe): velocity and yaw rate by finite difference, with `sigma` [m] the
  /// error of each of the two positions.
  void set_motion_from(const Eigen::Vector2d& previous_position, double previous_yaw, double dt,
                       double sigma = 0.05);

  /// Advances the state by `dt` [s] (negative: backward in time).
  void predict(double dt);

  /// Corrects the state with a measured pose, each with its standard deviation [m], [rad].
  void update(const Eigen::Vector2d& position, double yaw, double position_sigma,
              double yaw_sigma);

  /// Squared Mahalanobis distance of a measured position [m] (with its standard deviation) from
  /// the current prediction: about chi-square with 2 degrees of freedom for a true measurement
  /// (13.8 leaves out one in a thousand).
  double position_distance2(const Eigen::Vector2d& position, double position_sigma) const;

  MotionState state() const;
  double speed() const { return x_.segment<2>(2).norm(); }
  /// [m] the larger standard deviation of the predicted position: how far to search.
  double position_sigma() const;
  const Matrix& covariance() const { return P_; }
  const MotionModelOptions& options() const { return options_; }

 private:
  Vector transition(const Vector& x, double dt) const;
  void clamp();

  MotionModelOptions options_;
  Vector x_ = Vector::Zero();
  Matrix P_ = Matrix::Zero();
};

}  // namespace pcanno::geometry
