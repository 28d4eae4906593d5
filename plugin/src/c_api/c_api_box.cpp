// The C ABI: reading and editing tracks and boxes.
#include <algorithm>
#include <string>
#include <vector>

#include "c_api_internal.hpp"
#include "pcanno/plugin/command.hpp"

namespace pcanno::plugin::capi {
namespace {

using formats::BoxState;
using formats::Provenance;
using formats::ShapeFrame;
using formats::Track;

std::string id_text(std::int64_t id) { return std::to_string(id); }

/// A C box as a BoxState, checking what the commands cannot (enum values, poses for WORLD).
pcanno_status to_state(const Session& s, const pcanno_box& in, BoxState& out, const char* fn) {
  if (pcanno_status ok = check_frame(s, in.frame, fn); ok != PCANNO_OK) return ok;
  if (in.frame_of_reference != PCANNO_FRAME_LIDAR && in.frame_of_reference != PCANNO_FRAME_WORLD) {
    return fail(PCANNO_ERR_INVALID_ARGUMENT, std::string(fn) + ": frame_of_reference " +
                                                 std::to_string(in.frame_of_reference) +
                                                 " is neither PCANNO_FRAME_LIDAR nor _WORLD");
  }
  if (in.provenance < PCANNO_PROVENANCE_MANUAL || in.provenance > PCANNO_PROVENANCE_MODEL) {
    return fail(PCANNO_ERR_INVALID_ARGUMENT, std::string(fn) + ": provenance " +
                                                 std::to_string(in.provenance) +
                                                 " is not a pcanno_provenance");
  }
  out.frame = in.frame;
  out.box.center = Eigen::Vector3d(in.center[0], in.center[1], in.center[2]);
  out.box.size = Eigen::Vector3d(in.size[0], in.size[1], in.size[2]);
  out.box.rotation = Eigen::Quaterniond(in.rotation_wxyz[0], in.rotation_wxyz[1],
                                        in.rotation_wxyz[2], in.rotation_wxyz[3]);
  out.shape_frame =
      in.frame_of_reference == PCANNO_FRAME_WORLD ? ShapeFrame::kWorld : ShapeFrame::kLidar;
  // Same order as formats::Provenance; the range was checked above.
  out.provenance = static_cast<Provenance>(in.provenance);
  out.keyframe = in.keyframe != 0;
  // A world-frame box of a sequence without that pose could never be shown or exported.
  if (out.shape_frame == ShapeFrame::kWorld && s.sequence() != nullptr &&
      !s.T_world_lidar(in.frame)) {
    return fail(PCANNO_ERR_INVALID_ARGUMENT,
                std::string(fn) + ": the sequence has no pose for frame " + id_text(in.frame) +
                    "; give the box in PCANNO_FRAME_LIDAR");
  }
  return PCANNO_OK;
}

void to_c(std::int64_t track_id, const BoxState& in, pcanno_box& out) {
  out = pcanno_box{};
  out.track_id = track_id;
  out.frame = in.frame;
  for (int i = 0; i < 3; ++i) {
    out.center[i] = in.box.center[i];
    out.size[i] = in.box.size[i];
  }
  out.rotation_wxyz[0] = in.box.rotation.w();
  out.rotation_wxyz[1] = in.box.rotation.x();
  out.rotation_wxyz[2] = in.box.rotation.y();
  out.rotation_wxyz[3] = in.box.rotation.z();
  out.frame_of_reference =
      in.shape_frame == ShapeFrame::kWorld ? PCANNO_FRAME_WORLD : PCANNO_FRAME_LIDAR;
  out.provenance = static_cast<int32_t>(in.provenance);
  out.keyframe = in.keyframe ? 1 : 0;
}

pcanno_status no_track(std::int64_t id) {
  return fail(PCANNO_ERR_NOT_FOUND, "no track " + id_text(id));
}

}  // namespace

pcanno_status check_frame(const Session& s, std::int64_t frame, const char* fn) {
  const auto n = static_cast<std::int64_t>(s.frame_count());
  if (frame < 0 || (n > 0 && frame >= n)) {
    return fail(PCANNO_ERR_NOT_FOUND,
                std::string(fn) + ": frame " + id_text(frame) + " is outside 0.." + id_text(n - 1));
  }
  return PCANNO_OK;
}

pcanno_status apply_command(Session& s, Expected<Command> command) {
  if (!command) return fail(command.error());
  const formats::Status ok = s.apply(*command);
  return ok ? PCANNO_OK : fail_status(ok);
}

}  // namespace pcanno::plugin::capi

using namespace pcanno::plugin;
using namespace pcanno::plugin::capi;

extern "C" {

pcanno_status pcanno_session_track_count(const pcanno_session* session, size_t* count) {
  return guarded(__func__, [&](const char* fn) {
    const Session* s = session_of(session, fn);
    if (s == nullptr) return PCANNO_ERR_INVALID_ARGUMENT;
    if (count == nullptr) return null_argument(fn, "count");
    *count = s->document().tracks.size();
    return PCANNO_OK;
  });
}

pcanno_status pcanno_session_track_ids(const pcanno_session* session, int64_t* ids, size_t capacity,
                                       size_t* count) {
  return guarded(__func__, [&](const char* fn) {
    const Session* s = session_of(session, fn);
    if (s == nullptr) return PCANNO_ERR_INVALID_ARGUMENT;
    std::vector<int64_t> all;
    all.reserve(s->document().tracks.size());
    for (const pcanno::formats::Track& t : s->document().tracks) all.push_back(t.id);
    return copy_array(all, ids, capacity, count, fn);
  });
}

pcanno_status pcanno_session_track_frames(const pcanno_session* session, int64_t track_id,
                                          int64_t* frames, size_t capacity, size_t* count) {
  return guarded(__func__, [&](const char* fn) {
    const Session* s = session_of(session, fn);
    if (s == nullptr) return PCANNO_ERR_INVALID_ARGUMENT;
    const pcanno::formats::Track* t = s->document().track(track_id);
    if (t == nullptr) return no_track(track_id);
    std::vector<int64_t> all;
    all.reserve(t->boxes.size());
    for (const pcanno::formats::BoxState& b : t->boxes) all.push_back(b.frame);
    return copy_array(all, frames, capacity, count, fn);
  });
}

pcanno_status pcanno_session_track_label(const pcanno_session* session, int64_t track_id,
                                         char* buffer, size_t size, size_t* required) {
  return guarded(__func__, [&](const char* fn) {
    const Session* s = session_of(session, fn);
    if (s == nullptr) return PCANNO_ERR_INVALID_ARGUMENT;
    const pcanno::formats::Track* t = s->document().track(track_id);
    if (t == nullptr) return no_track(track_id);
    return copy_out(t->label, buffer, size, required, fn);
  });
}

pcanno_status pcanno_session_get_box(const pcanno_session* session, int64_t track_id, int64_t frame,
                                     pcanno_box* box) {
  return guarded(__func__, [&](const char* fn) {
    const Session* s = session_of(session, fn);
    if (s == nullptr) return PCANNO_ERR_INVALID_ARGUMENT;
    if (box == nullptr) return null_argument(fn, "box");
    const pcanno::formats::Track* t = s->document().track(track_id);
    if (t == nullptr) return no_track(track_id);
    const pcanno::formats::BoxState* b = t->at(frame);
    if (b == nullptr) {
      return fail(PCANNO_ERR_NOT_FOUND,
                  "track " + id_text(track_id) + " has no box in frame " + id_text(frame));
    }
    to_c(track_id, *b, *box);
    return PCANNO_OK;
  });
}

pcanno_status pcanno_session_add_track(pcanno_session* session, const char* label,
                                       const pcanno_box* box, int64_t* track_id) {
  return guarded(__func__, [&](const char* fn) {
    Session* s = session_of(session, fn);
    if (s == nullptr) return PCANNO_ERR_INVALID_ARGUMENT;
    if (label == nullptr) return null_argument(fn, "label");
    if (box == nullptr) return null_argument(fn, "box");
    pcanno::formats::BoxState state;
    if (pcanno_status ok = to_state(*s, *box, state, fn); ok != PCANNO_OK) return ok;
    NewBox nb;
    nb.label = label;
    nb.frame = state.frame;
    nb.box = state.box;
    nb.shape_frame = state.shape_frame;
    nb.provenance = state.provenance;
    nb.keyframe = state.keyframe;
    const std::int64_t id = box->track_id < 0 ? next_track_id(s->document()) : box->track_id;
    if (pcanno_status ok = apply_command(*s, create_track(s->document(), nb, id));
        ok != PCANNO_OK) {
      return ok;
    }
    if (track_id != nullptr) *track_id = id;
    return PCANNO_OK;
  });
}

pcanno_status pcanno_session_add_box(pcanno_session* session, const pcanno_box* box) {
  return guarded(__func__, [&](const char* fn) {
    Session* s = session_of(session, fn);
    if (s == nullptr) return PCANNO_ERR_INVALID_ARGUMENT;
    if (box == nullptr) return null_argument(fn, "box");
    const pcanno::formats::Track* t = s->document().track(box->track_id);
    if (t == nullptr) return no_track(box->track_id);
    if (t->at(box->frame) != nullptr) {
      // put_box would replace it, dropping its attributes: that is modify's job.
      return fail(PCANNO_ERR_CONFLICT, "track " + id_text(box->track_id) + " has a box in frame " +
                                           id_text(box->frame) +
                                           " already; use pcanno_session_modify_box");
    }
    pcanno::formats::BoxState state;
    if (pcanno_status ok = to_state(*s, *box, state, fn); ok != PCANNO_OK) return ok;
    return apply_command(*s, put_box(s->document(), box->track_id, std::move(state)));
  });
}

pcanno_status pcanno_session_modify_box(pcanno_session* session, const pcanno_box* box) {
  return guarded(__func__, [&](const char* fn) {
    Session* s = session_of(session, fn);
    if (s == nullptr) return PCANNO_ERR_INVALID_ARGUMENT;
    if (box == nullptr) return null_argument(fn, "box");
    const pcanno::formats::Track* t = s->document().track(box->track_id);
    const pcanno::formats::BoxState* stored = t != nullptr ? t->at(box->frame) : nullptr;
    pcanno::formats::BoxState state;
    if (stored != nullptr) {
      if (pcanno_status ok = to_state(*s, *box, state, fn); ok != PCANNO_OK) return ok;
      if (state.shape_frame != stored->shape_frame) {
        return fail(PCANNO_ERR_INVALID_ARGUMENT,
                    std::string(fn) + ": the box is stored in the " +
                        pcanno::formats::to_string(stored->shape_frame) +
                        " frame; give it in that frame_of_reference");
      }
    }
    // modify_box names a missing track or box itself.
    return apply_command(*s, modify_box(s->document(), box->track_id, box->frame, state.box));
  });
}

pcanno_status pcanno_session_delete_box(pcanno_session* session, int64_t track_id, int64_t frame) {
  return guarded(__func__, [&](const char* fn) {
    Session* s = session_of(session, fn);
    if (s == nullptr) return PCANNO_ERR_INVALID_ARGUMENT;
    return apply_command(*s, delete_box(s->document(), track_id, frame));
  });
}

pcanno_status pcanno_session_delete_track(pcanno_session* session, int64_t track_id) {
  return guarded(__func__, [&](const char* fn) {
    Session* s = session_of(session, fn);
    if (s == nullptr) return PCANNO_ERR_INVALID_ARGUMENT;
    return apply_command(*s, delete_track(s->document(), track_id));
  });
}

pcanno_status pcanno_session_set_track_label(pcanno_session* session, int64_t track_id,
                                             const char* label) {
  return guarded(__func__, [&](const char* fn) {
    Session* s = session_of(session, fn);
    if (s == nullptr) return PCANNO_ERR_INVALID_ARGUMENT;
    if (label == nullptr) return null_argument(fn, "label");
    return apply_command(*s, set_class(s->document(), track_id, label));
  });
}

}  // extern "C"
