#include "pcanno/geometry/box_kalman.hpp"

#include <algorithm>
#include <cmath>
#include <utility>

#include "pcanno/geometry/angles.hpp"

namespace pcanno::geometry {
namespace {

// State indices.
constexpr int kX = 0, kY = 1, kZ = 2, kYaw = 3, kL = 4, kVx = 7, kVy = 8;

using Measurement = Eigen::Matrix<double, 7, 1>;

struct AlignedAxes {
  double yaw = 0.0;  ///< [rad] within pi/4 of the reference, not wrapped
  Eigen::Vector3d size = Eigen::Vector3d::Zero();
};

AlignedAxes aligned_axes(const Cuboid& measured, double reference) {
  AlignedAxes a{align_heading(measured.yaw(), reference), measured.size};  // within pi/2
  if (std::abs(a.yaw - reference) > 0.25 * kPi) {
    // The other side is nearer the reference: the same footprint, turned a quarter and with
    // length and width exchanged.
    a.yaw += a.yaw > reference ? -0.5 * kPi : 0.5 * kPi;
    std::swap(a.size.x(), a.size.y());
  }
  return a;
}

}  // namespace

double align_heading(double measured, double reference) {
  // The angle equal to `measured` modulo pi that lies within pi/2 of the reference.
  double d = std::remainder(measured - reference, kPi);  // in [-pi/2, pi/2]
  if (d <= -0.5 * kPi) d += kPi;
  return reference + d;
}

Cuboid align_box(const Cuboid& measured, double reference) {
  const AlignedAxes a = aligned_axes(measured, reference);
  return Cuboid::from_yaw(measured.center, a.size, a.yaw);
}

BoxKalman::BoxKalman(const Cuboid& box, const BoxKalmanNoise& noise) : noise_(noise) {
  state_.head<3>() = box.center;
  state_(kYaw) = box.yaw();
  state_.segment<3>(kL) = box.size;
  covariance_.setZero();
  const double p = noise_.measured_position * noise_.measured_position;
  covariance_(kX, kX) = p;
  covariance_(kY, kY) = p;
  covariance_(kZ, kZ) = p;
  covariance_(kYaw, kYaw) = noise_.measured_yaw * noise_.measured_yaw;
  for (int i = 0; i < 3; ++i) {
    covariance_(kL + i, kL + i) = noise_.measured_size * noise_.measured_size;
  }
  const double v = noise_.initial_speed * noise_.initial_speed;
  covariance_(kVx, kVx) = v;
  covariance_(kVy, kVy) = v;
}

void BoxKalman::predict(double dt) {
  if (!(dt > 0.0)) return;
  Covariance F = Covariance::Identity();
  F(kX, kVx) = dt;
  F(kY, kVy) = dt;
  state_ = F * state_;
  // White acceleration a: position gains a dt^2 / 2, velocity a dt (per axis).
  Covariance Q = Covariance::Zero();
  const double a2 = noise_.acceleration * noise_.acceleration;
  for (const auto& [pos, vel] : {std::pair<int, int>{kX, kVx}, std::pair<int, int>{kY, kVy}}) {
    Q(pos, pos) = a2 * dt * dt * dt * dt / 4.0;
    Q(pos, vel) = Q(vel, pos) = a2 * dt * dt * dt / 2.0;
    Q(vel, vel) = a2 * dt * dt;
  }
  Q(kZ, kZ) = noise_.vertical * noise_.vertical * dt;
  Q(kYaw, kYaw) = noise_.turn * noise_.turn * dt;
  for (int i = 0; i < 3; ++i) Q(kL + i, kL + i) = noise_.size * noise_.size * dt;
  covariance_ = F * covariance_ * F.transpose() + Q;
}

void BoxKalman::update(const Cuboid& measured) {
  // The quarter-turned description is the same box, but only worth taking when its length and
  // width agree with the track's: a long box measured 60 degrees off is a heading error, and
  // folded in with length and width exchanged it would square the track's footprint for good.
  AlignedAxes aligned = aligned_axes(measured, state_(kYaw));
  const AlignedAxes half_turn{align_heading(measured.yaw(), state_(kYaw)), measured.size};
  const auto size_error = [this](const AlignedAxes& a) {
    return std::abs(a.size.x() - state_(kL)) + std::abs(a.size.y() - state_(kL + 1));
  };
  if (size_error(half_turn) < size_error(aligned)) aligned = half_turn;
  Measurement z;
  z.head<3>() = measured.center;
  z(kYaw) = aligned.yaw;
  z.tail<3>() = aligned.size;
  Eigen::Matrix<double, 7, 9> H = Eigen::Matrix<double, 7, 9>::Zero();
  H.leftCols<7>().setIdentity();
  Eigen::Matrix<double, 7, 7> R = Eigen::Matrix<double, 7, 7>::Zero();
  const double p = noise_.measured_position * noise_.measured_position;
  R(0, 0) = R(1, 1) = R(2, 2) = p;
  R(3, 3) = noise_.measured_yaw * noise_.measured_yaw;
  for (int i = 4; i < 7; ++i) R(i, i) = noise_.measured_size * noise_.measured_size;
  const Measurement innovation = z - H * state_;
  const Eigen::Matrix<double, 7, 7> S = H * covariance_ * H.transpose() + R;
  const Eigen::Matrix<double, 9, 7> K = covariance_ * H.transpose() * S.inverse();
  state_ += K * innovation;
  // Joseph form: stays symmetric and positive definite under rounding.
  const Covariance I_KH = Covariance::Identity() - K * H;
  covariance_ = I_KH * covariance_ * I_KH.transpose() + K * R * K.transpose();
  for (int i = 0; i < 3; ++i) state_(kL + i) = std::max(state_(kL + i), 0.05);
}

Cuboid BoxKalman::box() const {
  return Cuboid::from_yaw(state_.head<3>(), state_.segment<3>(kL), wrap_angle(state_(kYaw)));
}

double BoxKalman::position_sigma() const {
  return std::sqrt(std::max(0.0, covariance_(kX, kX) + covariance_(kY, kY)));
}

}  // namespace pcanno::geometry
