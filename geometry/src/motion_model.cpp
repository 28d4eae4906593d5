#include "pcanno/geometry/motion_model.hpp"

#include <algorithm>
#include <cmath>
#include <tuple>

#include <Eigen/Cholesky>
#include <Eigen/Eigenvalues>
#include <Eigen/LU>

#include "pcanno/geometry/angles.hpp"

namespace pcanno::geometry {
namespace {

constexpr int kX = 0, kY = 1, kVx = 2, kVy = 3, kYaw = 4, kRate = 5;

}  // namespace

MotionModelOptions vehicle_motion() { return MotionModelOptions{}; }

MotionModelOptions cyclist_motion() {
  MotionModelOptions o;
  o.acceleration_noise = 2.0;
  o.max_speed = 15.0;
  o.max_yaw_rate = 3.0;
  o.yaw_acceleration_noise = 1.0;
  o.initial_speed_sigma = 4.0;
  return o;
}

MotionModelOptions pedestrian_motion() {
  MotionModelOptions o;
  o.coordinated_turn = false;
  o.acceleration_noise = 0.5;
  o.max_speed = 4.0;
  o.max_yaw_rate = 6.0;
  o.yaw_acceleration_noise = 2.0;
  o.yaw_rate_decay = 2.0;
  o.initial_speed_sigma = 1.5;
  o.initial_yaw_rate_sigma = 0.5;
  return o;
}

MotionFilter::MotionFilter(const Eigen::Vector2d& position, double yaw,
                           const MotionModelOptions& options, double position_sigma,
                           double yaw_sigma)
    : options_(options) {
  x_ << position.x(), position.y(), 0.0, 0.0, wrap_angle(yaw), 0.0;
  const double s2 = position_sigma * position_sigma;
  const double v2 = options.initial_speed_sigma * options.initial_speed_sigma;
  P_.diagonal() << s2, s2, v2, v2, yaw_sigma * yaw_sigma,
      options.initial_yaw_rate_sigma * options.initial_yaw_rate_sigma;
}

void MotionFilter::set_motion_from(const Eigen::Vector2d& previous_position, double previous_yaw,
                                   double dt, double sigma) {
  if (!(std::abs(dt) > 1e-6)) return;
  x_.segment<2>(kVx) = (x_.segment<2>(kX) - previous_position) / dt;
  x_(kRate) = angle_difference(x_(kYaw), previous_yaw) / dt;
  // Two positions, each `sigma` off: the difference is sqrt(2) sigma off, over dt.
  const double v2 = 2.0 * sigma * sigma / (dt * dt);
  const double r2 = 2.0 * 0.02 * 0.02 / (dt * dt);
  P_.block<2, 2>(kVx, kVx) = v2 * Eigen::Matrix2d::Identity();
  P_.block<2, 2>(kVx, kX).setZero();
  P_.block<2, 2>(kX, kVx).setZero();
  P_(kRate, kRate) = std::min(r2, options_.initial_yaw_rate_sigma * options_.initial_yaw_rate_sigma);
  clamp();
}

MotionFilter::Vector MotionFilter::transition(const Vector& x, double dt) const {
  Vector out = x;
  const double w = x(kRate);
  const double vx = x(kVx), vy = x(kVy);
  if (options_.coordinated_turn && std::abs(w) > 1e-6) {
    // The velocity turns with the heading: the exact arc of a constant turn rate.
    const double s = std::sin(w * dt), c = std::cos(w * dt);
    out(kX) += (vx * s - vy * (1.0 - c)) / w;
    out(kY) += (vx * (1.0 - c) + vy * s) / w;
    out(kVx) = vx * c - vy * s;
    out(kVy) = vx * s + vy * c;
  } else {
    out(kX) += vx * dt;
    out(kY) += vy * dt;
  }
  if (options_.yaw_rate_decay > 0) {
    // The heading turns by the integral of the fading rate.
    const double k = options_.yaw_rate_decay;
    const double fade = std::exp(-k * std::abs(dt));
    out(kYaw) += w * (1.0 - fade) / k * (dt < 0 ? -1.0 : 1.0);
    out(kRate) = w * fade;
  } else {
    out(kYaw) += w * dt;
  }
  out(kYaw) = wrap_angle(out(kYaw));
  return out;
}

void MotionFilter::predict(double dt) {
  if (dt == 0.0 || !std::isfinite(dt)) return;
  // The Jacobian by central differences: six evaluations of a closed form, exact enough.
  Matrix F;
  for (int i = 0; i < 6; ++i) {
    const double h = i == kYaw || i == kRate ? 1e-6 : 1e-5;
    Vector a = x_, b = x_;
    a(i) += h;
    b(i) -= h;
    Vector d = transition(a, dt) - transition(b, dt);
    d(kYaw) = angle_difference(transition(a, dt)(kYaw), transition(b, dt)(kYaw));
    F.col(i) = d / (2 * h);
  }
  x_ = transition(x_, dt);
  // White-noise acceleration on each velocity axis and on the yaw rate.
  const double t = std::abs(dt);
  const double qa = options_.acceleration_noise * options_.acceleration_noise;
  const double qw = options_.yaw_acceleration_noise * options_.yaw_acceleration_noise;
  Matrix Q = Matrix::Zero();
  for (const auto& [p, v, q] : {std::tuple<int, int, double>{kX, kVx, qa}, {kY, kVy, qa},
                                {kYaw, kRate, qw}}) {
    Q(p, p) = q * t * t * t * t / 4.0;
    Q(p, v) = Q(v, p) = q * t * t * t / 2.0;
    Q(v, v) = q * t * t;
  }
  P_ = F * P_ * F.transpose() + Q;
  clamp();
}

void MotionFilter::update(const Eigen::Vector2d& position, double yaw, double position_sigma,
                          double yaw_sigma) {
  // Measured: x, y, yaw, and (coordinated turn) a sideways speed of zero.
  const int m = options_.coordinated_turn ? 4 : 3;
  Eigen::MatrixXd H = Eigen::MatrixXd::Zero(m, 6);
  Eigen::VectorXd r(m);
  Eigen::VectorXd R(m);
  H(0, kX) = 1.0;
  H(1, kY) = 1.0;
  H(2, kYaw) = 1.0;
  r(0) = position.x() - x_(kX);
  r(1) = position.y() - x_(kY);
  r(2) = angle_difference(yaw, x_(kYaw));
  R(0) = R(1) = position_sigma * position_sigma;
  R(2) = yaw_sigma * yaw_sigma;
  if (m == 4) {
    const double s = std::sin(x_(kYaw)), c = std::cos(x_(kYaw));
    const double sideways = -x_(kVx) * s + x_(kVy) * c;
    H(3, kVx) = -s;
    H(3, kVy) = c;
    H(3, kYaw) = -x_(kVx) * c - x_(kVy) * s;
    r(3) = -sideways;
    R(3) = options_.sideways_speed_sigma * options_.sideways_speed_sigma;
  }
  const Eigen::MatrixXd S = H * P_ * H.transpose() + Eigen::MatrixXd(R.asDiagonal());
  const Eigen::MatrixXd K = P_ * H.transpose() * S.inverse();
  Vector dx = K * r;
  if (!dx.allFinite()) return;
  x_ += dx;
  x_(kYaw) = wrap_angle(x_(kYaw));
  // Joseph form: stays symmetric and positive under rounding.
  const Matrix I_KH = Matrix::Identity() - K * H;
  P_ = I_KH * P_ * I_KH.transpose() + K * Eigen::MatrixXd(R.asDiagonal()) * K.transpose();
  clamp();
}

double MotionFilter::position_distance2(const Eigen::Vector2d& position,
                                        double position_sigma) const {
  const Eigen::Matrix2d S = P_.block<2, 2>(kX, kX) +
                            position_sigma * position_sigma * Eigen::Matrix2d::Identity();
  const Eigen::Vector2d r = position - x_.segment<2>(kX);
  return r.dot(S.ldlt().solve(r));
}

MotionState MotionFilter::state() const {
  MotionState s;
  s.position = x_.segment<2>(kX);
  s.velocity = x_.segment<2>(kVx);
  s.yaw = x_(kYaw);
  s.yaw_rate = x_(kRate);
  return s;
}

double MotionFilter::position_sigma() const {
  const Eigen::SelfAdjointEigenSolver<Eigen::Matrix2d> eig(P_.block<2, 2>(kX, kX));
  return std::sqrt(std::max(0.0, eig.eigenvalues()(1)));
}

void MotionFilter::clamp() {
  // The class's limits bound the state: a bad registration must not fling a coasted object away.
  const double v = x_.segment<2>(kVx).norm();
  if (v > options_.max_speed) x_.segment<2>(kVx) *= options_.max_speed / v;
  x_(kRate) = std::clamp(x_(kRate), -options_.max_yaw_rate, options_.max_yaw_rate);
  P_ = 0.5 * (P_ + P_.transpose()).eval();
}

}  // namespace pcanno::geometry
