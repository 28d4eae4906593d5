#include "pcanno/geometry/scan_registration.hpp"

#include <algorithm>
#include <cmath>

#include <Eigen/Cholesky>
#include <Eigen/Geometry>

namespace pcanno::geometry {

double AdaptiveThreshold::model_error(const Pose& deviation, double max_range) {
  const double angle = Eigen::AngleAxisd(deviation.linear()).angle();
  return deviation.translation().norm() + 2.0 * max_range * std::sin(angle / 2.0);
}

void AdaptiveThreshold::update(const Pose& deviation) {
  const double error = std::max(model_error(deviation, max_range_), min_motion_);
  if (!std::isfinite(error)) return;
  sum_squared_ += error * error;
  ++samples_;
}

double AdaptiveThreshold::sigma() const {
  return samples_ == 0 ? initial_ : std::sqrt(sum_squared_ / static_cast<double>(samples_));
}

Pose predicted_motion(const Pose& velocity) {
  // Only the turn about the sensor's up axis is carried: a car keeps turning, but it does not keep
  // pitching or rolling, and what the map constrains least on a straight street is a tilt paired
  // with a shift along the road. Carried over, the tilt the registration left in place last time
  // came back doubled in the next prediction, was again left in place, and grew every frame.
  const Eigen::Vector3d forward = velocity.linear() * Eigen::Vector3d::UnitX();
  Pose motion = Pose::Identity();
  motion.linear() =
      Eigen::AngleAxisd(std::atan2(forward.y(), forward.x()), Eigen::Vector3d::UnitZ())
          .toRotationMatrix();
  motion.translation() = velocity.translation();
  return motion;
}

IcpResult register_to_map(const std::vector<Eigen::Vector3d>& source, const VoxelHashMap& map,
                          const Pose& initial, const MapIcpOptions& options) {
  IcpResult result;
  result.T_target_source = initial;
  if (source.empty() || map.empty()) return result;
  const double k = options.kernel;
  struct Pairing {
    std::uint64_t key = ~std::uint64_t{0};  // never a packed voxel index
    std::uint32_t block = VoxelHashMap::kNone;
  };
  std::vector<Pairing> pairing(source.size());
  for (int it = 0; it < options.max_iterations; ++it) {
    if (options.stop && options.stop()) {
      result.stopped = true;
      return result;
    }
    // Turns about the sensor's position: map coordinates kilometres from the origin would make
    // the rotation's columns huge against the translation's.
    const Eigen::Vector3d centre = result.T_target_source.translation();
    Eigen::Matrix<double, 6, 6> H = Eigen::Matrix<double, 6, 6>::Zero();
    Eigen::Matrix<double, 6, 1> g = Eigen::Matrix<double, 6, 1>::Zero();
    double squared = 0.0;
    std::size_t pairs = 0;
    for (std::size_t i = 0; i < source.size(); ++i) {
      const Eigen::Vector3d q = result.T_target_source * source[i];
      Pairing& pair = pairing[i];
      if (const std::uint64_t key = map.key_of(q); key != pair.key) {
        pair.key = key;
        pair.block = map.plane_near(q, options.max_correspondence);
      }
      if (pair.block == VoxelHashMap::kNone) continue;
      const Eigen::Vector3d& n = map.plane_normal(pair.block);
      const double r = n.dot(q - map.plane_point(pair.block));
      if (std::abs(r) > options.max_correspondence) continue;
      // Geman-McClure (KISS-ICP's form): pairs far beyond the kernel (moving objects, new
      // surfaces) fade out.
      const double w = k * k / ((k + r * r) * (k + r * r));
      Eigen::Matrix<double, 6, 1> J;
      J.head<3>() = n;
      J.tail<3>() = (q - centre).cross(n);
      H.selfadjointView<Eigen::Upper>().rankUpdate(J, w);
      g += (w * r) * J;
      squared += r * r;
      ++pairs;
    }
    result.pairs = pairs;
    result.iterations = it + 1;
    if (pairs < options.min_pairs) return result;
    result.rmse = std::sqrt(squared / static_cast<double>(pairs));
    const Eigen::Matrix<double, 6, 1> dx = -H.selfadjointView<Eigen::Upper>().ldlt().solve(g);
    if (!dx.allFinite()) return result;
    const double angle = dx.tail<3>().norm();
    Eigen::Matrix3d R = Eigen::Matrix3d::Identity();
    if (angle > 0) R = Eigen::AngleAxisd(angle, dx.tail<3>() / angle).toRotationMatrix();
    // In the map frame: x -> R (x - centre) + centre + t.
    Pose update = Pose::Identity();
    update.linear() = R;
    update.translation() = dx.head<3>() + centre - R * centre;
    result.T_target_source = update * result.T_target_source;
    if (dx.head<3>().norm() + angle < options.convergence) {
      result.converged = true;
      break;
    }
  }
  result.fitness = static_cast<double>(result.pairs) / static_cast<double>(source.size());
  return result;
}

ScanOdometry::ScanOdometry(const ScanOdometryOptions& options)
    : options_(options),
      map_(options.map_voxel, options.max_points_per_voxel,
           options.map_voxel / std::sqrt(static_cast<double>(options.max_points_per_voxel))),
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
    map_.update_planes();
    ++scans_;
    step.fitness = 1.0;
    return step;
  }
  const Pose prediction = last_ * predicted_motion(velocity_);
  const double sigma = threshold_.sigma();
  MapIcpOptions icp;
  icp.max_correspondence = std::min(3.0 * sigma, options_.max_correspondence);
  icp.kernel = sigma / 3.0;
  icp.max_iterations = options_.max_iterations;
  icp.convergence = options_.convergence;
  icp.min_pairs = options_.min_pairs;
  icp.stop = stop;
  const IcpResult r = register_to_map(scan.coarse, map_, prediction, icp);
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
  // The second scan's prediction is a standstill, not a constant velocity: its deviation is the
  // first motion itself and says nothing about how good predictions are.
  if (scans_ >= 2) threshold_.update(prediction.inverse() * step.T_world_lidar);
  velocity_ = last_.inverse() * step.T_world_lidar;
  last_ = step.T_world_lidar;
  map_.add(scan.fine, last_);
  map_.remove_far(last_.translation(), options_.max_range);
  map_.update_planes();
  ++scans_;
  return step;
}

}  // namespace pcanno::geometry
