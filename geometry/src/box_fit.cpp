#include "pcanno/geometry/box_fit.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <unordered_map>

#include "chunked_scan.hpp"
#include "cluster_grid.hpp"
#include "dense_grid.hpp"
#include "pcanno/geometry/angles.hpp"
#include "prior_cut.hpp"
#include "axis_extent.hpp"

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

/// Grows [lo, hi] to `extent` away from `sensor`, keeping the side nearest the sensor; whether it
/// grew.
bool extend_away(double& lo, double& hi, double extent, double sensor) {
  if (hi - lo >= extent) return false;
  if (std::abs(sensor - lo) <= std::abs(sensor - hi)) {
    hi = lo + extent;
  } else {
    lo = hi - extent;
  }
  return true;
}

/// Grows [lo, hi] to `extent` about its middle; whether it grew.
bool extend_about_middle(double& lo, double& hi, double extent) {
  if (hi - lo >= extent) return false;
  const double middle = 0.5 * (lo + hi);
  lo = middle - extent / 2;
  hi = middle + extent / 2;
  return true;
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

/// The major axis of `xy` [rad], either way along it; nullopt for fewer than 3 points.
std::optional<double> principal_axis(const std::vector<Eigen::Vector2d>& xy) {
  if (xy.size() < 3) return std::nullopt;
  Eigen::Vector2d mean = Eigen::Vector2d::Zero();
  for (const Eigen::Vector2d& p : xy) mean += p;
  mean /= static_cast<double>(xy.size());
  Eigen::Matrix2d cov = Eigen::Matrix2d::Zero();
  for (const Eigen::Vector2d& p : xy) cov += (p - mean) * (p - mean).transpose();
  return 0.5 * std::atan2(2 * cov(0, 1), cov(0, 0) - cov(1, 1));
}

/// Whether `axis` [rad] (either way along it) runs more across the line of sight from `sensor` to
/// the points' mean than along it: what any upright column's visible surface does.
bool across_line_of_sight(const std::vector<Eigen::Vector2d>& xy, double axis,
                          const Eigen::Vector2d& sensor) {
  Eigen::Vector2d mean = Eigen::Vector2d::Zero();
  for (const Eigen::Vector2d& p : xy) mean += p;
  mean /= static_cast<double>(xy.size());
  const Eigen::Vector2d ray = mean - sensor;
  return std::abs(ray.x() * std::cos(axis) + ray.y() * std::sin(axis)) <
         std::sqrt(0.5) * ray.norm();
}

/// The points below half the object's height (its 95th percentile of `heights`), or all of them
/// when fewer than 3 are.
std::vector<Eigen::Vector2d> lower_half(const std::vector<Eigen::Vector2d>& xy,
                                        const std::vector<double>& heights) {
  std::vector<double> sorted = heights;
  const auto top = sorted.begin() + static_cast<std::ptrdiff_t>(sorted.size() * 95 / 100);
  std::nth_element(sorted.begin(), top, sorted.end());
  std::vector<Eigen::Vector2d> low;
  for (std::size_t i = 0; i < xy.size(); ++i) {
    if (heights[i] < 0.5 * *top) low.push_back(xy[i]);
  }
  return low.size() >= 3 ? low : xy;
}

/// The connected components the seed may point at, best first: those with points within
/// `seed_radius` of the seed in bird's-eye view, by their number of points within `near_radius`,
/// then within `seed_radius`, then by their nearest point. Growing from the single nearest point
/// would stop at a stray return next to the object.
std::vector<std::vector<std::size_t>> seed_components(const std::vector<Eigen::Vector3d>& points,
                                                      const Eigen::Vector3d& seed,
                                                      double cluster_radius, double seed_radius,
                                                      double near_radius) {
  if (points.empty() || !(cluster_radius > 0.0)) return {};
  ClusterGrid grid(points, cluster_radius);
  struct Ranked {
    std::size_t near = 0, within = 0;
    double nearest = std::numeric_limits<double>::infinity();
    std::vector<std::size_t> members;
  };
  std::vector<Ranked> components;
  const double within2 = seed_radius * seed_radius;
  const double near2 = near_radius * near_radius;
  for (std::size_t i = 0; i < points.size(); ++i) {
    const double d = (points[i].head<2>() - seed.head<2>()).squaredNorm();
    if (grid.taken(i) || d > within2) continue;
    Ranked c;
    c.members = grid.grow(i);
    for (const std::size_t m : c.members) {
      const double dm = (points[m].head<2>() - seed.head<2>()).squaredNorm();
      c.near += dm <= near2;
      c.within += dm <= within2;
      c.nearest = std::min(c.nearest, dm);
    }
    components.push_back(std::move(c));
  }
  std::stable_sort(components.begin(), components.end(), [](const Ranked& a, const Ranked& b) {
    if (a.near != b.near) return a.near > b.near;
    if (a.within != b.within) return a.within > b.within;
    return a.nearest < b.nearest;
  });
  std::vector<std::vector<std::size_t>> out;
  for (Ranked& c : components) out.push_back(std::move(c.members));
  return out;
}

/// Whether the footprint fits the prior's, enlarged by the size slack, in some direction: the
/// coarse sweep of the L-shape search, on the thinned footprint.
bool fits_prior(std::vector<Eigen::Vector2d> xy, const detail::PriorCutOptions& cut) {
  // The extents of a set are those of its convex hull (Andrew's monotone chain): a few dozen
  // vertices to project instead of every point.
  std::sort(xy.begin(), xy.end(), [](const Eigen::Vector2d& a, const Eigen::Vector2d& b) {
    return a.x() < b.x() || (a.x() == b.x() && a.y() < b.y());
  });
  const auto cross = [](const Eigen::Vector2d& o, const Eigen::Vector2d& a,
                        const Eigen::Vector2d& b) {
    return (a.x() - o.x()) * (b.y() - o.y()) - (a.y() - o.y()) * (b.x() - o.x());
  };
  std::vector<Eigen::Vector2d> hull;
  for (int pass = 0; pass < 2; ++pass) {
    const std::size_t floor = hull.size();
    for (std::size_t k = 0; k < xy.size(); ++k) {
      const Eigen::Vector2d& p = pass == 0 ? xy[k] : xy[xy.size() - 1 - k];
      while (hull.size() >= floor + 2 && cross(hull[hull.size() - 2], hull.back(), p) <= 0) {
        hull.pop_back();
      }
      hull.push_back(p);
    }
    hull.pop_back();
  }
  for (double theta = 0.0; theta < M_PI / 2; theta += 5.0 * kDeg) {
    if (detail::fits_footprint(hull, theta, cut)) return true;
  }
  return false;
}

/// [m] neighbour distance that keeps a vehicle's own points together (a scan line's returns, a
/// face's rings at 10-40 m) but leaves a gap of a few decimetres to a hedge or a wall beside it:
/// the prior cut's tight radius.
constexpr double kVehicleGroupRadius = 0.25;
/// [m] in bird's-eye view: a hedge's foliage returns from anywhere below its top, so its points
/// lie within a few decimetres of a high one; a car's body is never under anything of its own.
constexpr double kColumn = 0.4;

/// The points of a vehicle's cluster (indices into `cluster`, ascending) that are not the
/// vehicle: those under a point higher than any vehicle of the class (within `column` [m] in
/// bird's-eye view), and the groups (closer than `tight_radius` [m] in bird's-eye view and height)
/// they belong to. A car's roof is at its class's height (KITTI's 27,057 labelled cars of
/// sequences 0001-0020: median 1.50 m, 90% below 1.65 m) and nothing of it is higher; a hedge or
/// a wall beside it continues up past that, and foliage returns from anywhere in its column.
/// Empty when that leaves nothing within `reach` [m] of the `seed` (bird's-eye view): then the tall
/// thing is what was clicked (a vehicle taller than its class, or one under a tree's crown).
std::vector<std::size_t> taller_than_vehicle(const std::vector<Eigen::Vector3d>& candidates,
                                             const std::vector<double>& candidate_heights,
                                             const std::vector<std::size_t>& cluster,
                                             double over, double column, double tight_radius,
                                             const Eigen::Vector2d& seed, double reach) {
  std::vector<Eigen::Vector3d> local;
  std::vector<Eigen::Vector3d> tall;  // bird's-eye view: z = 0
  local.reserve(cluster.size());
  for (const std::size_t c : cluster) {
    local.emplace_back(candidates[c].x(), candidates[c].y(), candidate_heights[c]);
    if (candidate_heights[c] > over) tall.emplace_back(candidates[c].x(), candidates[c].y(), 0.0);
  }
  if (tall.empty()) return {};
  // A wall or hedge grown whole holds thousands of points, many of them tall: look for tall ones
  // only in the 3 x 3 cells `column` wide around each point (clamping keeps that exact: a point
  // more than a cell outside the grid has no tall point within `column`).
  const detail::DenseGrid grid(tall, detail::finite_bounds(tall), column);
  std::vector<char> under(local.size(), 0);
  for (std::size_t k = 0; k < local.size(); ++k) {
    const Eigen::Vector3d q(local[k].x(), local[k].y(), 0.0);
    const Eigen::Vector3d cell = ((q - grid.lo()) / column).array().floor();
    for (long dy = -1; dy <= 1 && under[k] == 0; ++dy) {
      for (long dx = -1; dx <= 1 && under[k] == 0; ++dx) {
        const std::size_t c = grid.index(static_cast<long>(cell.x()) + dx,
                                         static_cast<long>(cell.y()) + dy, 0);
        for (std::uint32_t i = grid.begin[c]; i < grid.begin[c + 1]; ++i) {
          if ((tall[grid.order[i]] - q).squaredNorm() <= column * column) {
            under[k] = 1;
            break;
          }
        }
      }
    }
  }
  ClusterGrid groups(local, tight_radius);
  std::vector<std::size_t> out;
  for (std::size_t k = 0; k < local.size(); ++k) {
    if (groups.taken(k)) continue;
    const std::vector<std::size_t> group = groups.grow(k);
    if (std::any_of(group.begin(), group.end(), [&](std::size_t m) { return under[m] != 0; })) {
      out.insert(out.end(), group.begin(), group.end());
    }
  }
  std::sort(out.begin(), out.end());
  std::size_t kept_near = 0;
  for (std::size_t k = 0, o = 0; k < local.size(); ++k) {
    if (o < out.size() && out[o] == k) {
      ++o;
    } else {
      kept_near += (local[k].head<2>() - seed).squaredNorm() <= reach * reach;
    }
  }
  if (kept_near < 3) return {};
  return out;
}

/// How a component larger than the class is cut, from the class's size prior and kind.
detail::PriorCutOptions cut_options(const FitOptions& options) {
  const Eigen::Vector3d& prior = *options.size_prior;
  detail::PriorCutOptions cut;
  cut.footprint = Eigen::Vector2d(std::max(prior.x(), prior.y()), std::min(prior.x(), prior.y()));
  // Higher than any object of the class: 25% above the prior, and a little for its points' noise.
  cut.tall = 1.25 * prior.z() + 0.25;
  const ObjectKind kind = options.object_kind;
  const bool small = kind == ObjectKind::kPedestrian || kind == ObjectKind::kCyclist ||
                     (kind == ObjectKind::kUnknown && cut.footprint.x() < 2.5);
  // A person's footprint is a few cells of a vehicle's grid: finer cells. A vehicle is opaque
  // below its windows: the scan sees its faces, never into it.
  cut.cell = small ? 0.05 : 0.1;
  cut.opaque = !small;
  cut.opaque_below = 0.6 * prior.z();
  cut.sensor = options.sensor_origin.head<2>();
  return cut;
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
  std::vector<double> candidate_heights;  ///< [m] above the ground
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
    candidate_heights.push_back(h);
  });
  if (candidates.empty()) return std::nullopt;
  // With a prior, "near the seed" is the class's reach: half its footprint's diagonal and the
  // half metre a click may miss the centre by. Without, the whole seed radius.
  const double near_radius =
      options.size_prior
          ? std::min(options.seed_radius, 0.5 * options.size_prior->head<2>().norm() + 0.5)
          : options.seed_radius;
  std::vector<std::vector<std::size_t>> components =
      seed_components(candidates, seed, options.cluster_radius, options.seed_radius, near_radius);
  if (components.empty()) return std::nullopt;

  FitResult result;
  std::vector<std::size_t> cluster = std::move(components.front());
  if (options.size_prior) {
    // A component larger than any object of the class is cut at the seed. When the best cut of
    // the likeliest component explains no object (a stretch of wall beside the clicked person),
    // the next components are tried: the first that fits the class or cuts to one wins.
    const detail::PriorCutOptions cut = cut_options(options);
    const std::size_t tries = std::min<std::size_t>(components.size(), 3);
    std::optional<std::vector<std::size_t>> chosen;
    for (std::size_t k = 0; k < tries && !chosen; ++k) {
      std::vector<std::size_t>& component = k == 0 ? cluster : components[k];
      // A stray return or two "fits" any class (its hull is empty) but is no object to box.
      if (component.size() < 3) continue;
      std::vector<Eigen::Vector2d> xy;
      std::vector<double> heights;
      for (const std::size_t c : component) {
        xy.push_back(candidates[c].head<2>());
        heights.push_back(candidate_heights[c]);
      }
      if (fits_prior(xy, cut)) {
        chosen = component;
        result.used_prior = k > 0;  // the likelier components were no object of the class
        break;
      }
      const std::optional<detail::PriorCut> piece =
          detail::cut_to_prior(xy, heights, seed.head<2>(), cut);
      if (!piece || piece->score <= 0 || piece->members.size() < 3) continue;
      chosen.emplace();
      for (const std::size_t m : piece->members) chosen->push_back(component[m]);
      result.cut_to_prior = true;
      result.used_prior = true;
    }
    if (chosen) cluster = std::move(*chosen);
    if (options.object_kind == ObjectKind::kVehicle) {
      // A hedge taller than the car, 0.5-1 m from its side: the region growing takes a strip of
      // it in, but too little to make the component larger than the class, so the footprint cut
      // never fires, and the strip pulls the box off the car. The height profile tells them
      // apart: 15% above the class's height and the 0.1 m of a ground estimate's error at range.
      const std::vector<std::size_t> other =
          taller_than_vehicle(candidates, candidate_heights, cluster,
                              1.15 * options.size_prior->z() + 0.1, kColumn, kVehicleGroupRadius,
                              seed.head<2>(), near_radius);
      if (!other.empty()) {
        std::vector<std::size_t> kept;
        std::size_t o = 0;
        for (std::size_t k = 0; k < cluster.size(); ++k) {
          if (o < other.size() && other[o] == k) {
            ++o;
          } else {
            kept.push_back(cluster[k]);
          }
        }
        cluster = std::move(kept);
        result.cut_to_prior = true;
        result.used_prior = true;
      }
    }
  }
  if (cluster.size() < 3) return std::nullopt;

  std::vector<Eigen::Vector2d> xy;
  std::vector<double> heights;
  for (const std::size_t c : cluster) {
    result.point_ids.push_back(candidate_ids[c]);
    xy.push_back(candidates[c].head<2>());
    heights.push_back(candidate_heights[c]);
  }
  std::sort(result.point_ids.begin(), result.point_ids.end());

  // A small object's few returns say little about its heading (a cyclist seen from behind is a
  // line across it): a hint, from motion or the previous box, wins there. Without one, the axis
  // its lower half stretches along is its length: below half its height a walking or riding
  // person's points (legs in stride, wheels and frame) run along its heading, above it shoulders
  // and handlebars run across it.
  // The class says what is small; without a class, the footprint does (a vehicle seen from behind
  // at 10 m shows a footprint smaller than a cyclist's).
  const bool small =
      options.object_kind == ObjectKind::kPedestrian ||
      options.object_kind == ObjectKind::kCyclist ||
      (options.object_kind == ObjectKind::kUnknown && max_extent(xy) < options.small_object_extent);
  std::optional<double> direction;
  std::optional<double> length_axis = options.heading_hint;  // [rad], either way along it
  if (small && options.heading_hint) {
    direction = *options.heading_hint;
  } else if (small) {
    length_axis = principal_axis(lower_half(xy, heights));
    // The scan sees a person's near side only: legs side by side, or a torso, make a strip across
    // the line of sight whichever way the person faces. Only an axis along the line of sight says
    // something (a stride seen side-on); else the heading the scene prefers (the road's, as the
    // recording car drives it), which most walkers follow.
    if (length_axis && options.object_kind == ObjectKind::kPedestrian &&
        across_line_of_sight(xy, *length_axis, options.sensor_origin.head<2>())) {
      length_axis = options.preferred_heading.value_or(0.0);
    }
    direction = length_axis;
  } else {
    direction =
        l_shape_direction(bev_thinned(xy, 0.03), options.coarse_step_deg, options.fine_step_deg);
  }
  if (direction) {
    direction = std::fmod(*direction, M_PI / 2);
    if (*direction < 0) *direction += M_PI / 2;
  }
  const double theta = direction.value_or(0.0);
  auto [e1, e2, lo1, hi1, lo2, hi2] = detail::axis_extent(xy, theta);
  // The box's x axis: the side along the heading hint or the length axis when there is one (a
  // scan showing one face cannot tell length from width), else the footprint's longer side; but a
  // vehicle's footprint no longer than the class is wide shows its back or front, not its side
  // (its roof, seen from above, gives the footprint some depth).
  bool e1_is_length = length_axis ? std::abs(std::cos(theta - *length_axis)) >=
                                        std::abs(std::sin(theta - *length_axis))
                                  : hi1 - lo1 >= hi2 - lo2;
  if (!length_axis && !small && options.size_prior) {
    const double prior_width = std::min(options.size_prior->x(), options.size_prior->y());
    const double longer = std::max(hi1 - lo1, hi2 - lo2);
    if (longer <= 1.15 * prior_width) {
      e1_is_length = !e1_is_length;
      result.used_prior = true;
    }
  }
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
    // A small object's points sample only its near surface: the prior is its least extent. A
    // vehicle's faces show its extents unless much of it is hidden.
    // A person's box holds the swing of arms and legs around the body that the points sample
    // from all sides of the centre: it grows about their middle, not away from a near face.
    const double shown = small ? 1.0 : 0.8;
    if (sparse || w1 < along1 * shown || w2 < along2 * shown) {
      const bool centred = options.object_kind == ObjectKind::kPedestrian;
      const bool grew1 = centred ? extend_about_middle(lo1, hi1, along1)
                                 : extend_away(lo1, hi1, along1, sensor.dot(e1));
      const bool grew2 = centred ? extend_about_middle(lo2, hi2, along2)
                                 : extend_away(lo2, hi2, along2, sensor.dot(e2));
      result.used_prior = result.used_prior || grew1 || grew2;
    }
  }

  const Eigen::Vector2d centre_xy = e1 * (lo1 + hi1) / 2 + e2 * (lo2 + hi2) / 2;
  std::sort(heights.begin(), heights.end());
  const std::size_t top_index = std::min(
      heights.size() - 1,
      static_cast<std::size_t>(options.top_percentile * static_cast<double>(heights.size())));
  double height = heights[top_index];
  if (options.size_prior && (sparse || height < 0.5 * options.size_prior->z()) &&
      height < options.size_prior->z()) {
    height = options.size_prior->z();
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
