#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "pcanno/geometry/polyline.hpp"
#include "pcanno/plugin/command.hpp"

// Polyline commands (lane lines, curbs). A vertex edit replaces the polyline's state at one frame;
// an edited state becomes a manual keyframe.

namespace pcanno::plugin {

/// A new polyline track with one state; `id` -1 takes next_polyline_id().
Expected<Command> create_polyline(const Annotations& doc, const std::string& label,
                                  std::int64_t frame, const geometry::Polyline& line,
                                  formats::ShapeFrame shape_frame = formats::ShapeFrame::kLidar,
                                  std::int64_t id = -1);

/// Replaces the line at `frame` (adding a state when the track has none there).
Expected<Command> set_polyline(const Annotations& doc, std::int64_t id, std::int64_t frame,
                               const geometry::Polyline& line);

/// Inserts `point` before vertex `index` (index == size appends).
Expected<Command> insert_vertex(const Annotations& doc, std::int64_t id, std::int64_t frame,
                                std::size_t index, const Eigen::Vector3d& point);
Expected<Command> move_vertex(const Annotations& doc, std::int64_t id, std::int64_t frame,
                              std::size_t index, const Eigen::Vector3d& point);
/// Removes vertex `index`; a line keeps at least one vertex (delete the polyline instead).
Expected<Command> delete_vertex(const Annotations& doc, std::int64_t id, std::int64_t frame,
                                std::size_t index);
Expected<Command> set_closed(const Annotations& doc, std::int64_t id, std::int64_t frame,
                             bool closed);
Expected<Command> delete_polyline(const Annotations& doc, std::int64_t id);
/// Removes the polyline's state at `frame`; removing its last state removes the polyline.
Expected<Command> delete_polyline_state(const Annotations& doc, std::int64_t id,
                                        std::int64_t frame);
/// Changes a polyline track's class (added to the schema when missing).
Expected<Command> set_polyline_class(const Annotations& doc, std::int64_t id,
                                     const std::string& label);
/// Sets (value) or removes (nullopt) an attribute of a polyline track (every frame).
Expected<Command> set_polyline_attribute(const Annotations& doc, std::int64_t id,
                                         const std::string& key,
                                         const std::optional<std::string>& value);

}  // namespace pcanno::plugin
