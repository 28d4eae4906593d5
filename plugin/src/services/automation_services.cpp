#include "pcanno/plugin/services/automation_services.hpp"

#include <memory>
#include <sstream>

#include "pcanno/geometry/box_fit.hpp"
#include "pcanno/geometry/ground.hpp"
#include "pcanno/plugin/automation/class_fit.hpp"
#include "pcanno/plugin/automation/ego_motion.hpp"
#include "pcanno/plugin/automation/progress.hpp"
#include "pcanno/plugin/automation/propagation.hpp"
#include "pcanno/plugin/automation/track_completion.hpp"
#include "pcanno/plugin/command.hpp"
#include "pcanno/plugin/registry.hpp"
#include "pcanno/plugin/session.hpp"
#include "polyline_services.hpp"
#include "service_support.hpp"

namespace pcanno::plugin {
namespace {

using namespace detail;
using formats::AttributeMap;
using formats::Error;
using formats::ErrorCode;
using formats::Expected;
using formats::Status;

geometry::Cuboid to_world(const formats::BoxState& s, const formats::Sequence& seq) {
  if (s.shape_frame == formats::ShapeFrame::kWorld) return s.box;
  return geometry::transform(*seq.frames[static_cast<std::size_t>(s.frame)].T_world_lidar, s.box);
}

/// A box made by automation at `frame`, stored in the frame the session stores new shapes in.
formats::BoxState make_state(const Session& session, const formats::Sequence& seq,
                             std::int64_t frame, const geometry::Cuboid& box_in_world,
                             formats::Provenance provenance) {
  formats::BoxState s;
  s.frame = frame;
  s.shape_frame = session.shape_frame_for(frame);
  s.box =
      s.shape_frame == formats::ShapeFrame::kWorld
          ? box_in_world
          : geometry::transform(
                seq.frames[static_cast<std::size_t>(frame)].T_world_lidar->inverse(), box_in_world);
  s.provenance = provenance;
  s.keyframe = false;
  return s;
}

/// Applies `states` to `track` as one undo step named `name`.
Status apply_all(Session& session, const std::string& name, std::int64_t track,
                 const std::vector<formats::BoxState>& states) {
  if (states.empty()) return {};
  session.begin_transaction(name);
  for (const formats::BoxState& s : states) {
    if (Status st = session.apply(put_box(session.document(), track, s)); !st) {
      (void)session.cancel_transaction();
      return st;
    }
  }
  return session.commit_transaction();
}

/// Shared state, so that the registry's copy of the service and last_service_outcome() agree.
struct Outcomes {
  std::shared_ptr<std::optional<ServiceOutcome>> last =
      std::make_shared<std::optional<ServiceOutcome>>();
};

/// The polyline variant of a service (parameter polyline=<id>), its outcome kept as the service's.
Status run_polyline(Expected<ServiceOutcome> (*service)(Session&, const AttributeMap&,
                                                        const Progress&),
                    Session& session, const AttributeMap& p, const Progress& progress,
                    std::optional<ServiceOutcome>& last) {
  Expected<ServiceOutcome> outcome = service(session, p, progress);
  if (!outcome) return std::move(outcome).error();
  last = std::move(*outcome);
  return {};
}

struct PropagateService : Outcomes {
  Status operator()(Session& session, const AttributeMap& p, const Progress& progress) const {
    const std::string name = "propagate";
    if (p.count("polyline") != 0) {
      return run_polyline(propagate_polyline_service, session, p, progress, *last);
    }
    if (Status s = unknown_parameters(name, p, {"track", "from", "to", "direction"}); !s) return s;
    Expected<std::int64_t> track_id = integer(name, p, "track", std::nullopt);
    if (!track_id) return std::move(track_id).error();
    Expected<std::int64_t> from = integer(name, p, "from", session.frame());
    if (!from) return std::move(from).error();
    const Expected<std::int64_t> direction = direction_step(name, p);
    if (!direction) return direction.error();
    const std::int64_t step = *direction;
    const formats::Track* track = session.document().track(*track_id);
    if (track == nullptr) return bad(name, "no track " + std::to_string(*track_id));
    if (track->at(*from) == nullptr) {
      return bad(name, "track " + std::to_string(*track_id) + " has no box in frame " +
                           std::to_string(*from) + " to start from");
    }
    const Expected<std::int64_t> end =
        propagation_end(name, p, session, *from, step, [track](std::int64_t f) {
          const formats::BoxState* b = track->at(f);
          return b != nullptr && b->keyframe;
        });
    if (!end) return end.error();
    const std::int64_t to = *end;
    ServiceOutcome outcome;
    outcome.track = *track_id;
    if ((to - *from) * step > 0) {
      // One progress bar over both steps: the ego motion (when the sequence has no poses), then
      // the propagation.
      const double share = ego_motion_share(session, (to - *from) * step);
      Expected<formats::Sequence> seq = posed_sequence(session, progress, share);
      if (!seq) return std::move(seq).error();
      std::optional<geometry::Cuboid> previous;
      if (const formats::BoxState* b = track->at(*from - step)) previous = to_world(*b, *seq);
      SequenceClouds clouds(*seq);
      const ProgressStep propagating(progress, share, 1.0, "propagating");
      // The track's class decides how it moves (as in complete_tracks): a pedestrian coasted on
      // the vehicle model would be carried on along its heading and cannot step sideways.
      PropagationOptions options;
      options.motion = motion_options_for(session.document().class_or_default(track->label).motion);
      Expected<PropagationResult> r =
          propagate_box(clouds, *from, to_world(*track->at(*from), *seq), to, previous, options,
                        propagating.callback());
      if (!r) return std::move(r).error();
      std::vector<formats::BoxState> states;
      for (const PropagatedBox& b : r->boxes) {
        states.push_back(
            make_state(session, *seq, b.frame, b.box_in_world, formats::Provenance::kTracked));
        states.back().score = b.confidence;
      }
      if (r->lost) outcome.notes.push_back("track " + std::to_string(*track_id) + " " + *r->lost);
      if (Status s =
              apply_all(session, "propagate track " + std::to_string(*track_id), *track_id, states);
          !s) {
        return s;
      }
      outcome.boxes = states.size();
    }
    *last = std::move(outcome);
    return {};
  }
};

struct InterpolateService : Outcomes {
  Status operator()(Session& session, const AttributeMap& p, const Progress& progress) const {
    const std::string name = "interpolate";
    if (p.count("polyline") != 0) {
      return run_polyline(interpolate_polyline_service, session, p, progress, *last);
    }
    if (Status s = unknown_parameters(name, p, {"track", "refine"}); !s) return s;
    Expected<std::int64_t> track_id = integer(name, p, "track", std::nullopt);
    if (!track_id) return std::move(track_id).error();
    const std::string refine = parameter(p, "refine").value_or("true");
    if (refine != "true" && refine != "false") {
      return bad(name, "parameter 'refine' = '" + refine + "': expected true or false");
    }
    const formats::Track* track = session.document().track(*track_id);
    if (track == nullptr) return bad(name, "no track " + std::to_string(*track_id));
    // The track alone, keyframes only: completion fills every frame between them.
    formats::Annotations one;
    one.frames = session.document().frames;
    one.classes = session.document().classes;
    formats::Track keys = *track;
    keys.boxes.clear();
    for (const formats::BoxState& b : track->boxes) {
      if (b.keyframe) keys.boxes.push_back(b);
    }
    if (keys.boxes.size() < 2) {
      return bad(name, "track " + std::to_string(*track_id) + " has " +
                           std::to_string(keys.boxes.size()) +
                           " keyframe(s); interpolation needs two");
    }
    one.tracks.push_back(keys);
    const double share =
        ego_motion_share(session, keys.boxes.back().frame - keys.boxes.front().frame);
    Expected<formats::Sequence> seq = posed_sequence(session, progress, share);
    if (!seq) return std::move(seq).error();
    CompletionOptions options;
    options.method = CompletionMethod::kInterpolate;
    options.refine = refine == "true";
    const ProgressStep interpolating(progress, share, 1.0, "interpolating");
    Expected<CompletionReport> report =
        complete_tracks(one, *seq, options, interpolating.callback());
    if (!report) return std::move(report).error();
    std::vector<formats::BoxState> states;
    for (const formats::BoxState& b : one.tracks.front().boxes) {
      if (b.keyframe) continue;
      states.push_back(make_state(session, *seq, b.frame, to_world(b, *seq),
                                  formats::Provenance::kInterpolated));
    }
    if (Status s =
            apply_all(session, "interpolate track " + std::to_string(*track_id), *track_id, states);
        !s) {
      return s;
    }
    ServiceOutcome outcome;
    outcome.track = *track_id;
    outcome.boxes = states.size();
    outcome.notes = report->notes;
    *last = std::move(outcome);
    return {};
  }
};

struct FitService : Outcomes {
  Status operator()(Session& session, const AttributeMap& p, const Progress& progress) const {
    const std::string name = "fit";
    if (Status s = unknown_parameters(name, p, {"seed", "frame", "class", "track"}); !s) return s;
    const Expected<Eigen::Vector3d> seed_in_world = seed(name, p);
    if (!seed_in_world) return seed_in_world.error();
    Expected<std::int64_t> frame = integer(name, p, "frame", session.frame());
    if (!frame) return std::move(frame).error();
    if (session.sequence() == nullptr || *frame < 0 ||
        static_cast<std::size_t>(*frame) >= session.sequence()->size()) {
      return bad(name, "frame " + std::to_string(*frame) + " has no cloud");
    }
    const std::string label = parameter(p, "class").value_or(session.document().default_class());
    // The load is most of the work; the fit itself takes milliseconds.
    formats::ReadOptions read;
    read.progress = [&progress](double f) { return !progress || progress(0.8 * f); };
    Expected<formats::CloudFile> cloud =
        session.sequence()->load_frame(static_cast<std::size_t>(*frame), read);
    if (!cloud) return std::move(cloud).error();
    const geometry::Pose T_world_lidar =
        session.T_world_lidar(*frame).value_or(geometry::Pose::Identity());
    // The fit runs on the cloud's floats: relative to its origin when it is georeferenced.
    const geometry::Pose T_lidar_cloud = cloud->cloud.T_lidar_cloud();
    const std::optional<geometry::GroundModel> ground =
        geometry::GroundModel::fit(cloud->cloud.view());
    if (!ground) return bad(name, "no ground found in frame " + std::to_string(*frame));
    geometry::FitOptions options = class_fit_options(session.document().class_or_default(label));
    options.preferred_heading = 0.0;  // the recording car's heading, in its own LiDAR frame
    options.sensor_origin = T_lidar_cloud.inverse().translation();  // the sensor at the LiDAR 0
    std::optional<geometry::FitResult> fit =
        geometry::fit_box(cloud->cloud.view(), *ground,
                          (T_world_lidar * T_lidar_cloud).inverse() * *seed_in_world, options);
    if (!fit) {
      return Error{ErrorCode::kNotFound,
                   "fit: nothing but ground within " + std::to_string(options.seed_radius) +
                       " m of the seed " + *parameter(p, "seed") + " in frame " +
                       std::to_string(*frame),
                   ""};
    }
    if (progress && !progress(1.0)) return Error{ErrorCode::kCancelled, "fit cancelled", ""};
    fit->box = geometry::transform(T_lidar_cloud, fit->box);  // into the LiDAR frame
    const geometry::Cuboid box_in_world = geometry::transform(T_world_lidar, fit->box);
    ServiceOutcome outcome;
    if (parameter(p, "track")) {
      Expected<std::int64_t> track_id = integer(name, p, "track", std::nullopt);
      if (!track_id) return std::move(track_id).error();
      if (session.document().track(*track_id) == nullptr) {
        return bad(name, "no track " + std::to_string(*track_id));
      }
      formats::BoxState s;
      s.frame = *frame;
      s.shape_frame = session.shape_frame_for(*frame);
      s.box = s.shape_frame == formats::ShapeFrame::kWorld ? box_in_world : fit->box;
      s.provenance = formats::Provenance::kFitted;
      s.keyframe = true;
      if (Status st = session.apply(put_box(session.document(), *track_id, s)); !st) return st;
      outcome.track = *track_id;
    } else {
      NewBox request;
      request.label = label;
      request.frame = *frame;
      request.shape_frame = session.shape_frame_for(*frame);
      request.box = request.shape_frame == formats::ShapeFrame::kWorld ? box_in_world : fit->box;
      request.provenance = formats::Provenance::kFitted;
      const std::int64_t id = next_track_id(session.document());
      if (Status st = session.apply(create_track(session.document(), request, id)); !st) return st;
      outcome.track = id;
    }
    outcome.boxes = 1;
    if (fit->cut_to_prior) {
      outcome.notes.push_back("cut at the seed from a component larger than a " + label);
    } else if (fit->used_prior) {
      outcome.notes.push_back("completed with the class size prior");
    }
    *last = std::move(outcome);
    return {};
  }
};

template <typename Service>
const ServiceOutcome* outcome_of(const AutomationService& s) {
  const auto* service = s.run.target<Service>();
  return service != nullptr && service->last->has_value() ? &**service->last : nullptr;
}

}  // namespace

const ServiceOutcome* last_service_outcome(const Registry& registry, const std::string& id) {
  const AutomationService* s = registry.service(id);
  if (s == nullptr) return nullptr;
  if (id == "fit") return outcome_of<FitService>(*s);
  if (id == "propagate") return outcome_of<PropagateService>(*s);
  if (id == "interpolate") return outcome_of<InterpolateService>(*s);
  if (id == "trace") return trace_outcome(*s);
  return nullptr;
}

namespace detail {

void add_automation_services(Registry& registry) {
  registry.add_service(AutomationService{
      ComponentInfo{"service", "fit", "1.0.0", 0, "built-in",
                    "One-click box: the object around a seed point, L-shape footprint, class "
                    "size prior; parameters seed, frame, class, track"},
      FitService{}});
  registry.add_service(AutomationService{
      ComponentInfo{"service", "propagate", "1.0.0", 0, "built-in",
                    "Carry a track's box frame by frame by registering the object's points, or "
                    "a polyline through the world frame onto its class's evidence; parameters "
                    "track or polyline, from, direction, to"},
      PropagateService{}});
  registry.add_service(AutomationService{
      ComponentInfo{"service", "interpolate", "1.0.0", 0, "built-in",
                    "World-frame interpolation between a track's (or a polyline's) keyframes, "
                    "refined on the points; parameters track or polyline, refine"},
      InterpolateService{}});
}

}  // namespace detail
}  // namespace pcanno::plugin
