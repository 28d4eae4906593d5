#pragma once
#include <cstddef>
#include <vector>

#include "pcanno/formats/clouds/point_cloud.hpp"
#include "pcanno/formats/datasets/sequence.hpp"
#include "pcanno/formats/labels/annotations.hpp"
#include "pcanno/formats/support/expected.hpp"
#include "pcanno/geometry/cuboid.hpp"

// The one count of "LiDAR points in a box": QA's few-points rule (qa.hpp) and the workstation's
// live readout of the selected box both call these, so that the number an annotator sees is the
// number the check compares with its minimum.

namespace pcanno::plugin {

/// How many points of `cloud` lie inside each of `boxes_in_lidar` (`result[b]` for `boxes[b]`).
/// The boxes are in the LiDAR frame of the cloud's frame (what formats::box_in_lidar gives); they
/// are moved into the cloud's float frame (T_lidar_cloud, for georeferenced clouds) and tested
/// with geometry::points_in_cuboids: double precision, the boundary counts as inside, non-finite
/// points are never inside.
std::vector<std::size_t> count_points_in_boxes(const formats::PointCloud& cloud,
                                               const std::vector<geometry::Cuboid>& boxes_in_lidar);

/// What the workstation shows about a box at its frame.
struct BoxPoints {
  std::size_t points = 0;  ///< LiDAR points inside (count_points_in_boxes)
  double range = 0.0;      ///< [m] distance of the box's centre from the sensor (LiDAR frame)
};

/// `state`'s points and range with `cloud`, the cloud of `state.frame`. The box goes into the
/// LiDAR frame through formats::box_in_lidar, as QA's check does: a world-frame box needs the
/// frame's pose from `sequence` (kUnsupported naming the frame without one).
formats::Expected<BoxPoints> box_points(const formats::BoxState& state,
                                        const formats::Sequence* sequence,
                                        const formats::PointCloud& cloud);

}  // namespace pcanno::plugin
