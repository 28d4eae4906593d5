#include "pcanno/formats/labels/kitti/codecs.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "pcanno/formats/datasets/kitti_calib.hpp"
#include "pcanno/formats/datasets/sequence.hpp"
#include "pcanno/formats/labels/kitti/label.hpp"
#include "pcanno/geometry/kitti_convention.hpp"
#include "temp_dir.hpp"
#include "test_data.hpp"

namespace pcanno::formats {
namespace {

namespace fs = std::filesystem;
using test::shared_data_dir;
using test::slurp;

const char* const kFov = "boxes outside the camera's field of view";

fs::path tracking_root() { return shared_data_dir() / "kitti_tracking/training"; }
fs::path object_root() { return shared_data_dir() / "kitti_object/training"; }

std::string sequence_name(int s) {
  char name[16];
  std::snprintf(name, sizeof(name), "%04d", s);
  return name;
}

fs::path tracking_labels(int s) {
  return tracking_root() / "label_02" / (sequence_name(s) + ".txt");
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

/// A tracking sequence without clouds, as the test data has for 0001-0020: the official
/// calibration shared by `frames` frames.
Sequence calibration_only_sequence(int s, int frames) {
  Sequence seq;
  seq.layout = "kitti-tracking";
  seq.name = sequence_name(s);
  seq.root = tracking_root();
  const fs::path calib_file = tracking_root() / "calib" / (seq.name + ".txt");
  Expected<KittiCalib> calib = read_kitti_calib(calib_file);
  EXPECT_TRUE(calib) << calib.error().describe();
  if (calib) seq.calibrations.push_back(Calibration{*calib, std::nullopt, calib_file});
  for (int i = 0; i < frames; ++i) {
    FrameRef frame;
    char name[16];
    std::snprintf(name, sizeof(name), "%06d", i);
    frame.name = name;
    frame.calibration = 0;
    seq.frames.push_back(frame);
  }
  return seq;
}

int label_frame_count(const fs::path& labels) {
  Expected<std::vector<KittiLabelRow>> rows = read_kitti_tracking_labels(labels);
  EXPECT_TRUE(rows);
  int max_frame = -1;
  if (rows) {
    for (const KittiLabelRow& row : *rows) max_frame = std::max(max_frame, row.frame);
  }
  return max_frame + 1;
}

Sequence open_tracking_0000() {
  SequenceOptions options;
  options.name = "0000";
  Expected<Sequence> seq = open_sequence(tracking_root(), options);
  EXPECT_TRUE(seq) << seq.error().describe();
  return seq ? std::move(seq).value() : Sequence{};
}

/// One-track document over the frames of `seq`.
Annotations single_box_document(const Sequence& seq, const geometry::Cuboid& box,
                                std::int64_t frame = 0, const std::string& label = "Car") {
  Annotations doc;
  for (const FrameRef& f : seq.frames) doc.frames.push_back(FrameInfo{f.name, -1, {}, ""});
  Track track;
  track.id = 7;
  track.label = label;
  BoxState state;
  state.frame = frame;
  state.box = box;
  state.provenance = Provenance::kManual;
  track.boxes.push_back(state);
  doc.tracks.push_back(track);
  doc.ensure_class(label);
  return doc;
}

// formats.md 3.3: tracking 0000, frame 0, track 0.
geometry::KittiCameraBox van_of_frame_zero() {
  geometry::KittiCameraBox van;
  van.hwl = Eigen::Vector3d(2.000000, 1.823255, 4.433886);
  van.location = Eigen::Vector3d(-4.552284, 1.858523, 13.410495);
  van.rotation_y = -2.115488;
  return van;
}

std::vector<KittiLabelRow> parse_tracking_file(const fs::path& file) {
  Expected<std::vector<KittiLabelRow>> rows = read_kitti_tracking_labels(file);
  EXPECT_TRUE(rows) << rows.error().describe();
  return rows ? std::move(rows).value() : std::vector<KittiLabelRow>{};
}

TEST(KittiCodecTracking, RoundTripOfAll21SequencesIsExact) {
  PCANNO_REQUIRE_DATA(tracking_labels(20));
  test::TempDir dir;
  const fs::path out = dir.path() / "label_02";
  fs::create_directories(out);
  std::size_t total_rows = 0;
  for (int s = 0; s <= 20; ++s) {
    // Sequence 0000 has its clouds here; the others are labels plus calibration only.
    const Sequence seq = s == 0
                             ? open_tracking_0000()
                             : calibration_only_sequence(s, label_frame_count(tracking_labels(s)));
    LabelContext context;
    context.sequence = &seq;
    Expected<Annotations> doc = read_kitti_tracking_annotations(tracking_labels(s), context);
    ASSERT_TRUE(doc) << doc.error().describe();
    Expected<WriteReport> report = write_kitti_tracking_annotations(*doc, out, context);
    ASSERT_TRUE(report) << report.error().describe();
    EXPECT_TRUE(report->dropped.empty());
    EXPECT_EQ(report->boxes_written, doc->box_count());

    const std::vector<std::string> original = lines_of(slurp(tracking_labels(s)));
    const std::vector<std::string> written = lines_of(slurp(out / (sequence_name(s) + ".txt")));
    ASSERT_EQ(written.size(), original.size()) << s;
    EXPECT_EQ(doc->box_count() + doc->ignore_regions.size(), original.size());
    std::size_t differing = 0;
    for (std::size_t i = 0; i < original.size(); ++i) {
      if (written[i] != original[i]) {
        ++differing;
        ADD_FAILURE() << sequence_name(s) << ":" << i + 1 << "\n  original: " << original[i]
                      << "\n  written:  " << written[i];
      }
    }
    EXPECT_EQ(differing, 0u) << s;
    total_rows += original.size();
  }
  EXPECT_EQ(total_rows, 64300u);  // data README

  // One seqmap line per sequence; 0000 has 20 frames here (its velodyne folder, data README).
  const std::vector<std::string> seqmap = lines_of(slurp(out / kKittiTrackingSeqmapName));
  ASSERT_EQ(seqmap.size(), 21u);
  EXPECT_EQ(seqmap[0], "0000 empty 000000 000020");
  EXPECT_EQ(seqmap[20].substr(0, 19), "0020 empty 000000 0");
}

TEST(KittiCodecTracking, ImportsLidarBoxesWithCameraFieldsKept) {
  PCANNO_REQUIRE_DATA(tracking_labels(0));
  // No context: the calibration is found from label_02/0000.txt's training root.
  Expected<Annotations> doc = read_kitti_tracking_annotations(tracking_labels(0));
  ASSERT_TRUE(doc) << doc.error().describe();
  EXPECT_EQ(doc->sequence.layout, "kitti-tracking");
  EXPECT_EQ(doc->sequence.name, "0000");
  ASSERT_EQ(doc->frames.size(), 20u);
  EXPECT_EQ(doc->frames[3].name, "000003");
  EXPECT_EQ(doc->frames[3].timestamp_us, 300000);  // nominal 10 Hz of the layout
  // kitti_label_test: 88 rows, 27 DontCare, 61 objects.
  EXPECT_EQ(doc->ignore_regions.size(), 27u);
  EXPECT_EQ(doc->box_count(), 61u);
  EXPECT_NE(doc->class_spec("Van"), nullptr);
  EXPECT_NE(doc->class_spec("Cyclist"), nullptr);
  EXPECT_EQ(doc->class_spec("DontCare"), nullptr);
  EXPECT_EQ(doc->ignore_regions[0].bbox, (std::array<double, 4>{219.31, 188.49, 245.5, 218.56}));

  const Track* van = doc->track(0);
  ASSERT_NE(van, nullptr);
  EXPECT_EQ(van->label, "Van");
  const BoxState* state = van->at(0);
  ASSERT_NE(state, nullptr);
  EXPECT_EQ(state->shape_frame, ShapeFrame::kLidar);
  EXPECT_EQ(state->provenance, Provenance::kImported);
  EXPECT_TRUE(state->keyframe);
  EXPECT_FALSE(state->score);
  // formats.md 3.3, Convention A.
  EXPECT_NEAR(state->box.center.x(), 13.7010, 1e-4);
  EXPECT_NEAR(state->box.center.y(), 4.5714, 1e-4);
  EXPECT_NEAR(state->box.center.z(), -0.7424, 1e-4);
  EXPECT_EQ(state->box.size, Eigen::Vector3d(4.433886, 1.823255, 2.0));
  EXPECT_NEAR(state->box.yaw(), 0.544692, 1e-6);
  ASSERT_TRUE(state->kitti);
  EXPECT_EQ(state->kitti->alpha, -1.793451);
  EXPECT_EQ(state->kitti->truncated, 0.0);
  EXPECT_EQ(state->kitti->occluded, 0);
  EXPECT_EQ(state->kitti->bbox,
            (std::array<double, 4>{296.744956, 161.752147, 455.226042, 292.372804}));
}

TEST(KittiCodecTracking, CalibrationOnlyDatasetRoundTripsWithoutContext) {
  PCANNO_REQUIRE_DATA(tracking_labels(5));
  // 0005 has no clouds here: reading finds calib/0005.txt, writing finds it again through the
  // document's sequence reference.
  Expected<Annotations> doc = read_kitti_tracking_annotations(tracking_labels(5));
  ASSERT_TRUE(doc) << doc.error().describe();
  EXPECT_EQ(doc->sequence.name, "0005");
  EXPECT_EQ(static_cast<int>(doc->frames.size()), label_frame_count(tracking_labels(5)));
  test::TempDir dir;
  Expected<WriteReport> report = write_kitti_tracking_annotations(*doc, dir.path());
  ASSERT_TRUE(report) << report.error().describe();
  ASSERT_EQ(report->written.size(), 2u);
  EXPECT_EQ(report->written[0], dir.path() / "0005.txt");
  EXPECT_EQ(slurp(dir.path() / "0005.txt"), slurp(tracking_labels(5)));
}

TEST(KittiCodecObject, RoundTripOfTheThreeLabelFilesIsExact) {
  PCANNO_REQUIRE_DATA(object_root() / "label_2/000002.txt");
  Expected<Annotations> doc = read_kitti_object_annotations(object_root() / "label_2");
  ASSERT_TRUE(doc) << doc.error().describe();
  ASSERT_EQ(doc->frames.size(), 3u);
  // 000000: Pedestrian; 000001: Truck, Car, Cyclist + 4 DontCare; 000002: Misc, Car.
  ASSERT_EQ(doc->tracks.size(), 6u);
  const std::vector<std::string> labels = {"Pedestrian", "Truck", "Car", "Cyclist", "Misc", "Car"};
  const std::vector<std::int64_t> frames = {0, 1, 1, 1, 2, 2};
  for (std::size_t i = 0; i < 6; ++i) {
    EXPECT_EQ(doc->tracks[i].id, static_cast<std::int64_t>(i));
    EXPECT_EQ(doc->tracks[i].label, labels[i]);
    ASSERT_EQ(doc->tracks[i].boxes.size(), 1u);
    EXPECT_EQ(doc->tracks[i].boxes[0].frame, frames[i]);
  }
  ASSERT_EQ(doc->ignore_regions.size(), 4u);
  EXPECT_EQ(doc->ignore_regions[0].frame, 1);
  // formats.md 3.3: object 000000 Pedestrian, Convention A.
  const geometry::Cuboid& pedestrian = doc->tracks[0].boxes[0].box;
  EXPECT_NEAR(pedestrian.center.x(), 8.7314, 1e-4);
  EXPECT_NEAR(pedestrian.center.y(), -1.8559, 1e-4);
  EXPECT_NEAR(pedestrian.center.z(), -0.6547, 1e-4);
  EXPECT_NEAR(pedestrian.yaw(), -1.580796, 1e-6);

  test::TempDir dir;
  const fs::path out = dir.path() / "label_2";
  Expected<WriteReport> report = write_kitti_object_annotations(*doc, out);
  ASSERT_TRUE(report) << report.error().describe();
  EXPECT_EQ(report->boxes_written, 6u);
  for (const char* name : {"000000.txt", "000001.txt", "000002.txt"}) {
    EXPECT_EQ(slurp(out / name), slurp(object_root() / "label_2" / name)) << name;
  }
  EXPECT_EQ(std::distance(fs::directory_iterator(out), fs::directory_iterator()), 3);
}

TEST(KittiCodecObject, SingleFileWithExplicitSequence) {
  PCANNO_REQUIRE_DATA(object_root() / "label_2/000001.txt");
  Expected<Sequence> seq = open_sequence(object_root());
  ASSERT_TRUE(seq) << seq.error().describe();
  LabelContext context;
  context.sequence = &*seq;
  Expected<Annotations> doc =
      read_kitti_object_annotations(object_root() / "label_2/000001.txt", context);
  ASSERT_TRUE(doc) << doc.error().describe();
  EXPECT_EQ(doc->frames.size(), 3u);  // the sequence's frames; only frame 1 has labels
  EXPECT_EQ(doc->box_count(), 3u);
  test::TempDir dir;
  Expected<WriteReport> report = write_kitti_object_annotations(*doc, dir.path() / "l2", context);
  ASSERT_TRUE(report) << report.error().describe();
  EXPECT_EQ(slurp(dir.path() / "l2/000000.txt"), "");  // frames without labels: empty files
  EXPECT_EQ(slurp(dir.path() / "l2/000001.txt"), slurp(object_root() / "label_2/000001.txt"));
}

TEST(KittiCodecObject, CalibrationOnlyFolderAndClassesAsWritten) {
  PCANNO_REQUIRE_DATA(object_root() / "calib/000000.txt");
  // A label_2 folder beside calib/ but without clouds; "Person_sitting" and "Person" (the
  // tracking files' spelling) are both kept as written.
  test::TempDir dir;
  fs::create_directories(dir.path() / "training/label_2");
  fs::create_directories(dir.path() / "training/calib");
  fs::copy_file(object_root() / "calib/000000.txt", dir.path() / "training/calib/000000.txt");
  const std::string text =
      "Person_sitting 0.00 0 -0.20 712.40 143.00 810.73 307.92 1.89 0.48 1.20 1.84 1.47 8.41 "
      "0.01\n"
      "Person 0.00 1 -0.20 712.40 143.00 810.73 307.92 1.89 0.48 1.20 1.84 1.47 9.41 0.01\n";
  dir.write("training/label_2/000000.txt", text);
  Expected<Annotations> doc = read_kitti_object_annotations(dir.path() / "training/label_2/");
  ASSERT_TRUE(doc) << doc.error().describe();
  ASSERT_EQ(doc->classes.size(), 2u);
  EXPECT_EQ(doc->classes[0].name, "Person_sitting");
  EXPECT_EQ(doc->classes[1].name, "Person");
  ASSERT_EQ(doc->frames.size(), 1u);
  EXPECT_EQ(doc->frames[0].name, "000000");
  const fs::path out = dir.path() / "out.txt";
  ASSERT_TRUE(write_kitti_object_annotations(*doc, out));
  EXPECT_EQ(slurp(out), text);
}

TEST(KittiCodecProjection, ManualBoxGetsFormulaAlphaAndProjectedBox) {
  PCANNO_REQUIRE_DATA(tracking_root() / "velodyne/0000/000000.bin");
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
  PCANNO_REQUIRE_DATA(object_root() / "image_2/000000.png");
  Expected<Sequence> seq = open_sequence(object_root());
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
  PCANNO_REQUIRE_DATA(tracking_root() / "calib/0003.txt");
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

TEST(KittiCodecWrite, WorldFrameBoxesUseThePose) {
  PCANNO_REQUIRE_DATA(tracking_root() / "calib/0001.txt");
  Sequence seq = calibration_only_sequence(1, 1);
  const geometry::Cuboid lidar_box = geometry::kitti_camera_to_lidar(
      van_of_frame_zero(), seq.calibrations[0].kitti->T_rect_velo());
  Annotations doc = single_box_document(seq, lidar_box, 0, "Van");
  test::TempDir dir;
  LabelContext context;
  context.sequence = &seq;
  ASSERT_TRUE(write_kitti_tracking_annotations(doc, dir.path() / "lidar.txt", context));

  const geometry::Pose T_world_lidar =
      geometry::make_pose(geometry::quaternion_from_yaw(0.7), Eigen::Vector3d(100, -20, 3));
  doc.tracks[0].boxes[0].box = geometry::transform(T_world_lidar, lidar_box);
  doc.tracks[0].boxes[0].shape_frame = ShapeFrame::kWorld;
  Expected<WriteReport> no_pose =
      write_kitti_tracking_annotations(doc, dir.path() / "w.txt", context);
  ASSERT_FALSE(no_pose);
  EXPECT_EQ(no_pose.error().code, ErrorCode::kUnsupported);
  EXPECT_NE(no_pose.error().message.find("pose"), std::string::npos);

  seq.frames[0].T_world_lidar = T_world_lidar;
  ASSERT_TRUE(write_kitti_tracking_annotations(doc, dir.path() / "world.txt", context));
  EXPECT_EQ(slurp(dir.path() / "world.txt"), slurp(dir.path() / "lidar.txt"));
}

TEST(KittiCodecWrite, ScoreColumnOnlyWhenPresent) {
  PCANNO_REQUIRE_DATA(tracking_root() / "calib/0001.txt");
  const Sequence seq = calibration_only_sequence(1, 1);
  const geometry::Cuboid box = geometry::kitti_camera_to_lidar(
      van_of_frame_zero(), seq.calibrations[0].kitti->T_rect_velo());
  Annotations doc = single_box_document(seq, box);
  doc.tracks[0].boxes[0].score = 0.8765432;
  test::TempDir dir;
  LabelContext context;
  context.sequence = &seq;
  ASSERT_TRUE(write_kitti_tracking_annotations(doc, dir.path() / "0001.txt", context));
  const std::vector<std::string> tracking = lines_of(slurp(dir.path() / "0001.txt"));
  ASSERT_EQ(tracking.size(), 1u);
  EXPECT_EQ(tracking[0].substr(tracking[0].rfind(' ')), " 0.876543");
  ASSERT_TRUE(write_kitti_object_annotations(doc, dir.path() / "000000.txt", context));
  Expected<std::vector<KittiLabelRow>> object = read_kitti_object_labels(dir.path() / "000000.txt");
  ASSERT_TRUE(object && object->size() == 1u);
  ASSERT_TRUE(object->front().score);
  EXPECT_EQ(*object->front().score, 0.876543);

  // Read back: the score lands in BoxState::score.
  Expected<Annotations> back = read_kitti_tracking_annotations(dir.path() / "0001.txt", context);
  ASSERT_TRUE(back) << back.error().describe();
  ASSERT_TRUE(back->tracks[0].boxes[0].score);
  EXPECT_EQ(*back->tracks[0].boxes[0].score, 0.876543);
}

TEST(KittiCodecErrors, BadRowsNameFileAndLine) {
  PCANNO_REQUIRE_DATA(tracking_root() / "calib/0002.txt");
  const Sequence seq = calibration_only_sequence(2, 3);
  test::TempDir dir;
  const std::string car =
      " Car 0 0 -1.793451 296.744956 161.752147 455.226042 292.372804 2.000000 1.823255 "
      "4.433886 -4.552284 1.858523 13.410495 -2.115488\n";
  const fs::path file =
      dir.write("0002.txt", "0 3" + car + "1 3" + car + "1 4" + car + "1 3" + car);
  LabelContext context;
  context.sequence = &seq;
  Expected<Annotations> doc = read_kitti_tracking_annotations(file, context);
  ASSERT_FALSE(doc);
  EXPECT_EQ(doc.error().code, ErrorCode::kMalformed);
  EXPECT_EQ(doc.error().line, 4);
  EXPECT_EQ(doc.error().path, file.string());
  EXPECT_NE(doc.error().describe().find("0002.txt:4:"), std::string::npos);
  EXPECT_NE(doc.error().message.find("first on line 2"), std::string::npos);

  const fs::path changes = dir.write("c.txt", "0 3" + car + "1 3 Van" + car.substr(4));
  Expected<Annotations> changed = read_kitti_tracking_annotations(changes, context);
  ASSERT_FALSE(changed);
  EXPECT_EQ(changed.error().code, ErrorCode::kMalformed);
  EXPECT_EQ(changed.error().line, 2);

  const fs::path beyond = dir.write("b.txt", "3 3" + car);
  Expected<Annotations> past_end = read_kitti_tracking_annotations(beyond, context);
  ASSERT_FALSE(past_end);
  EXPECT_EQ(past_end.error().line, 1);

  // Column counts are checked by the row parser, with the same location.
  const fs::path short_row = dir.write("s.txt", "0 3" + car + "0 4 Car 0 0 -1.79 296.7 2.0\n");
  Expected<Annotations> columns = read_kitti_tracking_annotations(short_row, context);
  ASSERT_FALSE(columns);
  EXPECT_EQ(columns.error().code, ErrorCode::kMalformed);
  EXPECT_EQ(columns.error().line, 2);
  EXPECT_EQ(columns.error().path, short_row.string());
}

TEST(KittiCodecErrors, MissingCalibrationAsksForSequence) {
  test::TempDir dir;
  const fs::path tracking = dir.write(
      "0000.txt",
      "0 0 Van 0 0 -1.793451 296.744956 161.752147 455.226042 292.372804 2.000000 1.823255 "
      "4.433886 -4.552284 1.858523 13.410495 -2.115488\n");
  Expected<Annotations> doc = read_kitti_tracking_annotations(tracking);
  ASSERT_FALSE(doc);
  EXPECT_EQ(doc.error().code, ErrorCode::kUnsupported);
  EXPECT_NE(doc.error().message.find("--sequence"), std::string::npos);

  fs::create_directories(dir.path() / "training/label_2");
  dir.write("training/label_2/000000.txt",
            "Pedestrian 0.00 0 -0.20 712.40 143.00 810.73 307.92 1.89 0.48 1.20 1.84 1.47 8.41 "
            "0.01\n");
  Expected<Annotations> object = read_kitti_object_annotations(dir.path() / "training/label_2");
  ASSERT_FALSE(object);
  EXPECT_EQ(object.error().code, ErrorCode::kUnsupported);
  EXPECT_NE(object.error().message.find("--sequence"), std::string::npos);

  // Writing needs it too.
  Annotations manual = single_box_document(Sequence{}, geometry::Cuboid{});
  Expected<WriteReport> written = write_kitti_object_annotations(manual, dir.path() / "out");
  ASSERT_FALSE(written);
  EXPECT_EQ(written.error().code, ErrorCode::kUnsupported);
  EXPECT_NE(written.error().message.find("--sequence"), std::string::npos);
  EXPECT_FALSE(fs::exists(dir.path() / "out"));
}

TEST(KittiCodecWrite, RefusesToOverwriteExistingOutput) {
  PCANNO_REQUIRE_DATA(object_root() / "label_2/000000.txt");
  Expected<Annotations> doc = read_kitti_object_annotations(object_root() / "label_2");
  ASSERT_TRUE(doc) << doc.error().describe();
  test::TempDir dir;
  const fs::path out = dir.path() / "label_2";
  ASSERT_TRUE(write_kitti_object_annotations(*doc, out));
  dir.write("label_2/000000.txt", "mine\n");
  Expected<WriteReport> again = write_kitti_object_annotations(*doc, out);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, ErrorCode::kPermission);
  EXPECT_EQ(slurp(out / "000000.txt"), "mine\n");
  LabelContext context;
  context.overwrite = true;
  ASSERT_TRUE(write_kitti_object_annotations(*doc, out, context));
  EXPECT_EQ(slurp(out / "000000.txt"), slurp(object_root() / "label_2/000000.txt"));

  Expected<Annotations> tracks = read_kitti_tracking_annotations(tracking_labels(0));
  ASSERT_TRUE(tracks) << tracks.error().describe();
  dir.write("0000.txt", "mine\n");
  Expected<WriteReport> refused = write_kitti_tracking_annotations(*tracks, dir.path());
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kPermission);
  EXPECT_EQ(slurp(dir.path() / "0000.txt"), "mine\n");
  EXPECT_FALSE(fs::exists(dir.path() / kKittiTrackingSeqmapName));
}

TEST(KittiCodecWrite, FailingExportLeavesNothing) {
  PCANNO_REQUIRE_DATA(object_root() / "label_2/000002.txt");
  Expected<Annotations> doc = read_kitti_object_annotations(object_root() / "label_2");
  ASSERT_TRUE(doc) << doc.error().describe();
  // The last frame's box is broken: frames 0 and 1 are written before the failure.
  doc->tracks.back().boxes[0].box.center.x() = std::numeric_limits<double>::quiet_NaN();
  test::TempDir dir;
  Expected<WriteReport> object = write_kitti_object_annotations(*doc, dir.path() / "label_2");
  ASSERT_FALSE(object);
  EXPECT_EQ(object.error().code, ErrorCode::kMalformed);
  EXPECT_NE(object.error().message.find("track 5"), std::string::npos);
  EXPECT_NE(object.error().message.find("non-finite"), std::string::npos);
  EXPECT_TRUE(fs::is_empty(dir.path()));  // no label_2, no staging folder

  Expected<WriteReport> tracking = write_kitti_tracking_annotations(*doc, dir.path());
  ASSERT_FALSE(tracking);
  EXPECT_TRUE(fs::is_empty(dir.path()));

  // Cancelling through the progress callback also leaves nothing.
  doc->tracks.back().boxes[0].box.center.x() = 1.0;
  LabelContext context;
  int calls = 0;
  context.progress = [&calls](double) { return ++calls < 2; };
  Expected<WriteReport> cancelled =
      write_kitti_object_annotations(*doc, dir.path() / "label_2", context);
  ASSERT_FALSE(cancelled);
  EXPECT_EQ(cancelled.error().code, ErrorCode::kCancelled);
  EXPECT_TRUE(fs::is_empty(dir.path()));
}

TEST(KittiCodecRegistry, DetectsAndReadsThroughTheCodec) {
  PCANNO_REQUIRE_DATA(tracking_labels(0));
  PCANNO_REQUIRE_DATA(object_root() / "label_2/000000.txt");
  const LabelCodec tracking = make_kitti_tracking_codec();
  const LabelCodec object = make_kitti_object_codec();
  EXPECT_EQ(tracking.id, "kitti-tracking");
  EXPECT_EQ(object.id, "kitti-object");
  EXPECT_TRUE(tracking.detect(tracking_labels(0)));
  EXPECT_TRUE(tracking.detect(tracking_root()));
  EXPECT_FALSE(tracking.detect(object_root()));
  EXPECT_FALSE(tracking.detect(object_root() / "label_2/000001.txt"));
  EXPECT_TRUE(object.detect(object_root() / "label_2"));
  EXPECT_TRUE(object.detect(object_root()));
  EXPECT_TRUE(object.detect(object_root() / "label_2/000001.txt"));
  EXPECT_FALSE(object.detect(tracking_labels(0)));
  EXPECT_FALSE(object.detect(tracking_root()));

  // Outside the usual folders, the first row's column count decides.
  test::TempDir dir;
  const fs::path t = dir.write("t.txt", slurp(tracking_labels(0)).substr(0, 400));
  const fs::path o = dir.write("o.txt", slurp(object_root() / "label_2/000001.txt"));
  const fs::path other = dir.write("x.txt", "hello world\n");
  EXPECT_TRUE(tracking.detect(t));
  EXPECT_FALSE(object.detect(t));
  EXPECT_TRUE(object.detect(o));
  EXPECT_FALSE(tracking.detect(o));
  EXPECT_FALSE(tracking.detect(other) || object.detect(other));

  Expected<Annotations> doc = tracking.read(tracking_root(), LabelContext{});
  ASSERT_TRUE(doc) << doc.error().describe();
  EXPECT_EQ(doc->sequence.name, "0000");  // the first sequence of the root
  EXPECT_EQ(doc->box_count(), 61u);
}

TEST(KittiCodecClassMap, AppliedOnImportAndExportAndNuscenesEntriesIgnored) {
  PCANNO_REQUIRE_DATA(tracking_labels(0));
  // A map for a team whose classes are lower case, plus a nuScenes entry for Cyclist, which the
  // KITTI codecs must leave alone: one --class-map serves a KITTI <-> nuScenes conversion.
  ClassMap map;
  map.entries = {{"van", "Van", {}},
                 {"person", "Pedestrian", {}},
                 {"Cyclist", "vehicle.bicycle", {"cycle.with_rider"}}};
  LabelContext context;
  context.class_map = &map;
  Expected<Annotations> doc = read_kitti_tracking_annotations(tracking_labels(0), context);
  ASSERT_TRUE(doc) << doc.error().describe();
  std::map<std::string, int> tracks_of_class;
  for (const Track& t : doc->tracks) ++tracks_of_class[t.label];
  EXPECT_GT(tracks_of_class["van"], 0);
  EXPECT_GT(tracks_of_class["person"], 0);
  EXPECT_GT(tracks_of_class["Cyclist"], 0);
  EXPECT_EQ(tracks_of_class.count("Van") + tracks_of_class.count("Pedestrian"), 0u);
  EXPECT_NE(doc->class_spec("van"), nullptr);
  EXPECT_EQ(doc->class_spec("Van"), nullptr);

  // Written back through the same map, the file is the original, byte for byte.
  test::TempDir dir;
  const fs::path out = dir.path() / "0000.txt";
  Expected<WriteReport> written = write_kitti_tracking_annotations(*doc, out, context);
  ASSERT_TRUE(written) << written.error().describe();
  EXPECT_EQ(slurp(out), slurp(tracking_labels(0)));

  // Without the map the lower-case names are written as they are (KITTI types are free words),
  // and a class with no KITTI mapping that cannot be a type is refused, naming the class.
  const fs::path plain = dir.path() / "plain.txt";
  ASSERT_TRUE(write_kitti_tracking_annotations(*doc, plain));
  EXPECT_NE(slurp(plain).find(" van "), std::string::npos);
  Annotations bad = *doc;
  bad.tracks.front().label = "parked car";
  Expected<WriteReport> refused =
      write_kitti_tracking_annotations(bad, dir.path() / "bad.txt", context);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("'parked car'"), std::string::npos)
      << refused.error().describe();
  EXPECT_FALSE(fs::exists(dir.path() / "bad.txt"));
}

TEST(KittiCodecClassMap, ObjectLabelsMappedBothWays) {
  PCANNO_REQUIRE_DATA(object_root() / "label_2");
  ClassMap map;
  map.entries = {{"vehicle", "Car", {}}};
  LabelContext context;
  context.class_map = &map;
  Expected<Annotations> doc = read_kitti_object_annotations(object_root() / "label_2", context);
  ASSERT_TRUE(doc) << doc.error().describe();
  Expected<Annotations> raw = read_kitti_object_annotations(object_root() / "label_2");
  ASSERT_TRUE(raw);
  ASSERT_EQ(doc->tracks.size(), raw->tracks.size());
  std::size_t cars = 0;
  for (std::size_t i = 0; i < doc->tracks.size(); ++i) {
    const bool car = raw->tracks[i].label == "Car";
    cars += car;
    EXPECT_EQ(doc->tracks[i].label, car ? "vehicle" : raw->tracks[i].label);
  }
  EXPECT_GT(cars, 0u);
  test::TempDir dir;
  const fs::path mapped = dir.path() / "mapped";
  const fs::path original = dir.path() / "original";
  LabelContext write_context = context;
  write_context.include_outside_fov = true;
  ASSERT_TRUE(write_kitti_object_annotations(*doc, mapped, write_context));
  LabelContext plain;
  plain.include_outside_fov = true;
  ASSERT_TRUE(write_kitti_object_annotations(*raw, original, plain));
  for (const auto& entry : fs::directory_iterator(original)) {
    EXPECT_EQ(slurp(mapped / entry.path().filename()), slurp(entry.path()))
        << entry.path().filename();
  }
}

}  // namespace
}  // namespace pcanno::formats
