#pragma once
#include <cstdint>
#include <string>

#include "pcanno/formats/datasets/sequence.hpp"
#include "pcanno/formats/labels/annotations.hpp"
#include "pcanno/geometry/box_fit.hpp"
#include "pcanno/plugin/services/qa.hpp"
#include "pcanno/plugin/services/report_value.hpp"

// The result fields of `pcanno fit --json` and `pcanno check --json`, built once for the CLI and
// for pcanno.fit() / pcanno.check() (report_value.hpp explains the tree).

namespace pcanno::plugin {

/// The box fitted in `frame` for class `label`: frame, class, frame_of_reference ("lidar"),
/// center and size (x, y, z) [m], yaw [rad], rotation_wxyz, points, used_prior, cut_to_prior.
ReportValue fit_report(std::int64_t frame, const std::string& label,
                       const geometry::FitResult& fit);

/// Adds the check's result to the object `out`: sequence ({layout, name, path} of `sequence`, or
/// null), summary (errors, warnings, infos, tracks, boxes, clouds_read, motion_in_world) and
/// findings (severity, check, track, label (the track's class in `labels`), frame, value, limit,
/// message; track, label and frame null when the finding is not about one).
void add_check_report(ReportValue& out, const formats::Annotations& labels,
                      const formats::Sequence* sequence, const QaReport& r);

}  // namespace pcanno::plugin
