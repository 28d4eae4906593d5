#include "pcanno/plugin/services/trace_service.hpp"

#include <cstdio>
#include <memory>
#include <utility>
#include <variant>

#include "pcanno/plugin/automation/line_feature.hpp"
#include "pcanno/plugin/command.hpp"
#include "pcanno/plugin/polyline_commands.hpp"
#include "pcanno/plugin/registry.hpp"
#include "pcanno/plugin/services/automation_services.hpp"
#include "pcanno/plugin/session.hpp"
#include "service_support.hpp"

namespace pcanno::plugin {
namespace {

using formats::AttributeMap;
using formats::Error;
using formats::ErrorCode;
using formats::Expected;
using formats::Status;

const char* const kName = "trace";

Error bad(const std::string& message) { return detail::bad(kName, message); }

const char* feature_name(geometry::LineFeature feature) {
  return feature == geometry::LineFeature::kCurb ? "curb" : "lane marking";
}

std::string xy_text(const Eigen::Vector3d& p) {
  char text[64];
  std::snprintf(text, sizeof text, "%.2f,%.2f", p.x(), p.y());
  return text;
}

/// The "trace" service; a named type so that last_service_outcome() finds its state through
/// std::function::target(), shared so that copies of the registry agree.
struct TraceService {
  std::shared_ptr<std::optional<ServiceOutcome>> last =
      std::make_shared<std::optional<ServiceOutcome>>();

  Status operator()(Session& session, const AttributeMap& p,
                    const std::function<bool(double)>& progress) const {
    if (Status s = detail::unknown_parameters(kName, p, {"seed", "frame", "class", "feature"}); !s) {
      return s;
    }
    const Expected<Eigen::Vector3d> seed = detail::seed(kName, p);
    if (!seed) return seed.error();
    const Expected<std::int64_t> frame = detail::integer(kName, p, "frame", session.frame());
    if (!frame) return frame.error();
    TraceRequest request;
    request.seed_in_world = *seed;
    request.frame = *frame;
    request.label = detail::parameter(p, "class").value_or("");
    if (const std::optional<std::string> feature = detail::parameter(p, "feature")) {
      if (*feature == "marking") {
        request.feature = geometry::LineFeature::kMarking;
      } else if (*feature == "curb") {
        request.feature = geometry::LineFeature::kCurb;
      } else {
        return bad("parameter 'feature' = '" + *feature + "': expected marking or curb");
      }
    }
    Expected<TraceOutcome> traced = trace_polyline_at(session, request, progress);
    if (!traced) return std::move(traced).error();
    ServiceOutcome outcome;
    outcome.polyline = traced->polyline;
    outcome.polyline_states = 1;
    char note[160];
    std::snprintf(note, sizeof note, "traced a %s of %.1f m (%zu vertices) in frame %lld",
                  feature_name(traced->feature), traced->length, traced->vertices,
                  static_cast<long long>(traced->frame));
    outcome.notes.push_back(note);
    *last = std::move(outcome);
    return {};
  }
};

}  // namespace

Expected<geometry::LineScan> frame_line_scan(const Session& session, std::int64_t frame,
                                             const std::function<bool(double)>& progress) {
  const formats::Sequence* seq = session.sequence();
  if (seq == nullptr || frame < 0 || static_cast<std::size_t>(frame) >= seq->size()) {
    return bad("frame " + std::to_string(frame) + " has no cloud");
  }
  formats::ReadOptions read;
  read.progress = progress;
  Expected<formats::CloudFile> cloud = seq->load_frame(static_cast<std::size_t>(frame), read);
  if (!cloud) return std::move(cloud).error();
  return line_scan_of(cloud->cloud);
}

Expected<TraceOutcome> trace_polyline_at(Session& session, const TraceRequest& request,
                                         const std::function<bool(double)>& progress) {
  // Reading the frame is most of the work; the trace takes milliseconds.
  Expected<geometry::LineScan> scan = frame_line_scan(
      session, request.frame, [&progress](double f) { return !progress || progress(0.8 * f); });
  if (!scan) return std::move(scan).error();
  if (progress && !progress(0.9)) return Error{ErrorCode::kCancelled, "trace cancelled", ""};
  return trace_polyline_at(session, request, *scan);
}

Expected<TraceOutcome> trace_polyline_at(Session& session, const TraceRequest& request,
                                         const geometry::LineScan& scan) {
  const formats::Sequence* seq = session.sequence();
  if (seq == nullptr || request.frame < 0 ||
      static_cast<std::size_t>(request.frame) >= seq->size()) {
    return bad("frame " + std::to_string(request.frame) + " has no cloud");
  }
  if (!request.seed_in_world.allFinite()) return bad("the seed is not finite");
  const formats::Annotations& doc = session.document();
  const std::string label =
      request.label.empty() ? doc.default_class(formats::ShapeKind::kPolyline) : request.label;
  const std::optional<geometry::LineFeature> feature =
      request.feature ? request.feature : line_feature_of(doc.class_or_default(label).evidence);
  if (!feature) {
    return bad("class '" + label +
               "' follows no line evidence (evidence none); give feature=marking or curb");
  }
  // The scan is in the LiDAR frame; the seed and the session's shapes are in the world frame.
  const geometry::Pose T_world_lidar =
      session.T_world_lidar(request.frame).value_or(geometry::Pose::Identity());
  const Eigen::Vector3d seed = T_world_lidar.inverse() * request.seed_in_world;
  const std::optional<geometry::Polyline> line =
      geometry::trace_polyline(scan, seed, *feature, request.options);
  if (!line) {
    return Error{ErrorCode::kNotFound,
                 std::string("trace: no ") + feature_name(*feature) + " near " +
                     xy_text(request.seed_in_world) + " in frame " + std::to_string(request.frame),
                 ""};
  }
  const formats::ShapeFrame shape_frame = session.shape_frame_for(request.frame);
  const geometry::Polyline stored = shape_frame == formats::ShapeFrame::kWorld
                                        ? geometry::transform(T_world_lidar, *line)
                                        : *line;
  const std::int64_t id = next_polyline_id(doc);
  Expected<Command> command = create_polyline(doc, label, request.frame, stored, shape_frame, id);
  if (!command) return std::move(command).error();
  command->name = "Trace polyline";
  for (formats::DocumentEdit& edit : command->edits) {
    if (auto* created = std::get_if<formats::PolylineEdit>(&edit); created && created->polyline) {
      for (formats::PolylineState& state : created->polyline->states) {
        state.provenance = formats::Provenance::kFitted;
        state.keyframe = true;
      }
    }
  }
  if (Status applied = session.apply(*command); !applied) return std::move(applied).error();
  TraceOutcome outcome;
  outcome.polyline = id;
  outcome.frame = request.frame;
  outcome.label = label;
  outcome.feature = *feature;
  outcome.vertices = line->vertices.size();
  outcome.length = geometry::length(*line);
  return outcome;
}

namespace detail {

const ServiceOutcome* trace_outcome(const AutomationService& s) {
  const auto* trace = s.run.target<TraceService>();
  return trace != nullptr && trace->last->has_value() ? &**trace->last : nullptr;
}

void add_trace_service(Registry& registry) {
  registry.add_service(AutomationService{
      ComponentInfo{"service", "trace", "1.0.0", 0, "built-in",
                    "One-click polyline: the lane marking (intensity ridge) or curb (height step) "
                    "nearest a seed, traced both ways; parameters seed, frame, class, feature"},
      TraceService{}});
}

}  // namespace detail
}  // namespace pcanno::plugin
