#include "pcanno/plugin/automation/class_fit.hpp"

namespace pcanno::plugin {

geometry::ObjectKind object_kind_of(formats::MotionKind kind) {
  switch (kind) {
    case formats::MotionKind::kVehicle:
      return geometry::ObjectKind::kVehicle;
    case formats::MotionKind::kPedestrian:
      return geometry::ObjectKind::kPedestrian;
    case formats::MotionKind::kCyclist:
      return geometry::ObjectKind::kCyclist;
    case formats::MotionKind::kStatic:
    case formats::MotionKind::kUnknown:
      break;
  }
  return geometry::ObjectKind::kUnknown;
}

geometry::FitOptions class_fit_options(const formats::ClassSpec& spec) {
  geometry::FitOptions options;
  options.size_prior = spec.default_size;
  options.object_kind = object_kind_of(spec.motion.kind);
  return options;
}

}  // namespace pcanno::plugin
