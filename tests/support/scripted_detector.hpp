#pragma once
// Detectors for the pre-labelling tests: they return scripted detections per frame (noisy truth,
// ghosts, misses), so that association, the prelabel service, the CLI and the workstation are
// tested without the built-in detector.
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "pcanno/formats/labels/annotations.hpp"
#include "pcanno/plugin/detector.hpp"
#include "pcanno/plugin/registry.hpp"

namespace pcanno::test {

/// Detections per frame index, boxes in the frame's LiDAR frame.
using ScriptedFrames = std::map<std::int64_t, std::vector<plugin::Detection>>;

struct ScriptedDetectorState {
  ScriptedFrames frames;
  /// Every create() call's parameters, and the frames detect() saw.
  std::vector<formats::AttributeMap> created_with;
  std::vector<std::int64_t> detected;
  /// detect() waits, polling its stop predicate, until told to stop (cancel tests).
  bool wait_for_stop = false;
  std::int64_t fail_at = -1;  ///< detect() fails at this frame
};

class ScriptedDetector final : public plugin::Detector {
 public:
  explicit ScriptedDetector(std::shared_ptr<ScriptedDetectorState> state)
      : state_(std::move(state)) {}
  formats::Expected<std::vector<plugin::Detection>> detect(
      const plugin::DetectorFrame& frame, const std::function<bool()>& stop) override {
    state_->detected.push_back(frame.index);
    if (state_->wait_for_stop) {
      while (!stop()) std::this_thread::sleep_for(std::chrono::milliseconds(2));
      return formats::Error{formats::ErrorCode::kCancelled, "scripted detector stopped", ""};
    }
    if (frame.index == state_->fail_at) {
      return formats::Error{formats::ErrorCode::kIo, "the model crashed", ""};
    }
    const auto it = state_->frames.find(frame.index);
    return it == state_->frames.end() ? std::vector<plugin::Detection>{} : it->second;
  }

 private:
  std::shared_ptr<ScriptedDetectorState> state_;
};

/// A factory for `state`; parameter "refuse" makes create() fail, as a detector refuses unknown
/// parameters.
inline plugin::DetectorFactory scripted_detector_factory(
    const std::string& id, std::shared_ptr<ScriptedDetectorState> state) {
  plugin::DetectorFactory f;
  f.info = {"detector", id, "0.1.0", 0, "test", "scripted detections"};
  f.create = [state](const formats::AttributeMap& parameters)
      -> formats::Expected<std::unique_ptr<plugin::Detector>> {
    state->created_with.push_back(parameters);
    if (parameters.count("refuse") != 0) {
      return formats::Error{formats::ErrorCode::kInvalidArgument,
                            "unknown parameter 'refuse'; known: none", ""};
    }
    return std::unique_ptr<plugin::Detector>(std::make_unique<ScriptedDetector>(state));
  };
  return f;
}

/// The LiDAR-frame boxes of `truth` (KITTI labels) as detections of their class, score `score`,
/// centres moved by Gaussian noise `sigma` [m].
inline ScriptedFrames detections_from_truth(const formats::Annotations& truth, double sigma,
                                            unsigned seed, double score = 0.9) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> noise(0.0, sigma);
  ScriptedFrames out;
  for (const formats::Track& t : truth.tracks) {
    for (const formats::BoxState& b : t.boxes) {
      plugin::Detection d;
      d.class_name = t.label;
      d.box_in_lidar = b.box;
      d.box_in_lidar.center += Eigen::Vector3d(noise(rng), noise(rng), 0.0);
      d.score = score;
      out[b.frame].push_back(d);
    }
  }
  return out;
}

}  // namespace pcanno::test
