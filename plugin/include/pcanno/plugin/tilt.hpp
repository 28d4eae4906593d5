#pragma once
#include <cstdint>
#include <optional>
#include <string>

#include "pcanno/formats/labels/annotations.hpp"
#include "pcanno/geometry/cuboid.hpp"
#include "pcanno/geometry/yaw_pitch_roll.hpp"
#include "pcanno/plugin/command.hpp"

// Pitch and roll of boxes (geometry/yaw_pitch_roll.hpp gives the convention): a track's tilt is
// locked while its class stands upright (ClassSpec::upright) and the track has no
// Track::free_tilt. While locked, edits keep pitch and roll at 0: a box that carries tilt anyway
// (imported, or locked after it was tilted) is shown and kept as it is, but no edit may tilt it
// further. The box editor, the numeric box panel and any other editing host obey this rule through
// check_tilt_edit() or modify_box_checked().

namespace pcanno::plugin {

/// True when edits must not tilt the boxes of track `track_id`: its class (as
/// Annotations::class_or_default() gives it) is upright and the track has no free_tilt. False for
/// an unknown track (there is nothing to lock).
bool tilt_locked(const Annotations& doc, std::int64_t track_id);

/// Why `what` ("pitch", "roll", "tilt") cannot change on track `track_id`, for a status bar:
/// "pitch locked: Car is upright; unlock with free tilt". nullopt when the tilt is free.
std::optional<std::string> tilt_lock_reason(const Annotations& doc, std::int64_t track_id,
                                            const std::string& what = "tilt");

/// Sets or clears Track::free_tilt, one undo step ("Free tilt" / "Lock tilt"). kNotFound for an
/// unknown track. Locking leaves tilted boxes as they are.
Expected<Command> set_free_tilt(const Annotations& doc, std::int64_t track_id, bool free_tilt);

/// The rule: an edit of track `track_id`'s box from `before` to `after` (both in the box's stored
/// frame) is refused with kConflict and tilt_lock_reason() when the track is locked and `after`
/// tilts (geometry::tilt_angle) more than geometry::kTiltTolerance beyond `before`'s tilt, or
/// beyond 0 when there is no box before.
Status check_tilt_edit(const Annotations& doc, std::int64_t track_id,
                       const std::optional<geometry::Cuboid>& before,
                       const geometry::Cuboid& after);

/// modify_box() after check_tilt_edit() against the box stored at `frame`: what every box editor
/// applies.
Expected<Command> modify_box_checked(const Annotations& doc, std::int64_t track_id,
                                     std::int64_t frame, const geometry::Cuboid& box);

}  // namespace pcanno::plugin
