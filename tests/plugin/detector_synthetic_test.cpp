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

bool car_or_van(const std::string& c) { return c == "Car" || c == "Van"; }

/// Every `step`-th frame of a `frames`-frame scenario of `seed`.
test::DetectionCounts score_scenario(const plugin::DetectorFactory& factory, unsigned seed,
                                     int frames, int step) {
  synthetic::ScenarioOptions options;
  options.frames = frames;
  options.seed = seed;
  const synthetic::Scenario scenario = synthetic::make_scenario(options);
  auto detector = factory.create({});
  EXPECT_TRUE(detector);
  test::DetectionCounts counts;
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
    std::vector<test::ScoredTruth> truth;
    for (const synthetic::TruthBox& t : scan.truth) {
      truth.push_back({t.box_in_lidar,
                       car_or_van(t.class_name) && t.points >= 50 &&
                           t.box_in_lidar.center.head<2>().norm() <= kRange,
                       false});
    }
    std::vector<test::ScoredDetection> scored;
    for (const plugin::Detection& d : *found) {
      scored.push_back({d.box_in_lidar,
                        car_or_van(d.class_name) && d.box_in_lidar.center.head<2>().norm() <= kRange,
                        false});
    }
    counts.add(test::score_detections(truth, scored));
  }
  return counts;
}

TEST(ClassicalDetectorSynthetic, FindsCarsAndVansAmongWallsHedgesAndPoles) {
  const plugin::Registry registry = plugin::Registry::with_builtins();
  const plugin::DetectorFactory* factory = registry.detector("classical");
  ASSERT_NE(factory, nullptr);
  test::DetectionCounts all;
  for (const unsigned seed : {1u, 2u, 3u}) {
    const test::DetectionCounts c = score_scenario(*factory, seed, 60, 6);
    c.print(("synthetic seed " + std::to_string(seed)).c_str());
    all.add(c);
  }
  all.print("synthetic, 3 x 10 frames");
  EXPECT_GE(all.required, 40);
  // Measured 0.978 / 0.898 (docs/automation.md).
  EXPECT_GE(all.recall(), 0.95);
  EXPECT_GE(all.precision(), 0.87);
}

}  // namespace
}  // namespace pcanno
