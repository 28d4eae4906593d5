#include "polyline_services.hpp"

#include <algorithm>

#include "pcanno/plugin/automation/line_feature.hpp"
#include "pcanno/plugin/automation/polyline_completion.hpp"
#include "pcanno/plugin/automation/polyline_propagation.hpp"
#include "pcanno/plugin/command.hpp"
#include "pcanno/plugin/session.hpp"
#include "service_support.hpp"

namespace pcanno::plugin::detail {
namespace {

using formats::AttributeMap;
using formats::Expected;
using formats::PolylineState;
using formats::PolylineTrack;
using formats::Status;

const geometry::Pose& pose(const formats::Sequence& seq, std::int64_t frame) {
  return *seq.frames[static_cast<std::size_t>(frame)].T_world_lidar;
}

geometry::Polyline to_world(const PolylineState& s, const formats::Sequence& seq) {
  if (s.shape_frame == formats::ShapeFrame::kWorld) return s.line;
  return geometry::transform(pose(seq, s.frame), s.line);
}

/// A line made by automation at `frame`, stored in the frame the session stores new shapes in.
PolylineState make_state(const Session& session, const formats::Sequence& seq, std::int64_t frame,
                         const geometry::Polyline& line_in_world, formats::Provenance provenance) {
  PolylineState s;
  s.frame = frame;
  s.shape_frame = session.shape_frame_for(frame);
  s.line = s.shape_frame == formats::ShapeFrame::kWorld
               ? line_in_world
               : geometry::transform(pose(seq, frame).inverse(), line_in_world);
  s.provenance = provenance;
  s.keyframe = false;
  return s;
}

/// Puts `states` on polyline `id` as one undo step named `name`.
Status apply_all(Session& session, const std::string& name, std::int64_t id,
                 std::vector<PolylineState> states) {
  if (states.empty()) return {};
  Command command{name, {}};
  for (PolylineState& s : states) {
    const std::int64_t frame = s.frame;
    command.edits.push_back(formats::PolylineStateEdit{id, frame, std::move(s)});
  }
  return session.apply(command);
}

/// The evidence the polyline's class follows; nullopt: nothing to refine onto.
std::optional<geometry::LineFeature> feature_of(const Session& session, const PolylineTrack& p) {
  return line_feature_of(session.document().class_or_default(p.label).evidence);
}

Expected<const PolylineTrack*> polyline_parameter(const std::string& service, const Session& s,
                                                  const AttributeMap& p) {
  Expected<std::int64_t> id = integer(service, p, "polyline", std::nullopt);
  if (!id) return std::move(id).error();
  const PolylineTrack* track = s.document().polyline(*id);
  if (track == nullptr) return bad(service, "no polyline " + std::to_string(*id));
  return track;
}

}  // namespace

Expected<ServiceOutcome> propagate_polyline_service(Session& session, const AttributeMap& p,
                                                    const Progress& progress) {
  const std::string name = "propagate";
  if (Status s = unknown_parameters(name, p, {"polyline", "from", "to", "direction", "range"}); !s)
    return s.error();
  Expected<const PolylineTrack*> found = polyline_parameter(name, session, p);
  if (!found) return std::move(found).error();
  const PolylineTrack& track = **found;
  const std::string id_text = std::to_string(track.id);
  Expected<std::int64_t> from = integer(name, p, "from", session.frame());
  if (!from) return std::move(from).error();
  const Expected<std::int64_t> direction = direction_step(name, p);
  if (!direction) return direction.error();
  const std::int64_t step = *direction;
  PolylinePropagationOptions options;
  const Expected<double> range = positive_number(name, p, "range", options.range);
  if (!range) return range.error();
  options.range = *range;
  const PolylineState* start = track.at(*from);
  if (start == nullptr) {
    return bad(name, "polyline " + id_text + " has no line in frame " + std::to_string(*from) +
                         " to start from");
  }
  const Expected<std::int64_t> end =
      propagation_end(name, p, session, *from, step, [&track](std::int64_t f) {
        const PolylineState* s = track.at(f);
        return s != nullptr && s->keyframe;
      });
  if (!end) return end.error();
  const std::int64_t to = *end;
  ServiceOutcome outcome;
  outcome.polyline = track.id;
  if ((to - *from) * step <= 0) return outcome;
  const double share = ego_motion_share(session, (to - *from) * step);
  Expected<formats::Sequence> seq = posed_sequence(session, progress, share);
  if (!seq) return std::move(seq).error();
  SequenceClouds clouds(*seq);
  const ProgressStep propagating(progress, share, 1.0, "propagating");
  Expected<PolylinePropagationResult> r =
      propagate_polyline(clouds, *from, to_world(*start, *seq), to, feature_of(session, track), options,
                         propagating.callback());
  if (!r) return std::move(r).error();
  std::vector<PolylineState> states;
  for (const PropagatedPolyline& line : r->lines) {
    states.push_back(
        make_state(session, *seq, line.frame, line.line_in_world, formats::Provenance::kTracked));
  }
  if (r->ended) outcome.notes.push_back("polyline " + id_text + " " + *r->ended);
  outcome.polyline_states = states.size();
  if (Status s = apply_all(session, "propagate polyline " + id_text, track.id, std::move(states));
      !s) {
    return s.error();
  }
  return outcome;
}

Expected<ServiceOutcome> interpolate_polyline_service(Session& session, const AttributeMap& p,
                                                      const Progress& progress) {
  const std::string name = "interpolate";
  if (Status s = unknown_parameters(name, p, {"polyline", "refine"}); !s) return s.error();
  Expected<const PolylineTrack*> found = polyline_parameter(name, session, p);
  if (!found) return std::move(found).error();
  const PolylineTrack& track = **found;
  const std::string id_text = std::to_string(track.id);
  const std::string refine = parameter(p, "refine").value_or("true");
  if (refine != "true" && refine != "false") {
    return bad(name, "parameter 'refine' = '" + refine + "': expected true or false");
  }
  std::vector<const PolylineState*> keys;
  for (const PolylineState& s : track.states) {
    if (s.keyframe) keys.push_back(&s);
  }
  if (keys.size() < 2) {
    return bad(name, "polyline " + id_text + " has " + std::to_string(keys.size()) +
                         " keyframe(s); interpolation needs two");
  }
  if (session.sequence() == nullptr) return no_sequence();
  const double share = ego_motion_share(session, keys.back()->frame - keys.front()->frame);
  Expected<formats::Sequence> seq = posed_sequence(session, progress, share);
  if (!seq) return std::move(seq).error();
  const std::optional<geometry::LineFeature> feature =
      refine == "true" ? feature_of(session, track) : std::nullopt;
  const ProgressStep interpolating(progress, share, 1.0, "interpolating");
  SequenceClouds clouds(*seq);
  const auto total = static_cast<double>(keys.back()->frame - keys.front()->frame);
  std::vector<PolylineState> states;
  std::vector<std::string> notes;
  for (std::size_t k = 0; k + 1 < keys.size(); ++k) {
    const std::int64_t f0 = keys[k]->frame;
    const std::int64_t f1 = keys[k + 1]->frame;
    const double begin = static_cast<double>(f0 - keys.front()->frame) / total;
    const double end = static_cast<double>(f1 - keys.front()->frame) / total;
    Expected<InterpolatedPolylines> r = interpolate_polyline_frames(
        clouds, session.document(), f0, to_world(*keys[k], *seq), f1, to_world(*keys[k + 1], *seq),
        feature, {}, [&](double f) { return interpolating(begin + (end - begin) * f); });
    if (!r) return std::move(r).error();
    for (const PropagatedPolyline& line : r->lines) {
      states.push_back(make_state(session, *seq, line.frame, line.line_in_world,
                                  formats::Provenance::kInterpolated));
    }
    for (const std::string& note : r->notes) notes.push_back("polyline " + id_text + " " + note);
  }
  ServiceOutcome outcome;
  outcome.polyline = track.id;
  outcome.polyline_states = states.size();
  outcome.notes = std::move(notes);
  if (Status s = apply_all(session, "interpolate polyline " + id_text, track.id, std::move(states));
      !s) {
    return s.error();
  }
  return outcome;
}

}  // namespace pcanno::plugin::detail
