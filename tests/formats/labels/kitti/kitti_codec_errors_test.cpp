#include "pcanno/formats/labels/kitti/codecs.hpp"

#include <string>

#include <gtest/gtest.h>

#include "kitti_codec_fixtures.hpp"

namespace pcanno::formats {
namespace {

using namespace kitti_codec_test;

TEST(KittiCodecErrors, BadRowsNameFileAndLine) {
  PCANNO_REQUIRE_DATA(kitti_tracking_root() / "calib/0002.txt");
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

}  // namespace
}  // namespace pcanno::formats
