#include "pcanno/geometry/track_interpolation.hpp"

#include <algorithm>

namespace pcanno::geometry {
namespace {

Eigen::Vector3d secant(const BoxKey& a, const BoxKey& b) {
  const double dt = b.time - a.time;
  if (!(dt > 0.0)) return Eigen::Vector3d::Zero();
  return (b.box.center - a.box.center) / dt;
}

}  // namespace

Eigen::Vector3d keyframe_velocity(const std::vector<BoxKey>& keys, std::size_t k,
                                  TangentMode mode) {
  const std::size_t n = keys.size();
  if (n < 2 || k >= n) return Eigen::Vector3d::Zero();
  Eigen::Vector3d v;
  if (k == 0) {
    v = secant(keys[0], keys[1]);
  } else if (k + 1 == n) {
    v = secant(keys[n - 2], keys[n - 1]);
  } else {
    // The derivative of the parabola through the three keyframes: exact for constant
    // acceleration, and it weighs the nearer neighbour more when the spacing is uneven.
    const double h0 = keys[k].time - keys[k - 1].time;
    const double h1 = keys[k + 1].time - keys[k].time;
    if (!(h0 > 0.0) || !(h1 > 0.0)) {
      v = h1 > 0.0 ? secant(keys[k], keys[k + 1]) : secant(keys[k - 1], keys[k]);
    } else {
      v = (secant(keys[k - 1], keys[k]) * h1 + secant(keys[k], keys[k + 1]) * h0) / (h0 + h1);
    }
  }
  if (mode == TangentMode::kHeadingAligned) {
    const Eigen::Vector3d heading = keys[k].box.rotation * Eigen::Vector3d::UnitX();
    v = v.dot(heading) * heading;
  }
  return v;
}

Cuboid interpolate_box(const std::vector<BoxKey>& keys, double time,
                       const InterpolationOptions& options) {
  if (keys.empty()) return Cuboid{};
  const auto with_size = [&](Cuboid box) {
    if (options.size) box.size = *options.size;
    return box;
  };
  if (keys.size() == 1 || time <= keys.front().time) return with_size(keys.front().box);
  if (time >= keys.back().time) return with_size(keys.back().box);

  // The last keyframe at or before `time`: with equal times, the later one wins.
  const auto after = std::upper_bound(keys.begin(), keys.end(), time,
                                      [](double t, const BoxKey& key) { return t < key.time; });
  const std::size_t k1 = static_cast<std::size_t>(after - keys.begin());
  const std::size_t k0 = k1 - 1;
  const BoxKey& a = keys[k0];
  const BoxKey& b = keys[k1];
  const double h = b.time - a.time;
  if (!(h > 0.0)) return with_size(b.box);
  const double s = (time - a.time) / h;

  const Eigen::Vector3d m0 = keyframe_velocity(keys, k0, options.tangent) * h;
  const Eigen::Vector3d m1 = keyframe_velocity(keys, k1, options.tangent) * h;
  const double s2 = s * s;
  const double s3 = s2 * s;
  const double h00 = 2 * s3 - 3 * s2 + 1;
  const double h10 = s3 - 2 * s2 + s;
  const double h01 = -2 * s3 + 3 * s2;
  const double h11 = s3 - s2;

  Cuboid out;
  out.center = h00 * a.box.center + h10 * m0 + h01 * b.box.center + h11 * m1;
  out.rotation = a.box.rotation.slerp(s, b.box.rotation).normalized();
  out.size = options.size ? *options.size : ((1.0 - s) * a.box.size + s * b.box.size).eval();
  return out;
}

Cuboid interpolate_box_linear(const BoxKey& a, const BoxKey& b, double time) {
  const double h = b.time - a.time;
  const double s = h > 0.0 ? (time - a.time) / h : 1.0;
  const double yaw = (1.0 - s) * a.box.yaw() + s * b.box.yaw();
  return Cuboid::from_yaw((1.0 - s) * a.box.center + s * b.box.center,
                          (1.0 - s) * a.box.size + s * b.box.size, yaw);
}

}  // namespace pcanno::geometry
