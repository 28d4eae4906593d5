#include "pcanno/geometry/ground.hpp"

#include <algorithm>
#include <cmath>
#include <random>

#include <Eigen/Eigenvalues>

namespace pcanno::geometry {
namespace {

Eigen::Vector3d point(const PointView& v, std::size_t i) {
  const std::size_t k = i * v.stride;
  return Eigen::Vector3d(v.x[k], v.y[k], v.z[k]);
}

bool finite(const Eigen::Vector3d& p) { return p.allFinite(); }

std::optional<Plane> plane_through(const Eigen::Vector3d& a, const Eigen::Vector3d& b,
                                   const Eigen::Vector3d& c) {
  Eigen::Vector3d n = (b - a).cross(c - a);
  const double norm = n.norm();
  if (!(norm > 1e-9)) return std::nullopt;
  n /= norm;
  if (n.z() < 0) n = -n;
  return Plane{n, -n.dot(a)};
}

/// RANSAC over `candidates` for the best near-horizontal plane, refined by least squares on its
/// inliers.
std::optional<Plane> ransac_plane(const std::vector<Eigen::Vector3d>& candidates,
                                  const GroundOptions& options, std::mt19937& rng) {
  if (candidates.size() < 3) return std::nullopt;
  const double min_nz = std::cos(options.max_slope_deg * M_PI / 180.0);
  std::uniform_int_distribution<std::size_t> pick(0, candidates.size() - 1);
  std::optional<Plane> best;
  std::size_t best_support = 0;
  for (int it = 0; it < options.ransac_iterations; ++it) {
    const std::optional<Plane> p =
        plane_through(candidates[pick(rng)], candidates[pick(rng)], candidates[pick(rng)]);
    if (!p || p->normal.z() < min_nz) continue;
    std::size_t support = 0;
    for (const Eigen::Vector3d& q : candidates) {
      support += std::abs(p->signed_distance(q)) <= options.inlier_distance;
    }
    if (support > best_support) {
      best_support = support;
      best = p;
    }
  }
  if (!best || best_support < 3) return std::nullopt;
  std::vector<Eigen::Vector3d> inliers;
  inliers.reserve(best_support);
  for (const Eigen::Vector3d& q : candidates) {
    if (std::abs(best->signed_distance(q)) <= options.inlier_distance) inliers.push_back(q);
  }
  const std::optional<Plane> refined = fit_plane_least_squares(inliers);
  return refined && refined->normal.z() >= min_nz ? refined : best;
}

/// A patch's ground, grown from its lowest points (Patchwork's region-wise ground fitting): the
/// lowest points seed a plane, whose inliers refit it a few times. nullopt when the patch has too
/// few points or its plane is too steep to be ground.
std::optional<Plane> patch_plane(std::vector<Eigen::Vector3d>& points,
                                 const GroundOptions& options) {
  if (points.size() < options.min_patch_points) return std::nullopt;
  std::sort(points.begin(), points.end(),
            [](const Eigen::Vector3d& a, const Eigen::Vector3d& b) { return a.z() < b.z(); });
  // The mean of the lowest few, not the lowest one: a stray return below the road is common.
  const std::size_t n_low = std::max<std::size_t>(3, points.size() / 20);
  double low = 0.0;
  for (std::size_t i = 0; i < n_low; ++i) low += points[i].z();
  low /= static_cast<double>(n_low);
  std::vector<Eigen::Vector3d> inliers;
  for (const Eigen::Vector3d& p : points) {
    if (p.z() > low + options.patch_band) break;
    inliers.push_back(p);
  }
  const double min_nz = std::cos(options.max_slope_deg * M_PI / 180.0);
  std::optional<Plane> plane;
  for (int iteration = 0; iteration < 3; ++iteration) {
    plane = fit_plane_least_squares(inliers);
    if (!plane || plane->normal.z() < min_nz) return std::nullopt;
    inliers.clear();
    for (const Eigen::Vector3d& p : points) {
      if (std::abs(plane->signed_distance(p)) <= options.inlier_distance) inliers.push_back(p);
    }
    if (inliers.size() < options.min_patch_points) return std::nullopt;
  }
  return fit_plane_least_squares(inliers);
}

}  // namespace

std::optional<Plane> fit_plane_least_squares(const std::vector<Eigen::Vector3d>& points) {
  if (points.size() < 3) return std::nullopt;
  Eigen::Vector3d mean = Eigen::Vector3d::Zero();
  for (const Eigen::Vector3d& p : points) mean += p;
  mean /= static_cast<double>(points.size());
  Eigen::Matrix3d cov = Eigen::Matrix3d::Zero();
  for (const Eigen::Vector3d& p : points) cov += (p - mean) * (p - mean).transpose();
  const Eigen::SelfAdjointEigenSolver<Eigen::Matrix3d> eig(cov);
  if (eig.info() != Eigen::Success) return std::nullopt;
  // Collinear or coincident points leave the plane undetermined.
  if (!(eig.eigenvalues()(1) > 1e-12)) return std::nullopt;
  Eigen::Vector3d n = eig.eigenvectors().col(0).normalized();
  if (n.z() < 0) n = -n;
  return Plane{n, -n.dot(mean)};
}

std::optional<GroundModel> GroundModel::fit(const PointView& points, const GroundOptions& options) {
  std::mt19937 rng(options.seed);
  // Ground candidates for the global plane: the lowest points of each coarse cell, so walls,
  // cars and trees do not outvote the road.
  std::vector<Eigen::Vector3d> all;
  all.reserve(points.size);
  Eigen::Vector2d lo(1e300, 1e300);
  Eigen::Vector2d hi(-1e300, -1e300);
  for (std::size_t i = 0; i < points.size; ++i) {
    const Eigen::Vector3d p = point(points, i);
    if (!finite(p)) continue;
    all.push_back(p);
    lo = lo.cwiseMin(p.head<2>());
    hi = hi.cwiseMax(p.head<2>());
  }
  if (all.size() < 3) return std::nullopt;
  const double cell = 2.0;
  const auto key = [&](const Eigen::Vector3d& p) {
    return std::make_pair(static_cast<long>(std::floor((p.x() - lo.x()) / cell)),
                          static_cast<long>(std::floor((p.y() - lo.y()) / cell)));
  };
  std::sort(all.begin(), all.end(), [&](const Eigen::Vector3d& a, const Eigen::Vector3d& b) {
    const auto ka = key(a);
    const auto kb = key(b);
    return ka != kb ? ka < kb : a.z() < b.z();
  });
  std::vector<Eigen::Vector3d> lowest;
  for (std::size_t i = 0; i < all.size();) {
    std::size_t j = i;
    const auto k = key(all[i]);
    while (j < all.size() && key(all[j]) == k) ++j;
    // The lowest few points of the cell (a few, not one: one stray return below the road is
    // common).
    const double floor_z = all[i + (j - i) / 10].z();
    for (std::size_t m = i; m < j && all[m].z() <= floor_z + options.inlier_distance; ++m) {
      lowest.push_back(all[m]);
    }
    i = j;
  }
  const std::optional<Plane> global = ransac_plane(lowest, options, rng);
  if (!global) return std::nullopt;

  GroundModel model;
  model.global_ = *global;
  model.patch_size_ = options.patch_size;
  model.inlier_distance_ = options.inlier_distance;
  model.origin_ = lo;
  model.columns_ = std::max(1, static_cast<int>(std::ceil((hi.x() - lo.x()) / options.patch_size)));
  model.rows_ = std::max(1, static_cast<int>(std::ceil((hi.y() - lo.y()) / options.patch_size)));
  const std::size_t cells = static_cast<std::size_t>(model.columns_) * model.rows_;
  if (cells > 100000) return model;  // a huge extent: the global plane alone
  std::vector<std::vector<Eigen::Vector3d>> candidates(cells);
  for (const Eigen::Vector3d& p : all) {
    const int c =
        std::min(model.columns_ - 1, static_cast<int>((p.x() - lo.x()) / options.patch_size));
    const int r =
        std::min(model.rows_ - 1, static_cast<int>((p.y() - lo.y()) / options.patch_size));
    candidates[static_cast<std::size_t>(r) * model.columns_ + c].push_back(p);
  }
  model.patches_.resize(cells);
  for (std::size_t i = 0; i < cells; ++i) {
    model.patches_[i] = patch_plane(candidates[i], options);
  }
  return model;
}

GroundModel GroundModel::flat(double z) {
  GroundModel model;
  model.global_ = Plane{Eigen::Vector3d::UnitZ(), -z};
  return model;
}

const Plane& GroundModel::plane_at(double x, double y) const {
  if (patches_.empty()) return global_;
  const double fc = std::floor((x - origin_.x()) / patch_size_);
  const double fr = std::floor((y - origin_.y()) / patch_size_);
  if (fc < 0 || fr < 0 || fc >= columns_ || fr >= rows_) return global_;
  const std::optional<Plane>& p =
      patches_[static_cast<std::size_t>(fr) * columns_ + static_cast<std::size_t>(fc)];
  return p ? *p : global_;
}

double GroundModel::height_above(const Eigen::Vector3d& p) const {
  return plane_at(p.x(), p.y()).signed_distance(p);
}

std::vector<bool> GroundModel::ground_mask(const PointView& points) const {
  std::vector<bool> mask(points.size, false);
  for (std::size_t i = 0; i < points.size; ++i) {
    const Eigen::Vector3d p = point(points, i);
    mask[i] = finite(p) && height_above(p) <= inlier_distance_;
  }
  return mask;
}

}  // namespace pcanno::geometry
