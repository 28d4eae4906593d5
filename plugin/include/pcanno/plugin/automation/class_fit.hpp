#pragma once
#include "pcanno/formats/labels/class_schema.hpp"
#include "pcanno/geometry/box_fit.hpp"

// The one path from a class to the one-click fit's options: the cuboid tool, the `fit` service,
// `pcanno fit` and re-fitting all start from class_fit_options(), so that a click on an object
// gives the same box wherever it is made.

namespace pcanno::plugin {

/// The engine's view of a motion kind, for cutting an object out of its surroundings.
geometry::ObjectKind object_kind_of(formats::MotionKind kind);

/// Fit options for an object of class `spec`: its size prior (ClassSpec::default_size) and its
/// kind (from ClassSpec::motion); everything else at the defaults. Callers that know more (the
/// object's own size from its track, a heading from the previous box) set it on the result.
geometry::FitOptions class_fit_options(const formats::ClassSpec& spec);

}  // namespace pcanno::plugin
