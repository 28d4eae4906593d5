// The C ABI: track repair (merge, split, relink, frame ranges), each one undo step through the
// same commands as the workstation and `pcanno edit`.
#include <string>

#include "c_api_internal.hpp"
#include "pcanno/plugin/command.hpp"
#include "pcanno/plugin/track_edits.hpp"

using namespace pcanno::plugin;
using namespace pcanno::plugin::capi;

namespace {

/// Runs `make(session)` (an Expected<Command>) and applies it, for the plain repair calls.
template <typename Make>
pcanno_status apply_made(pcanno_session* session, const char* function, Make make) {
  return guarded(function, [&](const char* fn) {
    Session* s = session_of(session, fn);
    if (s == nullptr) return PCANNO_ERR_INVALID_ARGUMENT;
    return apply_command(*s, make(*s));
  });
}

}  // namespace

extern "C" {

pcanno_status pcanno_session_merge_tracks(pcanno_session* session, int64_t kept_id,
                                          int64_t absorbed_id) {
  return apply_made(session, __func__,
                    [&](Session& s) { return merge_tracks(s.document(), kept_id, absorbed_id); });
}

pcanno_status pcanno_session_split_track(pcanno_session* session, int64_t track_id,
                                         int64_t first_frame, int64_t new_id, int64_t* out_new_id) {
  return guarded(__func__, [&](const char* fn) {
    Session* s = session_of(session, fn);
    if (s == nullptr) return PCANNO_ERR_INVALID_ARGUMENT;
    const std::int64_t id = new_id < 0 ? next_track_id(s->document()) : new_id;
    if (pcanno_status ok = apply_command(*s, split_track(s->document(), track_id, first_frame, id));
        ok != PCANNO_OK) {
      return ok;
    }
    if (out_new_id != nullptr) *out_new_id = id;
    return PCANNO_OK;
  });
}

pcanno_status pcanno_session_relink_box(pcanno_session* session, int64_t track_id, int64_t frame,
                                        int64_t target_id, int64_t* out_target_id) {
  return guarded(__func__, [&](const char* fn) {
    Session* s = session_of(session, fn);
    if (s == nullptr) return PCANNO_ERR_INVALID_ARGUMENT;
    const std::int64_t id = target_id < 0 ? next_track_id(s->document()) : target_id;
    if (pcanno_status ok = apply_command(*s, relink_box(s->document(), track_id, frame, id));
        ok != PCANNO_OK) {
      return ok;
    }
    if (out_target_id != nullptr) *out_target_id = id;
    return PCANNO_OK;
  });
}

pcanno_status pcanno_session_delete_frames(pcanno_session* session, int64_t track_id, int64_t first,
                                           int64_t last) {
  return apply_made(session, __func__, [&](Session& s) {
    return delete_frames(s.document(), track_id, FrameRange{first, last});
  });
}

pcanno_status pcanno_session_flip_heading(pcanno_session* session, int64_t track_id, int64_t first,
                                          int64_t last) {
  return apply_made(session, __func__, [&](Session& s) {
    return flip_heading(s.document(), track_id, FrameRange{first, last});
  });
}

pcanno_status pcanno_session_apply_size(pcanno_session* session, int64_t track_id,
                                        int64_t from_frame, int64_t first, int64_t last) {
  return apply_made(session, __func__, [&](Session& s) {
    return apply_size(s.document(), track_id, from_frame, FrameRange{first, last});
  });
}

}  // extern "C"
