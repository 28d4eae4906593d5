#pragma once
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <optional>
#include <string>

#include <Eigen/Core>

#include "pcanno/formats/datasets/sequence.hpp"
#include "pcanno/formats/labels/annotations.hpp"
#include "pcanno/formats/support/expected.hpp"
#include "pcanno/plugin/automation/ego_motion.hpp"
#include "pcanno/plugin/automation/progress.hpp"

// Parameter parsing and the posed sequence, shared by the automation services (boxes and
// polylines).

namespace pcanno::plugin {
class Session;
struct AutomationService;
struct ServiceOutcome;
}

namespace pcanno::plugin::detail {

/// kInvalidArgument "<service>: <message>".
formats::Error bad(const std::string& service, const std::string& message);

std::optional<std::string> parameter(const formats::AttributeMap& p, const std::string& name);

/// Parameter `name` as an integer; `fallback` when absent (absent without one: an error).
formats::Expected<std::int64_t> integer(const std::string& service, const formats::AttributeMap& p,
                                        const std::string& name,
                                        std::optional<std::int64_t> fallback);

/// The required parameter `seed` = "x,y,z" [m].
formats::Expected<Eigen::Vector3d> seed(const std::string& service, const formats::AttributeMap& p);

/// An error naming the first parameter not in `known`, and the known ones.
formats::Status unknown_parameters(const std::string& service, const formats::AttributeMap& p,
                                   std::initializer_list<const char*> known);

formats::Error no_sequence();

/// Parameter `name` as a number > 0; `fallback` when absent.
formats::Expected<double> positive_number(const std::string& service,
                                          const formats::AttributeMap& p, const std::string& name,
                                          double fallback);

/// Parameter `direction`: forward (the default) is +1, backward -1.
formats::Expected<std::int64_t> direction_step(const std::string& service,
                                               const formats::AttributeMap& p);

/// Where a propagation from `from` that way (`step` +1 or -1) ends in the session's sequence: the
/// frame before the next keyframe that way (`keyframe_at(frame)`; a person's shape is never
/// replaced), else the sequence's end; parameter `to`, when given, may end it sooner.
formats::Expected<std::int64_t> propagation_end(const std::string& service,
                                                const formats::AttributeMap& p,
                                                const Session& session, std::int64_t from,
                                                std::int64_t step,
                                                const std::function<bool(std::int64_t)>& keyframe_at);

/// The last outcome of the "trace" service `s` (trace_service.cpp); nullptr before the first.
const ServiceOutcome* trace_outcome(const AutomationService& s);

/// The ego-motion estimate for sequences without poses goes to the default cache.
EgoMotionOptions ego_options();

/// How much of a job that then works on `frames` frames goes to estimating the session's ego
/// motion first: none when the sequence has poses or the estimate is cached.
double ego_motion_share(const Session& session, std::int64_t frames);

/// The session's sequence with a pose for every frame: its own, or estimated (and cached), as
/// the first step of a job: [0, share] of `progress`.
formats::Expected<formats::Sequence> posed_sequence(const Session& session,
                                                    const Progress& progress, double share);

}  // namespace pcanno::plugin::detail
