#include "pcanno/plugin/services/prelabel_service.hpp"

#include <cstdlib>
#include <memory>
#include <optional>
#include <string>

#include "pcanno/plugin/automation/prelabel.hpp"
#include "pcanno/plugin/detectors/detector_list.hpp"
#include "pcanno/plugin/detectors/guarded.hpp"
#include "pcanno/plugin/registry.hpp"
#include "pcanno/plugin/session.hpp"
#include "service_support.hpp"

namespace pcanno::plugin {
namespace {

using namespace detail;
using formats::AttributeMap;
using formats::Error;
using formats::ErrorCode;
using formats::Expected;
using formats::Status;

constexpr const char* kName = "prelabel";
constexpr const char* kDetectorPrefix = "detector.";

struct PrelabelService {
  std::shared_ptr<std::optional<PrelabelOutcome>> last =
      std::make_shared<std::optional<PrelabelOutcome>>();

  Status operator()(Session& session, const AttributeMap& p, const Progress& progress) const {
    AttributeMap own;
    AttributeMap detector_parameters;
    for (const auto& [key, value] : p) {
      if (key.rfind(kDetectorPrefix, 0) == 0) {
        detector_parameters[key.substr(std::char_traits<char>::length(kDetectorPrefix))] = value;
      } else {
        own[key] = value;
      }
    }
    if (Status s = unknown_parameters(kName, own, {"detector", "frames", "min_score", "min_hits"});
        !s) {
      return s;
    }
    if (session.sequence() == nullptr) return no_sequence();
    const std::string id = parameter(own, "detector").value_or("classical");
    const DetectorFactory* factory = session.registry().detector(id);
    if (factory == nullptr) {
      return Error{ErrorCode::kNotFound,
                   "prelabel: no detector '" + id + "' (" + detector_list(session.registry()) + ")",
                   ""};
    }
    PrelabelOptions options;
    if (const std::optional<std::string> frames = parameter(own, "frames")) {
      Expected<std::pair<std::int64_t, std::int64_t>> range = parse_frame_range(*frames);
      if (!range) return bad(kName, range.error().message);
      options.first_frame = range->first;
      options.last_frame = range->second;
    }
    if (Status s =
            check_frame_range(options.first_frame, options.last_frame, session.sequence()->size());
        !s) {
      return bad(kName, s.error().message);
    }
    if (parameter(own, "min_score")) {
      // 0 is a valid threshold (keep everything): positive_number() would refuse it.
      const std::string text = *parameter(own, "min_score");
      char* end = nullptr;
      const double v = std::strtod(text.c_str(), &end);
      if (text.empty() || *end != '\0' || !(v >= 0.0 && v <= 1.0)) {
        return bad(kName, "parameter 'min_score' = '" + text + "': expected a number in [0, 1]");
      }
      options.min_score = v;
    }
    Expected<std::int64_t> min_hits = integer(kName, own, "min_hits", 3);
    if (!min_hits) return std::move(min_hits).error();
    if (*min_hits < 1) return bad(kName, "parameter 'min_hits' must be at least 1");
    options.association.min_hits = static_cast<std::size_t>(*min_hits);

    Expected<std::unique_ptr<Detector>> detector = create_detector(*factory, detector_parameters);
    if (!detector) {
      Error e = std::move(detector).error();
      e.message = "detector '" + id + "': " + e.message;
      return e;
    }
    const std::int64_t last_frame = options.last_frame < 0
                                        ? static_cast<std::int64_t>(session.sequence()->size()) - 1
                                        : options.last_frame;
    // One frame needs no world frame; a range is associated in it.
    const std::int64_t frames = last_frame - options.first_frame + 1;
    const double share = frames > 1 ? ego_motion_share(session, frames) : 0.0;
    formats::Sequence seq = *session.sequence();
    if (frames > 1) {
      Expected<formats::Sequence> posed = posed_sequence(session, progress, share);
      if (!posed) return std::move(posed).error();
      seq = std::move(*posed);
    }
    const ProgressStep running(progress, share, 1.0, "pre-labelling");
    Expected<PrelabelRun> run = run_prelabel(
        **detector, seq, options, schema_classes(session.document()), running.callback());
    if (!run) return std::move(run).error();

    PrelabelApply apply;
    apply.shape_frame = [&session, &seq](std::int64_t f) {
      // Without poses (one frame of an unposed sequence) a box stays in its LiDAR frame.
      return seq.frames[static_cast<std::size_t>(f)].T_world_lidar ? session.shape_frame_for(f)
                                                                   : formats::ShapeFrame::kLidar;
    };
    PrelabelNotes notes;
    Expected<Command> command = prelabel_command(session.document(), seq, *run, apply, notes);
    if (!command) return std::move(command).error();
    if (!command->edits.empty()) {
      if (Status s = session.apply(*command); !s) return s;
    }
    PrelabelOutcome outcome;
    outcome.first_frame = run->first_frame;
    outcome.last_frame = run->last_frame;
    outcome.detections = run->association.detections + run->below_min_score;
    for (const auto& [name, count] : run->unknown_classes) outcome.detections += count;
    outcome.tracks = notes.tracks;
    outcome.boxes = notes.boxes;
    outcome.replaced = notes.replaced;
    outcome.notes = std::move(notes.notes);
    if (run->below_min_score > 0) {
      outcome.notes.push_back(std::to_string(run->below_min_score) + " detections below min_score");
    }
    *last = std::move(outcome);
    return {};
  }
};

}  // namespace

const PrelabelOutcome* last_prelabel_outcome(const Registry& registry) {
  const AutomationService* s = registry.service(kName);
  if (s == nullptr) return nullptr;
  const auto* service = s->run.target<PrelabelService>();
  return service != nullptr && service->last->has_value() ? &**service->last : nullptr;
}

namespace detail {

void add_prelabel_service(Registry& registry) {
  registry.add_service(AutomationService{
      ComponentInfo{"service", kName, "1.0.0", 0, "built-in",
                    "Pre-label frames with a detector, its detections associated into tracks "
                    "(model boxes with scores); parameters detector, frames, min_score, min_hits, "
                    "detector.<key>"},
      PrelabelService{}});
}

}  // namespace detail
}  // namespace pcanno::plugin
