#include "pcanno/geometry/box_fit.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <unordered_map>

#include "chunked_scan.hpp"
#include "cluster_grid.hpp"
#include "pcanno/geometry/angles.hpp"

namespace pcanno::geometry {
namespace {

constexpr double kDeg = M_PI / 180.0;

/// The footprint points as coordinate arrays, and scratch space for their projections: Eigen's
/// packet code vectorises the closeness loops (reductions included) over the many directions of a
/// search.
struct FootprintSoa {
  Eigen::ArrayXd x, y, along, across;

  explicit FootprintSoa(const std::vector<Eigen::Vector2d>& xy)
      : x(static_cast<Eigen::Index>(xy.size())), y(x.size()), along(x.size()), across(x.size()) {
    for (Eigen::Index i = 0; i < x.size(); ++i) {
      x[i] = xy[static_cast<std::size_t>(i)].x();
      y[i] = xy[static_cast<std::size_t>(i)].y();
    }
  }
};

/// Closeness score of the footprint direction `theta`: points near a rectangle edge score high.
double closeness(FootprintSoa& f, double theta) {
  const double c = std::cos(theta);
  const double s = std::sin(theta);
  f.along = f.x * c + f.y * s;
  f.across = f.y * c - f.x * s;
  const double lo1 = f.along.minCoeff();
  const double hi1 = f.along.maxCoeff();
  const double lo2 = f.across.minCoeff();
  const double hi2 = f.across.maxCoeff();
  // d0 caps each point's contribution, so that a point exactly on an edge does not dominate.
  constexpr double kD0 = 0.01;
  return (hi1 - f.along)
      .min(f.along - lo1)
      .min((hi2 - f.across).min(f.across - lo2))
      .max(kD0)
      .inverse()
      .sum();
}

struct CellKey {
  long x, y, z;
  bool operator==(const CellKey& o) const { return x == o.x && y == o.y && z == o.z; }
};
struct CellHash {
  std::size_t operator()(const CellKey& k) const {
    return static_cast<std::size_t>(k.x * 73856093L ^ k.y * 19349663L ^ k.z * 83492791L);
  }
};

/// The heading among yaw + k pi/2 ... closest to `hint`: yaw or yaw + pi (the footprint is
/// symmetric).
double closest_heading(double yaw, double hint) {
  const double flipped = wrap_angle(yaw + M_PI);
  return std::abs(angle_difference(yaw, hint)) <= std::abs(angle_difference(flipped, hint))
             ? wrap_angle(yaw)
             : flipped;
}

/// Grows [lo, hi] to `extent` away from `sensor`, keeping the side nearest the sensor.
void extend_away(double& lo, double& hi, double extent, double sensor) {
  if (hi - lo >= extent) return;
  if (std::abs(sensor - lo) <= std::abs(sensor - hi)) {
    hi = lo + extent;
  } else {
    lo = hi - extent;
  }
}

/// Largest distance between two points' bounding-box corners in bird's-eye view [m].
double max_extent(const std::vector<Eigen::Vector2d>& xy) {
  if (xy.empty()) return 0.0;
  Eigen::Vector2d lo = xy.front();
  Eigen::Vector2d hi = xy.front();
  for (const Eigen::Vector2d& p : xy) {
    lo = lo.cwiseMin(p);
    hi = hi.cwiseMax(p);
  }
  return (hi - lo).norm();
}

/// One point per `cell` [m] square: a vehicle's side stacks many returns on one spot of the
/// footprint, and the closeness search costs per point.
std::vector<Eigen::Vector2d> bev_thinned(const std::vector<Eigen::Vector2d>& xy, double cell) {
  std::unordered_map<CellKey, bool, CellHash> seen;
  std::vector<Eigen::Vector2d> out;
  for (const Eigen::Vector2d& p : xy) {
    const CellKey key{static_cast<long>(std::floor(p.x() / cell)),
                      static_cast<long>(std::floor(p.y() / cell)), 0};
    if (seen.emplace(key, true).second) out.push_back(p);
  }
  return out;
}

/// Calls `visit(i)` for at least every point within `radius` [m] of `seed` in bird's-eye view, in
/// index order; the caller makes the exact test. The float pre-test's margin covers the rounding of
/// the difference, and NaN fails it.
template <typename Visit>
void for_each_near_in_bev(const PointView& points, const Eigen::Vector2d& seed, double radius,
                          Visit&& visit) {
  const auto sx = static_cast<float>(seed.x());
  const auto sy = static_cast<float>(seed.y());
  const double margin = 1e-3 + 1e-6 * (std::abs(seed.x()) + std::abs(seed.y()) + radius);
  const auto r2 = static_cast<float>((radius + margin) * (radius + margin));
  detail::for_each_candidate(
      points,
      [=](float x, float y, float) {
        const float dx = x - sx;
        const float dy = y - sy;
        return dx * dx + dy * dy <= r2;
      },
      visit);
}

/// Main direction of `xy` in [0, pi/2) [rad]: the footprint of a pedestrian or cyclist is too small
/// for the L-shape's edges, but its points still stretch along the direction of travel.
std::optional<double> principal_direction(const std::vector<Eigen::Vector2d>& xy) {
  if (xy.size() < 3) return std::nullopt;
  Eigen::Vector2d mean = Eigen::Vector2d::Zero();
  for (const Eigen::Vector2d& p : xy) mean += p;
  mean /= static_cast<double>(xy.size());
  Eigen::Matrix2d cov = Eigen::Matrix2d::Zero();
  for (const Eigen::Vector2d& p : xy) cov += (p - mean) * (p - mean).transpose();
  const double angle = 0.5 * std::atan2(2 * cov(0, 1), cov(0, 0) - cov(1, 1));
  double theta = std::fmod(angle, M_PI / 2);
  if (theta < 0) theta += M_PI / 2;
  return theta;
}

/// The connected component the seed points at: among the components with points within
/// `seed_radius` of the seed in bird's-eye view, the one with the most such points. Growing from
/// the single nearest point would stop at a stray return next to the object.
std::vector<std::size_t> object_cluster(const std::vector<Eigen::Vector3d>& points,
                                        const Eigen::Vector3d& seed, const FitOptions& options) {
  if (points.empty() || !(options.cluster_radius > 0.0)) return {};
  ClusterGrid grid(points, options.cluster_radius);
  std::vector<std::vector<std::size_t>> components;
  const double near2 = options.seed_radius * options.seed_radius;
  std::size_t best = 0;
  std::size_t best_near = 0;
  double best_distance = std::numeric_limits<double>::infinity();
  for (std::size_t i = 0; i < points.size(); ++i) {
    const double d = (points[i].head<2>() - seed.head<2>()).squaredNorm();
    if (grid.taken(i) || d > near2) continue;
    std::vector<std::size_t> members = grid.grow(i);
    std::size_t near = 0;
    double nearest = std::numeric_limits<double>::infinity();
    for (const std::size_t m : members) {
      const double dm = (points[m].head<2>() - seed.head<2>()).squaredNorm();
      near += dm <= near2;
      nearest = std::min(nearest, dm);
    }
    if (near > best_near || (near == best_near && nearest < best_distance)) {
      best = components.size();
      best_near = near;
      best_distance = nearest;
    }
    components.push_back(std::move(members));
  }
  if (components.empty()) return {};
  return components[best];
}

}  // namespace

std::vector<std::size_t> grow_cluster(const std::vector<Eigen::Vector3d>& points,
                                      const Eigen::Vector3d& seed, double radius) {
  if (points.empty() || !(radius > 0.0)) return {};
  std::size_t start = 0;
  double best = std::numeric_limits<double>::infinity();
  for (std::size_t i = 0; i < points.size(); ++i) {
    const double d = (points[i].head<2>() - seed.head<2>()).squaredNorm();
    if (d < best) {
      best = d;
      start = i;
    }
  }
  return ClusterGrid(points, radius).grow(start);
}

std::optional<double> l_shape_direction(const std::vector<Eigen::Vector2d>& xy,
                                        double coarse_step_deg, double fine_step_deg) {
  if (xy.size() < 2) return std::nullopt;
  const double coarse = std::max(coarse_step_deg, 0.01) * kDeg;
  const double fine = std::max(fine_step_deg, 0.001) * kDeg;
  FootprintSoa footprint(xy);
  double best_theta = 0.0;
  double best_score = -1.0;
  const auto search = [&](double from, double to, double step) {
    for (double theta = from; theta <= to + 1e-12; theta += step) {
      const double s = closeness(footprint, theta);
      if (s > best_score) {
        best_score = s;
        best_theta = theta;
      }
    }
  };
  search(0.0, M_PI / 2 - coarse / 2, coarse);
  // Refine around the best coarse direction, then once more around the best of that, so the fine
  // step is reached without scanning the whole coarse interval at it.
  const double middle = std::max(fine, std::min(coarse / 4, 0.5 * kDeg));
  if (middle < coarse) search(best_theta - coarse, best_theta + coarse, middle);
  if (fine < middle) search(best_theta - middle, best_theta + middle, fine);
  best_theta = std::fmod(best_theta, M_PI / 2);
  if (best_theta < 0) best_theta += M_PI / 2;
  return best_theta;
}

std::optional<FitResult> fit_box(const PointView& points, const GroundModel& ground,
                                 const Eigen::Vector3d& seed, const FitOptions& options) {
  std::vector<Eigen::Vector3d> candidates;
  std::vector<std::size_t> candidate_ids;
  const double r2 = options.search_radius * options.search_radius;
  for_each_near_in_bev(points, seed.head<2>(), options.search_radius, [&](std::size_t i) {
    const std::size_t k = i * points.stride;
    const double dx = points.x[k] - seed.x();
    const double dy = points.y[k] - seed.y();
    if (!(dx * dx + dy * dy <= r2) || !std::isfinite(points.z[k])) return;
    const Eigen::Vector3d p(points.x[k], points.y[k], points.z[k]);
    const double h = ground.height_above(p);
    if (h < options.min_height || h > options.max_height) return;
    candidates.push_back(p);
    candidate_ids.push_back(i);
  });
  if (candidates.empty()) return std::nullopt;
  const std::vector<std::size_t> cluster = object_cluster(candidates, seed, options);
  if (cluster.size() < 3) return std::nullopt;

  FitResult result;
  std::vector<Eigen::Vector2d> xy;
  std::vector<double> heights;
  for (const std::size_t c : cluster) {
    result.point_ids.push_back(candidate_ids[c]);
    xy.push_back(candidates[c].head<2>());
    heights.push_back(ground.height_above(candidates[c]));
  }
  std::sort(result.point_ids.begin(), result.point_ids.end());

  // A small object's few returns say little about its heading (a cyclist seen from behind is a
  // line across it): a hint, from motion or the previous box, wins there.
  const bool small = max_extent(xy) < options.small_object_extent;
  std::optional<double> direction;
  if (small && options.heading_hint) {
    direction = std::fmod(*options.heading_hint, M_PI / 2);
    if (*direction < 0) *direction += M_PI / 2;
  } else {
    direction = small ? principal_direction(xy)
                      : l_shape_direction(bev_thinned(xy, 0.03), options.coarse_step_deg,
                                          options.fine_step_deg);
  }
  const double theta = direction.value_or(0.0);
  const Eigen::Vector2d e1(std::cos(theta), std::sin(theta));
  const Eigen::Vector2d e2(-e1.y(), e1.x());
  double lo1 = std::numeric_limits<double>::infinity();
  double hi1 = -lo1;
  double lo2 = lo1;
  double hi2 = -lo1;
  for (const Eigen::Vector2d& p : xy) {
    lo1 = std::min(lo1, p.dot(e1));
    hi1 = std::max(hi1, p.dot(e1));
    lo2 = std::min(lo2, p.dot(e2));
    hi2 = std::max(hi2, p.dot(e2));
  }
  // The box's x axis: the side along the heading hint when there is one (a scan showing one face
  // cannot tell length from width), else the footprint's longer side.
  bool e1_is_length = options.heading_hint ? std::abs(std::cos(theta - *options.heading_hint)) >=
                                                 std::abs(std::sin(theta - *options.heading_hint))
                                           : hi1 - lo1 >= hi2 - lo2;
  const bool sparse = cluster.size() < options.sparse_points;
  if (options.size_prior) {
    const Eigen::Vector3d& prior = *options.size_prior;
    const Eigen::Vector2d sensor = options.sensor_origin.head<2>();
    // Extents the scan cannot see are completed away from the sensor: the near sides are the
    // measured ones.
    const double along1 = e1_is_length ? prior.x() : prior.y();
    const double along2 = e1_is_length ? prior.y() : prior.x();
    const double w1 = hi1 - lo1;
    const double w2 = hi2 - lo2;
    if (sparse || w1 < along1 * 0.8 || w2 < along2 * 0.8) {
      extend_away(lo1, hi1, along1, sensor.dot(e1));
      extend_away(lo2, hi2, along2, sensor.dot(e2));
      result.used_prior = true;
    }
  }

  const Eigen::Vector2d centre_xy = e1 * (lo1 + hi1) / 2 + e2 * (lo2 + hi2) / 2;
  std::sort(heights.begin(), heights.end());
  const std::size_t top_index = std::min(
      heights.size() - 1,
      static_cast<std::size_t>(options.top_percentile * static_cast<double>(heights.size())));
  double height = heights[top_index];
  if (options.size_prior && (sparse || height < 0.5 * options.size_prior->z())) {
    height = std::max(height, options.size_prior->z());
    result.used_prior = true;
  }
  height = std::max(height, options.min_height);
  const double ground_z = ground.height_at(centre_xy.x(), centre_xy.y());

  const double length = e1_is_length ? hi1 - lo1 : hi2 - lo2;
  const double width = e1_is_length ? hi2 - lo2 : hi1 - lo1;
  const double yaw0 = e1_is_length ? theta : theta + M_PI / 2;
  const double yaw =
      closest_heading(yaw0, options.heading_hint.value_or(options.preferred_heading.value_or(0.0)));
  result.box =
      Cuboid::from_yaw(Eigen::Vector3d(centre_xy.x(), centre_xy.y(), ground_z + height / 2),
                       Eigen::Vector3d(std::max(length, 0.05), std::max(width, 0.05), height), yaw);
  return result;
}

}  // namespace pcanno::geometry
