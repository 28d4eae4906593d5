#pragma once
#include <optional>

#include "pcanno/formats/clouds/point_cloud.hpp"
#include "pcanno/formats/labels/class_schema.hpp"
#include "pcanno/geometry/line_evidence.hpp"

namespace pcanno::plugin {

/// The scan evidence a polyline class follows (tracing, refinement); nullopt for a class whose
/// lines follow nothing (evidence none): such lines are neither traced nor refined.
inline std::optional<geometry::LineFeature> line_feature_of(formats::LineEvidence evidence) {
  switch (evidence) {
    case formats::LineEvidence::kMarking:
      return geometry::LineFeature::kMarking;
    case formats::LineEvidence::kCurb:
      return geometry::LineFeature::kCurb;
    case formats::LineEvidence::kNone:
      break;
  }
  return std::nullopt;
}

/// One cloud prepared for line evidence, in its LiDAR frame (the cloud's origin added, in
/// double), with its "intensity" column when it has one. A georeferenced cloud (non-zero origin)
/// gets no range limit (LineScanOptions::max_range), its frame not being centred on the sensor.
geometry::LineScan line_scan_of(const formats::PointCloud& cloud,
                                const geometry::LineScanOptions& options = {});

}  // namespace pcanno::plugin
