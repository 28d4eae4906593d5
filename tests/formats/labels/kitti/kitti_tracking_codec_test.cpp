#include "pcanno/formats/labels/kitti/codecs.hpp"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "kitti_codec_fixtures.hpp"

namespace pcanno::formats {
namespace {

using namespace kitti_codec_test;

TEST(KittiCodecTracking, RoundTripOfAll21SequencesIsExact) {
  PCANNO_REQUIRE_DATA(kitti_tracking_labels(20));
  test::TempDir dir;
  const fs::path out = dir.path() / "label_02";
  fs::create_directories(out);
  std::size_t total_rows = 0;
  for (int s = 0; s <= 20; ++s) {
    const Sequence seq = test::kitti_tracking_sequence(s);
    LabelContext context;
    context.sequence = &seq;
    Expected<Annotations> doc = read_kitti_tracking_annotations(kitti_tracking_labels(s), context);
    ASSERT_TRUE(doc) << doc.error().describe();
    Expected<WriteReport> report = write_kitti_tracking_annotations(*doc, out, context);
    ASSERT_TRUE(report) << report.error().describe();
    EXPECT_TRUE(report->dropped.empty());
    EXPECT_EQ(report->boxes_written, doc->box_count());

    const std::vector<std::string> original = lines_of(slurp(kitti_tracking_labels(s)));
    const std::vector<std::string> written =
        lines_of(slurp(out / (kitti_sequence_name(s) + ".txt")));
    ASSERT_EQ(written.size(), original.size()) << s;
    EXPECT_EQ(doc->box_count() + doc->ignore_regions.size(), original.size());
    std::size_t differing = 0;
    for (std::size_t i = 0; i < original.size(); ++i) {
      if (written[i] != original[i]) {
        ++differing;
        ADD_FAILURE() << kitti_sequence_name(s) << ":" << i + 1 << "\n  original: " << original[i]
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
  PCANNO_REQUIRE_DATA(kitti_tracking_labels(0));
  // No context: the calibration is found from label_02/0000.txt's training root.
  Expected<Annotations> doc = read_kitti_tracking_annotations(kitti_tracking_labels(0));
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
  PCANNO_REQUIRE_DATA(kitti_tracking_labels(5));
  // 0005 has no clouds here: reading finds calib/0005.txt, writing finds it again through the
  // document's sequence reference.
  Expected<Annotations> doc = read_kitti_tracking_annotations(kitti_tracking_labels(5));
  ASSERT_TRUE(doc) << doc.error().describe();
  EXPECT_EQ(doc->sequence.name, "0005");
  EXPECT_EQ(static_cast<int>(doc->frames.size()), label_frame_count(kitti_tracking_labels(5)));
  test::TempDir dir;
  Expected<WriteReport> report = write_kitti_tracking_annotations(*doc, dir.path());
  ASSERT_TRUE(report) << report.error().describe();
  ASSERT_EQ(report->written.size(), 2u);
  EXPECT_EQ(report->written[0], dir.path() / "0005.txt");
  EXPECT_EQ(slurp(dir.path() / "0005.txt"), slurp(kitti_tracking_labels(5)));
}

}  // namespace
}  // namespace pcanno::formats
