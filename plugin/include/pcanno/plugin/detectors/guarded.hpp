#pragma once
#include <functional>
#include <memory>
#include <vector>

#include "pcanno/formats/support/expected.hpp"
#include "pcanno/plugin/detector.hpp"
#include "pcanno/plugin/registry.hpp"

// A detector may be third-party C++ (a plugin's), and detector.hpp's "must not throw" is a
// promise the engine cannot check. These wrappers keep that promise for it: an exception becomes
// an error naming the detector, so it never reaches a worker thread or the C boundary.

namespace pcanno::plugin {

/// factory.create(parameters), exceptions turned into errors naming factory.info.id.
formats::Expected<std::unique_ptr<Detector>> create_detector(
    const DetectorFactory& factory, const formats::AttributeMap& parameters);

/// detector.detect(frame, stop), exceptions turned into errors naming the frame.
formats::Expected<std::vector<Detection>> detect_guarded(Detector& detector,
                                                         const DetectorFrame& frame,
                                                         const std::function<bool()>& stop);

}  // namespace pcanno::plugin
