// The motion filter against trajectories whose truth is known in closed form: straight lines,
// circles, noisy measurements over many seeds, coasting without measurements, gating.
#include "pcanno/geometry/motion_model.hpp"

#include <cmath>
#include <random>

#include <Eigen/Cholesky>
#include <gtest/gtest.h>

#include "pcanno/geometry/angles.hpp"

namespace pcanno::geometry {
namespace {

constexpr double kDt = 0.1;  // [s] 10 Hz

/// A car on a circle of radius `r` [m] at `speed` [m/s], counter-clockwise, at time t [s]:
/// position and heading (the tangent).
std::pair<Eigen::Vector2d, double> on_circle(double r, double speed, double t) {
  const double a = speed / r * t;
  return {Eigen::Vector2d(r * std::sin(a), r * (1.0 - std::cos(a))), wrap_angle(a)};
}

TEST(MotionFilter, LearnsAStraightConstantVelocityAndCoastsOnIt) {
  const Eigen::Vector2d v(7.0, -2.0);
  const double yaw = std::atan2(v.y(), v.x());
  MotionFilter f(Eigen::Vector2d(3.0, 4.0), yaw, vehicle_motion());
  for (int i = 1; i <= 20; ++i) {
    f.predict(kDt);
    f.update(Eigen::Vector2d(3.0, 4.0) + v * kDt * i, yaw, 0.02, 0.01);
  }
  EXPECT_LT((f.state().velocity - v).norm(), 0.05);
  // Two seconds without a measurement: still on the line.
  for (int i = 21; i <= 40; ++i) f.predict(kDt);
  EXPECT_LT((f.state().position - (Eigen::Vector2d(3.0, 4.0) + v * kDt * 40)).norm(), 0.15);
  EXPECT_NEAR(angle_difference(f.state().yaw, yaw), 0.0, 0.01);
}

TEST(MotionFilter, AVehicleCoastsAlongItsTurn) {
  const double r = 20.0, speed = 8.0;
  auto [p0, y0] = on_circle(r, speed, 0.0);
  MotionFilter f(p0, y0, vehicle_motion());
  for (int i = 1; i <= 30; ++i) {
    f.predict(kDt);
    const auto [p, y] = on_circle(r, speed, i * kDt);
    f.update(p, y, 0.03, 0.01);
  }
  EXPECT_NEAR(f.state().yaw_rate, speed / r, 0.02);
  // Coasting 1.5 s follows the arc; a straight line from the same state would be metres off.
  for (int i = 31; i <= 45; ++i) f.predict(kDt);
  const auto [truth, truth_yaw] = on_circle(r, speed, 45 * kDt);
  const auto [last, last_yaw] = on_circle(r, speed, 30 * kDt);
  const Eigen::Vector2d straight =
      last + 1.5 * speed * Eigen::Vector2d(std::cos(last_yaw), std::sin(last_yaw));
  EXPECT_LT((f.state().position - truth).norm(), 0.3);
  EXPECT_GT((straight - truth).norm(), 1.0);
  EXPECT_NEAR(angle_difference(f.state().yaw, truth_yaw), 0.0, 0.05);
}

TEST(MotionFilter, NoisyMeasurementsGiveTheVelocityOnManySeeds) {
  for (unsigned seed = 1; seed <= 20; ++seed) {
    std::mt19937 rng(seed);
    std::normal_distribution<double> noise(0.0, 0.05);
    std::uniform_real_distribution<double> heading(-kPi, kPi);
    const double yaw = heading(rng);
    const Eigen::Vector2d v = 10.0 * Eigen::Vector2d(std::cos(yaw), std::sin(yaw));
    MotionFilter f(Eigen::Vector2d::Zero(), yaw, vehicle_motion());
    for (int i = 1; i <= 40; ++i) {
      f.predict(kDt);
      f.update(v * kDt * i + Eigen::Vector2d(noise(rng), noise(rng)), yaw + 0.2 * noise(rng),
               0.05, 0.01);
    }
    EXPECT_LT((f.state().velocity - v).norm(), 0.6) << "seed " << seed;
  }
}

TEST(MotionFilter, UncertaintyGrowsWhileCoastingAndShrinksWithMeasurements) {
  MotionFilter f(Eigen::Vector2d::Zero(), 0.0, vehicle_motion());
  double before = f.position_sigma();
  for (int i = 0; i < 20; ++i) {
    f.predict(kDt);
    EXPECT_GT(f.position_sigma(), before) << i;
    before = f.position_sigma();
  }
  f.update(f.state().position, 0.0, 0.05, 0.02);
  EXPECT_LT(f.position_sigma(), 0.06);
  // The covariance stays symmetric and positive definite.
  const Eigen::LLT<MotionFilter::Matrix> llt(f.covariance());
  EXPECT_EQ(llt.info(), Eigen::Success);
  EXPECT_LT((f.covariance() - f.covariance().transpose()).norm(), 1e-12);
}

TEST(MotionFilter, TheClassLimitsBoundTheState) {
  // A pedestrian "measured" 5 m away after 0.1 s (a registration onto something else) does not
  // take off at 50 m/s.
  MotionFilter f(Eigen::Vector2d::Zero(), 0.0, pedestrian_motion());
  f.predict(kDt);
  f.update(Eigen::Vector2d(5.0, 0.0), 0.0, 0.05, 0.05);
  EXPECT_LE(f.speed(), pedestrian_motion().max_speed + 1e-9);
  MotionFilter car(Eigen::Vector2d::Zero(), 0.0, vehicle_motion());
  car.predict(kDt);
  car.update(Eigen::Vector2d(0.0, 0.0), 1.0, 0.05, 0.01);  // turned 1 rad in 0.1 s
  EXPECT_LE(std::abs(car.state().yaw_rate), vehicle_motion().max_yaw_rate + 1e-9);
}

TEST(MotionFilter, APedestrianWalksStraightOnWhenCoasted) {
  // Walking along x while turning the body: the free model does not swing the walk round.
  MotionFilter f(Eigen::Vector2d::Zero(), 0.0, pedestrian_motion());
  for (int i = 1; i <= 20; ++i) {
    f.predict(kDt);
    f.update(Eigen::Vector2d(1.4 * kDt * i, 0.0), 0.05 * i, 0.03, 0.05);
  }
  const double rate = f.state().yaw_rate;
  EXPECT_GT(rate, 0.2);
  for (int i = 0; i < 20; ++i) f.predict(kDt);
  EXPECT_LT(std::abs(f.state().yaw_rate), 0.1 * std::abs(rate));  // faded
  EXPECT_NEAR(f.state().position.y(), 0.0, 0.1);
  EXPECT_NEAR(f.state().position.x(), 1.4 * 4.0, 0.3);
  // A vehicle with the same data would move sideways-free along its (turning) heading: the
  // coordinated-turn model is not the free one.
  EXPECT_FALSE(pedestrian_motion().coordinated_turn);
  EXPECT_TRUE(vehicle_motion().coordinated_turn && cyclist_motion().coordinated_turn);
}

TEST(MotionFilter, HeadingCrossesMinusPiWithoutAJump) {
  // Driving west (yaw near pi), turning left across the wrap.
  const double w = 0.3;
  MotionFilter f(Eigen::Vector2d::Zero(), kPi - 0.3, vehicle_motion());
  Eigen::Vector2d p = Eigen::Vector2d::Zero();
  double yaw = kPi - 0.3;
  for (int i = 1; i <= 40; ++i) {
    p += 5.0 * kDt * Eigen::Vector2d(std::cos(yaw + 0.5 * w * kDt), std::sin(yaw + 0.5 * w * kDt));
    yaw = wrap_angle(yaw + w * kDt);
    f.predict(kDt);
    f.update(p, yaw, 0.03, 0.01);
    EXPECT_LT(std::abs(angle_difference(f.state().yaw, yaw)), 0.02) << i;
  }
  EXPECT_NEAR(f.state().yaw_rate, w, 0.05);
}

TEST(MotionFilter, GatingSeparatesTheObjectFromSomethingElse) {
  MotionFilter f(Eigen::Vector2d::Zero(), 0.0, vehicle_motion());
  for (int i = 1; i <= 20; ++i) {
    f.predict(kDt);
    f.update(Eigen::Vector2d(1.0 * i, 0.0), 0.0, 0.03, 0.01);
  }
  f.predict(kDt);
  EXPECT_LT(f.position_distance2(Eigen::Vector2d(21.05, 0.05), 0.05), 5.0);
  EXPECT_GT(f.position_distance2(Eigen::Vector2d(21.0, 3.0), 0.05), 13.8);
  // The gate widens while coasting: after 2 s unseen, 3 m off is plausible.
  for (int i = 0; i < 20; ++i) f.predict(kDt);
  EXPECT_LT(f.position_distance2(f.state().position + Eigen::Vector2d(0.0, 3.0), 0.05), 13.8);
}

TEST(MotionFilter, AKnownEarlierPoseGivesTheMotionAtOnce) {
  MotionFilter f(Eigen::Vector2d(10.0, 0.0), 0.0, vehicle_motion());
  f.set_motion_from(Eigen::Vector2d(9.0, 0.0), -0.02, kDt);
  EXPECT_NEAR(f.state().velocity.x(), 10.0, 1e-9);
  EXPECT_NEAR(f.state().yaw_rate, 0.2, 1e-9);
  f.predict(kDt);
  EXPECT_NEAR(f.state().position.x(), 11.0, 0.01);
  // Backward in time too (propagation towards earlier frames).
  MotionFilter b(Eigen::Vector2d(10.0, 0.0), 0.0, vehicle_motion());
  b.set_motion_from(Eigen::Vector2d(11.0, 0.0), 0.0, -kDt);
  b.predict(-kDt);
  EXPECT_NEAR(b.state().position.x(), 9.0, 0.01);
}

}  // namespace
}  // namespace pcanno::geometry
