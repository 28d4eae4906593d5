// The C ABI: reading and editing polylines (lane lines, curbs, areas).
#include <string>
#include <vector>

#include "c_api_internal.hpp"
#include "pcanno/plugin/polyline_commands.hpp"

namespace pcanno::plugin::capi {
namespace {

using formats::PolylineState;
using formats::PolylineTrack;
using formats::ShapeFrame;

pcanno_status no_polyline(std::int64_t id) {
  return fail(PCANNO_ERR_NOT_FOUND, "no polyline " + std::to_string(id));
}

/// `count` vertices from `xyz` as a line, checking what the commands cannot (NULL, no vertex).
pcanno_status to_line(const double* xyz, std::size_t count, int32_t closed, geometry::Polyline& out,
                      const char* fn) {
  if (count == 0) {
    return fail(PCANNO_ERR_INVALID_ARGUMENT,
                std::string(fn) + ": a line needs at least one vertex");
  }
  if (xyz == nullptr) return null_argument(fn, "xyz");
  out.vertices.clear();
  out.vertices.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    out.vertices.emplace_back(xyz[3 * i], xyz[3 * i + 1], xyz[3 * i + 2]);
  }
  out.closed = closed != 0;
  return PCANNO_OK;
}

}  // namespace
}  // namespace pcanno::plugin::capi

using namespace pcanno::plugin;
using namespace pcanno::plugin::capi;

extern "C" {

pcanno_status pcanno_session_polyline_count(const pcanno_session* session, size_t* count) {
  return guarded(__func__, [&](const char* fn) {
    const Session* s = session_of(session, fn);
    if (s == nullptr) return PCANNO_ERR_INVALID_ARGUMENT;
    if (count == nullptr) return null_argument(fn, "count");
    *count = s->document().polylines.size();
    return PCANNO_OK;
  });
}

pcanno_status pcanno_session_polyline_ids(const pcanno_session* session, int64_t* ids,
                                          size_t capacity, size_t* count) {
  return guarded(__func__, [&](const char* fn) {
    const Session* s = session_of(session, fn);
    if (s == nullptr) return PCANNO_ERR_INVALID_ARGUMENT;
    std::vector<int64_t> all;
    all.reserve(s->document().polylines.size());
    for (const PolylineTrack& p : s->document().polylines) all.push_back(p.id);
    return copy_array(all, ids, capacity, count, fn);
  });
}

pcanno_status pcanno_session_polyline_frames(const pcanno_session* session, int64_t polyline_id,
                                             int64_t* frames, size_t capacity, size_t* count) {
  return guarded(__func__, [&](const char* fn) {
    const Session* s = session_of(session, fn);
    if (s == nullptr) return PCANNO_ERR_INVALID_ARGUMENT;
    const PolylineTrack* p = s->document().polyline(polyline_id);
    if (p == nullptr) return no_polyline(polyline_id);
    std::vector<int64_t> all;
    all.reserve(p->states.size());
    for (const PolylineState& st : p->states) all.push_back(st.frame);
    return copy_array(all, frames, capacity, count, fn);
  });
}

pcanno_status pcanno_session_polyline_label(const pcanno_session* session, int64_t polyline_id,
                                            char* buffer, size_t size, size_t* required) {
  return guarded(__func__, [&](const char* fn) {
    const Session* s = session_of(session, fn);
    if (s == nullptr) return PCANNO_ERR_INVALID_ARGUMENT;
    const PolylineTrack* p = s->document().polyline(polyline_id);
    if (p == nullptr) return no_polyline(polyline_id);
    return copy_out(p->label, buffer, size, required, fn);
  });
}

pcanno_status pcanno_session_get_polyline(const pcanno_session* session, int64_t polyline_id,
                                          int64_t frame, double* xyz, size_t capacity,
                                          size_t* count, int32_t* closed,
                                          int32_t* frame_of_reference) {
  return guarded(__func__, [&](const char* fn) {
    const Session* s = session_of(session, fn);
    if (s == nullptr) return PCANNO_ERR_INVALID_ARGUMENT;
    if (count == nullptr) return null_argument(fn, "count");
    if (xyz == nullptr && capacity > 0) return null_argument(fn, "xyz");
    const PolylineTrack* p = s->document().polyline(polyline_id);
    if (p == nullptr) return no_polyline(polyline_id);
    const PolylineState* state = nullptr;
    for (const PolylineState& st : p->states) {
      if (st.frame == frame) state = &st;
    }
    if (state == nullptr) {
      return fail(PCANNO_ERR_NOT_FOUND, "polyline " + std::to_string(polyline_id) +
                                            " has no line in frame " + std::to_string(frame));
    }
    if (closed != nullptr) *closed = state->line.closed ? 1 : 0;
    if (frame_of_reference != nullptr) {
      *frame_of_reference =
          state->shape_frame == ShapeFrame::kWorld ? PCANNO_FRAME_WORLD : PCANNO_FRAME_LIDAR;
    }
    const std::vector<Eigen::Vector3d>& v = state->line.vertices;
    *count = v.size();
    for (std::size_t i = 0; i < v.size() && i < capacity; ++i) {
      for (std::size_t k = 0; k < 3; ++k) xyz[3 * i + k] = v[i][static_cast<Eigen::Index>(k)];
    }
    if (capacity < v.size()) {
      return fail(PCANNO_ERR_BUFFER_TOO_SMALL, std::string(fn) + ": room for " +
                                                   std::to_string(capacity) + " vertices, " +
                                                   std::to_string(v.size()) + " are needed");
    }
    return PCANNO_OK;
  });
}

pcanno_status pcanno_session_add_polyline(pcanno_session* session, const char* label, int64_t frame,
                                          const double* xyz, size_t vertex_count, int32_t closed,
                                          int32_t frame_of_reference, int64_t* polyline_id) {
  return guarded(__func__, [&](const char* fn) {
    Session* s = session_of(session, fn);
    if (s == nullptr) return PCANNO_ERR_INVALID_ARGUMENT;
    if (pcanno_status ok = check_frame(*s, frame, fn); ok != PCANNO_OK) return ok;
    if (frame_of_reference != PCANNO_FRAME_LIDAR && frame_of_reference != PCANNO_FRAME_WORLD) {
      return fail(PCANNO_ERR_INVALID_ARGUMENT, std::string(fn) + ": frame_of_reference " +
                                                   std::to_string(frame_of_reference) +
                                                   " is neither PCANNO_FRAME_LIDAR nor _WORLD");
    }
    const ShapeFrame shape_frame =
        frame_of_reference == PCANNO_FRAME_WORLD ? ShapeFrame::kWorld : ShapeFrame::kLidar;
    // A world-frame line of a sequence without that pose could never be shown or exported.
    if (shape_frame == ShapeFrame::kWorld && s->sequence() != nullptr && !s->T_world_lidar(frame)) {
      return fail(PCANNO_ERR_INVALID_ARGUMENT,
                  std::string(fn) + ": the sequence has no pose for frame " +
                      std::to_string(frame) + "; give the line in PCANNO_FRAME_LIDAR");
    }
    pcanno::geometry::Polyline line;
    if (pcanno_status ok = to_line(xyz, vertex_count, closed, line, fn); ok != PCANNO_OK) return ok;
    const std::string name =
        optional_string(label).empty()
            ? s->document().default_class(pcanno::formats::ShapeKind::kPolyline)
            : std::string(label);
    const std::int64_t id = next_polyline_id(s->document());
    if (pcanno_status ok =
            apply_command(*s, create_polyline(s->document(), name, frame, line, shape_frame, id));
        ok != PCANNO_OK) {
      return ok;
    }
    if (polyline_id != nullptr) *polyline_id = id;
    return PCANNO_OK;
  });
}

pcanno_status pcanno_session_set_polyline_vertices(pcanno_session* session, int64_t polyline_id,
                                                   int64_t frame, const double* xyz,
                                                   size_t vertex_count, int32_t closed) {
  return guarded(__func__, [&](const char* fn) {
    Session* s = session_of(session, fn);
    if (s == nullptr) return PCANNO_ERR_INVALID_ARGUMENT;
    if (s->document().polyline(polyline_id) == nullptr) return no_polyline(polyline_id);
    if (pcanno_status ok = check_frame(*s, frame, fn); ok != PCANNO_OK) return ok;
    pcanno::geometry::Polyline line;
    if (pcanno_status ok = to_line(xyz, vertex_count, closed, line, fn); ok != PCANNO_OK) return ok;
    return apply_command(*s, set_polyline(s->document(), polyline_id, frame, line));
  });
}

pcanno_status pcanno_session_delete_polyline(pcanno_session* session, int64_t polyline_id) {
  return guarded(__func__, [&](const char* fn) {
    Session* s = session_of(session, fn);
    if (s == nullptr) return PCANNO_ERR_INVALID_ARGUMENT;
    return apply_command(*s, delete_polyline(s->document(), polyline_id));
  });
}

}  // extern "C"
