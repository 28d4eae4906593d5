// The generator's opt-in street clutter (ScenarioOptions::clutter): off by default and then the
// scene is exactly the one without it; on, it puts unlabelled structure of vehicle height on the
// pavement strip between the kerb and the building line, and adds tall parked vans and trucks.
#include <gtest/gtest.h>

#include <cmath>

#include "synthetic/lidar_sequence.hpp"

namespace pcanno::synthetic {
namespace {

ScenarioOptions run(unsigned seed, bool clutter) {
  ScenarioOptions o;
  o.frames = 1;
  o.seed = seed;
  o.clutter = clutter;
  return o;
}

/// Returns of the static scene (no actor) on the pavement strips (9.3 m < |y| < 12.4 m in the
/// world, the kerb at 9.2 m and the building line from 12.5 m) between 0.5 m and 2.5 m above the
/// road, within 40 m of the sensor: where the clutter stands and plain scenes have only poles and
/// tree trunks.
std::size_t strip_returns(const Scenario& sc, const ScanFrame& scan) {
  std::size_t n = 0;
  for (std::size_t i = 0; i < scan.points.size(); ++i) {
    if (scan.point_actor[i] >= 0) continue;
    const Eigen::Vector3d p = scan.points[i].head<3>().cast<double>();
    if (p.head<2>().norm() > 40.0) continue;
    const Eigen::Vector3d w = sc.T_world_lidar[0] * p;
    if (std::abs(w.y()) > 9.3 && std::abs(w.y()) < 12.4 && w.z() > 0.5 && w.z() < 2.5) ++n;
  }
  return n;
}

TEST(SyntheticClutter, OffByDefaultAndThenTheSceneIsUnchanged) {
  EXPECT_FALSE(ScenarioOptions{}.clutter);
  const Scenario plain = make_scenario(run(4, false));
  const ScanFrame a = render_frame(plain, 0);
  const ScanFrame b = render_frame(make_scenario(run(4, false)), 0);
  ASSERT_EQ(a.points.size(), b.points.size());
  for (std::size_t i = 0; i < a.points.size(); ++i) ASSERT_EQ(a.points[i], b.points[i]) << i;
  // With clutter, the scripted actors (the first ones) keep their paths.
  const Scenario cluttered = make_scenario(run(4, true));
  ASSERT_GT(cluttered.actors.size(), plain.actors.size());
  for (std::size_t k = 0; k < 6; ++k) {
    EXPECT_EQ(cluttered.actors[k].class_name, plain.actors[k].class_name) << k;
    EXPECT_EQ(cluttered.actors[k].xy_yaw, plain.actors[k].xy_yaw) << k;
  }
}

TEST(SyntheticClutter, PutsVehicleHighStructureOnThePavementAndTallVans) {
  for (const unsigned seed : {1u, 2u, 3u}) {
    const Scenario plain = make_scenario(run(seed, false));
    const Scenario cluttered = make_scenario(run(seed, true));
    const std::size_t before = strip_returns(plain, render_frame(plain, 0));
    const std::size_t after = strip_returns(cluttered, render_frame(cluttered, 0));
    // Garages, hedges, bicycles and furniture every 4-14 m on both sides: thousands of returns
    // where poles and trunks give hundreds.
    EXPECT_GT(after, before + 2000) << "seed " << seed;
    int tall_vans = 0;
    int trucks = 0;
    for (const Actor& a : cluttered.actors) {
      tall_vans += a.class_name == "Van" && a.size.z() >= 2.4 && a.size.x() >= 5.5 ? 1 : 0;
      trucks += a.class_name == "Truck" ? 1 : 0;
    }
    EXPECT_GE(tall_vans, 2) << "seed " << seed;
    EXPECT_GE(trucks, 2) << "seed " << seed;
  }
}

}  // namespace
}  // namespace pcanno::synthetic
