#include "pcanno/geometry/scan_registration.hpp"

#include <algorithm>
#include <cmath>

#include <Eigen/Geometry>
#include <Eigen/SVD>

namespace pcanno::geometry {

double AdaptiveThreshold::model_error(const Pose& deviation, double max_range) {
  const double angle = Eigen::AngleAxisd(deviation.linear()).angle();
  return deviation.translation().norm() + 2.0 * max_range * std::sin(angle / 2.0);
}

void AdaptiveThreshold::update(const Pose& deviation) {
  const double error = model_error(deviation, max_range_);
  // Below the sensor's own noise the prediction was right: such errors would shrink the gate
  // to nothing on smooth drives.
  if (!(error > min_motion_)) return;
  sum_squared_ += error * error;
  ++samples_;
}

double AdaptiveThreshold::sigma() const {
  return samples_ == 0 ? initial_ : std::sqrt(sum_squared_ / static_cast<double>(samples_));
}

IcpResult register_point_to_point(const std::vector<Eigen::Vector3d>& source,
                                  const VoxelHashMap& map, const Pose& initial,
                                  const PointToPointOptions& options) {
  IcpResult result;
  result.T_target_source = initial;
  if (source.empty() || map.empty()) return result;
  const double k2 = options.kernel * options.kernel;
  for (int it = 0; it < options.max_iterations; ++it) {
    if (options.stop && options.stop()) {
      result.stopped = true;
      return result;
    }
    // Sums about the sensor's position, so that map coordinates kilometres from the origin do
    // not cancel in the cross-covariance.
    const Eigen::Vector3d centre = result.T_target_source.translation();
    double weight = 0.0;
    double squared = 0.0;
    std::size_t pairs = 0;
    Eigen::Vector3d sum_q = Eigen::Vector3d::Zero();
    Eigen::Vector3d sum_m = Eigen::Vector3d::Zero();
    Eigen::Matrix3d cross = Eigen::Matrix3d::Zero();
    for (const Eigen::Vector3d& s : source) {
      const Eigen::Vector3d q = result.T_target_source * s;
      const Eigen::Vector3d* m = map.nearest(q, options.max_correspondence);
      if (m == nullptr) continue;
      const double r2 = (q - *m).squaredNorm();
      // Geman-McClure: pairs far beyond the kernel (moving objects, new surfaces) fade out.
      const double w = k2 / ((options.kernel + r2) * (options.kernel + r2));
      const Eigen::Vector3d a = q - centre;
      const Eigen::Vector3d b = *m - centre;
      weight += w;
      sum_q += w * a;
      sum_m += w * b;
      cross += w * a * b.transpose();
      squared += r2;
      ++pairs;
    }
    result.pairs = pairs;
    result.iterations = it + 1;
    if (pairs < options.min_pairs || !(weight > 0.0)) return result;
    result.rmse = std::sqrt(squared / static_cast<double>(pairs));
    // Weighted Kabsch: the rotation and translation that best move the moved points onto their
    // partners, exactly, for these pairs and weights.
    const Eigen::Vector3d mean_q = sum_q / weight;
    const Eigen::Vector3d mean_m = sum_m / weight;
    const Eigen::Matrix3d H = cross - weight * mean_q * mean_m.transpose();
    const Eigen::JacobiSVD<Eigen::Matrix3d> svd(H, Eigen::ComputeFullU | Eigen::ComputeFullV);
    Eigen::Matrix3d D = Eigen::Matrix3d::Identity();
    D(2, 2) = (svd.matrixV() * svd.matrixU().transpose()).determinant() < 0 ? -1.0 : 1.0;
    const Eigen::Matrix3d R = svd.matrixV() * D * svd.matrixU().transpose();
    const Eigen::Vector3d t = mean_m - R * mean_q;
    if (!R.allFinite() || !t.allFinite()) return result;
    // In the map frame: x -> R (x - centre) + t + centre.
    Pose update = Pose::Identity();
    update.linear() = R;
    update.translation() = t + centre - R * centre;
    result.T_target_source = update * result.T_target_source;
    if (t.norm() + Eigen::AngleAxisd(R).angle() < options.convergence) {
      result.converged = true;
      break;
    }
  }
  result.fitness = static_cast<double>(result.pairs) / static_cast<double>(source.size());
  return result;
}

ScanOdometry::ScanOdometry(const ScanOdometryOptions& options)
    : options_(options),
      map_(options.voxel, options.max_points_per_voxel,
           options.voxel / std::sqrt(static_cast<double>(options.max_points_per_voxel))),
      threshold_(options.initial_sigma, options.min_motion, options.max_range) {}

OdometryStep ScanOdometry::add_scan(const PointView& scan, const std::function<bool()>& stop) {
  const int factor = std::max(1, options_.fine_factor);
  return add_scan(double_downsample(scan, options_.voxel / factor, factor, options_.max_range),
                  stop);
}

OdometryStep ScanOdometry::add_scan(const DoubleDownsampled& scan,
                                    const std::function<bool()>& stop) {
  OdometryStep step;
  if (scans_ == 0) {
    map_.add(scan.fine);
    ++scans_;
    step.fitness = 1.0;
    return step;
  }
  const Pose prediction = last_ * velocity_;
  const double sigma = threshold_.sigma();
  PointToPointOptions icp;
  icp.max_correspondence = std::min(3.0 * sigma, options_.max_correspondence);
  icp.kernel = sigma / 3.0;
  icp.max_iterations = options_.max_iterations;
  icp.convergence = options_.convergence;
  icp.min_pairs = options_.min_pairs;
  icp.stop = stop;
  const IcpResult r = register_point_to_point(scan.coarse, map_, prediction, icp);
  step.iterations = r.iterations;
  if (r.stopped) {
    step.stopped = true;
    step.T_world_lidar = prediction;
    return step;
  }
  // Too few pairs to solve: keep the constant-velocity prediction rather than a wild pose.
  step.registered = r.pairs >= options_.min_pairs && r.iterations > 0;
  step.T_world_lidar = step.registered ? r.T_target_source : prediction;
  step.fitness = step.registered ? r.fitness : 0.0;
  threshold_.update(prediction.inverse() * step.T_world_lidar);
  velocity_ = last_.inverse() * step.T_world_lidar;
  last_ = step.T_world_lidar;
  map_.add(scan.fine, last_);
  map_.remove_far(last_.translation(), options_.max_range);
  ++scans_;
  return step;
}

}  // namespace pcanno::geometry
