#include "pcanno/plugin/polyline_commands.hpp"

#include <utility>

#include "command_support.hpp"

namespace pcanno::plugin {

using formats::PolylineEdit;
using formats::PolylineState;
using formats::PolylineStateEdit;
using formats::PolylineTrack;
using namespace detail;

namespace {

Status check_line(const geometry::Polyline& line) {
  if (line.vertices.empty()) return invalid("a polyline needs at least one vertex");
  for (const Eigen::Vector3d& v : line.vertices) {
    if (!v.allFinite()) return invalid("a polyline vertex has a non-finite coordinate");
  }
  return {};
}

/// The line at (id, frame) for editing, or kNotFound.
Expected<geometry::Polyline> line_at(const Annotations& doc, std::int64_t id, std::int64_t frame) {
  const PolylineTrack* p = doc.polyline(id);
  if (p == nullptr) return not_found("no polyline " + std::to_string(id));
  const PolylineState* s = p->at(frame);
  if (s == nullptr) {
    return not_found("polyline " + std::to_string(id) + " has no line in frame " +
                     std::to_string(frame));
  }
  return s->line;
}

Error no_vertex(std::size_t index, std::size_t count) {
  return not_found("no vertex " + std::to_string(index) + " (the line has " +
                   std::to_string(count) + ")");
}

/// The command replacing (id, frame) with `line`, named `name`.
Expected<Command> replace(const Annotations& doc, std::int64_t id, std::int64_t frame,
                          geometry::Polyline line, const char* name) {
  const PolylineTrack* p = doc.polyline(id);
  if (p == nullptr) return not_found("no polyline " + std::to_string(id));
  if (Status ok = check_line(line); !ok) return std::move(ok).error();
  if (frame < 0) return invalid("frame " + std::to_string(frame) + " is negative");
  PolylineState state;
  if (const PolylineState* old = p->at(frame)) state = *old;
  state.frame = frame;
  state.line = std::move(line);
  state.provenance = formats::Provenance::kManual;
  state.keyframe = true;
  return Command{name, {PolylineStateEdit{id, frame, std::move(state)}}};
}

}  // namespace

Expected<Command> create_polyline(const Annotations& doc, const std::string& label,
                                  std::int64_t frame, const geometry::Polyline& line,
                                  formats::ShapeFrame shape_frame, std::int64_t id) {
  if (Status ok = check_label(label); !ok) return std::move(ok).error();
  if (Status ok = check_line(line); !ok) return std::move(ok).error();
  if (frame < 0) return invalid("frame " + std::to_string(frame) + " is negative");
  const std::int64_t new_id = id < 0 ? next_polyline_id(doc) : id;
  if (doc.polyline(new_id) != nullptr) {
    return conflict("polyline id " + std::to_string(new_id) + " is in use");
  }
  Command cmd{"Create polyline", {}};
  ensure_class_edit(doc, label, cmd);
  PolylineTrack track;
  track.id = new_id;
  track.label = label;
  PolylineState state;
  state.frame = frame;
  state.line = line;
  state.shape_frame = shape_frame;
  track.states.push_back(std::move(state));
  cmd.edits.push_back(PolylineEdit{new_id, std::move(track)});
  return cmd;
}

Expected<Command> set_polyline(const Annotations& doc, std::int64_t id, std::int64_t frame,
                               const geometry::Polyline& line) {
  return replace(doc, id, frame, line, "Edit polyline");
}

Expected<Command> insert_vertex(const Annotations& doc, std::int64_t id, std::int64_t frame,
                                std::size_t index, const Eigen::Vector3d& point) {
  Expected<geometry::Polyline> line = line_at(doc, id, frame);
  if (!line) return std::move(line).error();
  if (index > line->vertices.size()) return no_vertex(index, line->vertices.size());
  line->vertices.insert(line->vertices.begin() + static_cast<std::ptrdiff_t>(index), point);
  return replace(doc, id, frame, std::move(*line), "Insert vertex");
}

Expected<Command> move_vertex(const Annotations& doc, std::int64_t id, std::int64_t frame,
                              std::size_t index, const Eigen::Vector3d& point) {
  Expected<geometry::Polyline> line = line_at(doc, id, frame);
  if (!line) return std::move(line).error();
  if (index >= line->vertices.size()) return no_vertex(index, line->vertices.size());
  line->vertices[index] = point;
  return replace(doc, id, frame, std::move(*line), "Move vertex");
}

Expected<Command> delete_vertex(const Annotations& doc, std::int64_t id, std::int64_t frame,
                                std::size_t index) {
  Expected<geometry::Polyline> line = line_at(doc, id, frame);
  if (!line) return std::move(line).error();
  if (index >= line->vertices.size()) return no_vertex(index, line->vertices.size());
  if (line->vertices.size() == 1) {
    return conflict("the line's last vertex cannot be deleted; delete the polyline instead");
  }
  line->vertices.erase(line->vertices.begin() + static_cast<std::ptrdiff_t>(index));
  return replace(doc, id, frame, std::move(*line), "Delete vertex");
}

Expected<Command> set_closed(const Annotations& doc, std::int64_t id, std::int64_t frame,
                             bool closed) {
  Expected<geometry::Polyline> line = line_at(doc, id, frame);
  if (!line) return std::move(line).error();
  line->closed = closed;
  return replace(doc, id, frame, std::move(*line), closed ? "Close polyline" : "Open polyline");
}

Expected<Command> delete_polyline(const Annotations& doc, std::int64_t id) {
  if (doc.polyline(id) == nullptr) return not_found("no polyline " + std::to_string(id));
  return Command{"Delete polyline", {PolylineEdit{id, std::nullopt}}};
}

Expected<Command> delete_polyline_state(const Annotations& doc, std::int64_t id,
                                        std::int64_t frame) {
  const PolylineTrack* p = doc.polyline(id);
  if (p == nullptr) return not_found("no polyline " + std::to_string(id));
  if (p->at(frame) == nullptr) {
    return not_found("polyline " + std::to_string(id) + " has no line in frame " +
                     std::to_string(frame));
  }
  // A track without states would be an invisible entry in every format: it goes with its last.
  if (p->states.size() == 1) return Command{"Delete polyline", {PolylineEdit{id, std::nullopt}}};
  return Command{"Delete polyline state", {PolylineStateEdit{id, frame, std::nullopt}}};
}

Expected<Command> set_polyline_class(const Annotations& doc, std::int64_t id,
                                     const std::string& label) {
  const PolylineTrack* p = doc.polyline(id);
  if (p == nullptr) return not_found("no polyline " + std::to_string(id));
  if (Status ok = check_label(label); !ok) return std::move(ok).error();
  Command cmd{"Change class", {}};
  ensure_class_edit(doc, label, cmd);
  PolylineTrack track = *p;
  track.label = label;
  cmd.edits.push_back(PolylineEdit{id, std::move(track)});
  return cmd;
}

Expected<Command> set_polyline_attribute(const Annotations& doc, std::int64_t id,
                                         const std::string& key,
                                         const std::optional<std::string>& value) {
  const PolylineTrack* p = doc.polyline(id);
  if (p == nullptr) return not_found("no polyline " + std::to_string(id));
  if (key.empty()) return invalid("an attribute needs a name");
  PolylineTrack track = *p;
  if (value) {
    track.attributes.insert_or_assign(key, *value);
  } else {
    track.attributes.erase(key);
  }
  return Command{"Set attribute", {PolylineEdit{id, std::move(track)}}};
}

}  // namespace pcanno::plugin
