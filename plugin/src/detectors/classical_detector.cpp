// The built-in `classical` detector: geometry::detect_objects behind the Detector interface.
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "builtin_detectors.hpp"
#include "pcanno/geometry/object_detection.hpp"
#include "pcanno/plugin/registry.hpp"
#include "services/service_support.hpp"

namespace pcanno::plugin::detail {
namespace {

using formats::AttributeMap;
using formats::Error;
using formats::ErrorCode;
using formats::Expected;

constexpr const char* kId = "classical";

/// The detector's classes in the KITTI spelling, which the default class schema uses.
const char* class_name(geometry::ObjectClass c) {
  switch (c) {
    case geometry::ObjectClass::kCar: return "Car";
    case geometry::ObjectClass::kVan: return "Van";
    case geometry::ObjectClass::kTruck: return "Truck";
    case geometry::ObjectClass::kPedestrian: return "Pedestrian";
    case geometry::ObjectClass::kCyclist: return "Cyclist";
  }
  return "Car";
}

class ClassicalDetector final : public Detector {
 public:
  explicit ClassicalDetector(geometry::ObjectDetectionOptions options)
      : options_(std::move(options)) {}

  Expected<std::vector<Detection>> detect(const DetectorFrame& frame,
                                          const std::function<bool()>& stop) override {
    if (frame.cloud == nullptr) {
      return Error{ErrorCode::kInvalidArgument, "classical detector: frame has no cloud", ""};
    }
    // The algorithm assumes the sensor at the origin of the points it sees: the cloud's floats
    // are relative to `origin`, so boxes are moved back into the LiDAR frame.
    const std::optional<std::vector<geometry::ObjectDetection>> found =
        geometry::detect_objects(frame.cloud->view(), options_, stop);
    if (!found) {
      return Error{ErrorCode::kCancelled,
                   "classical detector: cancelled at frame " + std::to_string(frame.index), ""};
    }
    const geometry::Pose T_lidar_cloud = frame.cloud->T_lidar_cloud();
    std::vector<Detection> out;
    out.reserve(found->size());
    for (const geometry::ObjectDetection& d : *found) {
      Detection det;
      det.class_name = class_name(d.object_class);
      det.box_in_lidar = geometry::transform(T_lidar_cloud, d.box);
      det.score = d.score;
      det.attributes["points"] = std::to_string(d.shape.points);
      out.push_back(std::move(det));
    }
    return out;
  }

 private:
  geometry::ObjectDetectionOptions options_;
};

Expected<std::unique_ptr<Detector>> create(const AttributeMap& p) {
  const std::string name = std::string(kId) + " detector";
  if (formats::Status s =
          unknown_parameters(name, p, {"max_range", "min_points", "min_score", "max_height"});
      !s) {
    return s.error();
  }
  geometry::ObjectDetectionOptions options;
  const auto max_range = positive_number(name, p, "max_range", options.max_range);
  if (!max_range) return max_range.error();
  const auto max_height = positive_number(name, p, "max_height", options.max_height);
  if (!max_height) return max_height.error();
  const auto min_points = integer(name, p, "min_points", static_cast<std::int64_t>(options.min_points));
  if (!min_points) return min_points.error();
  if (*min_points < 3) return bad(name, "parameter 'min_points' must be at least 3");
  double min_score = options.min_score;
  if (const std::optional<std::string> text = parameter(p, "min_score")) {
    char* end = nullptr;
    min_score = std::strtod(text->c_str(), &end);
    if (text->empty() || *end != '\0' || !(min_score >= 0.0 && min_score <= 1.0)) {
      return bad(name, "parameter 'min_score' = '" + *text + "': expected a number in [0, 1]");
    }
  }
  options.max_range = *max_range;
  options.max_height = *max_height;
  options.min_points = static_cast<std::size_t>(*min_points);
  options.min_score = min_score;
  return std::unique_ptr<Detector>(std::make_unique<ClassicalDetector>(options));
}

}  // namespace

void add_builtin_detectors(Registry& registry) {
  DetectorFactory factory;
  factory.info = ComponentInfo{
      "detector", kId, "1.0.0", 0, "built-in",
      "ground removal, BEV clustering, L-shape fit and classification by size and height "
      "(Car, Van, Truck, Pedestrian, Cyclist); parameters max_range, max_height, min_points, "
      "min_score"};
  factory.create = create;
  registry.add_detector(std::move(factory));
}

}  // namespace pcanno::plugin::detail
