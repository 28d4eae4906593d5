#pragma once
#include <cstdint>
#include <optional>

#include "pcanno/formats/datasets/sequence.hpp"
#include "pcanno/formats/labels/annotations.hpp"

namespace pcanno::formats {

/// Nominal LiDAR sweep period when neither the dataset nor the document has timestamps (KITTI
/// tracking): the Velodyne HDL-64E spins at 10 Hz [s].
inline constexpr double kNominalFramePeriodS = 0.1;

/// Recorded time of `frame` [s]: the sequence's timestamp (the sensor's clock), else the
/// document's; nullopt when neither has one. `sequence` may be null. Speeds, accelerations and
/// motion models all take their times from here, so they agree on one clock.
std::optional<double> recorded_time_s(const Sequence* sequence, const Annotations& document,
                                      std::int64_t frame);

/// recorded_time_s(), else frame * kNominalFramePeriodS [s].
double frame_time_s(const Sequence* sequence, const Annotations& document, std::int64_t frame);

}  // namespace pcanno::formats
