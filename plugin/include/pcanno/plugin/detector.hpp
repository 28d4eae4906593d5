#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "pcanno/formats/clouds/point_cloud.hpp"
#include "pcanno/formats/datasets/sequence.hpp"
#include "pcanno/formats/labels/annotations.hpp"
#include "pcanno/formats/support/expected.hpp"
#include "pcanno/geometry/cuboid.hpp"
#include "pcanno/geometry/pose.hpp"

// Detectors: the components that pre-label a frame. A detector sees one LiDAR frame (its points in
// the LiDAR frame, its pose and calibration when the sequence has them) and returns boxes with a
// class and a score. The registry holds detector factories; a run creates one Detector and feeds it
// the frames in order, so a detector that keeps state (an external process, a model loaded once)
// pays its start-up once per run.

namespace pcanno::plugin {

/// One frame as a detector sees it. Pointers are valid for the call only.
struct DetectorFrame {
  std::int64_t index = 0;                       ///< frame index in the sequence
  std::int64_t timestamp_us = -1;               ///< [us]; -1 when unknown
  const formats::PointCloud* cloud = nullptr;   ///< points in the LiDAR frame [m]; never null
  std::optional<geometry::Pose> T_world_lidar;  ///< the LiDAR's pose when the sequence has poses
  const formats::Calibration* calibration = nullptr;  ///< nullptr when the sequence has none
};

/// One detected object.
struct Detection {
  std::string class_name;           ///< a class of the session's schema ("Car", "Pedestrian", ...)
  geometry::Cuboid box_in_lidar;    ///< in the frame's LiDAR frame [m, rad]
  double score = 0.0;               ///< [0, 1] detector confidence
  formats::AttributeMap attributes; ///< anything else the detector reports, kept on the box
};

/// A running detector. detect() is called once per frame, in frame order within a run; it must not
/// throw (errors are values) and should poll `stop` between expensive steps, returning kCancelled
/// when it says so.
class Detector {
 public:
  virtual ~Detector() = default;
  virtual formats::Expected<std::vector<Detection>> detect(
      const DetectorFrame& frame, const std::function<bool()>& stop) = 0;
};

}  // namespace pcanno::plugin
