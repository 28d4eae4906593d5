// Camera images in the dataset layouts: KITTI tracking (generated image_02), KITTI raw (the shared
// drive), nuScenes (the six cameras of scene-0061) and Lyft (tables whose images are absent).
#include <algorithm>
#include <array>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "files.hpp"
#include "nuscenes_test_data.hpp"
#include "pcanno/formats/datasets/image.hpp"
#include "pcanno/formats/datasets/sequence.hpp"
#include "temp_dir.hpp"
#include "test_data.hpp"

namespace pcanno::formats {
namespace {

namespace fs = std::filesystem;
using test::any_contains;
using test::TempDir;

// ---------------------------------------------------------------------------------------------
// A tiny PNG: 8-bit RGB, each row filter 0, the pixels in one stored (uncompressed) deflate block.

std::uint32_t crc32(const std::string& bytes) {
  std::uint32_t crc = 0xffffffffu;
  for (const unsigned char c : bytes) {
    crc ^= c;
    for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
  }
  return crc ^ 0xffffffffu;
}

std::string be32(std::uint32_t v) {
  return {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8),
          static_cast<char>(v)};
}

std::string chunk(const std::string& type, const std::string& data) {
  return be32(static_cast<std::uint32_t>(data.size())) + type + data + be32(crc32(type + data));
}

std::string tiny_png(int width, int height) {
  std::string raw;
  for (int y = 0; y < height; ++y) {
    raw += '\0';  // filter: none
    for (int x = 0; x < width; ++x) raw += std::string{char(x * 20), char(y * 40), char(90)};
  }
  std::uint32_t a = 1, b = 0;  // Adler-32 of the uncompressed bytes
  for (const unsigned char c : raw) {
    a = (a + c) % 65521u;
    b = (b + a) % 65521u;
  }
  const auto n = static_cast<std::uint16_t>(raw.size());
  std::string zlib = {'\x78',
                      '\x01',
                      '\x01',
                      char(n & 0xff),
                      char(n >> 8),
                      char(~n & 0xff),
                      char((~n >> 8) & 0xff)};
  zlib += raw + be32((b << 16) | a);
  const std::string ihdr = be32(static_cast<std::uint32_t>(width)) +
                           be32(static_cast<std::uint32_t>(height)) +
                           std::string{8, 2, 0, 0, 0};  // 8-bit RGB, no interlace
  return std::string("\x89PNG\r\n\x1a\n", 8) + chunk("IHDR", ihdr) + chunk("IDAT", zlib) +
         chunk("IEND", "");
}

// ---------------------------------------------------------------------------------------------
// KITTI tracking

// Calibration numbers of the generated sequence, in the official tracking spelling. P2 and R_rect
// are deliberately not the identity, so that a wrong product shows.
constexpr std::array<double, 12> kP2 = {700.0, 0.0, 600.0, 45.0, 0.0, 710.0,
                                        170.0, 0.2, 0.0,   0.0,  1.0, 0.003};
constexpr std::array<double, 9> kRrect = {0.99992,  0.00984, -0.00745, -0.00987, 0.99994,
                                          -0.00428, 0.00740, 0.00435,  0.99996};
constexpr std::array<double, 12> kTr = {0.0075,  -0.99997, -0.0006, -0.004, 0.0148, 0.0007,
                                        -0.9999, -0.076,   0.9999,  0.0075, 0.0148, -0.27};

template <std::size_t N>
std::string numbers(const std::array<double, N>& values) {
  std::ostringstream out;
  out.precision(17);
  for (const double v : values) out << ' ' << v;
  return out.str();
}

/// image_02/0003/<frame>.png for frames 0 and 1 (7x5 px); frame 2's image is missing.
fs::path write_tracking_sequence(const TempDir& dir) {
  const std::string calib = "P0:" + numbers(kP2) + "\nP1:" + numbers(kP2) + "\nP2:" + numbers(kP2) +
                            "\nP3:" + numbers(kP2) + "\nR_rect" + numbers(kRrect) +
                            "\nTr_velo_cam" + numbers(kTr) + "\n";
  dir.write("training/calib/0003.txt", calib);
  const std::string point(16, '\0');
  for (const char* frame : {"000000", "000001", "000002"}) {
    dir.write(std::string("training/velodyne/0003/") + frame + ".bin", point);
  }
  dir.write("training/image_02/0003/000000.png", tiny_png(7, 5));
  dir.write("training/image_02/0003/000001.png", tiny_png(7, 5));
  return dir.path() / "training";
}

TEST(CameraLayout, GeneratedPngIsAValidImage) {
  TempDir dir;
  const fs::path png = dir.write("tiny.png", tiny_png(7, 5));
  const auto image = decode_image(png);
  ASSERT_TRUE(image) << image.error().describe();
  EXPECT_EQ(image->width, 7);
  EXPECT_EQ(image->height, 5);
}

TEST(CameraLayout, KittiTrackingListsImage02WithP2AndTheCalibration) {
  TempDir dir;
  const fs::path root = write_tracking_sequence(dir);
  SequenceOptions options;
  options.name = "3";
  const auto seq = open_sequence(root, options);
  ASSERT_TRUE(seq) << seq.error().describe();
  ASSERT_EQ(seq->frames.size(), 3u);
  EXPECT_EQ(seq->cameras, std::vector<std::string>{"image_02"});

  Eigen::Matrix<double, 3, 4> P2;
  Eigen::Matrix4d R = Eigen::Matrix4d::Identity();
  Eigen::Matrix<double, 3, 4> Tr;
  for (int k = 0; k < 12; ++k) {
    P2(k / 4, k % 4) = kP2[static_cast<std::size_t>(k)];
    Tr(k / 4, k % 4) = kTr[static_cast<std::size_t>(k)];
  }
  for (int k = 0; k < 9; ++k) R(k / 3, k % 3) = kRrect[static_cast<std::size_t>(k)];

  for (std::size_t i = 0; i < 3; ++i) {
    const FrameRef& frame = seq->frames[i];
    ASSERT_EQ(frame.images.size(), 1u) << frame.name;
    const CameraImage* image = frame.image("image_02");
    ASSERT_NE(image, nullptr);
    EXPECT_EQ(image->channel, "image_02");
    EXPECT_EQ(image->path, root / "image_02" / "0003" / (frame.name + ".png"));
    // The size comes from the PNG header; the missing frame 2 keeps its image with size 0.
    EXPECT_EQ(image->camera.width, i < 2 ? 7 : 0);
    EXPECT_EQ(image->camera.height, i < 2 ? 5 : 0);
    EXPECT_LE((image->camera.P - P2 * R).cwiseAbs().maxCoeff(), 1e-12);
    EXPECT_LE((image->T_cam_lidar.matrix().topRows<3>() - Tr).cwiseAbs().maxCoeff(), 0.0);
    // A LiDAR point lands where the devkit's P2 * R_rect * Tr_velo_cam puts it.
    const Eigen::Vector4d X(12.0, -1.5, 0.4, 1.0);
    const Eigen::Vector3d want = P2 * R * (Eigen::Matrix4d() << Tr, 0, 0, 0, 1).finished() * X;
    const Eigen::Vector3d got = image->camera.P * (image->T_cam_lidar * X.head<3>()).homogeneous();
    EXPECT_LE((got.head<2>() / got.z() - want.head<2>() / want.z()).norm(), 1e-9);
  }
  // One warning for the sequence, not one per file.
  EXPECT_TRUE(any_contains(seq->warnings, "1 of 3 camera image files are missing"))
      << ::testing::PrintToString(seq->warnings);
}

TEST(CameraLayout, KittiTrackingWithoutImagesHasNoCameras) {
  TempDir dir;
  const fs::path root = write_tracking_sequence(dir);
  fs::remove_all(root / "image_02");
  const auto seq = open_sequence(root);
  ASSERT_TRUE(seq) << seq.error().describe();
  EXPECT_TRUE(seq->cameras.empty());
  for (const FrameRef& frame : seq->frames) EXPECT_TRUE(frame.images.empty());
}

TEST(CameraLayout, KittiTrackingWithoutCalibrationSkipsTheCamera) {
  TempDir dir;
  const fs::path root = write_tracking_sequence(dir);
  fs::remove(root / "calib" / "0003.txt");
  const auto seq = open_sequence(root);
  ASSERT_TRUE(seq) << seq.error().describe();
  EXPECT_TRUE(seq->cameras.empty());
  EXPECT_TRUE(any_contains(seq->warnings, "image_02: 3 of 3 frames have no calibration with P2"))
      << ::testing::PrintToString(seq->warnings);
}

// ---------------------------------------------------------------------------------------------
// KITTI raw

/// `key: numbers` of a raw calibration file, parsed here on its own.
std::vector<double> raw_values(const fs::path& file, const std::string& key) {
  std::istringstream lines(test::slurp(file));
  std::string line;
  while (std::getline(lines, line)) {
    if (line.rfind(key + ":", 0) != 0) continue;
    std::istringstream in(line.substr(key.size() + 1));
    std::vector<double> out;
    for (double v; in >> v;) out.push_back(v);
    return out;
  }
  return {};
}

TEST(CameraLayout, KittiRawListsImage02WithPRect02) {
  const fs::path date = test::shared_data_dir() / "kitti_raw/2011_09_26";
  const fs::path drive = date / "2011_09_26_drive_unknown_sync";
  PCANNO_REQUIRE_DATA(drive / "image_02/data/0000000015.png");
  const auto seq = open_sequence(drive);
  ASSERT_TRUE(seq) << seq.error().describe();
  EXPECT_EQ(seq->layout, "kitti-raw");
  ASSERT_EQ(seq->frames.size(), 16u);
  EXPECT_EQ(seq->cameras, std::vector<std::string>{"image_02"});  // the only image folder here
  EXPECT_FALSE(any_contains(seq->warnings, "missing")) << ::testing::PrintToString(seq->warnings);

  const std::vector<double> P = raw_values(date / "calib_cam_to_cam.txt", "P_rect_02");
  const std::vector<double> R = raw_values(date / "calib_cam_to_cam.txt", "R_rect_00");
  const std::vector<double> rot = raw_values(date / "calib_velo_to_cam.txt", "R");
  const std::vector<double> t = raw_values(date / "calib_velo_to_cam.txt", "T");
  ASSERT_EQ(P.size(), 12u);
  ASSERT_EQ(R.size(), 9u);
  ASSERT_EQ(rot.size(), 9u);
  ASSERT_EQ(t.size(), 3u);
  Eigen::Matrix<double, 3, 4> P_rect;
  Eigen::Matrix4d R_rect = Eigen::Matrix4d::Identity(), velo_to_cam = Eigen::Matrix4d::Identity();
  for (int k = 0; k < 12; ++k) P_rect(k / 4, k % 4) = P[static_cast<std::size_t>(k)];
  for (int k = 0; k < 9; ++k) {
    R_rect(k / 3, k % 3) = R[static_cast<std::size_t>(k)];
    velo_to_cam(k / 3, k % 3) = rot[static_cast<std::size_t>(k)];
  }
  for (int r = 0; r < 3; ++r) velo_to_cam(r, 3) = t[static_cast<std::size_t>(r)];
  const Eigen::Matrix<double, 3, 4> devkit = P_rect * R_rect * velo_to_cam;

  for (const FrameRef& frame : seq->frames) {
    ASSERT_EQ(frame.images.size(), 1u) << frame.name;
    const CameraImage& image = frame.images[0];
    EXPECT_EQ(image.channel, "image_02");
    EXPECT_EQ(image.path, drive / "image_02" / "data" / (frame.name + ".png"));
    EXPECT_EQ(image.camera.width, 1242);  // README: 1242x375 RGB
    EXPECT_EQ(image.camera.height, 375);
    const Eigen::Matrix<double, 3, 4> ours = image.camera.P * image.T_cam_lidar.matrix();
    EXPECT_LE((ours - devkit).cwiseAbs().maxCoeff(), 1e-9);
  }
}

TEST(CameraLayout, KittiRawListsEveryImageFolderInCameraOrder) {
  const fs::path date = test::shared_data_dir() / "kitti_raw/2011_09_26";
  PCANNO_REQUIRE_DATA(date / "calib_cam_to_cam.txt");
  TempDir dir;
  fs::copy(date / "calib_velo_to_cam.txt", dir.path() / "calib_velo_to_cam.txt");
  // The official file without its P_rect_01 line: image_01 cannot be projected.
  std::string cam_to_cam;
  std::istringstream lines(test::slurp(date / "calib_cam_to_cam.txt"));
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("P_rect_01:", 0) != 0) cam_to_cam += line + "\n";
  }
  dir.write("calib_cam_to_cam.txt", cam_to_cam);
  const fs::path drive = dir.path() / "2011_09_26_drive_0001_sync";
  dir.write("2011_09_26_drive_0001_sync/velodyne_points/data/0000000000.bin",
            std::string(16, '\0'));
  for (const char* camera : {"image_03", "image_01", "image_00"}) {
    dir.write(std::string("2011_09_26_drive_0001_sync/") + camera + "/data/0000000000.png",
              tiny_png(4, 3));
  }
  const auto seq = open_sequence(drive);
  ASSERT_TRUE(seq) << seq.error().describe();
  EXPECT_EQ(seq->cameras, (std::vector<std::string>{"image_00", "image_03"}));
  EXPECT_TRUE(any_contains(seq->warnings, "image_01: 1 of 1 frames have no calibration with P1"))
      << ::testing::PrintToString(seq->warnings);
  ASSERT_EQ(seq->frames.size(), 1u);
  ASSERT_EQ(seq->frames[0].images.size(), 2u);
  const std::vector<double> P3 = raw_values(date / "calib_cam_to_cam.txt", "P_rect_03");
  const std::vector<double> R = raw_values(date / "calib_cam_to_cam.txt", "R_rect_00");
  ASSERT_EQ(P3.size(), 12u);
  ASSERT_EQ(R.size(), 9u);
  Eigen::Matrix<double, 3, 4> P_rect;
  Eigen::Matrix4d R_rect = Eigen::Matrix4d::Identity();
  for (int k = 0; k < 12; ++k) P_rect(k / 4, k % 4) = P3[static_cast<std::size_t>(k)];
  for (int k = 0; k < 9; ++k) R_rect(k / 3, k % 3) = R[static_cast<std::size_t>(k)];
  const CameraImage* image = seq->frames[0].image("image_03");
  ASSERT_NE(image, nullptr);
  EXPECT_EQ(image->path, drive / "image_03" / "data" / "0000000000.png");
  EXPECT_EQ(image->camera.width, 4);
  EXPECT_EQ(image->camera.height, 3);
  EXPECT_LE((image->camera.P - P_rect * R_rect).cwiseAbs().maxCoeff(), 1e-12);
}

// ---------------------------------------------------------------------------------------------
// nuScenes and Lyft

fs::path cameras_root() { return test::shared_data_dir() / "nuscenes_cameras/v1.0-mini-scene0061"; }

const std::vector<std::string> kRing = {"CAM_FRONT_LEFT", "CAM_FRONT", "CAM_FRONT_RIGHT",
                                        "CAM_BACK_RIGHT", "CAM_BACK",  "CAM_BACK_LEFT"};

TEST(CameraLayout, NuscenesListsSixCamerasInRingOrder) {
  PCANNO_REQUIRE_DATA(cameras_root() / "v1.0-mini/sample_data.json");
  const auto seq = open_sequence(cameras_root());
  ASSERT_TRUE(seq) << seq.error().describe();
  EXPECT_EQ(seq->cameras, kRing);
  EXPECT_TRUE(seq->warnings.empty()) << ::testing::PrintToString(seq->warnings);
  ASSERT_EQ(seq->frames.size(), 1u);
  const FrameRef& frame = seq->frames[0];
  ASSERT_EQ(frame.images.size(), 6u);
  const auto tables =
      nlohmann::json::parse(test::slurp(cameras_root() / "v1.0-mini/sample_data.json"));
  for (std::size_t i = 0; i < 6; ++i) {
    const CameraImage& image = frame.images[i];
    EXPECT_EQ(image.channel, kRing[i]);
    EXPECT_EQ(image.camera.width, 1600);
    EXPECT_EQ(image.camera.height, 900);
    EXPECT_TRUE(fs::exists(image.path)) << image.path;
    EXPECT_NE(image.path.string().find("__" + kRing[i] + "__"), std::string::npos) << image.path;
    EXPECT_TRUE(image.T_ego_camera && image.T_world_ego);
    EXPECT_FALSE(image.calibrated_sensor_token.empty());
    // The record the image came from: its token and time.
    bool found = false;
    for (const auto& row : tables) {
      if (row.at("token") != image.sample_data_token) continue;
      found = true;
      EXPECT_EQ(image.timestamp_us, row.at("timestamp").get<std::int64_t>());
      EXPECT_EQ(row.at("calibrated_sensor_token"), image.calibrated_sensor_token);
    }
    EXPECT_TRUE(found) << image.sample_data_token;
  }
}

TEST(CameraLayout, NuscenesCameraWithoutIntrinsicIsSkippedWithAWarning) {
  PCANNO_REQUIRE_DATA(cameras_root() / "v1.0-mini/sample_data.json");
  TempDir dir;
  fs::copy(cameras_root() / "v1.0-mini", dir.path() / "v1.0-mini");
  fs::copy(cameras_root() / "samples", dir.path() / "samples", fs::copy_options::recursive);
  const fs::path cs_file = dir.path() / "v1.0-mini/calibrated_sensor.json";
  auto cs = nlohmann::json::parse(test::slurp(cs_file));
  const auto sensors = nlohmann::json::parse(test::slurp(dir.path() / "v1.0-mini/sensor.json"));
  std::string back_token;
  for (const auto& s : sensors) {
    if (s.at("channel") == "CAM_BACK") back_token = s.at("token");
  }
  for (auto& row : cs) {
    if (row.at("sensor_token") == back_token) row["camera_intrinsic"] = nlohmann::json::array();
  }
  std::ofstream(cs_file) << cs.dump();
  // And one image file gone: still listed.
  fs::remove_all(dir.path() / "samples/CAM_FRONT");

  const auto seq = open_sequence(dir.path());
  ASSERT_TRUE(seq) << seq.error().describe();
  EXPECT_EQ(seq->cameras,
            (std::vector<std::string>{"CAM_FRONT_LEFT", "CAM_FRONT", "CAM_FRONT_RIGHT",
                                      "CAM_BACK_RIGHT", "CAM_BACK_LEFT"}));
  EXPECT_TRUE(any_contains(seq->warnings,
                           "CAM_BACK records have no calibrated_sensor with "
                           "camera_intrinsic"))
      << ::testing::PrintToString(seq->warnings);
  EXPECT_TRUE(any_contains(seq->warnings, "1 of 5 camera image files are missing"))
      << ::testing::PrintToString(seq->warnings);
  ASSERT_EQ(seq->frames.size(), 1u);
  const CameraImage* front = seq->frames[0].image("CAM_FRONT");
  ASSERT_NE(front, nullptr);
  EXPECT_FALSE(fs::exists(front->path));
  EXPECT_EQ(front->camera.width, 1600);  // from sample_data, not the file
}

TEST(CameraLayout, NuscenesKeyframesTakeTheirSampleAndSweepsTheNearestImage) {
  PCANNO_REQUIRE_DATA(cameras_root() / "v1.0-mini/sample_data.json");
  TempDir dir;
  fs::copy(cameras_root() / "v1.0-mini", dir.path() / "v1.0-mini");
  const fs::path sd_file = dir.path() / "v1.0-mini/sample_data.json";
  auto rows = nlohmann::json::parse(test::slurp(sd_file));
  // Row 0 is the LIDAR_TOP keyframe, row 1 the CAM_FRONT keyframe (35 ms before the sweep).
  ASSERT_NE(rows[0].at("filename").get<std::string>().find("LIDAR_TOP"), std::string::npos);
  ASSERT_NE(rows[1].at("filename").get<std::string>().find("CAM_FRONT"), std::string::npos);
  const std::int64_t t0 = rows[0].at("timestamp");
  // A CAM_FRONT sweep 10 ms after the keyframe sweep (nearer to it than the camera keyframe) and a
  // LiDAR sweep 50 ms after it.
  nlohmann::json cam = rows[1];
  cam["token"] = "camera-sweep";
  cam["is_key_frame"] = false;
  cam["timestamp"] = t0 + 10000;
  cam["filename"] = "sweeps/CAM_FRONT/not_here.jpg";
  nlohmann::json lidar = rows[0];
  lidar["token"] = "lidar-sweep";
  lidar["is_key_frame"] = false;
  lidar["timestamp"] = t0 + 50000;
  lidar["prev"] = rows[0].at("token");
  lidar["next"] = "late-sweep";
  rows[0]["next"] = "lidar-sweep";
  // A LiDAR sweep 2 s later: no camera has a record near it.
  nlohmann::json late = lidar;
  late["token"] = "late-sweep";
  late["timestamp"] = t0 + 2000000;
  late["prev"] = "lidar-sweep";
  late["next"] = "";
  const std::string camera_keyframe = rows[1].at("token");
  rows.push_back(cam);
  rows.push_back(lidar);
  rows.push_back(late);
  std::ofstream(sd_file) << rows.dump();

  SequenceOptions options;
  options.include_sweeps = true;
  const auto seq = open_sequence(dir.path(), options);
  ASSERT_TRUE(seq) << seq.error().describe();
  ASSERT_EQ(seq->frames.size(), 3u);
  ASSERT_EQ(seq->frames[1].name, "lidar-sweep");
  const CameraImage* key = seq->frames[0].image("CAM_FRONT");
  const CameraImage* sweep = seq->frames[1].image("CAM_FRONT");
  ASSERT_TRUE(key != nullptr && sweep != nullptr);
  EXPECT_EQ(key->sample_data_token, camera_keyframe);   // same sample, although not the nearest
  EXPECT_EQ(sweep->sample_data_token, "camera-sweep");  // 40 ms away versus 85 ms
  EXPECT_EQ(sweep->timestamp_us, t0 + 10000);
  EXPECT_EQ(seq->frames[1].images.size(), 6u);  // the other channels' only records
  // Two seconds away from every image: none is shown rather than another moment's, and each
  // camera says so once.
  EXPECT_TRUE(seq->frames[2].images.empty());
  const auto said = std::count_if(seq->warnings.begin(), seq->warnings.end(), [](const auto& w) {
    return w.rfind("CAM_", 0) == 0 &&
           w.find(": 1 frame(s) have no image within 250 ms") != std::string::npos;
  });
  EXPECT_EQ(said, 6);
}

TEST(CameraLayout, LyftListsItsCamerasAndWarnsAboutMissingImages) {
  PCANNO_REQUIRE_DATA(test::lyft_root() / "v1.01-train/sample_data.json");
  const auto seq = open_sequence(test::lyft_root());
  ASSERT_TRUE(seq) << seq.error().describe();
  // README: 7 camera sample_data rows; Lyft adds CAM_FRONT_ZOOMED after the nuScenes ring.
  std::vector<std::string> want = kRing;
  want.push_back("CAM_FRONT_ZOOMED");
  EXPECT_EQ(seq->cameras, want);
  ASSERT_EQ(seq->frames.size(), 1u);
  ASSERT_EQ(seq->frames[0].images.size(), 7u);
  for (const CameraImage& image : seq->frames[0].images) {
    EXPECT_EQ(image.camera.width, 1920) << image.channel;
    EXPECT_EQ(image.camera.height, 1080) << image.channel;
    EXPECT_FALSE(fs::exists(image.path));
  }
  EXPECT_TRUE(any_contains(seq->warnings, "7 of 7 camera image files are missing"))
      << ::testing::PrintToString(seq->warnings);
}

}  // namespace
}  // namespace pcanno::formats
