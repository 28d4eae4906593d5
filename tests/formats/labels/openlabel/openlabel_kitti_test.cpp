#include "pcanno/formats/labels/openlabel/codec.hpp"

#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "openlabel_fixtures.hpp"

namespace pcanno::formats {
namespace {

using namespace openlabel_test;

std::vector<std::string> object_rows(const std::string& text) {
  std::vector<std::string> rows;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.find(" DontCare ") == std::string::npos) rows.push_back(line);
  }
  return rows;
}

TEST(OpenlabelKitti, All21TrackingSequencesRoundTrip) {
  PCANNO_REQUIRE_DATA(kitti_tracking_labels(20));
  test::TempDir dir;
  std::size_t boxes = 0;
  for (int s = 0; s <= 20; ++s) {
    const Sequence seq = test::kitti_tracking_sequence(s);
    LabelContext context;
    context.sequence = &seq;
    Expected<Annotations> kitti =
        read_kitti_tracking_annotations(kitti_tracking_labels(s), context);
    ASSERT_TRUE(kitti) << kitti.error().describe();
    Expected<WriteReport> report = write_openlabel(*kitti, dir.path(), context);
    ASSERT_TRUE(report) << report.error().describe();
    const fs::path file = dir.path() / (kitti_sequence_name(s) + ".json");
    ASSERT_EQ(report->written, std::vector<fs::path>{file});
    EXPECT_EQ(report->boxes_written, kitti->box_count());
    std::size_t dropped = 0;
    for (const auto& [reason, count] : report->dropped) dropped += count;
    EXPECT_EQ(dropped, kitti->ignore_regions.size());

    Expected<Annotations> back = read_openlabel(file, context);
    ASSERT_TRUE(back) << back.error().describe();
    Annotations expected = *kitti;
    expected.ignore_regions.clear();
    expect_same(expected, *back, 1e-9);
    for (std::size_t t = 0; t < kitti->tracks.size(); ++t) {
      for (std::size_t b = 0; b < kitti->tracks[t].boxes.size(); ++b) {
        const geometry::Cuboid& x = kitti->tracks[t].boxes[b].box;
        const geometry::Cuboid& y = back->tracks[t].boxes[b].box;
        ASSERT_TRUE(x.center == y.center && x.size == y.size &&
                    x.rotation.coeffs() == y.rotation.coeffs())
            << kitti_sequence_name(s) << " track " << kitti->tracks[t].id << ": not bit for bit";
      }
    }
    boxes += back->box_count();

    // Back to KITTI: every object row as it was (DontCare rows have no OpenLABEL counterpart).
    const fs::path txt = dir.path() / ("kitti_" + kitti_sequence_name(s) + ".txt");
    ASSERT_TRUE(write_kitti_tracking_annotations(*back, txt, context));
    EXPECT_EQ(object_rows(slurp(txt)), object_rows(slurp(kitti_tracking_labels(s)))) << s;
  }
  EXPECT_GT(boxes, 30000u);
}

}  // namespace
}  // namespace pcanno::formats
