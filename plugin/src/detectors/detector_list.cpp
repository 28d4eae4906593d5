#include "pcanno/plugin/detectors/detector_list.hpp"

namespace pcanno::plugin {

std::string detector_list(const Registry& registry) {
  std::string ids;
  for (const DetectorFactory& d : registry.detectors()) {
    ids += (ids.empty() ? "" : ", ") + d.info.id;
  }
  return ids.empty() ? "none is registered" : "registered: " + ids;
}

}  // namespace pcanno::plugin
