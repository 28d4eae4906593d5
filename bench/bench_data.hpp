#pragma once
#include <vector>

#include "pcanno/formats/clouds/point_cloud.hpp"
#include "pcanno/geometry/cuboid.hpp"

namespace pcanno::bench {

/// KITTI tracking 0000 frame 0 (123 398 points) from the shared data; a synthetic scan of the same
/// size and extent when the shared data is absent (reported on stderr).
const formats::PointCloud& kitti_frame();

/// `n` car-sized upright boxes placed on real points of the frame, so that each holds a realistic
/// share.
std::vector<geometry::Cuboid> boxes_on_frame(int n);

/// Pairs of overlapping boxes for IoU: upright (yaw only) or arbitrarily rotated.
std::vector<std::pair<geometry::Cuboid, geometry::Cuboid>> iou_pairs(bool upright, int n);

}  // namespace pcanno::bench
