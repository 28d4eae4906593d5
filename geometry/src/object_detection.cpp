#include "pcanno/geometry/object_detection.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>

#include "pcanno/geometry/angles.hpp"
#include "pcanno/geometry/box_fit.hpp"
#include "axis_extent.hpp"

namespace pcanno::geometry {
namespace {

/// Typical size of each class (length, width, height [m]): the KITTI training means, rounded.
struct ClassSize {
  double length;
  double width;
  double height;
};

ClassSize class_size(ObjectClass c) {
  switch (c) {
    case ObjectClass::kCar: return {3.9, 1.6, 1.5};
    case ObjectClass::kVan: return {5.1, 1.9, 2.2};
    case ObjectClass::kTruck: return {10.0, 2.6, 3.3};
    case ObjectClass::kPedestrian: return {0.8, 0.6, 1.75};
    case ObjectClass::kCyclist: return {1.75, 0.6, 1.7};
  }
  return {1.0, 1.0, 1.0};
}

bool is_vehicle(ObjectClass c) {
  return c == ObjectClass::kCar || c == ObjectClass::kVan || c == ObjectClass::kTruck;
}

/// Heights below this [m] above the ground are a vehicle's vertical sides (bumpers, doors), under
/// the hood and the windows that the beams see through or from above.
constexpr double kLowBand = 1.0;
/// [m] the most a vehicle's surface scatters the returns of one spot (ClusterShape::roughness) at
/// the sensor; 1 mm more per metre of range.
constexpr double kMaxRoughness = 0.09;
/// ClusterShape::skirt_gap below this: the object stands on the ground along nearly all of its
/// length (a wall, a shed, a hedge, a fence). A vehicle's wheels touch it along at most about half
/// of a side (two 0.65 m wheels of a 4 m car) or a fifth of its back; vehicles measure 0.4-0.8
/// near and down to about 0.25 at 40 m, where a stretch holds a ring or two. The margin below
/// covers the 0.25 m stretches, the ground model's error and a partly hidden underside.
constexpr double kGroundedSkirt = 0.15;
bool grounded(const ClusterShape& s) { return s.skirt_gap >= 0.0 && s.skirt_gap < kGroundedSkirt; }

/// The roughness above which a cluster's sides are leaves, not a vehicle's surface. (A strong
/// skirt does not excuse a rough side: bushes and young trees on bare stems have one.)
double leaves_roughness(const ClusterShape& s) { return kMaxRoughness + 0.001 * s.range; }

double quantile(std::vector<double> values, double q) {
  if (values.empty()) return 0.0;
  const auto k = static_cast<std::size_t>(q * static_cast<double>(values.size() - 1));
  std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(k), values.end());
  return values[k];
}

/// The footprint's principal direction in [0, pi/2) [rad]: the heading of few-point objects,
/// whose outline the L-shape search would over-fit.
double principal_direction(const std::vector<Eigen::Vector2d>& xy) {
  Eigen::Vector2d mean = Eigen::Vector2d::Zero();
  for (const Eigen::Vector2d& p : xy) mean += p;
  mean /= static_cast<double>(xy.size());
  double cxx = 0.0;
  double cyy = 0.0;
  double cxy = 0.0;
  for (const Eigen::Vector2d& p : xy) {
    const Eigen::Vector2d d = p - mean;
    cxx += d.x() * d.x();
    cyy += d.y() * d.y();
    cxy += d.x() * d.y();
  }
  double theta = 0.5 * std::atan2(2.0 * cxy, cxx - cyy);
  theta = std::fmod(theta, M_PI / 2);
  return theta < 0 ? theta + M_PI / 2 : theta;
}

/// [lo, hi] grown to `extent` on the side away from the sensor at `sensor`: the near sides are
/// the measured ones.
void complete_away(double& lo, double& hi, double extent, double sensor) {
  if (hi - lo >= extent) return;
  if (std::abs(sensor - lo) <= std::abs(sensor - hi)) {
    hi = lo + extent;
  } else {
    lo = hi - extent;
  }
}

/// The box of `shape` completed to the class's typical footprint where the scan saw less of it.
Cuboid completed_box(const ClusterShape& shape, ObjectClass c) {
  const ClassSize size = class_size(c);
  double yaw = shape.box.yaw();
  double length = shape.visible_length;
  double width = shape.visible_width;
  // A vehicle seen straight from behind or ahead shows one face as wide as the car: its longer
  // measured side is its width.
  if (is_vehicle(c) && length < 0.6 * size.length && length < 1.4 * size.width) {
    yaw += M_PI / 2;
    std::swap(length, width);
  }
  const Eigen::Vector2d u(std::cos(yaw), std::sin(yaw));
  const Eigen::Vector2d v(-u.y(), u.x());
  const Eigen::Vector2d centre = shape.box.center.head<2>();
  double lo1 = centre.dot(u) - length / 2;
  double hi1 = centre.dot(u) + length / 2;
  double lo2 = centre.dot(v) - width / 2;
  double hi2 = centre.dot(v) + width / 2;
  complete_away(lo1, hi1, size.length, 0.0);
  complete_away(lo2, hi2, size.width, 0.0);
  const Eigen::Vector2d c2 = u * (lo1 + hi1) / 2 + v * (lo2 + hi2) / 2;
  const double bottom = shape.box.center.z() - shape.box.size.z() / 2;
  const double height = std::max(shape.height, 0.1);
  // Front and back are not told apart: the heading facing away from the sensor's side, in
  // (-pi/2, pi/2].
  double heading = wrap_angle(yaw);
  if (heading > M_PI / 2) heading -= M_PI;
  if (heading <= -M_PI / 2) heading += M_PI;
  return Cuboid::from_yaw(Eigen::Vector3d(c2.x(), c2.y(), bottom + height / 2),
                          Eigen::Vector3d(hi1 - lo1, hi2 - lo2, height), heading);
}

/// Points a fully visible object of class `c` gets at BEV range `r` [m] from a 64-beam spinning
/// LiDAR: the returns fall with the square of the range; a car's side holds about 3000 at 10 m.
double expected_points(ObjectClass c, double r) {
  const double rr = std::max(r, 4.0);
  const double car = 3.0e5 / (rr * rr);
  switch (c) {
    case ObjectClass::kPedestrian: return car / 5.0;
    case ObjectClass::kCyclist: return car / 3.5;
    case ObjectClass::kVan: return car * 1.4;
    case ObjectClass::kTruck: return car * 2.5;
    case ObjectClass::kCar: break;
  }
  return car;
}

/// ClusterShape::skirt_gap: the lowest return of each 0.25 m stretch along the long side
/// (`along`, from `lo_long`) of the cluster `xy` (heights `h`), the foot points `foot_ids` of
/// `points` included.
void measure_skirt(ClusterShape& s, const std::vector<Eigen::Vector2d>& xy,
                     const std::vector<double>& h, const std::vector<Eigen::Vector3d>& points,
                     const std::vector<double>& heights, const std::vector<std::size_t>& foot_ids,
                     const Eigen::Vector2d& along, double lo_long) {
  constexpr double kStretch = 0.25;  // [m] a wheel (0.6-0.7 m across) fills 2-3 stretches
  const double length = s.visible_length;
  if (!(length > 0.0)) return;
  const auto n = std::max<std::size_t>(1, static_cast<std::size_t>(length / kStretch));
  const auto stretch_of = [&](const Eigen::Vector2d& p) {
    const double t = std::clamp((p.dot(along) - lo_long) / length, 0.0, 1.0);
    return std::min(static_cast<std::size_t>(t * static_cast<double>(n)), n - 1);
  };
  const double inf = std::numeric_limits<double>::infinity();
  std::vector<double> lowest(n, inf);
  std::vector<std::uint8_t> body(n, 0);
  for (std::size_t k = 0; k < xy.size(); ++k) {
    const std::size_t b = stretch_of(xy[k]);
    lowest[b] = std::min(lowest[b], h[k]);
    if (h[k] <= kLowBand) body[b] = 1;
  }
  for (const std::size_t i : foot_ids) {
    const std::size_t b = stretch_of(points[i].head<2>());
    lowest[b] = std::min(lowest[b], heights[i]);
  }
  // The skirt: stretches whose lowest return is well above the cluster's lowest level are where
  // the beams pass under the body (between the wheels, under the bumpers). A ring that crosses
  // the lowest 0.2 m hits a wall or a hedge along all of its length, a car only at its wheels;
  // when no ring does, nothing is known.
  std::vector<double> mins;
  for (std::size_t b = 0; b < n; ++b) {
    if (body[b]) mins.push_back(lowest[b]);
  }
  // A metre or more of body: a shorter view cannot show a gap between two wheels.
  if (mins.size() >= 4) {
    const double floor = quantile(mins, 0.1);
    if (floor <= 0.2) {
      const auto raised = std::count_if(mins.begin(), mins.end(),
                                        [&](double m) { return m > floor + 0.12; });
      s.skirt_gap = static_cast<double>(raised) / static_cast<double>(mins.size());
    }
  }
}

}  // namespace

std::optional<ClusterShape> measure_cluster(const std::vector<Eigen::Vector3d>& points,
                                            const std::vector<double>& heights,
                                            const std::vector<std::size_t>& ids,
                                            const GroundModel& ground) {
  return measure_cluster(points, heights, ids, {}, ground);
}

std::optional<ClusterShape> measure_cluster(const std::vector<Eigen::Vector3d>& points,
                                            const std::vector<double>& heights,
                                            const std::vector<std::size_t>& ids,
                                            const std::vector<std::size_t>& foot_ids,
                                            const GroundModel& ground) {
  if (ids.size() < 3) return std::nullopt;
  std::vector<Eigen::Vector2d> xy;
  std::vector<Eigen::Vector2d> low;
  std::vector<double> h;
  xy.reserve(ids.size());
  Eigen::Vector2d lo = Eigen::Vector2d::Constant(std::numeric_limits<double>::infinity());
  Eigen::Vector2d hi = -lo;
  for (const std::size_t i : ids) {
    xy.push_back(points[i].head<2>());
    lo = lo.cwiseMin(xy.back());
    hi = hi.cwiseMax(xy.back());
    h.push_back(heights[i]);
    if (heights[i] <= kLowBand) low.push_back(xy.back());
  }
  // The L-shape search costs per point: a dense near object is thinned to every k-th point.
  std::vector<Eigen::Vector2d> search;
  const std::size_t step = xy.size() / 1500 + 1;
  for (std::size_t i = 0; i < xy.size(); i += step) search.push_back(xy[i]);
  const bool small = (hi - lo).norm() < 1.5;
  const double theta = small ? principal_direction(xy)
                             : l_shape_direction(search, 2.0, 0.25).value_or(0.0);
  const auto [e1, e2, lo1, hi1, lo2, hi2] = detail::axis_extent(xy, theta);
  const bool e1_long = hi1 - lo1 >= hi2 - lo2;
  ClusterShape s;
  s.points = ids.size();
  s.visible_length = std::max(hi1 - lo1, hi2 - lo2);
  s.visible_width = std::min(hi1 - lo1, hi2 - lo2);
  s.height = h.size() >= 20 ? quantile(h, 0.98) : *std::max_element(h.begin(), h.end());
  const Eigen::Vector2d centre = e1 * (lo1 + hi1) / 2 + e2 * (lo2 + hi2) / 2;
  s.range = centre.norm();
  s.obliqueness = s.range > 0 ? std::abs(centre.normalized().dot(e1_long ? e1 : e2)) : 0.0;

  // Sides: a flat car door lies on the outline within the range noise; a hedge's leaves do not.
  // The outline for this test is robust (a mirror or a stray return does not move it), and the
  // tolerance covers wheels and bumpers set in from the body.
  std::vector<double> a1;
  std::vector<double> a2;
  for (const Eigen::Vector2d& p : xy) {
    a1.push_back(p.dot(e1));
    a2.push_back(p.dot(e2));
  }
  const double rlo1 = quantile(a1, 0.02);
  const double rhi1 = quantile(a1, 0.98);
  const double rlo2 = quantile(a2, 0.02);
  const double rhi2 = quantile(a2, 0.98);
  const double tolerance = 0.15 + 0.004 * s.range;
  std::size_t on_side = 0;
  const double lo_long = e1_long ? lo1 : lo2;
  const Eigen::Vector2d& along = e1_long ? e1 : e2;
  const double length = s.visible_length;
  const std::size_t bins = std::max<std::size_t>(1, static_cast<std::size_t>(length / 0.2));
  const auto bin_of = [&](const Eigen::Vector2d& p) {
    const auto bin = static_cast<std::size_t>(std::max(0.0, p.dot(along) - lo_long) / length *
                                              static_cast<double>(bins));
    return std::min(bin, bins - 1);
  };
  const auto share = [&](const std::vector<std::uint8_t>& filled) {
    return static_cast<double>(std::count(filled.begin(), filled.end(), 1)) /
           static_cast<double>(bins);
  };
  std::vector<std::uint8_t> filled(bins, 0);
  struct Spot {
    long i;
    long j;
    double d;
  };
  std::vector<Spot> spots;
  for (const Eigen::Vector2d& p : low) {
    const double a = p.dot(e1);
    const double b = p.dot(e2);
    const double d = std::min({std::abs(a - rlo1), std::abs(rhi1 - a), std::abs(b - rlo2),
                               std::abs(rhi2 - b)});
    if (d <= tolerance) ++on_side;
    filled[bin_of(p)] = 1;
    spots.push_back({static_cast<long>(std::floor(a / 0.25)), static_cast<long>(std::floor(b / 0.25)), d});
  }
  std::sort(spots.begin(), spots.end(), [](const Spot& x, const Spot& y) {
    return x.i != y.i ? x.i < y.i : x.j != y.j ? x.j < y.j : x.d < y.d;
  });
  std::vector<double> spreads;
  for (std::size_t k = 0; k < spots.size();) {
    std::size_t end = k;
    while (end < spots.size() && spots[end].i == spots[k].i && spots[end].j == spots[k].j) ++end;
    // The 10-90% spread of a cell's depths: robust to one stray return.
    if (end - k >= 4) {
      const std::size_t n = end - k;
      spreads.push_back(spots[k + (n * 9) / 10].d - spots[k + n / 10].d);
    }
    k = end;
  }
  s.roughness = spreads.empty() ? 0.0 : quantile(spreads, 0.5);
  s.side_fit = low.empty() ? 0.0 : static_cast<double>(on_side) / static_cast<double>(low.size());
  s.low_fill = low.empty() ? 0.0 : share(filled);
  std::fill(filled.begin(), filled.end(), 0);
  for (std::size_t k = 0; k < xy.size(); ++k) {
    if (h[k] >= 0.67 * s.height) filled[bin_of(xy[k])] = 1;
  }
  s.upper_fill = share(filled);
  measure_skirt(s, xy, h, points, heights, foot_ids, along, lo_long);

  const double ground_z = ground.height_at(centre.x(), centre.y());
  const double height = std::max(s.height, 0.1);
  s.box = Cuboid::from_yaw(
      Eigen::Vector3d(centre.x(), centre.y(), ground_z + height / 2),
      Eigen::Vector3d(std::max(s.visible_length, 0.05), std::max(s.visible_width, 0.05), height),
      e1_long ? theta : theta + M_PI / 2);
  return s;
}

std::optional<ObjectClass> classify_cluster(const ClusterShape& s) {
  const double length = s.visible_length;
  const double width = s.visible_width;
  const double height = s.height;
  if (s.points < 3 || height < 1.0 || height > 4.2) return std::nullopt;  // kerbs, bins, low hedges
  if (length > 12.0 || width > 3.5) return std::nullopt;  // buildings, rows of parked cars
  // Poles, trunks and signs: tall and thin.
  if (length < 1.2 && height > 2.2) return std::nullopt;
  if (length <= 1.3) {
    // Narrower than a person's shoulders: a post, a sign, a trunk.
    return length >= 0.3 && width <= 1.0 && height <= 2.1
               ? std::optional(ObjectClass::kPedestrian)
               : std::nullopt;
  }
  // A single face seen obliquely: a box would show its end too (30 degrees off square on), so it
  // is a wall, a fence or a building's side.
  const bool lone_plane = width < 0.5 && s.obliqueness > 0.5;
  if (length <= 2.3 && width < 0.9) {
    if (s.roughness > leaves_roughness(s)) return std::nullopt;  // a bush
    // One narrow face: a car or van seen from behind (as wide at the window as at the bumper) or
    // a cyclist from the side (the rider covers a third of the bicycle's length).
    if (!lone_plane && !grounded(s) && length >= 1.3 && height >= 1.1 && s.low_fill >= 0.75 &&
        s.upper_fill >= 0.65) {
      if (height <= 1.9) return ObjectClass::kCar;
      return height <= 3.0 ? std::optional(ObjectClass::kVan) : std::nullopt;
    }
    return height >= 1.3 && height <= 2.1 ? std::optional(ObjectClass::kCyclist) : std::nullopt;
  }
  if (lone_plane) return std::nullopt;
  // Vehicles from here on: flat, smooth sides, or it is vegetation. Leaves scatter the returns of
  // one spot by a decimetre and more; sheet metal by the range noise and the wheels' inset.
  if (s.side_fit < 0.35 || s.roughness > leaves_roughness(s)) return std::nullopt;
  // A vehicle rides on its wheels: beams pass under its sills and bumpers between them. What
  // stands on the ground along its whole length is a wall, a shed, a hedge or a fence.
  if (grounded(s)) return std::nullopt;
  // A long thin face is a wall, a fence or a hedge; only a truck's side is as long, and it is tall.
  if (length > 6.5) {
    return height >= 2.3 && (width >= 1.5 || height >= 3.0) ? std::optional(ObjectClass::kTruck)
                                                            : std::nullopt;
  }
  if (width < 0.4 && length > 5.5) return std::nullopt;
  if (height < 1.2) return std::nullopt;
  if (height <= 1.9) return ObjectClass::kCar;
  if (height <= 2.7) return ObjectClass::kVan;
  return ObjectClass::kTruck;
}

double detection_score(const ClusterShape& s, ObjectClass c) {
  const ClassSize size = class_size(c);
  // Enough returns for the range: a fifth of a fully visible object's counts fully (occlusion and
  // the view from one side are the rule, not the exception).
  const double count =
      std::min(1.0, static_cast<double>(s.points) / (0.2 * expected_points(c, s.range)));
  // Size: larger than the class's is suspicious (merged objects, a wall), smaller is occlusion.
  const double over = std::max(0.0, s.visible_length / (1.2 * size.length) - 1.0);
  const double tall = (s.height - size.height) / (0.35 * size.height);
  const double fit_size = std::exp(-4.0 * over * over) * std::exp(-0.5 * tall * tall);
  // Shape: vehicles have flat sides and ride on wheels (a skirt gap of half the length or more
  // counts fully, an unknown one half); people and cyclists are scored on size and count alone.
  const double smooth = std::clamp(1.0 - s.roughness / (2.0 * kMaxRoughness), 0.0, 1.0);
  const double skirt = s.skirt_gap < 0.0 ? 0.5 : std::min(1.0, s.skirt_gap / 0.5);
  const double shape = is_vehicle(c) ? (s.side_fit + smooth + skirt) / 3.0
                                     : 0.5 + 0.5 * std::min(1.0, s.low_fill + 0.3);
  return std::clamp(0.35 * count + 0.3 * fit_size + 0.35 * shape, 0.0, 1.0);
}

std::optional<std::vector<ClusterShape>> scan_clusters(const PointView& view,
                                                       const GroundModel& ground,
                                                       const ObjectDetectionOptions& options,
                                                       const std::function<bool()>& stop) {
  const auto stopped = [&] { return stop && stop(); };
  std::vector<ClusterShape> out;

  // Candidates: above the ground, inside the range and below the height limit.
  const double range = options.max_range;
  const double cell = options.cell;
  std::vector<Eigen::Vector3d> points;
  std::vector<double> heights;
  std::vector<Eigen::Vector3d> foot;  // below the clustered points: evidence of a skirt only
  std::vector<double> foot_heights;
  Eigen::Vector2d lo = Eigen::Vector2d::Constant(std::numeric_limits<double>::infinity());
  Eigen::Vector2d hi = -lo;
  for (std::size_t i = 0; i < view.size; ++i) {
    const std::size_t k = i * view.stride;
    const Eigen::Vector3d p(view.x[k], view.y[k], view.z[k]);
    if (!p.allFinite() || p.head<2>().squaredNorm() > range * range) continue;
    const double h = ground.height_above(p);
    if (h >= options.foot_height && h < options.min_height) {
      foot.push_back(p);
      foot_heights.push_back(h);
      continue;
    }
    if (h < options.min_height || h > options.max_height) continue;
    points.push_back(p);
    heights.push_back(h);
    lo = lo.cwiseMin(p.head<2>());
    hi = hi.cwiseMax(p.head<2>());
  }
  if (stopped()) return std::nullopt;
  if (points.empty()) return out;
  // The grid covers the candidates only: its memory follows the scene, not max_range.
  const auto cols = static_cast<long>((hi.x() - lo.x()) / cell) + 1;
  const auto rows = static_cast<long>((hi.y() - lo.y()) / cell) + 1;
  std::vector<std::size_t> cell_of;
  cell_of.reserve(points.size());
  for (const Eigen::Vector3d& p : points) {
    const long cx = std::clamp(static_cast<long>((p.x() - lo.x()) / cell), 0L, cols - 1);
    const long cy = std::clamp(static_cast<long>((p.y() - lo.y()) / cell), 0L, rows - 1);
    cell_of.push_back(static_cast<std::size_t>(cy * cols + cx));
  }

  // The foot points follow the clustered ones in `points` (from index `clustered`), in the same
  // grid; those outside it touch no cluster.
  const std::size_t clustered = points.size();
  const auto cells = static_cast<std::size_t>(cols * rows);
  std::vector<std::size_t> foot_cell;
  for (std::size_t i = 0; i < foot.size(); ++i) {
    const long cx = static_cast<long>(std::floor((foot[i].x() - lo.x()) / cell));
    const long cy = static_cast<long>(std::floor((foot[i].y() - lo.y()) / cell));
    if (cx < 0 || cy < 0 || cx >= cols || cy >= rows) continue;
    points.push_back(foot[i]);
    heights.push_back(foot_heights[i]);
    foot_cell.push_back(static_cast<std::size_t>(cy * cols + cx));
  }

  // Counting sort of the points by cell.
  const auto sort_by_cell = [cells](const std::vector<std::size_t>& cell_of_point,
                                    std::size_t first, std::vector<std::uint32_t>& start,
                                    std::vector<std::uint32_t>& order) {
    start.assign(cells + 1, 0);
    for (const std::size_t c : cell_of_point) ++start[c + 1];
    for (std::size_t c = 0; c < cells; ++c) start[c + 1] += start[c];
    order.resize(cell_of_point.size());
    std::vector<std::uint32_t> fill(start.begin(), start.end() - 1);
    for (std::size_t i = 0; i < cell_of_point.size(); ++i) {
      order[fill[cell_of_point[i]]++] = static_cast<std::uint32_t>(first + i);
    }
  };
  std::vector<std::uint32_t> start;
  std::vector<std::uint32_t> order;
  sort_by_cell(cell_of, 0, start, order);
  std::vector<std::uint32_t> foot_start;
  std::vector<std::uint32_t> foot_order;
  sort_by_cell(foot_cell, clustered, foot_start, foot_order);

  // Per cell, the column of an object standing on the ground: from its lowest point up to the
  // first vertical gap. Overhanging cells (lowest point high up) are left out.
  const float none = std::numeric_limits<float>::quiet_NaN();
  std::vector<float> base(cells, none);
  std::vector<float> top(cells, none);
  std::vector<std::size_t> occupied;
  std::vector<double> column;
  for (std::size_t c = 0; c < cells; ++c) {
    if (start[c] == start[c + 1]) continue;
    column.clear();
    for (std::uint32_t j = start[c]; j < start[c + 1]; ++j) column.push_back(heights[order[j]]);
    std::sort(column.begin(), column.end());
    if (column.front() > options.max_base) continue;
    double t = column.front();
    for (std::size_t j = 1; j < column.size() && column[j] - t <= options.column_gap; ++j) {
      t = column[j];
    }
    base[c] = static_cast<float>(column.front());
    top[c] = static_cast<float>(t);
    occupied.push_back(c);
  }
  if (stopped()) return std::nullopt;

  // Connected components over the cells; neighbours join when their columns overlap in height.
  std::vector<std::int32_t> label(cells, -1);
  std::vector<std::size_t> queue;
  std::vector<std::size_t> ids;
  std::vector<std::size_t> foot_ids;
  const long link = std::max(1, options.link_cells);
  std::int32_t next_label = 0;
  for (const std::size_t seed : occupied) {
    if (label[seed] >= 0) continue;
    if (stopped()) return std::nullopt;
    label[seed] = next_label;
    queue.assign(1, seed);
    for (std::size_t q = 0; q < queue.size(); ++q) {
      const std::size_t c = queue[q];
      const long cx = static_cast<long>(c) % cols;
      const long cy = static_cast<long>(c) / cols;
      for (long dy = -link; dy <= link; ++dy) {
        for (long dx = -link; dx <= link; ++dx) {
          const long nx = cx + dx;
          const long ny = cy + dy;
          if (nx < 0 || ny < 0 || nx >= cols || ny >= rows) continue;
          const auto n = static_cast<std::size_t>(ny * cols + nx);
          if (label[n] >= 0 || std::isnan(base[n])) continue;
          if (base[n] > top[c] + 0.3f || base[c] > top[n] + 0.3f) continue;
          label[n] = next_label;
          queue.push_back(n);
        }
      }
    }
    ++next_label;
    ids.clear();
    foot_ids.clear();
    for (const std::size_t c : queue) {
      for (std::uint32_t j = start[c]; j < start[c + 1]; ++j) {
        if (heights[order[j]] <= top[c]) ids.push_back(order[j]);
      }
      for (std::uint32_t j = foot_start[c]; j < foot_start[c + 1]; ++j) {
        foot_ids.push_back(foot_order[j]);
      }
    }
    if (ids.size() < options.min_points) continue;
    std::optional<ClusterShape> shape = measure_cluster(points, heights, ids, foot_ids, ground);
    if (shape) out.push_back(std::move(*shape));
  }
  return out;
}

std::optional<std::vector<ObjectDetection>> detect_objects(const PointView& view,
                                                           const ObjectDetectionOptions& options,
                                                           const std::function<bool()>& stop) {
  if (stop && stop()) return std::nullopt;
  std::vector<ObjectDetection> out;
  const std::optional<GroundModel> ground = GroundModel::fit(view, options.ground);
  if (!ground) return out;
  const std::optional<std::vector<ClusterShape>> shapes =
      scan_clusters(view, *ground, options, stop);
  if (!shapes) return std::nullopt;
  for (const ClusterShape& shape : *shapes) {
    const std::optional<ObjectClass> c = classify_cluster(shape);
    if (!c) continue;
    const double score = detection_score(shape, *c);
    if (score < options.min_score) continue;
    out.push_back(ObjectDetection{*c, completed_box(shape, *c), score, shape});
  }
  std::stable_sort(out.begin(), out.end(), [](const ObjectDetection& a, const ObjectDetection& b) {
    return a.score > b.score;
  });
  return out;
}

}  // namespace pcanno::geometry
