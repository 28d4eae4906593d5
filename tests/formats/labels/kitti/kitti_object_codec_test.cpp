#include "pcanno/formats/labels/kitti/codecs.hpp"

#include <cstdint>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "kitti_codec_fixtures.hpp"

namespace pcanno::formats {
namespace {

using namespace kitti_codec_test;

TEST(KittiCodecObject, RoundTripOfTheThreeLabelFilesIsExact) {
  PCANNO_REQUIRE_DATA(kitti_object_root() / "label_2/000002.txt");
  Expected<Annotations> doc = read_kitti_object_annotations(kitti_object_root() / "label_2");
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
    EXPECT_EQ(slurp(out / name), slurp(kitti_object_root() / "label_2" / name)) << name;
  }
  EXPECT_EQ(test::entry_count(out), 3u);
}

TEST(KittiCodecObject, SingleFileWithExplicitSequence) {
  PCANNO_REQUIRE_DATA(kitti_object_root() / "label_2/000001.txt");
  Expected<Sequence> seq = open_sequence(kitti_object_root());
  ASSERT_TRUE(seq) << seq.error().describe();
  LabelContext context;
  context.sequence = &*seq;
  Expected<Annotations> doc =
      read_kitti_object_annotations(kitti_object_root() / "label_2/000001.txt", context);
  ASSERT_TRUE(doc) << doc.error().describe();
  EXPECT_EQ(doc->frames.size(), 3u);  // the sequence's frames; only frame 1 has labels
  EXPECT_EQ(doc->box_count(), 3u);
  test::TempDir dir;
  Expected<WriteReport> report = write_kitti_object_annotations(*doc, dir.path() / "l2", context);
  ASSERT_TRUE(report) << report.error().describe();
  EXPECT_EQ(slurp(dir.path() / "l2/000000.txt"), "");  // frames without labels: empty files
  EXPECT_EQ(slurp(dir.path() / "l2/000001.txt"), slurp(kitti_object_root() / "label_2/000001.txt"));
}

TEST(KittiCodecObject, CalibrationOnlyFolderAndClassesAsWritten) {
  PCANNO_REQUIRE_DATA(kitti_object_root() / "calib/000000.txt");
  // A label_2 folder beside calib/ but without clouds; "Person_sitting" and "Person" (the
  // tracking files' spelling) are both kept as written.
  test::TempDir dir;
  fs::create_directories(dir.path() / "training/label_2");
  fs::create_directories(dir.path() / "training/calib");
  fs::copy_file(kitti_object_root() / "calib/000000.txt", dir.path() / "training/calib/000000.txt");
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

}  // namespace
}  // namespace pcanno::formats
