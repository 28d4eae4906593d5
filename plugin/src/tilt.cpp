#include "pcanno/plugin/tilt.hpp"

#include "command_support.hpp"

namespace pcanno::plugin {

bool tilt_locked(const Annotations& doc, std::int64_t track_id) {
  const formats::Track* track = doc.track(track_id);
  if (track == nullptr || track->free_tilt) return false;
  return doc.class_or_default(track->label).upright;
}

std::optional<std::string> tilt_lock_reason(const Annotations& doc, std::int64_t track_id,
                                            const std::string& what) {
  if (!tilt_locked(doc, track_id)) return std::nullopt;
  return what + " locked: " + doc.track(track_id)->label + " is upright; unlock with free tilt";
}

Expected<Command> set_free_tilt(const Annotations& doc, std::int64_t track_id, bool free_tilt) {
  Expected<const formats::Track*> t = detail::find_track(doc, track_id);
  if (!t) return std::move(t).error();
  formats::Track track = **t;
  track.free_tilt = free_tilt;
  return Command{free_tilt ? "Free tilt" : "Lock tilt",
                 {formats::TrackEdit{track_id, std::move(track)}}};
}

Status check_tilt_edit(const Annotations& doc, std::int64_t track_id,
                       const std::optional<geometry::Cuboid>& before,
                       const geometry::Cuboid& after) {
  const std::optional<std::string> reason = tilt_lock_reason(doc, track_id);
  if (!reason) return {};
  const double allowed = before ? geometry::tilt_angle(before->rotation) : 0.0;
  // A tilted locked box may be moved, resized and turned about its own +z (which keeps its tilt),
  // or straightened.
  if (!(geometry::tilt_angle(after.rotation) > allowed + geometry::kTiltTolerance)) return {};
  return detail::conflict(*reason);
}

Expected<Command> modify_box_checked(const Annotations& doc, std::int64_t track_id,
                                     std::int64_t frame, const geometry::Cuboid& box) {
  Expected<const formats::BoxState*> b = detail::find_box(doc, track_id, frame);
  if (!b) return std::move(b).error();
  if (Status ok = check_tilt_edit(doc, track_id, (*b)->box, box); !ok) {
    return std::move(ok).error();
  }
  return modify_box(doc, track_id, frame, box);
}

}  // namespace pcanno::plugin
