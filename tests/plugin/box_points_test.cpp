// The one count of LiDAR points in a box: QA's few-points rule and the workstation's readout call
// count_points_in_boxes, and both must agree, point for point, with a plain count done here.
#include "pcanno/plugin/services/box_points.hpp"

#include <cmath>
#include <filesystem>
#include <map>
#include <utility>

#include <gtest/gtest.h>

#include "pcanno/formats/labels/shape_frames.hpp"
#include "pcanno/plugin/registry.hpp"
#include "pcanno/plugin/services/qa.hpp"

namespace pcanno::plugin {
namespace {

namespace fs = std::filesystem;

/// Points of `cloud` inside `box_in_lidar`, one by one in the box's own axes, boundary inside.
std::size_t plain_count(const formats::PointCloud& cloud, const geometry::Cuboid& box_in_lidar) {
  const Eigen::Matrix3d R_box_lidar = box_in_lidar.rotation.toRotationMatrix().transpose();
  const Eigen::Vector3d half = 0.5 * box_in_lidar.size;
  std::size_t n = 0;
  for (std::size_t i = 0; i < cloud.size(); ++i) {
    const Eigen::Vector3d p = R_box_lidar * (cloud.point(i) - box_in_lidar.center);
    if (std::abs(p.x()) <= half.x() && std::abs(p.y()) <= half.y() && std::abs(p.z()) <= half.z()) {
      ++n;
    }
  }
  return n;
}

TEST(BoxPoints, TheReadoutQaAndAPlainCountAgreeOnTheSampleKittiFrames) {
  const fs::path root = fs::path(PCANNO_SAMPLE_DATA_DIR) / "kitti_tracking/training";
  formats::SequenceOptions options;
  options.name = "0000";
  auto seq = formats::open_sequence(root, options);
  ASSERT_TRUE(seq) << seq.error().describe();
  const Registry registry = Registry::with_builtins();
  auto codec = registry.codecs().select(root / "label_02/0000.txt", "");
  ASSERT_TRUE(codec);
  auto doc = (*codec)->read(root / "label_02/0000.txt", formats::LabelContext{});
  ASSERT_TRUE(doc) << doc.error().describe();

  // A minimum no box reaches: QA reports every box's count.
  QaOptions qa_options;
  qa_options.min_points = 1000000;
  auto report = check_annotations(*doc, &*seq, qa_options);
  ASSERT_TRUE(report);
  std::map<std::pair<std::int64_t, std::int64_t>, double> qa_count;
  for (const Finding& f : report->findings) {
    if (f.check == "few-points") qa_count[{f.track, f.frame}] = f.value;
  }

  std::size_t boxes = 0, with_points = 0, total = 0;
  for (std::size_t frame = 0; frame < seq->size(); ++frame) {
    auto cloud = seq->load_frame(frame);
    ASSERT_TRUE(cloud) << cloud.error().describe();
    for (const formats::Track& t : doc->tracks) {
      const formats::BoxState* state = t.at(static_cast<std::int64_t>(frame));
      if (state == nullptr) continue;
      SCOPED_TRACE("track " + std::to_string(t.id) + " frame " + std::to_string(frame));
      auto lidar = formats::box_in_lidar(*state, &*seq);
      ASSERT_TRUE(lidar);
      auto readout = box_points(*state, &*seq, cloud->cloud);
      ASSERT_TRUE(readout) << readout.error().describe();
      const std::size_t expected = plain_count(cloud->cloud, *lidar);
      EXPECT_EQ(readout->points, expected);
      const auto qa = qa_count.find({t.id, state->frame});
      ASSERT_NE(qa, qa_count.end());
      EXPECT_EQ(qa->second, static_cast<double>(expected));
      EXPECT_NEAR(readout->range,
                  std::hypot(lidar->center.x(), lidar->center.y(), lidar->center.z()), 1e-9);
      ++boxes;
      with_points += expected > 0;
      total += expected;
    }
  }
  // The sample's 25 label rows less its 10 DontCare regions: a van, a cyclist and a pedestrian
  // over five frames.
  EXPECT_EQ(boxes, 15u);
  EXPECT_GT(with_points, 10u);
  EXPECT_GT(total, 1000u);
}

TEST(BoxPoints, AGeoreferencedCloudIsCountedInItsOwnPrecision) {
  // A UTM-like cloud: floats relative to a far origin. Points 1 cm inside and 1 cm outside the
  // box's +x face, which a float at 500 km could not tell apart.
  formats::PointCloud cloud;
  cloud.origin = Eigen::Vector3d(500000.0, 4000000.0, 50.0);
  const auto add = [&](double x, double y, double z) {
    cloud.x.push_back(static_cast<float>(x));
    cloud.y.push_back(static_cast<float>(y));
    cloud.z.push_back(static_cast<float>(z));
  };
  add(11.99, 0.0, 0.0);         // inside
  add(12.01, 0.0, 0.0);         // outside
  add(10.0, 0.5, 0.4);          // inside
  add(10.0, 1.5, 0.0);          // outside
  add(std::nan(""), 0.0, 0.0);  // never inside
  const geometry::Cuboid box = geometry::Cuboid::from_yaw(
      cloud.origin + Eigen::Vector3d(10.0, 0.0, 0.0), Eigen::Vector3d(4.0, 2.0, 1.0), 0.0);
  EXPECT_EQ(count_points_in_boxes(cloud, {box}), (std::vector<std::size_t>{2}));
  EXPECT_EQ(plain_count(cloud, box), 2u);

  formats::BoxState state;
  state.box = box;
  state.shape_frame = formats::ShapeFrame::kLidar;
  auto readout = box_points(state, nullptr, cloud);
  ASSERT_TRUE(readout);
  EXPECT_EQ(readout->points, 2u);
  EXPECT_NEAR(readout->range, box.center.norm(), 1e-6);
  // A world-frame box without a pose has no LiDAR frame: said, not guessed.
  state.shape_frame = formats::ShapeFrame::kWorld;
  formats::Sequence posed;
  posed.frames.resize(1);
  EXPECT_FALSE(box_points(state, &posed, cloud));
}

}  // namespace
}  // namespace pcanno::plugin
