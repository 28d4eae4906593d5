#include "synthetic/scene.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "pcanno/geometry/angles.hpp"

namespace pcanno::synthetic::detail {

std::uint64_t Random::next() {
  std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

double Random::uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

double Random::uniform(double a, double b) { return a + (b - a) * uniform(); }

double Random::normal() {
  const double u1 = std::max(uniform(), 1e-300);
  const double u2 = uniform();
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * geometry::kPi * u2);
}

std::uint64_t stream_seed(std::uint64_t seed, std::uint64_t stream) {
  Random r(seed * 0x100000001b3ULL + stream);
  r.next();
  return r.next();
}

double Prism::bound_radius() const {
  return shape == PrismShape::kCylinder ? half.x() : half.norm();
}

Prism make_box(const Eigen::Vector2d& center, double half_length, double half_width, double yaw,
               double z0, double z1, double reflectance) {
  Prism p;
  p.shape = PrismShape::kBox;
  p.center = center;
  p.half = {half_length, half_width};
  p.cos_yaw = std::cos(yaw);
  p.sin_yaw = std::sin(yaw);
  p.z0 = z0;
  p.z1 = z1;
  p.reflectance = reflectance;
  return p;
}

Prism make_cylinder(const Eigen::Vector2d& center, double radius, double z0, double z1,
                    double reflectance) {
  Prism p;
  p.shape = PrismShape::kCylinder;
  p.center = center;
  p.half = {radius, radius};
  p.z0 = z0;
  p.z1 = z1;
  p.reflectance = reflectance;
  return p;
}

bool footprint_interval(const Prism& prism, const Eigen::Vector2d& origin,
                        const Eigen::Vector2d& dir, double& s_in, double& s_out) {
  const Eigen::Vector2d d = origin - prism.center;
  if (prism.shape == PrismShape::kCylinder) {
    const double r = prism.half.x();
    const double b = d.dot(dir);
    const double c = d.squaredNorm() - r * r;
    const double disc = b * b - c;
    if (disc <= 0.0) return false;
    const double root = std::sqrt(disc);
    s_in = -b - root;
    s_out = -b + root;
    return s_out > 0.0;
  }
  // Slab test in the box's own frame.
  const double ox = prism.cos_yaw * d.x() + prism.sin_yaw * d.y();
  const double oy = -prism.sin_yaw * d.x() + prism.cos_yaw * d.y();
  const double dx = prism.cos_yaw * dir.x() + prism.sin_yaw * dir.y();
  const double dy = -prism.sin_yaw * dir.x() + prism.cos_yaw * dir.y();
  double lo = -std::numeric_limits<double>::infinity();
  double hi = std::numeric_limits<double>::infinity();
  const double o[2] = {ox, oy};
  const double v[2] = {dx, dy};
  for (int axis = 0; axis < 2; ++axis) {
    const double h = prism.half[axis];
    if (std::abs(v[axis]) < 1e-12) {
      if (std::abs(o[axis]) > h) return false;
      continue;
    }
    double a = (-h - o[axis]) / v[axis];
    double b = (h - o[axis]) / v[axis];
    if (a > b) std::swap(a, b);
    lo = std::max(lo, a);
    hi = std::min(hi, b);
    if (lo > hi) return false;
  }
  s_in = lo;
  s_out = hi;
  return s_out > 0.0;
}

namespace {

using L = StreetLayout;

bool in_side_street(double x0, double x1) {
  return x1 > L::kSideStreetX - L::kSideStreetHalfWidth &&
         x0 < L::kSideStreetX + L::kSideStreetHalfWidth;
}

/// Pavement slabs (kerb height) on both sides, the right one cut by the side street.
void add_pavements(StaticsData& s) {
  const double half_y = 0.5 * (L::kPavementEndY - L::kKerbY);
  const double mid_y = 0.5 * (L::kPavementEndY + L::kKerbY);
  auto slab = [&](double x0, double x1, double side) {
    if (x1 <= x0) return;
    s.prisms.push_back(make_box({0.5 * (x0 + x1), side * mid_y}, 0.5 * (x1 - x0), half_y, 0.0, 0.0,
                                L::kKerbHeight, 0.25));
  };
  slab(s.x_min, s.x_max, +1.0);
  slab(s.x_min, L::kSideStreetX - L::kSideStreetHalfWidth, -1.0);
  slab(L::kSideStreetX + L::kSideStreetHalfWidth, s.x_max, -1.0);
}

/// Building blocks along one side, with gaps (drives, alleys), set-backs and hedges in front
/// gardens. The block by x = 40 on the left has no hedge: a pedestrian stands at its wall.
void add_buildings(StaticsData& s, double side, Random& rng) {
  double x = s.x_min;
  while (x < s.x_max) {
    double length = rng.uniform(12.0, 40.0);
    double x1 = std::min(x + length, s.x_max);
    if (side < 0.0 && in_side_street(x, x1)) {
      if (x < L::kSideStreetX - L::kSideStreetHalfWidth) {
        x1 = L::kSideStreetX - L::kSideStreetHalfWidth;
      } else {
        x = L::kSideStreetX + L::kSideStreetHalfWidth;
        continue;
      }
    }
    const double setback = rng.uniform(0.0, 2.5);
    const double height = rng.uniform(6.0, 18.0);
    const double reflectance = rng.uniform(0.25, 0.55);
    const double facade = L::kFacadeY + setback;
    constexpr double kDepth = 10.0;
    s.prisms.push_back(make_box({0.5 * (x + x1), side * (facade + 0.5 * kDepth)}, 0.5 * (x1 - x),
                                0.5 * kDepth, 0.0, L::kKerbHeight, height, reflectance));
    const bool wall_spot = side > 0.0 && x <= 40.0 && x1 >= 40.0;
    if (wall_spot) s.left_facades.emplace_back(x, x1, facade);
    if (setback > 1.2 && !wall_spot && rng.chance(0.6)) {
      const double thickness = std::min(setback - 0.3, rng.uniform(0.6, 1.1));
      const double hedge_height = rng.uniform(0.8, 1.5);
      Prism hedge = make_box({0.5 * (x + x1), side * (L::kFacadeY + 0.1 + 0.5 * thickness)},
                             0.5 * (x1 - x) - 0.5, 0.5 * thickness, 0.0, L::kKerbHeight,
                             L::kKerbHeight + hedge_height, 0.15);
      hedge.penetration = 0.25;
      hedge.pass_through = 0.05;
      s.prisms.push_back(hedge);
    }
    x = x1;
    if (rng.chance(0.3)) x += rng.uniform(4.0, 10.0);
  }
}

bool near_crossing(double x) {
  return std::abs(x - L::kCrosswalkX) < 5.0 ||
         std::abs(x - L::kSideStreetX) < L::kSideStreetHalfWidth + 2.0;
}

/// Street-light poles near the kerb and trees (trunk plus a porous crown) between them.
void add_poles_and_trees(StaticsData& s, double side, Random& rng) {
  for (double x = s.x_min + rng.uniform(0.0, 20.0); x < s.x_max; x += rng.uniform(15.0, 35.0)) {
    if (near_crossing(x)) continue;
    s.prisms.push_back(make_cylinder({x, side * 9.7}, rng.uniform(0.07, 0.15), L::kKerbHeight,
                                     rng.uniform(4.0, 9.0), 0.45));
  }
  for (double x = s.x_min + rng.uniform(0.0, 30.0); x < s.x_max; x += rng.uniform(20.0, 45.0)) {
    if (near_crossing(x)) continue;
    s.prisms.push_back(
        make_cylinder({x, side * 9.9}, rng.uniform(0.14, 0.22), L::kKerbHeight, 2.6, 0.3));
    Prism crown =
        make_cylinder({x, side * 9.9}, rng.uniform(1.2, 2.0), 2.4, rng.uniform(4.5, 6.5), 0.2);
    crown.penetration = 0.6;
    crown.pass_through = 0.3;
    s.prisms.push_back(crown);
  }
}

}  // namespace

StaticsData make_statics(const ScenarioOptions& /*options*/, double x_min, double x_max,
                         Random& rng) {
  StaticsData s;
  s.x_min = x_min;
  s.x_max = x_max;
  add_pavements(s);
  for (double side : {-1.0, 1.0}) {
    add_buildings(s, side, rng);
    add_poles_and_trees(s, side, rng);
  }
  return s;
}

Route::Route(const std::vector<Eigen::Vector2d>& waypoints, double radius) {
  if (waypoints.size() < 2) return;
  Eigen::Vector2d current = waypoints.front();
  auto heading_of = [](const Eigen::Vector2d& v) { return std::atan2(v.y(), v.x()); };
  auto straight = [&](const Eigen::Vector2d& to) {
    const Eigen::Vector2d d = to - current;
    const double len = d.norm();
    if (len > 1e-9) pieces_.push_back({current, heading_of(d), len, 0.0});
    current = to;
  };
  for (std::size_t i = 1; i + 1 < waypoints.size(); ++i) {
    const Eigen::Vector2d in = waypoints[i] - waypoints[i - 1];
    const Eigen::Vector2d out = waypoints[i + 1] - waypoints[i];
    const double turn = geometry::wrap_angle(heading_of(out) - heading_of(in));
    if (std::abs(turn) < 1e-6) continue;
    const double t = std::tan(0.5 * std::abs(turn));
    const double tangent =
        std::min({radius * t, 0.5 * (waypoints[i] - current).norm(), 0.5 * out.norm()});
    const double r = tangent / t;
    straight(waypoints[i] - tangent * in.normalized());
    const double arc = r * std::abs(turn);
    pieces_.push_back({current, heading_of(in), arc, (turn > 0 ? 1.0 : -1.0) / r});
    current = waypoints[i] + tangent * out.normalized();
  }
  straight(waypoints.back());
  for (const Piece& p : pieces_) length_ += p.length;
}

Eigen::Vector3d Route::at(double s) const {
  if (pieces_.empty()) return Eigen::Vector3d::Zero();
  s = std::clamp(s, 0.0, length_);
  for (std::size_t i = 0; i < pieces_.size(); ++i) {
    const Piece& p = pieces_[i];
    if (s > p.length && i + 1 < pieces_.size()) {
      s -= p.length;
      continue;
    }
    s = std::min(s, p.length);
    if (p.curvature == 0.0) {
      return {p.start.x() + s * std::cos(p.heading), p.start.y() + s * std::sin(p.heading),
              p.heading};
    }
    const double h = p.heading + p.curvature * s;
    return {p.start.x() + (std::sin(h) - std::sin(p.heading)) / p.curvature,
            p.start.y() - (std::cos(h) - std::cos(p.heading)) / p.curvature,
            geometry::wrap_angle(h)};
  }
  return Eigen::Vector3d::Zero();
}

double Route::arc_length_near(const Eigen::Vector2d& p) const {
  double best = 0.0;
  double best_d2 = std::numeric_limits<double>::infinity();
  for (double s = 0.0; s <= length_; s += 0.05) {
    const Eigen::Vector3d q = at(s);
    const double d2 = (q.head<2>() - p).squaredNorm();
    if (d2 < best_d2) {
      best_d2 = d2;
      best = s;
    }
  }
  return best;
}

double SpeedProfile::speed(double t) const {
  if (knots.empty()) return 0.0;
  if (t <= knots.front().x()) return knots.front().y();
  for (std::size_t i = 1; i < knots.size(); ++i) {
    if (t <= knots[i].x()) {
      const Eigen::Vector2d& a = knots[i - 1];
      const Eigen::Vector2d& b = knots[i];
      const double f = b.x() > a.x() ? (t - a.x()) / (b.x() - a.x()) : 1.0;
      return a.y() + f * (b.y() - a.y());
    }
  }
  return knots.back().y();
}

double SpeedProfile::distance(double t0, double t1) const {
  if (t1 < t0) return -distance(t1, t0);
  // Exact for piecewise-linear speed: trapezoids between t0, the knots inside, and t1.
  std::vector<double> times{t0};
  for (const Eigen::Vector2d& k : knots) {
    if (k.x() > t0 && k.x() < t1) times.push_back(k.x());
  }
  times.push_back(t1);
  double d = 0.0;
  for (std::size_t i = 1; i < times.size(); ++i) {
    d += 0.5 * (speed(times[i - 1]) + speed(times[i])) * (times[i] - times[i - 1]);
  }
  return d;
}

SpeedProfile stop_and_go(double v, double t_stop, double wait, double v_after, double decel,
                         double accel) {
  SpeedProfile p;
  p.knots = {{t_stop - v / decel, v},
             {t_stop, 0.0},
             {t_stop + wait, 0.0},
             {t_stop + wait + v_after / accel, v_after}};
  return p;
}

}  // namespace pcanno::synthetic::detail
