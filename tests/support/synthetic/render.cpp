// render_frame: the ray caster. Every primitive is a vertical prism, so for one azimuth the
// horizontal ray meets each prism's footprint in one interval, shared by all 64 beams of that
// column; a beam then only compares its height along the interval with the prism's z range.
// Prisms are binned by the azimuths they cover, so a column tests only its neighbours.
#include <algorithm>
#include <cmath>
#include <limits>

#include "pcanno/geometry/angles.hpp"
#include "synthetic/lidar_sequence.hpp"
#include "synthetic/scene.hpp"

namespace pcanno::synthetic {
namespace {

using detail::Prism;
using detail::Random;
constexpr double kDeg = geometry::kPi / 180.0;
constexpr int kBins = 720;
constexpr double kRoadReflectance = 0.12;
constexpr double kPaintReflectance = 0.7;

/// Box part of an actor, in its footprint frame (x forward, z up from the ground under it).
struct Part {
  double x, y, half_l, half_w, z0, z1;
  double reflectance_scale = 1.0;
  bool cylinder = false;
};

void vehicle_parts(const Actor& a, std::vector<Part>& parts) {
  const double l = a.size.x(), w = a.size.y(), h = a.size.z();
  const double wheel_y = 0.5 * w - 0.13;
  const double wheel_x = 0.5 * l - 0.3 - 0.1 * l;
  for (double sx : {-1.0, 1.0}) {
    for (double sy : {-1.0, 1.0})
      parts.push_back({sx * wheel_x, sy * wheel_y, 0.3, 0.12, 0.0, 0.62, 0.2});
  }
  if (a.class_name == "Car") {
    parts.push_back({0.0, 0.0, 0.5 * l, 0.5 * w, 0.3, 0.6 * h});
    parts.push_back({-0.05 * l, 0.0, 0.27 * l, 0.45 * w, 0.6 * h, h});
  } else if (a.class_name == "Truck") {
    parts.push_back({0.4 * l, 0.0, 0.1 * l, 0.5 * w, 0.4, 0.85 * h});
    parts.push_back({-0.1 * l, 0.0, 0.4 * l, 0.5 * w, 0.55, h, 0.8});
  } else {  // Van: a tall body and a short bonnet
    parts.push_back({-0.1 * l, 0.0, 0.4 * l, 0.5 * w, 0.3, h});
    parts.push_back({0.4 * l, 0.0, 0.1 * l, 0.5 * w, 0.3, 0.5 * h});
  }
}

/// A person is legs, arms, a torso and a head; the legs and arms swing with the distance walked.
void person_parts(const Actor& a, const Eigen::Vector3d& xy_yaw, std::vector<Part>& parts) {
  const double l = a.size.x(), w = a.size.y(), h = a.size.z();
  const double along = xy_yaw.x() * std::cos(xy_yaw.z()) + xy_yaw.y() * std::sin(xy_yaw.z());
  const double swing = std::sin(2.0 * geometry::kPi * along / 1.4);
  const double reach = std::max(0.0, 0.5 * l - 0.09);
  const double leg = std::min(0.18, reach) * swing;
  parts.push_back({leg, 0.1, 0.075, 0.075, 0.0, 0.48 * h, 1.0, true});
  parts.push_back({-leg, -0.1, 0.075, 0.075, 0.0, 0.48 * h, 1.0, true});
  parts.push_back({0.0, 0.0, 0.12, std::min(0.22, 0.5 * w), 0.48 * h, 0.82 * h});
  const double arm_y = 0.5 * w - 0.05;
  parts.push_back({-0.7 * leg, arm_y, 0.05, 0.05, 0.45 * h, 0.8 * h, 1.0, true});
  parts.push_back({0.7 * leg, -arm_y, 0.05, 0.05, 0.45 * h, 0.8 * h, 1.0, true});
  parts.push_back({0.0, 0.0, 0.1, 0.1, 0.86 * h, h, 1.0, true});
}

void cyclist_parts(const Actor& a, std::vector<Part>& parts) {
  const double l = a.size.x(), w = a.size.y(), h = a.size.z();
  parts.push_back({0.0, 0.0, 0.5 * l, 0.04, 0.05, 0.95, 0.8});                      // bicycle
  parts.push_back({0.0, 0.0, 0.12, std::min(0.14, 0.5 * w), 0.45, 0.95});           // legs
  parts.push_back({-0.05 * l, 0.0, 0.14, std::min(0.2, 0.5 * w), 0.95, h - 0.26});  // torso
  parts.push_back({0.2 * l, 0.0, 0.15, 0.5 * w, 1.05, 1.2});           // arms to the bar
  parts.push_back({0.05 * l, 0.0, 0.1, 0.1, h - 0.25, h, 1.0, true});  // head
}

void add_actor_prisms(const Scenario& sc, int index, int frame, std::vector<Prism>& out) {
  const Actor& a = sc.actors[static_cast<std::size_t>(index)];
  const Eigen::Vector3d& p = a.xy_yaw[static_cast<std::size_t>(frame)];
  std::vector<Part> parts;
  if (a.class_name == "Pedestrian") {
    person_parts(a, p, parts);
  } else if (a.class_name == "Cyclist") {
    cyclist_parts(a, parts);
  } else {
    vehicle_parts(a, parts);
  }
  const double c = std::cos(p.z()), s = std::sin(p.z());
  const double base = ground_height(sc, p.head<2>());
  for (const Part& part : parts) {
    const Eigen::Vector2d centre(p.x() + c * part.x - s * part.y, p.y() + s * part.x + c * part.y);
    const double refl = a.reflectance * part.reflectance_scale;
    Prism prism = part.cylinder ? detail::make_cylinder(centre, part.half_l, base + part.z0,
                                                        base + part.z1, refl)
                                : detail::make_box(centre, part.half_l, part.half_w, p.z(),
                                                   base + part.z0, base + part.z1, refl);
    prism.actor = index;
    out.push_back(prism);
  }
}

/// Road paint: lane lines (dashed between lanes of one direction, solid in the middle) and the
/// zebra crossing.
double road_reflectance(const Eigen::Vector2d& xy) {
  const double y = xy.y();
  if (std::abs(y) < 0.08) return kPaintReflectance;
  if (std::abs(std::abs(y) - 3.5) < 0.075 && std::fmod(std::abs(xy.x()) + 1000.0, 9.0) < 3.0) {
    return kPaintReflectance;
  }
  if (std::abs(xy.x() - detail::StreetLayout::kCrosswalkX) < 2.0 &&
      std::abs(y) < detail::StreetLayout::kKerbY && std::fmod(y + 100.0, 1.0) < 0.5) {
    return kPaintReflectance;
  }
  return kRoadReflectance;
}

struct Candidate {
  double s_in, s_out;
  const Prism* prism;
};

}  // namespace

std::vector<double> beam_elevations_deg(const SensorModel& sensor) {
  std::vector<double> e;
  const int n = std::max(sensor.beams, 1);
  const double top = sensor.elevation_top_deg, bottom = sensor.elevation_bottom_deg;
  if (n == 1) return {top};
  // HDL-64E: the upper block of lasers is 1/3 deg apart, the lower block about 1/2 deg.
  const int upper = n / 2;
  const double upper_end = top - (upper - 1) / 3.0;
  const double lower_start = upper_end - 0.5;
  if (n - upper < 2 || lower_start <= bottom) {
    for (int i = 0; i < n; ++i) e.push_back(top + (bottom - top) * i / (n - 1));
    return e;
  }
  for (int i = 0; i < upper; ++i) e.push_back(top - i / 3.0);
  const int lower = n - upper;
  for (int i = 0; i < lower; ++i)
    e.push_back(lower_start + (bottom - lower_start) * i / (lower - 1));
  return e;
}

ScanFrame render_frame(const Scenario& sc, int frame) {
  ScanFrame out;
  if (frame < 0 || static_cast<std::size_t>(frame) >= sc.T_world_lidar.size()) return out;
  const SensorModel& sensor = sc.options.sensor;
  const Eigen::Isometry3d& T = sc.T_world_lidar[static_cast<std::size_t>(frame)];
  const Eigen::Vector2d origin = T.translation().head<2>();
  const double height = T.translation().z();
  const double ego_yaw = std::atan2(T.linear()(1, 0), T.linear()(0, 0));
  Random rng(detail::stream_seed(sc.options.seed, 1000 + static_cast<std::uint64_t>(frame)));

  std::vector<Prism> prisms;
  for (const Prism& p : sc.statics->data.prisms) {
    if ((p.center - origin).norm() - p.bound_radius() < sensor.max_range) prisms.push_back(p);
  }
  for (std::size_t i = 0; i < sc.actors.size(); ++i) {
    if (sc.actors[i].present[static_cast<std::size_t>(frame)]) {
      add_actor_prisms(sc, static_cast<int>(i), frame, prisms);
    }
  }
  const double bin_width = 2.0 * geometry::kPi / kBins;
  std::vector<std::vector<int>> bins(kBins);
  for (std::size_t i = 0; i < prisms.size(); ++i) {
    const Eigen::Vector2d d = prisms[i].center - origin;
    const double dist = d.norm(), r = prisms[i].bound_radius();
    if (dist <= r + 1e-6) {
      for (auto& b : bins) b.push_back(static_cast<int>(i));
      continue;
    }
    const double a = std::atan2(d.y(), d.x()), half = std::asin(r / dist);
    const int b0 = static_cast<int>(std::floor((a - half + geometry::kPi) / bin_width));
    const int b1 = static_cast<int>(std::floor((a + half + geometry::kPi) / bin_width));
    for (int b = b0; b <= b1; ++b)
      bins[static_cast<std::size_t>(((b % kBins) + kBins) % kBins)].push_back(static_cast<int>(i));
  }

  const std::vector<double> elevations = beam_elevations_deg(sensor);
  const std::size_t beams = elevations.size();
  std::vector<double> tan_e(beams), cos_e(beams), sin_e(beams);
  for (std::size_t j = 0; j < beams; ++j) {
    tan_e[j] = std::tan(elevations[j] * kDeg);
    cos_e[j] = std::cos(elevations[j] * kDeg);
    sin_e[j] = std::sin(elevations[j] * kDeg);
  }
  const int columns = static_cast<int>(std::lround(360.0 / sensor.azimuth_step_deg));
  std::vector<std::vector<Eigen::Vector4f>> rings(beams);
  std::vector<std::vector<int>> owners(beams);
  const std::size_t n_actors = sc.actors.size();
  std::vector<std::size_t> rays(n_actors, 0), seen(n_actors, 0), points(n_actors, 0);
  std::vector<Candidate> candidates;
  std::vector<int> hit_actors;
  constexpr double kInf = std::numeric_limits<double>::infinity();

  for (int k = 0; k < columns; ++k) {
    const double phi = -geometry::kPi + k * sensor.azimuth_step_deg * kDeg;
    const double theta = geometry::wrap_angle(ego_yaw + phi);
    const Eigen::Vector2d dir(std::cos(theta), std::sin(theta));
    const int bin = std::clamp(static_cast<int>((theta + geometry::kPi) / bin_width), 0, kBins - 1);
    candidates.clear();
    for (int i : bins[static_cast<std::size_t>(bin)]) {
      double s_in = 0.0, s_out = 0.0;
      if (detail::footprint_interval(prisms[static_cast<std::size_t>(i)], origin, dir, s_in,
                                     s_out) &&
          s_in < sensor.max_range) {
        candidates.push_back({s_in, s_out, &prisms[static_cast<std::size_t>(i)]});
      }
    }
    const double cos_phi = std::cos(phi), sin_phi = std::sin(phi);
    for (std::size_t j = 0; j < beams; ++j) {
      const double te = tan_e[j];
      double best = te < 0.0 ? -height / te : kInf;  // the road plane z = 0
      const Prism* best_prism = nullptr;
      hit_actors.clear();
      for (const Candidate& c : candidates) {
        const Prism& p = *c.prism;
        const double s0 = std::max(c.s_in, 0.0);
        const double z = height + s0 * te;
        double s = kInf;
        if (z >= p.z0 && z <= p.z1) {
          if (c.s_in < 0.0) continue;  // the sensor inside a footprint: only tops and bottoms
          s = s0;
        } else if (z > p.z1 && te < 0.0) {
          s = (p.z1 - height) / te;
        } else if (z < p.z0 && te > 0.0) {
          s = (p.z0 - height) / te;
        }
        if (s > c.s_out || s < s0) continue;
        if (p.pass_through > 0.0) {
          if (rng.chance(p.pass_through)) continue;
          s = std::min(s - p.penetration * std::log(std::max(rng.uniform(), 1e-12)), c.s_out);
        }
        if (p.actor >= 0 && s / cos_e[j] <= sensor.max_range &&
            std::find(hit_actors.begin(), hit_actors.end(), p.actor) == hit_actors.end()) {
          hit_actors.push_back(p.actor);
        }
        if (s < best) {
          best = s;
          best_prism = &p;
        }
      }
      const double range = best / cos_e[j];
      if (!(range <= sensor.max_range)) continue;
      const int owner = best_prism != nullptr ? best_prism->actor : -1;
      for (int a : hit_actors) {
        ++rays[static_cast<std::size_t>(a)];
        if (a == owner) ++seen[static_cast<std::size_t>(a)];
      }
      if (range < sensor.min_range) continue;
      const double far = range / sensor.max_range;
      if (rng.chance(sensor.dropout + 0.25 * far * far)) continue;
      const double r = range + sensor.range_noise * rng.normal();
      const double base =
          best_prism != nullptr ? best_prism->reflectance : road_reflectance(origin + best * dir);
      const double refl = std::clamp(base + 0.03 * rng.normal(), 0.0, 1.0);
      rings[j].emplace_back(static_cast<float>(r * cos_e[j] * cos_phi),
                            static_cast<float>(r * cos_e[j] * sin_phi),
                            static_cast<float>(r * sin_e[j]), static_cast<float>(refl));
      owners[j].push_back(owner);
      if (owner >= 0) ++points[static_cast<std::size_t>(owner)];
    }
  }
  for (std::size_t j = 0; j < beams; ++j) {
    out.points.insert(out.points.end(), rings[j].begin(), rings[j].end());
    out.point_actor.insert(out.point_actor.end(), owners[j].begin(), owners[j].end());
  }

  const Eigen::Isometry3d T_lidar_world = T.inverse();
  for (std::size_t i = 0; i < n_actors; ++i) {
    const Actor& a = sc.actors[i];
    if (!a.present[static_cast<std::size_t>(frame)]) continue;
    const geometry::Cuboid world = actor_box_in_world(sc, a, frame);
    if ((world.center.head<2>() - origin).norm() > sensor.max_range) continue;
    TruthBox t;
    t.track_id = a.track_id;
    t.class_name = a.class_name;
    t.box_in_lidar = geometry::transform(T_lidar_world, world);
    t.points = points[i];
    t.visible = rays[i] > 0 ? static_cast<double>(seen[i]) / static_cast<double>(rays[i]) : 0.0;
    out.truth.push_back(std::move(t));
  }
  return out;
}

}  // namespace pcanno::synthetic
