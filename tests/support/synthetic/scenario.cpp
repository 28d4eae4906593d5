// make_scenario: the ego's drive and the actors' scripts. Every script is anchored in space and
// time (where an actor must be when), relative to the moment the ego stops at the crosswalk, so
// that the interactions (a pedestrian hidden behind a parked van, a car overtaking a truck behind
// it as both pass the ego, a car and the ego waiting for a crossing pedestrian, a car turning in
// from a side street) happen whatever the ego's speed; lanes are kept apart so boxes never
// interpenetrate.
#include <algorithm>
#include <cmath>

#include "pcanno/geometry/angles.hpp"
#include "synthetic/lidar_sequence.hpp"
#include "synthetic/scene.hpp"

namespace pcanno::synthetic {
namespace {

using detail::Random;
using detail::Route;
using detail::SpeedProfile;
using L = detail::StreetLayout;

constexpr double kEgoWait = 3.0;         ///< [s] at the crosswalk
constexpr double kEgoWiggle = 0.25;      ///< [m] lateral sway of the ego in its lane
constexpr double kEgoWiggleWave = 60.0;  ///< [m] along the road
constexpr double kEgoLaneY = -1.75;

/// One actor's script: a route, a speed profile and where on the route it is at `anchor_time`.
struct Script {
  std::string class_name;
  Eigen::Vector3d size;
  std::vector<Eigen::Vector2d> waypoints;
  double corner_radius = 6.0;
  SpeedProfile profile;
  double anchor_time = 0.0;
  Eigen::Vector2d anchor_point = Eigen::Vector2d::Zero();
};

SpeedProfile constant(double v) { return SpeedProfile{{{0.0, v}}}; }

/// A straight route through `anchor` with heading `heading`, extended later as needed.
std::vector<Eigen::Vector2d> straight_through(const Eigen::Vector2d& anchor, double heading) {
  const Eigen::Vector2d d(std::cos(heading), std::sin(heading));
  return {anchor - d, anchor + d};
}

Eigen::Vector3d draw_size(const std::string& cls, Random& rng) {
  if (cls == "Car") return {rng.uniform(3.9, 4.7), rng.uniform(1.65, 1.85), rng.uniform(1.4, 1.6)};
  if (cls == "Van") return {rng.uniform(4.8, 5.4), rng.uniform(1.9, 2.05), rng.uniform(1.9, 2.3)};
  if (cls == "Truck") return {rng.uniform(7.0, 8.0), rng.uniform(2.35, 2.5), rng.uniform(3.0, 3.3)};
  if (cls == "Cyclist") {
    return {rng.uniform(1.7, 1.9), rng.uniform(0.55, 0.7), rng.uniform(1.65, 1.85)};
  }
  return {rng.uniform(0.6, 0.9), rng.uniform(0.5, 0.7), rng.uniform(1.6, 1.9)};  // Pedestrian
}

Script make_script(const std::string& cls, Random& rng) {
  Script s;
  s.class_name = cls;
  s.size = draw_size(cls, rng);
  return s;
}

/// The ego's speed profile: cruise, stop at L::kEgoStopX for kEgoWait seconds, cruise again.
SpeedProfile ego_profile(double v, double& t_stop) {
  const double decel = std::max(2.0, v * v / (2.0 * 0.8 * L::kEgoStopX));
  t_stop = (L::kEgoStopX - v * v / (2.0 * decel)) / v + v / decel;
  return detail::stop_and_go(v, t_stop, kEgoWait, v, decel, 2.0);
}

std::vector<Script> vehicle_scripts(const ScenarioOptions& o, double ts, Random& rng) {
  std::vector<Script> out;
  auto add = [&](const std::string& cls) -> Script& {
    out.push_back(make_script(cls, rng));
    return out.back();
  };
  const double occlude = o.occluders ? 0.0 : 30.0;  // shifts a hidden partner out of the shadow
  for (int i = 0; i < o.vehicles; ++i) {
    switch (i) {
      case 0: {  // parked van on the right; pedestrian 0 walks behind it
        Script& s = add("Van");
        s.size.z() = rng.uniform(2.3, 2.5);  // a high-roof van hides a walker completely
        s.waypoints = straight_through({62.0, -L::kParkingY}, 0.0);
        s.profile = constant(0.0);
        s.anchor_point = {62.0, -L::kParkingY};
        break;
      }
      case 1: {  // lead car in the ego's lane, waits at the crosswalk ahead of the ego
        Script& s = add("Car");
        s.anchor_point = {L::kEgoStopX + 9.5, kEgoLaneY};
        s.waypoints = straight_through(s.anchor_point, 0.0);
        s.profile = detail::stop_and_go(o.ego_speed, ts - 0.3, kEgoWait + 0.5, o.ego_speed + 1.0);
        s.anchor_time = ts - 0.3;
        break;
      }
      case 2: {  // oncoming truck, passes the ego as it sets off again
        Script& s = add("Truck");
        s.anchor_point = {L::kCrosswalkX, 1.75};
        s.waypoints = straight_through(s.anchor_point, geometry::kPi);
        s.profile = constant(7.0);
        s.anchor_time = ts + 1.0;
        break;
      }
      case 3: {  // oncoming car overtaking the truck on the far lane, hidden by it at the ego
        Script& s = add("Car");
        s.anchor_point = {L::kEgoStopX + 1.0 + occlude, 5.25};
        s.waypoints = straight_through(s.anchor_point, geometry::kPi);
        s.profile = constant(11.0);
        s.anchor_time = ts + 3.5;
        break;
      }
      case 4: {  // turns in from the side street on the right after stopping at the pavement
        Script& s = add("Car");
        s.waypoints = {
            {L::kSideStreetX, -60.0}, {L::kSideStreetX, -5.25}, {L::kSideStreetX + 100.0, -5.25}};
        s.anchor_point = {L::kSideStreetX, -11.8};
        s.profile = detail::stop_and_go(8.0, ts + 6.0, 2.0, 9.0, 2.5, 2.0);
        s.anchor_time = ts + 6.0;
        break;
      }
      case 5: {  // oncoming car waiting at the crosswalk while pedestrian 1 crosses its lane
        Script& s = add("Car");
        s.anchor_point = {L::kCrosswalkX + 6.2, 5.25};
        s.waypoints = straight_through(s.anchor_point, geometry::kPi);
        s.profile = detail::stop_and_go(10.0, ts - 6.5, 4.5, 13.0, 2.5, 3.0);
        s.anchor_time = ts - 6.5;
        break;
      }
      default: {
        const int k = i - 6;
        if (k % 3 == 2) {  // oncoming traffic behind the truck, at its speed
          Script& s = add(rng.chance(0.7) ? "Car" : "Van");
          s.anchor_point = {L::kCrosswalkX + 22.0 * (k / 3 + 1), 1.75};
          s.waypoints = straight_through(s.anchor_point, geometry::kPi);
          s.profile = constant(7.0);
          s.anchor_time = ts + 1.0;
        } else {  // parked, placed by parked_slots()
          Script& s = add(rng.chance(0.7) ? "Car" : "Van");
          s.profile = constant(0.0);
        }
        break;
      }
    }
  }
  return out;
}

/// Parking places for the parked extras, both sides, clear of the scripted spots.
void place_parked(std::vector<Script>& vehicles, double x_min, Random& rng) {
  double cursor[2] = {x_min + rng.uniform(0.0, 10.0), x_min + rng.uniform(0.0, 10.0)};
  auto blocked = [](double x0, double x1, int side) {
    auto hits = [&](double a, double b) { return x1 > a && x0 < b; };
    if (hits(L::kCrosswalkX - 7.0, L::kCrosswalkX + 7.0)) return true;
    if (side == 0) {
      return hits(58.0, 66.5) || hits(L::kSideStreetX - L::kSideStreetHalfWidth - 8.0,
                                      L::kSideStreetX + L::kSideStreetHalfWidth + 4.0);
    }
    return false;
  };
  for (std::size_t i = 6; i < vehicles.size(); ++i) {
    Script& s = vehicles[i];
    if (!s.waypoints.empty()) continue;
    const int side = rng.chance(0.5) ? 1 : 0;
    double x = cursor[side] + rng.uniform(1.5, 15.0);
    while (blocked(x, x + s.size.x(), side)) x += 2.0;
    cursor[side] = x + s.size.x();
    const double y = side == 1 ? L::kParkingY : -L::kParkingY;
    const double heading =
        rng.chance(0.8) ? (side == 1 ? geometry::kPi : 0.0) : (side == 1 ? 0.0 : geometry::kPi);
    s.anchor_point = {x + 0.5 * s.size.x(), y};
    s.waypoints = straight_through(s.anchor_point, heading);
  }
}

std::vector<Script> vru_scripts(const ScenarioOptions& o, double ts, const detail::StaticsData& st,
                                Random& rng) {
  std::vector<Script> out;
  const double occlude = o.occluders ? 0.0 : 25.0;
  for (int i = 0; i < o.cyclists; ++i) {
    Script s = make_script("Cyclist", rng);
    const bool same_way = i % 2 == 0;
    const double offset = 30.0 * (i / 2);
    if (same_way) {  // overtaken by the ego on the right edge of the outer lane
      s.anchor_point = {L::kEgoStopX - offset, -6.7};
      s.waypoints = straight_through(s.anchor_point, 0.0);
      s.profile = constant(5.0);
      s.anchor_time = ts - 1.0;
    } else {  // oncoming on the far edge
      s.anchor_point = {L::kCrosswalkX + offset, 6.7};
      s.waypoints = straight_through(s.anchor_point, geometry::kPi);
      s.profile = constant(5.5);
      s.anchor_time = ts + 4.5;
    }
    out.push_back(std::move(s));
  }
  for (int i = 0; i < o.pedestrians; ++i) {
    Script s = make_script("Pedestrian", rng);
    switch (i) {
      case 0:  // on the right pavement, behind the parked van when the ego waits beside it
        s.anchor_point = {62.5 + occlude, -10.6};
        s.waypoints = straight_through(s.anchor_point, 0.0);
        s.profile = constant(1.2);
        s.anchor_time = ts + 1.5;
        break;
      case 1:  // crosses the road in front of the waiting cars, then walks on
        s.waypoints = {
            {L::kCrosswalkX, 11.0}, {L::kCrosswalkX, -10.8}, {L::kCrosswalkX + 300.0, -10.8}};
        s.corner_radius = 0.8;
        s.anchor_point = {L::kCrosswalkX, 0.0};
        s.profile = constant(1.4);
        s.anchor_time = ts;
        break;
      case 2: {  // stands beside a building's wall on the left
        const Eigen::Vector3d f =
            st.left_facades.empty() ? Eigen::Vector3d(30, 50, L::kFacadeY) : st.left_facades[0];
        const double x = std::clamp(40.0, f.x() + 1.0, f.y() - 1.0);
        s.anchor_point = {x, f.z() - 0.45};
        s.waypoints = straight_through(s.anchor_point, rng.uniform(-geometry::kPi, geometry::kPi));
        s.profile = constant(0.0);
        break;
      }
      default: {  // two files of walkers, one per pavement, each at one pace
        const int k = i - 3;
        const bool left = k % 2 == 0;
        s.anchor_point = left ? Eigen::Vector2d(90.0 + 8.0 * (k / 2), 10.8)
                              : Eigen::Vector2d(-30.0 + 8.0 * (k / 2), -11.6);
        s.waypoints = straight_through(s.anchor_point, left ? geometry::kPi : 0.0);
        s.profile = constant(1.3);
        s.anchor_time = 0.0;
        break;
      }
    }
    out.push_back(std::move(s));
  }
  return out;
}

/// Samples a script per frame; the route is lengthened at either end to cover the sequence.
Actor realise(const Script& script, const ScenarioOptions& o, std::int64_t id) {
  std::vector<Eigen::Vector2d> wp = script.waypoints;
  const double t_end = o.frames * o.frame_period;
  Route route(wp, script.corner_radius);
  double s_anchor = route.arc_length_near(script.anchor_point);
  const double s_first = s_anchor - script.profile.distance(0.0, script.anchor_time);
  if (s_first < 0.0) {
    const double extra = -s_first + 1.0;
    wp.front() -= extra * (wp[1] - wp[0]).normalized();
    s_anchor += extra;
  }
  route = Route(wp, script.corner_radius);
  const double s_last = s_anchor + script.profile.distance(script.anchor_time, t_end);
  if (s_last > route.length()) {
    const std::size_t n = wp.size();
    wp.back() += (s_last - route.length() + 1.0) * (wp[n - 1] - wp[n - 2]).normalized();
    route = Route(wp, script.corner_radius);
  }
  Actor a;
  a.track_id = id;
  a.class_name = script.class_name;
  a.size = script.size;
  for (int f = 0; f < o.frames; ++f) {
    const double t = f * o.frame_period;
    a.xy_yaw.push_back(route.at(s_anchor + script.profile.distance(script.anchor_time, t)));
    a.present.push_back(true);
  }
  return a;
}

}  // namespace

Scenario make_scenario(const ScenarioOptions& options) {
  Scenario sc;
  sc.options = options;
  ScenarioOptions& o = sc.options;
  o.frames = std::max(o.frames, 0);
  o.ego_speed = std::max(o.ego_speed, 0.5);
  Random rng(detail::stream_seed(o.seed, 0));

  double t_stop = 0.0;
  const SpeedProfile ego = ego_profile(o.ego_speed, t_stop);
  for (int f = 0; f < o.frames; ++f) {
    const double x = ego.distance(0.0, f * o.frame_period);
    const double phase = 2.0 * geometry::kPi * x / kEgoWiggleWave;
    const double y = kEgoLaneY + kEgoWiggle * std::sin(phase);
    const double yaw =
        std::atan(kEgoWiggle * 2.0 * geometry::kPi / kEgoWiggleWave * std::cos(phase));
    Eigen::Isometry3d T = Eigen::Isometry3d::Identity();
    T.linear() = Eigen::AngleAxisd(yaw, Eigen::Vector3d::UnitZ()).toRotationMatrix();
    T.translation() = Eigen::Vector3d(x, y, o.sensor.mount_height);
    sc.T_world_lidar.push_back(T);
  }
  const double x_end = sc.T_world_lidar.empty() ? 0.0 : sc.T_world_lidar.back().translation().x();
  const double x_min = -o.sensor.max_range - 20.0;
  const double x_max = std::max(x_end, L::kSideStreetX + 20.0) + o.sensor.max_range + 20.0;
  auto statics = std::make_shared<Scenario::Statics>();
  statics->data = detail::make_statics(o, x_min, x_max, rng);

  std::vector<Script> scripts = vehicle_scripts(o, t_stop, rng);
  place_parked(scripts, x_min + 20.0, rng);
  for (Script& s : vru_scripts(o, t_stop, statics->data, rng)) scripts.push_back(std::move(s));
  std::int64_t id = 0;
  for (const Script& s : scripts) {
    Actor a = realise(s, o, id++);
    a.reflectance = a.class_name == "Pedestrian" ? rng.uniform(0.1, 0.4)
                    : a.class_name == "Cyclist"  ? rng.uniform(0.2, 0.4)
                                                 : rng.uniform(0.15, 0.7);
    sc.actors.push_back(std::move(a));
  }
  sc.statics = std::move(statics);
  return sc;
}

double ground_height(const Scenario& /*scenario*/, const Eigen::Vector2d& xy) {
  const double ay = std::abs(xy.y());
  if (ay <= L::kKerbY || ay >= L::kPavementEndY) return 0.0;
  if (xy.y() < 0.0 && std::abs(xy.x() - L::kSideStreetX) < L::kSideStreetHalfWidth) return 0.0;
  return L::kKerbHeight;
}

geometry::Cuboid actor_box_in_world(const Scenario& scenario, const Actor& actor, int frame) {
  const Eigen::Vector3d& p = actor.xy_yaw[static_cast<std::size_t>(frame)];
  const double z = ground_height(scenario, p.head<2>()) + 0.5 * actor.size.z();
  return geometry::Cuboid::from_yaw({p.x(), p.y(), z}, actor.size, p.z());
}

}  // namespace pcanno::synthetic
