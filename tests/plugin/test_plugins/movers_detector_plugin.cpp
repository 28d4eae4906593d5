// Detector "test-movers" for the `pcanno prelabel` and workstation tests: a scripted scene, not a
// model. In every frame's LiDAR frame it reports a car driving away along +x (10 m ahead at frame
// 0, 1 m per frame, score 0.8) and a pedestrian crossing along +y (score 0.4). Parameters:
// ghost=true adds a one-frame false positive at frame 1; class=<name> renames the car's class;
// wait=true waits, polling the stop predicate, until told to stop; fail_at=<n> fails at frame n.
#include <chrono>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>

#include "pcanno/plugin/plugin_api.hpp"

namespace {

using pcanno::formats::AttributeMap;
using pcanno::formats::Error;
using pcanno::formats::ErrorCode;
using pcanno::formats::Expected;
namespace plugin = pcanno::plugin;

class MoversDetector final : public plugin::Detector {
 public:
  explicit MoversDetector(AttributeMap p) : p_(std::move(p)) {}

  Expected<std::vector<plugin::Detection>> detect(const plugin::DetectorFrame& frame,
                                                  const std::function<bool()>& stop) override {
    if (p_.count("wait") != 0) {
      while (!stop()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
      return Error{ErrorCode::kCancelled, "test-movers stopped", ""};
    }
    if (const auto it = p_.find("fail_at");
        it != p_.end() && std::atoll(it->second.c_str()) == frame.index) {
      return Error{ErrorCode::kIo, "test-movers failed on purpose", ""};
    }
    const double f = static_cast<double>(frame.index);
    std::vector<plugin::Detection> out(2);
    out[0].class_name = p_.count("class") != 0 ? p_.at("class") : "Car";
    out[0].box_in_lidar =
        pcanno::geometry::Cuboid::from_yaw({10.0 + f, 3.0, -0.9}, {4.2, 1.8, 1.5}, 0.0);
    out[0].score = 0.8;
    out[1].class_name = "Pedestrian";
    out[1].box_in_lidar =
        pcanno::geometry::Cuboid::from_yaw({8.0, -4.0 + 0.15 * f, -0.9}, {0.8, 0.6, 1.75}, 1.57);
    out[1].score = 0.4;
    if (p_.count("ghost") != 0 && frame.index == 1) {
      plugin::Detection ghost;
      ghost.class_name = "Car";
      ghost.box_in_lidar =
          pcanno::geometry::Cuboid::from_yaw({-20.0, -15.0, -0.9}, {4.0, 1.7, 1.5}, 0.5);
      ghost.score = 0.9;
      out.push_back(ghost);
    }
    return out;
  }

 private:
  AttributeMap p_;
};

pcanno::formats::Status register_detector(plugin::PluginContext& context) {
  plugin::DetectorFactory factory;
  factory.info = {"detector", "test-movers", "0.1.0", 0, "", "scripted car and pedestrian"};
  factory.create = [](const AttributeMap& p) -> Expected<std::unique_ptr<plugin::Detector>> {
    for (const auto& [key, value] : p) {
      if (key != "ghost" && key != "class" && key != "wait" && key != "fail_at") {
        return Error{ErrorCode::kInvalidArgument,
                     "unknown parameter '" + key + "'; known: ghost, class, wait, fail_at", ""};
      }
    }
    return std::unique_ptr<plugin::Detector>(std::make_unique<MoversDetector>(p));
  };
  context.add_detector(factory);
  return {};
}

}  // namespace

PCANNO_PLUGIN(register_detector)
