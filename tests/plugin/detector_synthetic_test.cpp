// The built-in `classical` detector on synthetic 64-beam scans (tests/support/synthetic): streets
// with walls, hedges, poles, parked and moving vehicles that hide each other, all truth known. The
// same rule as on KITTI (detection_scoring.hpp), all around the sensor (the truth is not limited
// to a camera's view): Car/Van truth within 40 m holding 50 or more returns.
#include <cstdio>
#include <cstdlib>
#include <vector>

#include <gtest/gtest.h>

#include "detection_scoring.hpp"
#include "pcanno/formats/clouds/point_cloud.hpp"
#include "pcanno/plugin/registry.hpp"
#include "synthetic/lidar_sequence.hpp"

namespace pcanno {
namespace {

constexpr double kRange = 40.0;  ///< [m]
/// Measured on clutter seeds 1-3: 43 of 45 required found (0.956), 43 of 124 boxes true (0.347);
/// each floor allows one box worse: a car more missed (42/45 = 0.933), one more false positive
/// (43/125 = 0.344).
constexpr double kClutterRecall = 0.93;
constexpr double kClutterPrecision = 0.344;

bool car_or_van(const std::string& c) { return c == "Car" || c == "Van"; }

/// Every `step`-th frame of a `frames`-frame scenario of `seed`, at each score threshold of
/// `min_scores` (one count per threshold: detections scoring lower are left out).
std::vector<test::DetectionCounts> score_scenario(const plugin::DetectorFactory& factory,
                                                  unsigned seed, int frames, int step,
                                                  bool clutter = false,
                                                  const std::vector<double>& min_scores = {0.0}) {
  synthetic::ScenarioOptions options;
  options.frames = frames;
  options.seed = seed;
  options.clutter = clutter;
  const synthetic::Scenario scenario = synthetic::make_scenario(options);
  auto detector = factory.create({});
  EXPECT_TRUE(detector);
  std::vector<test::DetectionCounts> counts(min_scores.size());
  if (!detector) return counts;
  for (int f = 0; f < frames; f += step) {
    const synthetic::ScanFrame scan = synthetic::render_frame(scenario, f);
    formats::PointCloud cloud;
    for (const Eigen::Vector4f& p : scan.points) {
      cloud.x.push_back(p.x());
      cloud.y.push_back(p.y());
      cloud.z.push_back(p.z());
    }
    plugin::DetectorFrame frame;
    frame.index = f;
    frame.cloud = &cloud;
    const auto found = (*detector)->detect(frame, [] { return false; });
    EXPECT_TRUE(found) << found.error().describe();
    if (!found) continue;
    for (std::size_t k = 0; k < min_scores.size(); ++k) {
      std::vector<test::ScoredTruth> truth;
      for (const synthetic::TruthBox& t : scan.truth) {
        truth.push_back({t.box_in_lidar,
                         car_or_van(t.class_name) && t.points >= 50 &&
                             t.box_in_lidar.center.head<2>().norm() <= kRange,
                         false});
      }
      std::vector<test::ScoredDetection> scored;
      for (const plugin::Detection& d : *found) {
        if (d.score < min_scores[k]) continue;
        scored.push_back(
            {d.box_in_lidar,
             car_or_van(d.class_name) && d.box_in_lidar.center.head<2>().norm() <= kRange, false});
      }
      counts[k].add(test::score_detections(truth, scored));
    }
  }
  return counts;
}

TEST(ClassicalDetectorSynthetic, FindsCarsAndVansAmongWallsHedgesAndPoles) {
  const plugin::Registry registry = plugin::Registry::with_builtins();
  const plugin::DetectorFactory* factory = registry.detector("classical");
  ASSERT_NE(factory, nullptr);
  test::DetectionCounts all;
  for (const unsigned seed : {1u, 2u, 3u}) {
    const test::DetectionCounts c = score_scenario(*factory, seed, 60, 6).front();
    c.print(("synthetic seed " + std::to_string(seed)).c_str());
    all.add(c);
  }
  all.print("synthetic, 3 x 10 frames");
  EXPECT_GE(all.required, 40);
  // Measured 0.978 / 0.898 (docs/automation.md).
  EXPECT_GE(all.recall(), 0.95);
  EXPECT_GE(all.precision(), 0.87);
}

TEST(ClassicalDetectorSynthetic, StreetClutterAndScoreThresholds) {
  // The opt-in clutter (garages, sheds, house fronts, bicycle rows, hedges behind parked cars, tall
  // vans): the hard case for a classifier by shape. A higher min_score must trade recall for
  // precision.
  const plugin::Registry registry = plugin::Registry::with_builtins();
  const plugin::DetectorFactory* factory = registry.detector("classical");
  ASSERT_NE(factory, nullptr);
  const std::vector<double> thresholds = {0.2, 0.85, 0.9, 0.93};
  std::vector<test::DetectionCounts> all(thresholds.size());
  for (const unsigned seed : {1u, 2u, 3u}) {
    const auto c = score_scenario(*factory, seed, 60, 6, true, thresholds);
    for (std::size_t k = 0; k < thresholds.size(); ++k) all[k].add(c[k]);
  }
  for (std::size_t k = 0; k < thresholds.size(); ++k) {
    all[k].print(("clutter 1-3, min_score " + std::to_string(thresholds[k]).substr(0, 4)).c_str());
  }
  // Floors one box below the measured figures (docs/automation.md).
  EXPECT_GE(all[0].required, 40);
  EXPECT_GE(all[0].recall(), kClutterRecall);
  EXPECT_GE(all[0].precision(), kClutterPrecision);
  EXPECT_GT(all[2].precision(), all[0].precision());
}

}  // namespace
}  // namespace pcanno
