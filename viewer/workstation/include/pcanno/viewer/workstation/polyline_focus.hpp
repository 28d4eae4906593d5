#pragma once
#include <cstddef>
#include <optional>

#include "pcanno/geometry/cuboid.hpp"
#include "pcanno/geometry/polyline.hpp"

namespace pcanno::viewer::workstation {

/// The box the side and front views are placed on for a selected polyline, as viewer::CameraFollow
/// places them on a selected box: centred on vertex `vertex` when given (and valid), else on the
/// line's middle by arc length; along the line's local direction (x, horizontal; the line's
/// segments around the vertex, or the segment of the middle), kFocusSize large. The side view
/// then shows the line's profile (along it and up), the front view a section across it.
geometry::Cuboid polyline_focus_box(const geometry::Polyline& line_in_world,
                                    std::optional<std::size_t> vertex);

/// [m] length along, width across and height of the focus box.
inline constexpr double kFocusLength = 8.0;
inline constexpr double kFocusWidth = 2.0;
inline constexpr double kFocusHeight = 2.0;

}  // namespace pcanno::viewer::workstation
