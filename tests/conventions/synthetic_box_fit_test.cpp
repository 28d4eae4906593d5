// One-click fitting on synthetic scans with known truth, under the protocol of the KITTI test
// (kitti_box_fit_test.cpp): every truth box with at least 50 returns within 40 m of the sensor is
// seeded at its centre moved by up to 0.5 m and fitted with its class's options, once without and
// once with the heading of its box in the previous frame as the hint. Scans are rendered in
// memory: every 20th frame of 200-frame sequences, seeds 1-3.
//
// PCANNO_TEST_VERBOSE=1 prints the per-class table that docs/automation.md ("One-click fit")
// cites; PCANNO_FIT_SEEDS=4,5,6 measures other (held-out) seeds instead, without the floors.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <random>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "pcanno/formats/labels/class_schema.hpp"
#include "pcanno/geometry/box_fit.hpp"
#include "pcanno/geometry/ground.hpp"
#include "pcanno/geometry/iou.hpp"
#include "pcanno/plugin/automation/class_fit.hpp"
#include "synthetic/lidar_sequence.hpp"

namespace pcanno {
namespace {

constexpr int kFrames = 200;
constexpr int kStride = 20;

bool verbose() { return std::getenv("PCANNO_TEST_VERBOSE") != nullptr; }

/// The seeds to measure: PCANNO_FIT_SEEDS (comma-separated) or the development seeds 1-3.
std::vector<unsigned> seeds_to_measure(bool& overridden) {
  std::vector<unsigned> seeds;
  const char* env = std::getenv("PCANNO_FIT_SEEDS");
  overridden = env != nullptr && *env != '\0';
  if (!overridden) return {1, 2, 3};
  std::stringstream in(env);
  std::string item;
  while (std::getline(in, item, ',')) seeds.push_back(static_cast<unsigned>(std::stoul(item)));
  return seeds;
}

double median(std::vector<double> v) {
  if (v.empty()) return 0.0;
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/// BEV IoU of every eligible fit, per class; one entry per (box, hinted) pair.
struct Scores {
  std::map<std::string, std::vector<double>> plain, hinted;
};

/// The actor's box at `frame`, in that frame's LiDAR frame.
geometry::Cuboid box_in_lidar(const synthetic::Scenario& scenario, const synthetic::Actor& actor,
                              int frame) {
  const geometry::Cuboid world = synthetic::actor_box_in_world(scenario, actor, frame);
  const Eigen::Isometry3d T_lidar_world =
      scenario.T_world_lidar[static_cast<std::size_t>(frame)].inverse();
  return geometry::Cuboid{T_lidar_world * world.center, world.size,
                          Eigen::Quaterniond(T_lidar_world.rotation()) * world.rotation};
}

void score_sequence(unsigned seed, std::mt19937& rng, Scores& scores) {
  synthetic::ScenarioOptions options;
  options.frames = kFrames;
  options.seed = seed;
  const synthetic::Scenario scenario = synthetic::make_scenario(options);
  std::uniform_real_distribution<double> unit(-1.0, 1.0);
  for (int frame = kStride; frame < kFrames; frame += kStride) {
    const synthetic::ScanFrame scan = synthetic::render_frame(scenario, frame);
    const auto view =
        geometry::PointView::interleaved(scan.points.front().data(), scan.points.size(), 4);
    const auto ground = geometry::GroundModel::fit(view);
    ASSERT_TRUE(ground) << "seed " << seed << " frame " << frame;
    for (const synthetic::TruthBox& truth : scan.truth) {
      if (truth.points < 50 || truth.box_in_lidar.center.head<2>().norm() > 40.0) continue;
      Eigen::Vector2d offset;  // up to 0.5 m from the centre, in bird's-eye view
      do {
        offset = Eigen::Vector2d(unit(rng), unit(rng)) * 0.5;
      } while (offset.norm() > 0.5);
      const Eigen::Vector3d click =
          truth.box_in_lidar.center + Eigen::Vector3d(offset.x(), offset.y(), 0.0);
      const auto actor =
          std::find_if(scenario.actors.begin(), scenario.actors.end(),
                       [&](const synthetic::Actor& a) { return a.track_id == truth.track_id; });
      ASSERT_NE(actor, scenario.actors.end());
      for (const bool hinted : {false, true}) {
        geometry::FitOptions fit_options =
            plugin::class_fit_options(formats::make_class_spec(truth.class_name));
        if (hinted && actor->present[static_cast<std::size_t>(frame - 1)]) {
          fit_options.heading_hint = box_in_lidar(scenario, *actor, frame - 1).yaw();
        }
        const auto fit = geometry::fit_box(view, *ground, click, fit_options);
        if (fit && !hinted && truth.class_name == "Pedestrian" && std::getenv("DIAG")) {
          const Eigen::Vector2d ray = truth.box_in_lidar.center.head<2>().normalized();
          const Eigen::Vector2d d = (fit->box.center - truth.box_in_lidar.center).head<2>();
          std::printf(
              "ped iou %.2f truth %.2fx%.2f fit %.2fx%.2f dalong %.2f dacross %.2f dyaw %.0f n %zu "
              "cut %d\n",
              geometry::iou_bev(fit->box, truth.box_in_lidar), truth.box_in_lidar.size.x(),
              truth.box_in_lidar.size.y(), fit->box.size.x(), fit->box.size.y(), d.dot(ray),
              d.x() * -ray.y() + d.y() * ray.x(),
              std::remainder(fit->box.yaw() - truth.box_in_lidar.yaw(), M_PI) * 180 / M_PI,
              fit->point_ids.size(), int(fit->cut_to_prior));
        }
        (hinted ? scores.hinted : scores.plain)[truth.class_name].push_back(
            fit ? geometry::iou_bev(fit->box, truth.box_in_lidar) : 0.0);
      }
    }
  }
}

TEST(SyntheticBoxFit, SeededFitsRecoverTruthBoxesOfEveryClass) {
  bool overridden = false;
  const std::vector<unsigned> seeds = seeds_to_measure(overridden);
  std::mt19937 rng(42);
  Scores scores;
  for (const unsigned seed : seeds) score_sequence(seed, rng, scores);
  if (verbose() || overridden) {
    std::printf("synthetic seeds");
    for (const unsigned seed : seeds) std::printf(" %u", seed);
    std::printf(", frames %d, %d, ... of %d\n%-10s %4s | median BEV IoU no hint / hint\n", kStride,
                2 * kStride, kFrames, "class", "n");
    for (const auto& [type, plain] : scores.plain) {
      std::printf("%-10s %4zu | %.3f / %.3f\n", type.c_str(), plain.size(), median(plain),
                  median(scores.hinted.at(type)));
    }
  }
  if (overridden) return;
  for (const char* type : {"Car", "Van", "Cyclist", "Pedestrian"}) {
    ASSERT_GE(scores.plain[type].size(), 10u) << type << ": too few boxes to measure";
  }
  // Regression floors a little below the figures in docs/automation.md ("One-click fit").
  const std::map<std::string, std::pair<double, double>> floors = {{"Car", {0.87, 0.87}},
                                                                   {"Van", {0.92, 0.92}},
                                                                   {"Cyclist", {0.80, 0.80}},
                                                                   {"Pedestrian", {0.62, 0.67}}};
  for (const auto& [type, floor] : floors) {
    EXPECT_GE(median(scores.plain[type]), floor.first) << type << " without a hint";
    EXPECT_GE(median(scores.hinted[type]), floor.second) << type << " with a hint";
  }
}

}  // namespace
}  // namespace pcanno
