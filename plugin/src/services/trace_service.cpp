#include "pcanno/plugin/services/trace_service.hpp"

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <sstream>
#include <utility>
#include <variant>

#include "pcanno/plugin/automation/line_feature.hpp"
#include "pcanno/plugin/command.hpp"
#include "pcanno/plugin/polyline_commands.hpp"
#include "pcanno/plugin/registry.hpp"
#include "pcanno/plugin/session.hpp"

namespace pcanno::plugin {
namespace {

using formats::AttributeMap;
using formats::Error;
using formats::ErrorCode;
using formats::Expected;
using formats::Status;

Error bad(const std::string& message) {
  return Error{ErrorCode::kInvalidArgument, "trace: " + message, ""};
}

const char* feature_name(geometry::LineFeature feature) {
  return feature == geometry::LineFeature::kCurb ? "curb" : "lane marking";
}

std::string xy_text(const Eigen::Vector3d& p) {
  char text[64];
  std::snprintf(text, sizeof text, "%.2f,%.2f", p.x(), p.y());
  return text;
}

/// The "trace" service; a named type so that last_trace_outcome() finds its state through
/// std::function::target(), shared so that copies of the registry agree.
struct TraceService {
  std::shared_ptr<std::optional<TraceOutcome>> last =
      std::make_shared<std::optional<TraceOutcome>>();

  Status operator()(Session& session, const AttributeMap& p,
                    const std::function<bool(double)>& progress) const {
    TraceRequest request;
    request.frame = session.frame();
    bool has_seed = false;
    for (const auto& [name, value] : p) {
      if (name == "seed") {
        std::string text = value;
        for (char& c : text) c = c == ',' ? ' ' : c;
        std::istringstream in(text);
        Eigen::Vector3d& s = request.seed_in_world;
        std::string rest;
        if (!(in >> s.x() >> s.y() >> s.z()) || (in >> rest)) {
          return bad("parameter 'seed' = '" + value + "': expected x,y,z in metres");
        }
        has_seed = true;
      } else if (name == "frame") {
        char* end = nullptr;
        const long long f = std::strtoll(value.c_str(), &end, 10);
        if (value.empty() || *end != '\0') {
          return bad("parameter 'frame' = '" + value + "': expected an integer");
        }
        request.frame = f;
      } else if (name == "class") {
        request.label = value;
      } else if (name == "feature") {
        if (value == "marking") {
          request.feature = geometry::LineFeature::kMarking;
        } else if (value == "curb") {
          request.feature = geometry::LineFeature::kCurb;
        } else {
          return bad("parameter 'feature' = '" + value + "': expected marking or curb");
        }
      } else {
        return bad("unknown parameter '" + name + "'; known: seed, frame, class, feature");
      }
    }
    if (!has_seed) return bad("parameter 'seed' is required (x,y,z in metres)");
    Expected<TraceOutcome> outcome = trace_polyline_at(session, request, progress);
    if (!outcome) return std::move(outcome).error();
    *last = std::move(*outcome);
    return {};
  }
};

}  // namespace

Expected<TraceOutcome> trace_polyline_at(Session& session, const TraceRequest& request,
                                         const std::function<bool(double)>& progress) {
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
  // Reading the frame is most of the work; the trace takes milliseconds.
  formats::ReadOptions read;
  read.progress = [&progress](double f) { return !progress || progress(0.8 * f); };
  Expected<formats::CloudFile> cloud =
      seq->load_frame(static_cast<std::size_t>(request.frame), read);
  if (!cloud) return std::move(cloud).error();
  const geometry::LineScan scan = line_scan_of(cloud->cloud);
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
  if (progress && !progress(1.0)) return Error{ErrorCode::kCancelled, "trace cancelled", ""};
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

const TraceOutcome* last_trace_outcome(const Registry& registry) {
  const AutomationService* service = registry.service("trace");
  if (service == nullptr) return nullptr;
  const auto* trace = service->run.target<TraceService>();
  return trace != nullptr && trace->last->has_value() ? &**trace->last : nullptr;
}

namespace detail {

void add_trace_service(Registry& registry) {
  registry.add_service(AutomationService{
      ComponentInfo{"service", "trace", "1.0.0", 0, "built-in",
                    "One-click polyline: the lane marking (intensity ridge) or curb (height step) "
                    "nearest a seed, traced both ways; parameters seed, frame, class, feature"},
      TraceService{}});
}

}  // namespace detail
}  // namespace pcanno::plugin
