// The built-in `classical` detector on the official KITTI ground truth: tracking sequence 0000
// frames 0-19 (label_02) and the three object frames (label_2).
//
// What is measured (the acceptance rule, with KITTI's own ignore rules made exact):
// - Required truth: every Car or Van box whose centre lies within 40 m (bird's-eye view) of the
//   LiDAR and that holds 50 or more points. Recall = required boxes matched / required boxes.
// - Counted detections: Car or Van detections whose centre lies within 40 m and projects into the
//   camera image (the labels only cover the camera's view). Greedy by score, a detection with BEV
//   IoU >= 0.5 to a not yet matched required box is a true positive. Otherwise it is ignored (not
//   counted at all) when it has BEV IoU >= 0.1 with any other truth box (a Car/Van below 50 points
//   or beyond 40 m, a Truck, Tram, Pedestrian, Cyclist, Misc, Person_sitting) or its centre projects
//   into a DontCare region; any other is a false positive (duplicates of a matched box too).
//   Precision = true positives / (true positives + false positives).
#include <array>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "kitti_fixtures.hpp"
#include "pcanno/formats/clouds/raw_bin.hpp"
#include "pcanno/formats/datasets/kitti_calib.hpp"
#include "pcanno/formats/labels/kitti/label.hpp"
#include "pcanno/geometry/iou.hpp"
#include "pcanno/geometry/kitti_convention.hpp"
#include "pcanno/geometry/points_in_cuboid.hpp"
#include "pcanno/plugin/registry.hpp"
#include "detection_scoring.hpp"
#include "test_data.hpp"

namespace pcanno {
namespace {

namespace fs = std::filesystem;

constexpr double kRange = 40.0;  ///< [m]
constexpr std::size_t kMinPoints = 50;

using test::DetectionCounts;

bool car_or_van(const std::string& type) { return type == "Car" || type == "Van"; }
bool verbose() { return std::getenv("PCANNO_TEST_VERBOSE") != nullptr; }

/// Width and height [px] of a PNG, from its IHDR chunk.
std::pair<int, int> png_size(const fs::path& png) {
  std::ifstream in(png, std::ios::binary);
  unsigned char header[24] = {};
  in.read(reinterpret_cast<char*>(header), sizeof header);
  const auto be32 = [&](int at) {
    return int(header[at]) << 24 | int(header[at + 1]) << 16 | int(header[at + 2]) << 8 |
           int(header[at + 3]);
  };
  return {be32(16), be32(20)};
}

void report(const char* what, int frame, const geometry::Cuboid& b) {
  std::printf("  %s: frame %d at (%.1f, %.1f) %.1f x %.1f x %.1f\n", what, frame, b.center.x(),
              b.center.y(), b.size.x(), b.size.y(), b.size.z());
}

/// Score thresholds the test reports precision and recall at; the first is the default's.
const std::vector<double> kThresholds = {0.0, 0.85, 0.9, 0.93};

/// Scores one frame's detections against its truth rows (frame == `frame`), at each threshold of
/// kThresholds (detections scoring lower left out).
std::vector<DetectionCounts> score_frame(const plugin::DetectorFactory& factory,
                                         const fs::path& bin, const formats::KittiCalib& calib,
                                         std::pair<int, int> image,
                                         const std::vector<formats::KittiLabelRow>& rows,
                                         int frame) {
  std::vector<DetectionCounts> counts(kThresholds.size());
  auto cloud = formats::read_kitti_bin(bin);
  EXPECT_TRUE(cloud) << bin;
  if (!cloud) return counts;
  auto detector = factory.create({});
  EXPECT_TRUE(detector);
  if (!detector) return counts;
  plugin::DetectorFrame f;
  f.index = frame;
  f.cloud = &*cloud;
  const auto detections = (*detector)->detect(f, [] { return false; });
  EXPECT_TRUE(detections) << detections.error().describe();
  if (!detections) return counts;

  const Eigen::Matrix4d T_rect_velo = calib.T_rect_velo();
  std::vector<test::ScoredTruth> all_truth;
  std::vector<std::array<double, 4>> dont_care;
  for (const auto& row : rows) {
    if (row.frame != frame) continue;
    if (row.is_dont_care()) {
      dont_care.push_back(row.bbox);
      continue;
    }
    test::ScoredTruth t;
    t.box = geometry::kitti_camera_to_lidar(row.box, T_rect_velo);
    t.required = car_or_van(row.type) && t.box.center.head<2>().norm() <= kRange &&
                 geometry::points_in_cuboid(cloud->view(), t.box).size() >= kMinPoints;
    all_truth.push_back(t);
  }
  std::vector<test::ScoredDetection> scored;
  std::vector<double> scores;
  for (const plugin::Detection& d : *detections) {  // sorted by score
    test::ScoredDetection s;
    s.box = d.box_in_lidar;
    const Eigen::Vector4d p = T_rect_velo * d.box_in_lidar.center.homogeneous();
    const Eigen::Vector3d uvw = calib.P[2] * p;
    const double u = uvw.x() / uvw.z();
    const double v = uvw.y() / uvw.z();
    s.counted = car_or_van(d.class_name) && d.box_in_lidar.center.head<2>().norm() <= kRange &&
                uvw.z() > 0.1 && u >= 0 && u < image.first;
    for (const auto& r : dont_care) {
      s.in_dont_care = s.in_dont_care || (u >= r[0] && u <= r[2] && v >= r[1] && v <= r[3]);
    }
    scored.push_back(s);
    scores.push_back(d.score);
  }
  for (std::size_t k = 0; k < kThresholds.size(); ++k) {
    std::vector<test::ScoredTruth> truth = all_truth;
    std::vector<test::ScoredDetection> kept;
    for (std::size_t i = 0; i < scored.size(); ++i) {
      if (scores[i] >= kThresholds[k]) kept.push_back(scored[i]);
    }
    const bool show = verbose() && k == 0;
    counts[k] = test::score_detections(
        truth, kept,
        [&](const geometry::Cuboid& b) { if (show) report("false positive", frame, b); },
        [&](const geometry::Cuboid& b) { if (show) report("missed", frame, b); });
  }
  return counts;
}

void add(std::vector<DetectionCounts>& to, const std::vector<DetectionCounts>& counts) {
  for (std::size_t k = 0; k < to.size(); ++k) to[k].add(counts[k]);
}

TEST(KittiDetector, ClassicalDetectorFindsCarsAndVansWithinFortyMetres) {
  const fs::path tracking = test::kitti_tracking_root();
  const fs::path object = test::kitti_object_root();
  PCANNO_REQUIRE_DATA(tracking / "velodyne/0000/000019.bin");
  PCANNO_REQUIRE_DATA(object / "velodyne/000002.bin");
  const plugin::Registry registry = plugin::Registry::with_builtins();
  const plugin::DetectorFactory* factory = registry.detector("classical");
  ASSERT_NE(factory, nullptr);

  std::vector<DetectionCounts> sequences(kThresholds.size());
  const auto calib = formats::read_kitti_calib(tracking / "calib/0000.txt");
  const auto rows = formats::read_kitti_tracking_labels(tracking / "label_02/0000.txt");
  ASSERT_TRUE(calib && rows);
  for (int frame = 0; frame < 20; ++frame) {
    char name[32];
    std::snprintf(name, sizeof(name), "velodyne/0000/%06d.bin", frame);
    // The tracking images are not in the shared data; sequence 0000's are 1242 x 375 px.
    add(sequences, score_frame(*factory, tracking / name, *calib, {1242, 375}, *rows, frame));
  }
  std::vector<DetectionCounts> objects_at(kThresholds.size());
  for (int frame = 0; frame < 3; ++frame) {
    char stem[16];
    std::snprintf(stem, sizeof(stem), "%06d", frame);
    const auto object_calib = formats::read_kitti_calib(object / "calib" / (stem + std::string(".txt")));
    const auto object_rows =
        formats::read_kitti_object_labels(object / "label_2" / (stem + std::string(".txt")));
    ASSERT_TRUE(object_calib && object_rows) << stem;
    add(objects_at, score_frame(*factory, object / "velodyne" / (stem + std::string(".bin")),
                            *object_calib, png_size(object / "image_2" / (stem + std::string(".png"))),
                            *object_rows, -1));
  }
  const DetectionCounts& sequence = sequences[0];
  const DetectionCounts& objects = objects_at[0];
  DetectionCounts all = sequence;
  all.add(objects);
  sequence.print("tracking 0000 f0-19");
  objects.print("object 000000-000002");
  all.print("all");
  for (std::size_t k = 1; k < kThresholds.size(); ++k) {
    DetectionCounts at = sequences[k];
    at.add(objects_at[k]);
    at.print(("all, min_score " + std::to_string(kThresholds[k]).substr(0, 4)).c_str());
  }

  // The truth: Van 0 in all 20 tracking frames, the parked Van 3 in the 8 where it is within 40 m
  // with 50 points, the car of object frame 000002; counted with points_in_cuboid.
  EXPECT_EQ(all.required, 29);
  // Measured 0.929 / 0.929 on the sequence and 0.897 / 0.743 overall (docs/automation.md); the
  // issue asks 0.85 / 0.70 overall. Each floor allows one box less (or one false positive more)
  // than measured; the overall floors are above the target.
  EXPECT_GE(sequence.recall(), 0.89);
  EXPECT_GE(sequence.precision(), 0.89);
  EXPECT_GE(all.recall(), 0.86);
  EXPECT_GE(all.precision(), 0.72);
}

}  // namespace
}  // namespace pcanno
