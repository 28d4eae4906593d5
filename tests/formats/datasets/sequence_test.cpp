#include "pcanno/formats/datasets/sequence.hpp"

#include <fstream>

#include <gtest/gtest.h>

#include "pcanno/formats/datasets/kitti_calib.hpp"
#include "temp_dir.hpp"
#include "test_data.hpp"

namespace pcanno::formats {
namespace {

namespace fs = std::filesystem;

fs::path sample_tracking() { return test::sample_data_dir() / "kitti_tracking/training"; }

TEST(Sequence, SampleKittiTrackingOpensWithCalibrationAndLabels) {
  EXPECT_EQ(detect_layout(sample_tracking()), "kitti-tracking");
  const auto seq = open_sequence(sample_tracking());
  ASSERT_TRUE(seq) << seq.error().describe();
  EXPECT_EQ(seq->layout, "kitti-tracking");
  EXPECT_EQ(seq->name, "0000");
  ASSERT_EQ(seq->size(), 5u);
  EXPECT_EQ(seq->frames[4].name, "000004");
  EXPECT_EQ(seq->frames[0].format, "kitti-bin");
  EXPECT_TRUE(seq->has_calibration());
  ASSERT_NE(seq->calibration_of(3), nullptr);
  const auto calib = read_kitti_calib(sample_tracking() / "calib/0000.txt");
  ASSERT_TRUE(calib);
  EXPECT_EQ(seq->calibration_of(3)->kitti->T_rect_velo(), calib->T_rect_velo());
  ASSERT_TRUE(seq->calibration_of(0)->T_ego_lidar.has_value());  // Tr_imu_velo is in tracking calib
  EXPECT_EQ(seq->labels, sample_tracking() / "label_02/0000.txt");
  EXPECT_FALSE(seq->has_poses());  // no oxts for sequence 0000
  EXPECT_TRUE(seq->has_timestamps());
  EXPECT_EQ(seq->frames[3].timestamp_us - seq->frames[2].timestamp_us, 100000);  // 10 Hz
  const auto frame = seq->load_frame(0);
  ASSERT_TRUE(frame) << frame.error().describe();
  EXPECT_EQ(frame->cloud.size(), 123398u);
  const auto out_of_range = seq->load_frame(5);
  ASSERT_FALSE(out_of_range);
  EXPECT_EQ(out_of_range.error().code, ErrorCode::kNotFound);
}

TEST(Sequence, SharedKittiTrackingHas20FramesAndOneCloudSequence) {
  const fs::path root = test::shared_data_dir() / "kitti_tracking";
  PCANNO_REQUIRE_DATA(root / "training/velodyne/0000/000019.bin");
  // Opening the parent of training/ works too.
  const auto seq = open_sequence(root);
  ASSERT_TRUE(seq) << seq.error().describe();
  EXPECT_EQ(seq->size(), 20u);
  const auto all = list_sequences(root);
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 1u);  // labels and calib exist for 21 sequences, clouds for 0000 only
  EXPECT_EQ((*all)[0].frames, 20u);
  // Sequence names are padded: "0" means "0000"; an unknown one lists what exists.
  SequenceOptions named;
  named.name = "0";
  EXPECT_TRUE(open_sequence(root, named));
  named.name = "0007";
  const auto missing = open_sequence(root, named);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
  EXPECT_NE(missing.error().message.find("0000"), std::string::npos) << missing.error().describe();
}

TEST(Sequence, SharedKittiObjectHasCalibrationPerFrame) {
  const fs::path root = test::shared_data_dir() / "kitti_object/training";
  PCANNO_REQUIRE_DATA(root / "velodyne/000002.bin");
  EXPECT_EQ(detect_layout(root), "kitti-object");
  const auto seq = open_sequence(root);
  ASSERT_TRUE(seq) << seq.error().describe();
  EXPECT_EQ(seq->layout, "kitti-object");
  ASSERT_EQ(seq->size(), 3u);
  EXPECT_EQ(seq->calibrations.size(), 3u);
  EXPECT_EQ(seq->frames[2].calibration, 2);
  EXPECT_FALSE(seq->has_timestamps());
  EXPECT_EQ(seq->labels, root / "label_2");
  EXPECT_EQ(seq->load_frame(1)->cloud.size(), 120268u);  // data README
}

/// A KITTI raw drive assembled from the sample frames, the real oxts record and the tracking
/// calibration.
struct RawFixture {
  test::TempDir dir;
  fs::path drive;

  RawFixture() {
    const fs::path day = dir.path() / "2011_09_26";
    drive = day / "2011_09_26_drive_0005_sync";
    fs::create_directories(drive / "velodyne_points/data");
    fs::create_directories(drive / "oxts/data");
    for (int i = 0; i < 2; ++i) {
      fs::copy_file(sample_tracking() / ("velodyne/0000/00000" + std::to_string(i) + ".bin"),
                    drive / ("velodyne_points/data/000000000" + std::to_string(i) + ".bin"));
    }
    dir.write("2011_09_26/2011_09_26_drive_0005_sync/velodyne_points/timestamps.txt",
              "2011-09-26 13:02:25.964389445\n2011-09-26 13:02:26.067924240\n");
    const std::string oxts0 =
        "49.030860615858 8.3397493123379 114.53007507324 0.050175 0.003312 -0.9314506732051 "
        "-5.9 4.4 7.36 -0.006 0.04 0.44 1.3 9.5 0.46 0.81 9.57 -0.02 0.03 -0.005 -0.02 0.03 -0.004 "
        "0.11 0.02 4 7 5 5 6\n";
    std::string oxts1 = oxts0;
    oxts1.replace(oxts1.find("8.3397493123379"), 15, "8.3398493123379");
    dir.write("2011_09_26/2011_09_26_drive_0005_sync/oxts/data/0000000000.txt", oxts0);
    dir.write("2011_09_26/2011_09_26_drive_0005_sync/oxts/data/0000000001.txt", oxts1);
    dir.write("2011_09_26/calib_velo_to_cam.txt",
              "calib_time: 15-Mar-2012 11:37:16\n"
              "R: 7.533745e-03 -9.999714e-01 -6.166020e-04 1.480249e-02 7.280733e-04 -9.998902e-01 "
              "9.998621e-01 7.523790e-03 1.480755e-02\n"
              "T: -4.069766e-03 -7.631618e-02 -2.717806e-01\n");
    dir.write("2011_09_26/calib_imu_to_velo.txt",
              "calib_time: 25-May-2012 16:47:16\n"
              "R: 9.999976e-01 7.553071e-04 -2.035826e-03 -7.854027e-04 9.998898e-01 -1.482298e-02 "
              "2.024406e-03 1.482454e-02 9.998881e-01\n"
              "T: -8.086759e-01 3.195559e-01 -7.997231e-01\n");
    dir.write("2011_09_26/calib_cam_to_cam.txt",
              "calib_time: 09-Jan-2012 13:57:47\ncorner_dist: 9.950000e-02\n"
              "R_rect_00: 9.999239e-01 9.837760e-03 -7.445048e-03 -9.869795e-03 9.999421e-01 "
              "-4.278459e-03 7.402527e-03 4.351614e-03 9.999631e-01\n"
              "P_rect_02: 7.215377e+02 0.000000e+00 6.095593e+02 4.485728e+01 0.000000e+00 "
              "7.215377e+02 1.728540e+02 2.163791e-01 0.000000e+00 0.000000e+00 1.000000e+00 "
              "2.745884e-03\n");
  }
};

TEST(Sequence, KittiRawDriveHasTimesPosesAndCalibration) {
  RawFixture fx;
  EXPECT_EQ(detect_layout(fx.drive), "kitti-raw");
  const auto seq = open_sequence(fx.drive);
  ASSERT_TRUE(seq) << seq.error().describe();
  EXPECT_EQ(seq->name, "2011_09_26_drive_0005_sync");
  ASSERT_EQ(seq->size(), 2u);
  // 2011-09-26 13:02:25.964389 UTC is 1317042145964389 us after the epoch.
  EXPECT_EQ(seq->frames[0].timestamp_us, 1317042145964389);
  EXPECT_EQ(seq->frames[1].timestamp_us - seq->frames[0].timestamp_us, 103535);
  ASSERT_TRUE(seq->has_poses());
  const Calibration* calib = seq->calibration_of(1);
  ASSERT_NE(calib, nullptr);
  ASSERT_TRUE(calib->kitti && calib->T_ego_lidar);
  EXPECT_DOUBLE_EQ(calib->kitti->Tr_velo_to_cam(0, 1), -9.999714e-01);
  EXPECT_DOUBLE_EQ(calib->kitti->P[2](0, 3), 4.485728e+01);
  // Frame 0's IMU is the world origin, so its LiDAR pose is the LiDAR mount; frame 1 moved ~7.3 m
  // east (1e-4 degrees of longitude at 49 degrees north).
  EXPECT_TRUE(seq->frames[0].T_world_lidar->isApprox(*calib->T_ego_lidar, 1e-12));
  const Eigen::Vector3d moved =
      seq->frames[1].T_world_lidar->translation() - seq->frames[0].T_world_lidar->translation();
  EXPECT_NEAR(moved.norm(), 7.2987, 1e-3);
  EXPECT_EQ(seq->load_frame(1)->cloud.size(), 123684u);  // 1978944 bytes / 16
}

TEST(Sequence, FolderOfCloudsSortsNaturally) {
  test::TempDir dir;
  const std::string one_point(16, '\0');
  for (const char* name : {"frame10.bin", "frame2.bin", "frame1.bin", "scan.pcd.bin"}) {
    dir.write(name, std::string(name) == "scan.pcd.bin" ? std::string(20, '\0') : one_point);
  }
  dir.write("notes.txt", "not a cloud");
  EXPECT_EQ(detect_layout(dir.path()), "folder");
  const auto seq = open_sequence(dir.path());
  ASSERT_TRUE(seq) << seq.error().describe();
  ASSERT_EQ(seq->size(), 4u);
  EXPECT_EQ(seq->frames[0].name, "frame1");
  EXPECT_EQ(seq->frames[1].name, "frame2");
  EXPECT_EQ(seq->frames[2].name, "frame10");
  EXPECT_EQ(seq->frames[3].format, "nuscenes-bin");  // longest suffix wins
  EXPECT_EQ(seq->load_frame(2)->cloud.size(), 1u);
  EXPECT_EQ(seq->load_frame(3)->cloud.size(), 1u);
}

TEST(Sequence, ClearErrors) {
  const auto missing = open_sequence("/no/such/dataset");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
  const auto file = open_sequence(sample_tracking() / "calib/0000.txt");
  ASSERT_FALSE(file);
  EXPECT_EQ(file.error().code, ErrorCode::kUnsupported);
  test::TempDir empty;
  const auto nothing = open_sequence(empty.path());
  ASSERT_FALSE(nothing);
  EXPECT_EQ(nothing.error().code, ErrorCode::kUnknownFormat);
  EXPECT_NE(nothing.error().message.find("velodyne"), std::string::npos);
  SequenceOptions wrong;
  wrong.layout = "kitti-object";
  EXPECT_FALSE(open_sequence(sample_tracking(), wrong));
  wrong.layout = "bogus";
  EXPECT_EQ(open_sequence(sample_tracking(), wrong).error().code, ErrorCode::kUnsupported);
}

TEST(Sequence, BrokenCalibrationIsReportedWithItsLine) {
  test::TempDir dir;
  fs::create_directories(dir.path() / "velodyne/0003");
  fs::create_directories(dir.path() / "calib");
  dir.write("velodyne/0003/000000.bin", std::string(16, '\0'));
  dir.write("calib/0003.txt", "P0: 1 2 3\n");
  const auto seq = open_sequence(dir.path());
  ASSERT_FALSE(seq);
  EXPECT_EQ(seq.error().code, ErrorCode::kMalformed);
  EXPECT_NE(seq.error().describe().find("0003.txt:1"), std::string::npos) << seq.error().describe();
}

}  // namespace
}  // namespace pcanno::formats

namespace pcanno::formats {
namespace {

TEST(Sequence, SampleNuscenesSceneOpensWithPosesAndCalibration) {
  const std::filesystem::path root = test::sample_data_dir() / "nuscenes/v1.0-mini-scene0061";
  EXPECT_EQ(detect_layout(root), "nuscenes");
  const auto seq = open_sequence(root);
  ASSERT_TRUE(seq) << seq.error().describe();
  EXPECT_EQ(seq->layout, "nuscenes");
  EXPECT_EQ(seq->name, "scene-0061");
  ASSERT_EQ(seq->size(), 1u);
  EXPECT_EQ(seq->frames[0].timestamp_us, 1532402927647951);  // data README
  EXPECT_TRUE(seq->has_poses());
  ASSERT_NE(seq->calibration_of(0), nullptr);
  ASSERT_TRUE(seq->calibration_of(0)->T_ego_lidar.has_value());
  // formats.md 6.3: LIDAR_TOP sits 0.9437 m ahead of and 1.8402 m above the ego origin.
  EXPECT_NEAR(seq->calibration_of(0)->T_ego_lidar->translation().x(), 0.9437, 1e-4);
  EXPECT_NEAR(seq->calibration_of(0)->T_ego_lidar->translation().z(), 1.8402, 1e-4);
  EXPECT_EQ(seq->load_frame(0)->cloud.size(), 34688u);
  const auto scenes = list_sequences(root);
  ASSERT_TRUE(scenes);
  ASSERT_EQ(scenes->size(), 1u);
  EXPECT_EQ((*scenes)[0].name, "scene-0061");
}

}  // namespace
}  // namespace pcanno::formats
