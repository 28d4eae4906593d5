#pragma once
#include <cstdint>
#include <optional>

#include "pcanno/formats/datasets/sequence.hpp"
#include "pcanno/formats/labels/annotations.hpp"
#include "pcanno/formats/support/expected.hpp"

namespace pcanno::formats {

/// `T_world_lidar` of annotation frame `frame` (frame i of the document is frame i of the
/// sequence); std::nullopt without a sequence, out of range, or when the data has no pose there.
std::optional<geometry::Pose> T_world_lidar_at(const Sequence* sequence, std::int64_t frame);

/// The box of `state` in the LiDAR frame of its own frame, and in the world frame. Moving between
/// the two needs the frame's pose; without it the error says so and names the frame (kUnsupported).
Expected<geometry::Cuboid> box_in_lidar(const BoxState& state, const Sequence* sequence);
Expected<geometry::Cuboid> box_in_world(const BoxState& state, const Sequence* sequence);

}  // namespace pcanno::formats
