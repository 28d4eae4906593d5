#include "pcanno/formats/labels/kitti/codecs.hpp"

#include <algorithm>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "kitti_codec_fixtures.hpp"

namespace pcanno::formats {
namespace {

using namespace kitti_codec_test;

TEST(KittiCodecProjection, ManualBoxGetsFormulaAlphaAndProjectedBox) {
  PCANNO_REQUIRE_DATA(kitti_tracking_root() / "velodyne/0000/000000.bin");
  const Sequence seq = open_tracking_0000();
  ASSERT_TRUE(seq.calibration_of(0) && seq.calibration_of(0)->kitti);
  const KittiCalib& calib = *seq.calibration_of(0)->kitti;
  const Eigen::Matrix4d T_rect_velo = calib.T_rect_velo();
  const geometry::Cuboid lidar_box =
      geometry::kitti_camera_to_lidar(van_of_frame_zero(), T_rect_velo);

  Annotations doc = single_box_document(seq, lidar_box, 0, "Van");
  LabelContext context;
  context.sequence = &seq;
  test::TempDir dir;
  Expected<WriteReport> report = write_kitti_tracking_annotations(doc, dir.path(), context);
  ASSERT_TRUE(report) << report.error().describe();
  const std::vector<KittiLabelRow> rows = parse_tracking_file(dir.path() / "0000.txt");
  ASSERT_EQ(rows.size(), 1u);
  const KittiLabelRow& row = rows[0];
  EXPECT_EQ(row.track_id, 7);
  EXPECT_EQ(row.type, "Van");
  // formats.md 3.3: "alpha by formula -1.788236"; the label's own is -1.793451.
  EXPECT_NEAR(row.alpha, -1.788236, 1e-6);
  EXPECT_EQ(row.truncated, 0.0);
  EXPECT_EQ(row.occluded, 0);

  // Independent projection: the LiDAR box's corners -> rectified camera 0 -> P2.
  double left = 1e9, top = 1e9, right = -1e9, bottom = -1e9;
  for (const Eigen::Vector3d& corner : lidar_box.corners()) {
    const Eigen::Vector4d rect = T_rect_velo * corner.homogeneous();
    ASSERT_GT(rect.z(), 0.1);
    const Eigen::Vector3d uvw = calib.P[2] * (rect.head<3>() / rect.w()).homogeneous();
    const Eigen::Vector2d uv = uvw.head<2>() / uvw.z();
    left = std::min(left, uv.x());
    right = std::max(right, uv.x());
    top = std::min(top, uv.y());
    bottom = std::max(bottom, uv.y());
    // Every corner inside the written box (printed with 6 decimals).
    EXPECT_GE(uv.x(), row.bbox[0] - 1e-6);
    EXPECT_LE(uv.x(), row.bbox[2] + 1e-6);
    EXPECT_GE(uv.y(), row.bbox[1] - 1e-6);
    EXPECT_LE(uv.y(), row.bbox[3] + 1e-6);
  }
  EXPECT_NEAR(row.bbox[0], left, 1e-6);
  EXPECT_NEAR(row.bbox[1], top, 1e-6);
  EXPECT_NEAR(row.bbox[2], right, 1e-6);
  EXPECT_NEAR(row.bbox[3], bottom, 1e-6);
  // Inside the 1242x375 image (no image_02 here).
  EXPECT_GE(row.bbox[0], 0.0);
  EXPECT_GE(row.bbox[1], 0.0);
  EXPECT_LE(row.bbox[2], 1241.0);
  EXPECT_LE(row.bbox[3], 374.0);

  // The official Van box (its label row, formats.md 3.3). Tracking boxes turn out to be projections
  // of the Velodyne-frame tracklets, which Convention A reproduces: the edges agree to 5e-5 px, the
  // rounding of the label's 3D fields. (Boxes clipped at the image border or from images other
  // than 1242x375 differ more; this one lies inside the image.)
  const std::array<double, 4> official = {296.744956, 161.752147, 455.226042, 292.372804};
  for (std::size_t i = 0; i < 4; ++i) EXPECT_NEAR(row.bbox[i], official[i], 1e-4) << i;
}

TEST(KittiCodecProjection, ClipsToTheImageSizeReadFromThePng) {
  PCANNO_REQUIRE_DATA(kitti_object_root() / "image_2/000000.png");
  Expected<Sequence> seq = open_sequence(kitti_object_root());
  ASSERT_TRUE(seq) << seq.error().describe();
  // A car 10 m ahead and 7 m to the right of the camera: its projection runs past the right edge.
  // image_2/000000.png is 1224x370 (its IHDR; formats.md 2.1: sizes vary), so the box ends at
  // column 1223, not at KITTI's usual 1241.
  geometry::KittiCameraBox car;
  car.hwl = Eigen::Vector3d(1.5, 1.8, 4.0);
  car.location = Eigen::Vector3d(7.0, 1.6, 10.0);
  car.rotation_y = 0.0;
  const geometry::Cuboid box =
      geometry::kitti_camera_to_lidar(car, seq->calibration_of(0)->kitti->T_rect_velo());
  Annotations doc = single_box_document(*seq, box);
  LabelContext context;
  context.sequence = &*seq;
  test::TempDir dir;
  Expected<WriteReport> report =
      write_kitti_object_annotations(doc, dir.path() / "label_2", context);
  ASSERT_TRUE(report) << report.error().describe();
  Expected<std::vector<KittiLabelRow>> rows =
      read_kitti_object_labels(dir.path() / "label_2/000000.txt");
  ASSERT_TRUE(rows && rows->size() == 1u);
  const KittiLabelRow& row = rows->front();
  EXPECT_EQ(row.bbox[2], 1223.0);
  EXPECT_GT(row.truncated, 0.0);
  EXPECT_LT(row.truncated, 1.0);
}

TEST(KittiCodecProjection, OutOfViewBoxesAreDroppedUnlessAsked) {
  PCANNO_REQUIRE_DATA(kitti_tracking_root() / "calib/0003.txt");
  const Sequence seq = calibration_only_sequence(3, 2);
  const auto box = [](double x, double y) {
    return geometry::Cuboid::from_yaw(Eigen::Vector3d(x, y, -0.8), Eigen::Vector3d(4, 1.8, 1.6),
                                      0.0);
  };
  Annotations doc = single_box_document(seq, box(15.0, 0.0));  // ahead: visible
  const std::vector<geometry::Cuboid> hidden = {
      box(-10.0, 0.0),  // behind the car
      box(0.0, 12.0),   // beside it: centre at camera z ~ 0
      box(5.0, 40.0),   // in front, but far left of the image
  };
  for (std::size_t i = 0; i < hidden.size(); ++i) {
    Track track;
    track.id = static_cast<std::int64_t>(10 + i);
    track.label = "Car";
    BoxState state;
    state.frame = 1;
    state.box = hidden[i];
    track.boxes.push_back(state);
    doc.tracks.push_back(track);
  }
  test::TempDir dir;
  LabelContext context;
  context.sequence = &seq;
  Expected<WriteReport> object = write_kitti_object_annotations(doc, dir.path() / "o", context);
  ASSERT_TRUE(object) << object.error().describe();
  EXPECT_EQ(object->boxes_written, 1u);
  EXPECT_EQ(object->dropped, (std::map<std::string, std::size_t>{{kFov, 3}}));
  EXPECT_EQ(slurp(dir.path() / "o/000001.txt"), "");

  // The folder does not exist yet: the writer makes it.
  Expected<WriteReport> tracking = write_kitti_tracking_annotations(doc, dir.path() / "t", context);
  ASSERT_TRUE(tracking) << tracking.error().describe();
  EXPECT_EQ(tracking->boxes_written, 1u);
  EXPECT_EQ(tracking->dropped.at(kFov), 3u);
  EXPECT_EQ(parse_tracking_file(dir.path() / "t/0003.txt").size(), 1u);
  EXPECT_EQ(slurp(dir.path() / "t" / kKittiTrackingSeqmapName), "0003 empty 000000 000002\n");

  context.include_outside_fov = true;
  context.overwrite = true;
  Expected<WriteReport> all = write_kitti_tracking_annotations(doc, dir.path() / "t", context);
  ASSERT_TRUE(all) << all.error().describe();
  EXPECT_EQ(all->boxes_written, 4u);
  EXPECT_TRUE(all->dropped.empty());
  const std::vector<KittiLabelRow> rows = parse_tracking_file(dir.path() / "t/0003.txt");
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[1].track_id, 10);  // behind: nothing projects
  EXPECT_EQ(rows[1].bbox, (std::array<double, 4>{0.0, 0.0, 0.0, 0.0}));
  EXPECT_EQ(rows[1].truncated, 1.0);
}

TEST(KittiCodecProjection, CentreInFrontMeansTenCentimetresAheadOfRectifiedCameraZero) {
  // KITTI judges "in front" in rectified camera 0, where the labels live. Camera 2's own depth is
  // 2.7 mm more (P2's t_z), so a box centred between 0.1 - 2.7 mm and 0.1 m ahead of camera 0 is
  // behind for KITTI though in front of camera 2's 0.1 m plane: it must still be dropped.
  PCANNO_REQUIRE_DATA(kitti_tracking_root() / "calib/0003.txt");
  const Sequence seq = calibration_only_sequence(3, 1);
  const KittiCalib& calib = *seq.calibration_of(0)->kitti;
  const double t_z = calib.P[2](2, 3);
  ASSERT_NEAR(t_z, 2.745884e-03, 1e-12);
  const auto box_at = [&](double location_z) {
    geometry::KittiCameraBox car;  // 4 m long along camera x
    car.hwl = Eigen::Vector3d(1.5, 1.8, 4.0);
    car.location = Eigen::Vector3d(0.5, 1.5, location_z);
    car.rotation_y = 0.0;
    return geometry::kitti_camera_to_lidar(car, calib.T_rect_velo());
  };
  const auto centre_z_of = [&](const geometry::Cuboid& box) {
    return (calib.T_rect_velo() * box.center.homogeneous()).z();
  };
  // The LiDAR box stands upright, so its centre sits h/2 up along LiDAR z, which leans a little
  // in camera 0: find the location that puts the geometric centre at `centre_z`.
  const double lean = centre_z_of(box_at(0.0));
  const auto written = [&](double centre_z) {
    const geometry::Cuboid box = box_at(centre_z - lean);
    EXPECT_NEAR(centre_z_of(box), centre_z, 1e-9);
    Annotations doc = single_box_document(seq, box);
    LabelContext context;
    context.sequence = &seq;
    test::TempDir dir;
    Expected<WriteReport> report =
        write_kitti_object_annotations(doc, dir.path() / "label_2", context);
    EXPECT_TRUE(report) << report.error().describe();
    return report ? report->boxes_written : 0u;
  };
  EXPECT_EQ(written(0.1 + 0.5 * t_z), 1u);
  EXPECT_EQ(written(0.1 - 0.5 * t_z), 0u);
  EXPECT_EQ(written(-0.5), 0u);
  EXPECT_EQ(written(5.0), 1u);
}

}  // namespace
}  // namespace pcanno::formats
