#include "pcanno/plugin/detectors/guarded.hpp"

#include <exception>
#include <string>

namespace pcanno::plugin {

using formats::Error;
using formats::ErrorCode;

namespace {

Error thrown(const std::string& what, const char* reason) {
  return Error{ErrorCode::kInvalidArgument, what + " threw: " + reason, ""};
}

}  // namespace

formats::Expected<std::unique_ptr<Detector>> create_detector(
    const DetectorFactory& factory, const formats::AttributeMap& parameters) {
  const std::string what = "detector '" + factory.info.id + "' starting";
  if (!factory.create) return Error{ErrorCode::kInvalidArgument, what + ": no factory", ""};
  try {
    return factory.create(parameters);
  } catch (const std::exception& e) {
    return thrown(what, e.what());
  } catch (...) {
    return thrown(what, "an unknown exception");
  }
}

formats::Expected<std::vector<Detection>> detect_guarded(Detector& detector,
                                                         const DetectorFrame& frame,
                                                         const std::function<bool()>& stop) {
  const std::string what = "the detector, at frame " + std::to_string(frame.index) + ",";
  try {
    return detector.detect(frame, stop);
  } catch (const std::exception& e) {
    return thrown(what, e.what());
  } catch (...) {
    return thrown(what, "an unknown exception");
  }
}

}  // namespace pcanno::plugin
