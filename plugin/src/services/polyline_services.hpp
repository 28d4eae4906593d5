#pragma once
#include "pcanno/formats/labels/annotations.hpp"
#include "pcanno/formats/support/expected.hpp"
#include "pcanno/plugin/automation/progress.hpp"
#include "pcanno/plugin/services/automation_services.hpp"

// The polyline side of the "propagate" and "interpolate" services (parameter polyline=<id>), as
// documented in automation_services.hpp. Each applies its states as one undo step.

namespace pcanno::plugin {
class Session;
}

namespace pcanno::plugin::detail {

formats::Expected<ServiceOutcome> propagate_polyline_service(Session& session,
                                                             const formats::AttributeMap& p,
                                                             const Progress& progress);

formats::Expected<ServiceOutcome> interpolate_polyline_service(Session& session,
                                                               const formats::AttributeMap& p,
                                                               const Progress& progress);

}  // namespace pcanno::plugin::detail
