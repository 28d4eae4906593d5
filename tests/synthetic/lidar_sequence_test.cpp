// The synthetic sequence generator: its KITTI tracking output is read back by the product's own
// readers (layout, oxts poses, labels, clouds) and its scans look like an HDL-64E's.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "files.hpp"
#include "pcanno/formats/datasets/sequence.hpp"
#include "pcanno/formats/labels/kitti/codecs.hpp"
#include "pcanno/geometry/angles.hpp"
#include "synthetic/lidar_sequence.hpp"
#include "temp_dir.hpp"

namespace pcanno::synthetic {
namespace {

constexpr double kDeg = geometry::kPi / 180.0;

ScenarioOptions short_run(int frames, unsigned seed = 5) {
  ScenarioOptions o;
  o.frames = frames;
  o.seed = seed;
  return o;
}

TEST(SyntheticSensor, BeamsSpanTheHdl64Field) {
  const std::vector<double> e = beam_elevations_deg(SensorModel{});
  ASSERT_EQ(e.size(), 64u);
  EXPECT_DOUBLE_EQ(e.front(), 2.0);
  EXPECT_NEAR(e.back(), -24.8, 1e-9);
  // The HDL-64E's upper block is 1/3 deg apart, its lower block about 1/2 deg.
  EXPECT_NEAR(e[0] - e[1], 1.0 / 3.0, 1e-9);
  EXPECT_NEAR(e[62] - e[63], 0.515, 0.01);
  for (std::size_t i = 1; i < e.size(); ++i) EXPECT_LT(e[i], e[i - 1]);
}

TEST(SyntheticSequence, OpensAsKittiTrackingWithTheScenarioPoses) {
  test::TempDir dir("pcanno_synth_");
  const Scenario sc = make_scenario(short_run(25));
  ASSERT_TRUE(write_kitti_tracking(sc, dir.path(), "0003"));
  auto seq = formats::open_sequence(dir.path());
  ASSERT_TRUE(seq) << seq.error().describe();
  EXPECT_EQ(seq->layout, "kitti-tracking");
  EXPECT_EQ(seq->name, "0003");
  ASSERT_EQ(seq->size(), 25u);
  ASSERT_TRUE(seq->has_poses());
  ASSERT_TRUE(seq->has_calibration());
  EXPECT_TRUE(std::filesystem::exists(dir.path() / "label_02" / "0003.txt"));
  // The reader's world is frame 0's IMU: compare motion relative to frame 0.
  const Eigen::Isometry3d ref_truth = sc.T_world_lidar[0].inverse();
  const Eigen::Isometry3d ref_read = seq->frames[0].T_world_lidar->inverse();
  double turned = 0.0;
  for (std::size_t i = 0; i < seq->size(); ++i) {
    const Eigen::Isometry3d truth = ref_truth * sc.T_world_lidar[i];
    const Eigen::Isometry3d read = ref_read * *seq->frames[i].T_world_lidar;
    EXPECT_LT((truth.translation() - read.translation()).norm(), 1e-3) << "frame " << i;
    const double angle = Eigen::AngleAxisd(truth.linear().transpose() * read.linear()).angle();
    EXPECT_LT(angle, 1e-5) << "frame " << i;
    turned = std::max(turned, Eigen::AngleAxisd(truth.linear()).angle());
  }
  // The ego moves and sways, so the comparison means something.
  EXPECT_GT((ref_truth * sc.T_world_lidar.back()).translation().norm(), 15.0);
  EXPECT_GT(turned, 0.01);
}

TEST(SyntheticSequence, LabelsReadBackAsTheTruth) {
  test::TempDir dir("pcanno_synth_");
  const Scenario sc = make_scenario(short_run(12));
  constexpr std::size_t kMinPoints = 5;
  ASSERT_TRUE(write_kitti_tracking(sc, dir.path(), "0000", kMinPoints));
  auto doc = formats::read_kitti_tracking_annotations(dir.path() / "label_02" / "0000.txt");
  ASSERT_TRUE(doc) << doc.error().describe();
  std::size_t expected = 0, skipped = 0;
  std::set<std::string> classes;
  for (int f = 0; f < 12; ++f) {
    for (const TruthBox& t : render_frame(sc, f).truth) {
      const formats::Track* track = doc->track(t.track_id);
      const formats::BoxState* state = track != nullptr ? track->at(f) : nullptr;
      if (t.points < kMinPoints) {
        EXPECT_EQ(state, nullptr) << "track " << t.track_id << " frame " << f;
        ++skipped;
        continue;
      }
      ++expected;
      ASSERT_NE(state, nullptr) << "track " << t.track_id << " frame " << f;
      EXPECT_EQ(track->label, t.class_name);
      classes.insert(t.class_name);
      // label_02 has six decimals in the camera frame.
      EXPECT_LT((state->box.center - t.box_in_lidar.center).norm(), 1e-5);
      EXPECT_LT((state->box.size - t.box_in_lidar.size).cwiseAbs().maxCoeff(), 1e-5);
      EXPECT_LT(std::abs(geometry::angle_difference(state->box.yaw(), t.box_in_lidar.yaw())), 1e-5);
    }
  }
  EXPECT_EQ(doc->box_count(), expected);
  EXPECT_GT(skipped, 0u);  // far or hidden actors are left out of the labels
  // The truck is still out of range in the first second.
  EXPECT_EQ(classes, (std::set<std::string>{"Car", "Cyclist", "Pedestrian", "Van"}));
}

TEST(SyntheticScan, HasSixtyFourRingsAtTheBeamElevations) {
  test::TempDir dir("pcanno_synth_");
  const Scenario sc = make_scenario(short_run(1));
  ASSERT_TRUE(write_kitti_tracking(sc, dir.path()));
  auto seq = formats::open_sequence(dir.path());
  ASSERT_TRUE(seq) << seq.error().describe();
  auto cloud = seq->load_frame(0);
  ASSERT_TRUE(cloud) << cloud.error().describe();
  const std::vector<double> e = beam_elevations_deg(sc.options.sensor);
  std::map<std::size_t, std::size_t> per_ring;
  std::size_t off_ring = 0;
  for (std::size_t i = 0; i < cloud->cloud.size(); ++i) {
    const Eigen::Vector3d p = cloud->cloud.point(i);
    const double elevation = std::atan2(p.z(), p.head<2>().norm()) / kDeg;
    const auto nearest = std::min_element(e.begin(), e.end(), [&](double a, double b) {
      return std::abs(a - elevation) < std::abs(b - elevation);
    });
    if (std::abs(*nearest - elevation) > 0.01) {
      ++off_ring;
      continue;
    }
    ++per_ring[static_cast<std::size_t>(nearest - e.begin())];
  }
  EXPECT_EQ(off_ring, 0u);
  EXPECT_EQ(per_ring.size(), 64u);
  // 64 x 4500 rays; in a street most of them return (upward ones along the road do not).
  EXPECT_GT(cloud->cloud.size(), 100000u);
  EXPECT_LT(cloud->cloud.size(), 64u * 4500u * 98u / 100u);
  // 4500 firings per ring at 0.08 deg: the lowest ring sees the road all around.
  EXPECT_GT(per_ring[63], 3500u);
  EXPECT_LE(per_ring[63], 4500u);
}

TEST(SyntheticScan, ActorPointsLieInTheirBoxesAndTheRoadIsBelowTheSensor) {
  const Scenario sc = make_scenario(short_run(1));
  const ScanFrame scan = render_frame(sc, 0);
  ASSERT_EQ(scan.point_actor.size(), scan.points.size());
  std::map<std::int64_t, const TruthBox*> truth;
  for (const TruthBox& t : scan.truth) truth[t.track_id] = &t;
  std::size_t road = 0, actor_points = 0;
  for (std::size_t i = 0; i < scan.points.size(); ++i) {
    const Eigen::Vector3d p = scan.points[i].head<3>().cast<double>();
    const int a = scan.point_actor[i];
    if (a >= 0) {
      ++actor_points;
      const TruthBox* t = truth.at(sc.actors[static_cast<std::size_t>(a)].track_id);
      EXPECT_TRUE(t->box_in_lidar.contains(p, 0.1)) << "actor " << a << " point " << i;
    } else if (p.head<2>().norm() > 5.0 && p.head<2>().norm() < 15.0 && std::abs(p.y()) < 1.0) {
      // Straight ahead and behind on the road: 1.73 m below the sensor.
      EXPECT_NEAR(p.z(), -sc.options.sensor.mount_height, 0.1);
      ++road;
    }
  }
  EXPECT_GT(road, 100u);
  EXPECT_GT(actor_points, 1000u);
}

TEST(SyntheticScenario, ActorsHideEachOther) {
  // The ego waits beside the parked van (vehicle 0) with pedestrian 0 behind it, and the truck
  // (vehicle 2) passes with vehicle 3 beyond it, around frames 75-110 at the default speed.
  const Scenario sc = make_scenario(short_run(140));
  const std::int64_t van_walker = sc.options.vehicles + sc.options.cyclists + 0;
  const std::int64_t overtaker = 3;
  double walker_min = 1.0, overtaker_min = 1.0;
  bool walker_unseen = false;
  for (int f = 60; f < 140; f += 3) {
    for (const TruthBox& t : render_frame(sc, f).truth) {
      const double distance = t.box_in_lidar.center.head<2>().norm();
      if (t.track_id == van_walker && distance < 30.0) {
        walker_min = std::min(walker_min, t.visible);
        walker_unseen = walker_unseen || t.points == 0;
      }
      if (t.track_id == overtaker && distance < 30.0) {
        overtaker_min = std::min(overtaker_min, t.visible);
      }
    }
  }
  EXPECT_LT(walker_min, 0.5);
  EXPECT_TRUE(walker_unseen);
  EXPECT_LT(overtaker_min, 0.5);

  // Without the scripted occluders the same actors stay in view.
  ScenarioOptions open = short_run(140);
  open.occluders = false;
  const Scenario clear = make_scenario(open);
  double clear_min = 1.0;
  for (int f = 60; f < 140; f += 3) {
    for (const TruthBox& t : render_frame(clear, f).truth) {
      if (t.track_id == van_walker && t.box_in_lidar.center.head<2>().norm() < 20.0) {
        clear_min = std::min(clear_min, t.visible);
      }
    }
  }
  EXPECT_GT(clear_min, 0.5);
}

std::map<std::string, std::string> all_files(const std::filesystem::path& root) {
  std::map<std::string, std::string> files;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
    if (entry.is_regular_file()) {
      files[std::filesystem::relative(entry.path(), root).string()] = test::slurp(entry.path());
    }
  }
  return files;
}

TEST(SyntheticSequence, OneSeedIsOneSequence) {
  test::TempDir a("pcanno_synth_"), b("pcanno_synth_"), c("pcanno_synth_");
  ASSERT_TRUE(write_kitti_tracking(make_scenario(short_run(3, 7)), a.path()));
  ASSERT_TRUE(write_kitti_tracking(make_scenario(short_run(3, 7)), b.path()));
  ASSERT_TRUE(write_kitti_tracking(make_scenario(short_run(3, 8)), c.path()));
  const auto fa = all_files(a.path()), fb = all_files(b.path()), fc = all_files(c.path());
  ASSERT_EQ(fa.size(), 7u);  // 3 scans, labels, seqmap, calib, oxts
  EXPECT_TRUE(fa == fb);
  ASSERT_EQ(fc.size(), fa.size());
  EXPECT_NE(fa.at("velodyne/0000/000000.bin"), fc.at("velodyne/0000/000000.bin"));
  EXPECT_NE(fa.at("label_02/0000.txt"), fc.at("label_02/0000.txt"));
}

}  // namespace
}  // namespace pcanno::synthetic
