#include "pcanno/formats/labels/shape_frames.hpp"

#include <string>

namespace pcanno::formats {

std::optional<geometry::Pose> T_world_lidar_at(const Sequence* sequence, std::int64_t frame) {
  if (sequence == nullptr || frame < 0 ||
      static_cast<std::size_t>(frame) >= sequence->frames.size()) {
    return std::nullopt;
  }
  return sequence->frames[static_cast<std::size_t>(frame)].T_world_lidar;
}

namespace {

Error no_pose(std::int64_t frame, const char* from, const char* to) {
  return Error{ErrorCode::kUnsupported,
               std::string("frame ") + std::to_string(frame) + ": moving a box from the " + from +
                   " frame to the " + to +
                   " frame needs that frame's pose; give a sequence with poses (--sequence)",
               ""};
}

}  // namespace

Expected<geometry::Cuboid> box_in_lidar(const BoxState& state, const Sequence* sequence) {
  if (state.shape_frame == ShapeFrame::kLidar) return state.box;
  const auto T = T_world_lidar_at(sequence, state.frame);
  if (!T) return no_pose(state.frame, "world", "LiDAR");
  return geometry::transform(geometry::invert(*T), state.box);
}

Expected<geometry::Cuboid> box_in_world(const BoxState& state, const Sequence* sequence) {
  if (state.shape_frame == ShapeFrame::kWorld) return state.box;
  const auto T = T_world_lidar_at(sequence, state.frame);
  if (!T) return no_pose(state.frame, "LiDAR", "world");
  return geometry::transform(*T, state.box);
}

}  // namespace pcanno::formats
