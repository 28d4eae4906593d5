#pragma once
#include <cstdint>
#include <optional>
#include <vector>

#include "pcanno/geometry/cuboid.hpp"
#include "pcanno/plugin/display/point_display.hpp"

class QAction;
class QDialog;

namespace pcanno::viewer::workstation {

/// The job that estimates the ego motion of a sequence without poses, for accumulation.
inline constexpr const char* kEgoMotionJob = "ego motion";

/// View > Display options: what every view shows of a frame (plugin::PointDisplay). The box
/// options follow the selected track: crop and focus use its box at the shown frame (nothing is
/// cropped while no box is selected), stacking piles its points from the accumulated frames onto
/// that box.
struct DisplaySettings {
  int past = 0;    ///< [frames] accumulated before the shown frame
  int future = 0;  ///< [frames] after it
  bool stack_selected = true;  ///< the selected track's points stacked in its own box frame
  bool hide_ground = false;
  bool crop_to_selected = false;  ///< only the points inside the selected box
  std::optional<plugin::DisplayRegion> crop_region;  ///< [the shown frame's LiDAR frame]
  std::optional<float> intensity_min;
  std::optional<float> intensity_max;
  bool focus = false;         ///< only the points near the selected box (Ctrl+F)
  double focus_margin = 2.0;  ///< [m]

  bool operator==(const DisplaySettings& o) const;
  bool operator!=(const DisplaySettings& o) const { return !(*this == o); }
};

/// The engine options for `settings` with `selected` the selected track when it has a box at the
/// shown frame.
plugin::DisplayOptions display_options(const DisplaySettings& settings,
                                       std::optional<std::int64_t> selected);

/// The window's display state (workstation_display.cpp).
struct DisplayState {
  DisplaySettings settings;
  plugin::PointDisplay builder;
  /// T_world_lidar per frame: the sequence's, else the ego motion estimated for the display.
  std::vector<std::optional<geometry::Pose>> poses;
  bool poses_estimated = false;  ///< `poses` come from the ego motion estimate
  std::vector<std::optional<geometry::Pose>> estimate;  ///< written by the ego motion job
  bool ego_requested = false;  ///< the ego motion job was started for this sequence
  const formats::Sequence* sequence = nullptr;  ///< whose poses `poses` are
  /// What the shown points were built from; a refresh rebuilds only when it changes.
  struct Key {
    std::int64_t frame = -1;
    const void* cloud = nullptr;
    DisplaySettings settings;
    std::optional<std::int64_t> selected;
    std::vector<geometry::Cuboid> boxes;  ///< the selected track's boxes in the frames used
    std::size_t poses = 0;
    bool operator==(const Key& o) const;
  };
  std::optional<Key> built;
  QDialog* dialog = nullptr;
  QAction* focus_action = nullptr;
  QAction* ground_action = nullptr;
};

}  // namespace pcanno::viewer::workstation
