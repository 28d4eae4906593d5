#include <map>
#include <set>
#include <string>

#include <gtest/gtest.h>

#include "kitti_fixtures.hpp"
#include "pcanno/formats/labels/kitti/label.hpp"
#include "temp_dir.hpp"
#include "test_data.hpp"

namespace pcanno::formats {
namespace {

namespace fs = std::filesystem;
using test::shared_data_dir;

using test::kitti_tracking_labels;

const fs::path kObjectLabels = fs::path("kitti_object/training/label_2");

TEST(KittiTrackingLabels, AllSequencesCountsPerClass) {
  PCANNO_REQUIRE_DATA(kitti_tracking_labels(20));
  std::map<std::string, std::size_t> per_class;
  std::size_t total = 0;
  for (int s = 0; s <= 20; ++s) {
    const Expected<std::vector<KittiLabelRow>> rows =
        read_kitti_tracking_labels(kitti_tracking_labels(s));
    ASSERT_TRUE(rows) << rows.error().describe();
    int previous_frame = 0;
    for (const KittiLabelRow& row : *rows) {
      ++per_class[row.type];
      EXPECT_FALSE(row.score.has_value());  // ground truth: 17 columns everywhere
      ASSERT_GE(row.frame, previous_frame) << "rows are sorted by frame";
      previous_frame = row.frame;
      if (row.is_dont_care()) {
        ASSERT_EQ(row.track_id, -1);
      } else {
        ASSERT_GE(row.track_id, 0);
      }
    }
    total += rows->size();
  }
  // Data README: the 21 files as kept in ../shared/data.
  EXPECT_EQ(total, 64300u);
  const std::map<std::string, std::size_t> expected = {
      {"Car", 27057},    {"Van", 3044}, {"Truck", 1189}, {"Pedestrian", 11454}, {"Person", 676},
      {"Cyclist", 1804}, {"Tram", 595}, {"Misc", 793},   {"DontCare", 17688}};
  EXPECT_EQ(per_class, expected);
}

TEST(KittiTrackingLabels, SequenceZeroExcerpt) {
  PCANNO_REQUIRE_DATA(kitti_tracking_labels(0));
  const Expected<std::vector<KittiLabelRow>> rows =
      read_kitti_tracking_labels(kitti_tracking_labels(0));
  ASSERT_TRUE(rows) << rows.error().describe();
  ASSERT_EQ(rows->size(), 88u);
  std::map<std::string, int> per_class;
  std::map<int, int> objects_per_frame;
  for (const KittiLabelRow& row : *rows) {
    ++per_class[row.type];
    ASSERT_GE(row.frame, 0);
    ASSERT_LE(row.frame, 19);
    if (!row.is_dont_care()) ++objects_per_frame[row.frame];
  }
  EXPECT_EQ(per_class["DontCare"], 27);
  EXPECT_EQ(per_class["Van"], 35);
  EXPECT_EQ(per_class["Cyclist"], 20);
  EXPECT_EQ(per_class["Pedestrian"], 6);
  EXPECT_EQ(88 - per_class["DontCare"], 61);
  ASSERT_EQ(objects_per_frame.size(), 20u);
  for (const auto& [frame, count] : objects_per_frame)
    EXPECT_EQ(count, frame == 5 ? 4 : 3) << frame;
}

TEST(KittiTrackingLabels, VanOfFrameZeroTrackZero) {
  PCANNO_REQUIRE_DATA(kitti_tracking_labels(0));
  const Expected<std::vector<KittiLabelRow>> rows =
      read_kitti_tracking_labels(kitti_tracking_labels(0));
  ASSERT_TRUE(rows) << rows.error().describe();
  const KittiLabelRow* van = nullptr;
  for (const KittiLabelRow& row : *rows) {
    if (row.frame == 0 && row.track_id == 0) van = &row;
  }
  ASSERT_NE(van, nullptr);
  // formats.md 3.3.
  EXPECT_EQ(van->type, "Van");
  EXPECT_EQ(van->box.hwl.x(), 2.000000);
  EXPECT_EQ(van->box.hwl.y(), 1.823255);
  EXPECT_EQ(van->box.hwl.z(), 4.433886);
  EXPECT_EQ(van->box.location.x(), -4.552284);
  EXPECT_EQ(van->box.location.y(), 1.858523);
  EXPECT_EQ(van->box.location.z(), 13.410495);
  EXPECT_EQ(van->box.rotation_y, -2.115488);
  EXPECT_EQ(van->alpha, -1.793451);
  EXPECT_EQ(van->truncated, 0.0);
  EXPECT_EQ(van->occluded, 0);
}

TEST(KittiTrackingLabels, DontCareKeepsTrackingSentinelsPositionally) {
  PCANNO_REQUIRE_DATA(kitti_tracking_labels(0));
  const Expected<std::vector<KittiLabelRow>> rows =
      read_kitti_tracking_labels(kitti_tracking_labels(0));
  ASSERT_TRUE(rows && !rows->empty());
  // formats.md 4.1: `0 -1 DontCare -1 -1 -10.000000 219.310000 188.490000 245.500000 218.560000
  // -1000.000000 -1000.000000 -1000.000000 -10.000000 -1.000000 -1.000000 -1.000000`.
  const KittiLabelRow& dc = rows->front();
  EXPECT_TRUE(dc.is_dont_care());
  EXPECT_EQ(dc.frame, 0);
  EXPECT_EQ(dc.track_id, -1);
  EXPECT_EQ(dc.truncated, -1.0);
  EXPECT_EQ(dc.occluded, -1);
  EXPECT_EQ(dc.alpha, -10.0);
  EXPECT_EQ(dc.bbox, (std::array<double, 4>{219.31, 188.49, 245.5, 218.56}));
  EXPECT_EQ(dc.box.hwl, Eigen::Vector3d(-1000, -1000, -1000));
  EXPECT_EQ(dc.box.location, Eigen::Vector3d(-10, -1, -1));
  EXPECT_EQ(dc.box.rotation_y, -1.0);
  EXPECT_EQ(dc.source_line, 1u);
}

TEST(KittiTrackingLabels, SequencesSevenAndNineHaveEmptyFrames) {
  PCANNO_REQUIRE_DATA(kitti_tracking_labels(9));
  for (int s : {7, 9}) {
    const Expected<std::vector<KittiLabelRow>> rows =
        read_kitti_tracking_labels(kitti_tracking_labels(s));
    ASSERT_TRUE(rows) << rows.error().describe();
    std::set<int> frames;
    for (const KittiLabelRow& row : *rows) frames.insert(row.frame);
    ASSERT_FALSE(frames.empty());
    EXPECT_LT(frames.size(), static_cast<std::size_t>(*frames.rbegin() + 1)) << s;
  }
}

TEST(KittiObjectLabels, Frame000001) {
  const fs::path file = shared_data_dir() / kObjectLabels / "000001.txt";
  PCANNO_REQUIRE_DATA(file);
  const Expected<std::vector<KittiLabelRow>> rows = read_kitti_object_labels(file);
  ASSERT_TRUE(rows) << rows.error().describe();
  ASSERT_EQ(rows->size(), 7u);
  EXPECT_EQ((*rows)[0].type, "Truck");
  EXPECT_EQ((*rows)[1].type, "Car");
  EXPECT_EQ((*rows)[2].type, "Cyclist");
  int dont_care = 0;
  for (const KittiLabelRow& row : *rows) {
    dont_care += row.is_dont_care();
    EXPECT_EQ(row.frame, -1);
    EXPECT_EQ(row.track_id, -1);
    EXPECT_FALSE(row.score.has_value());
  }
  EXPECT_EQ(dont_care, 4);
  // formats.md 2.1: `DontCare -1 -1 -10 503.89 169.71 590.61 190.13 -1 -1 -1 -1000 -1000 -1000
  // -10`.
  const KittiLabelRow& dc = (*rows)[3];
  ASSERT_TRUE(dc.is_dont_care());
  EXPECT_EQ(dc.truncated, -1.0);
  EXPECT_EQ(dc.occluded, -1);
  EXPECT_EQ(dc.alpha, -10.0);
  EXPECT_EQ(dc.bbox, (std::array<double, 4>{503.89, 169.71, 590.61, 190.13}));
  EXPECT_EQ(dc.box.hwl, Eigen::Vector3d(-1, -1, -1));
  EXPECT_EQ(dc.box.location, Eigen::Vector3d(-1000, -1000, -1000));
  EXPECT_EQ(dc.box.rotation_y, -10.0);
  EXPECT_EQ(dc.source_line, 4u);
}

TEST(KittiObjectLabels, PedestrianOfFrame000000) {
  const fs::path file = shared_data_dir() / kObjectLabels / "000000.txt";
  PCANNO_REQUIRE_DATA(file);
  const Expected<std::vector<KittiLabelRow>> rows = read_kitti_object_labels(file);
  ASSERT_TRUE(rows) << rows.error().describe();
  ASSERT_EQ(rows->size(), 1u);
  const KittiLabelRow& p = rows->front();
  // formats.md 3.3: 1.89 0.48 1.20 / 1.84 1.47 8.41 / ry 0.01, label alpha -0.20.
  EXPECT_EQ(p.type, "Pedestrian");
  EXPECT_EQ(p.box.hwl, Eigen::Vector3d(1.89, 0.48, 1.20));
  EXPECT_EQ(p.box.location, Eigen::Vector3d(1.84, 1.47, 8.41));
  EXPECT_EQ(p.box.rotation_y, 0.01);
  EXPECT_EQ(p.alpha, -0.20);
}

TEST(KittiObjectLabels, ScoreColumnAndLenientWhitespace) {
  const std::string text =
      "\r\n"
      "Car 0.50 1 1.85 387.63 181.54 423.81 203.12 1.67 1.87 3.69 -16.53 2.39 58.49 1.57 0.93  \r\n"
      "\r\n"
      "\tPerson_sitting 0.00 3 -1.65 676.60 163.95 688.98 193.93 1.86 0.60 2.02 4.59 1.32 45.84 "
      "-1.55";
  const Expected<std::vector<KittiLabelRow>> rows = parse_kitti_object_labels(text, "r.txt");
  ASSERT_TRUE(rows) << rows.error().describe();
  ASSERT_EQ(rows->size(), 2u);
  const KittiLabelRow& car = (*rows)[0];
  ASSERT_TRUE(car.score.has_value());
  EXPECT_EQ(*car.score, 0.93);
  EXPECT_EQ(car.truncated, 0.5);
  EXPECT_EQ(car.occluded, 1);
  EXPECT_EQ(car.bbox[2], 423.81);
  EXPECT_EQ(car.box.hwl.z(), 3.69);
  EXPECT_EQ(car.box.location.x(), -16.53);
  EXPECT_EQ(car.source_line, 2u);
  EXPECT_FALSE((*rows)[1].score.has_value());
  EXPECT_EQ((*rows)[1].type, "Person_sitting");
  EXPECT_EQ((*rows)[1].source_line, 4u);
}

TEST(KittiTrackingLabels, ScoreColumn) {
  const std::string text = "3 7 Car 1 2 0.5 10 20 30 40 1.5 1.6 3.9 1 2 30 0.25 0.875\n";
  const Expected<std::vector<KittiLabelRow>> rows = parse_kitti_tracking_labels(text, "t.txt");
  ASSERT_TRUE(rows) << rows.error().describe();
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0].frame, 3);
  EXPECT_EQ((*rows)[0].track_id, 7);
  EXPECT_EQ((*rows)[0].truncated, 1.0);
  EXPECT_EQ((*rows)[0].occluded, 2);
  EXPECT_EQ((*rows)[0].box.rotation_y, 0.25);
  ASSERT_TRUE((*rows)[0].score.has_value());
  EXPECT_EQ(*(*rows)[0].score, 0.875);
}

TEST(KittiLabels, EmptyTextIsNoRows) {
  const Expected<std::vector<KittiLabelRow>> rows =
      parse_kitti_tracking_labels("\n\r\n  \n", "e.txt");
  ASSERT_TRUE(rows);
  EXPECT_TRUE(rows->empty());
}

const char* const kTwoTrackingRows =
    "0 0 Van 0 0 -1.793451 296.744956 161.752147 455.226042 292.372804 2.000000 1.823255 4.433886 "
    "-4.552284 1.858523 13.410495 -2.115488\n"
    "\n"
    "1 0 Van 0 0 -1.793451 296.744956 161.752147 455.226042 292.372804 2.000000 1.823255 4.433886 "
    "-4.552284 1.858523 13.410495 -2.115488\n";

TEST(KittiLabelErrors, BadNumberNamesLineAndColumn) {
  std::string text = kTwoTrackingRows;
  text += "2 0 Van 0 0 -1.79 296.7 161.7 455.2 292.3 2.0 1.8 4.4 abc 1.85 13.4 -2.1\n";
  const Expected<std::vector<KittiLabelRow>> rows =
      parse_kitti_tracking_labels(text, "label_02/0003.txt");
  ASSERT_FALSE(rows);
  EXPECT_EQ(rows.error().code, ErrorCode::kMalformed);
  EXPECT_EQ(rows.error().line, 4);
  EXPECT_EQ(rows.error().describe(),
            "label_02/0003.txt:4: column 14 (x): expected a number, found 'abc'");
}

TEST(KittiLabelErrors, WrongColumnCount) {
  const std::string text = std::string(kTwoTrackingRows) + "2 0 Van 0 0 -1.79 296.7\n";
  const Expected<std::vector<KittiLabelRow>> rows = parse_kitti_tracking_labels(text, "t.txt");
  ASSERT_FALSE(rows);
  EXPECT_EQ(rows.error().line, 4);
  EXPECT_NE(rows.error().message.find("expected 17 or 18 columns"), std::string::npos)
      << rows.error().message;
  EXPECT_NE(rows.error().message.find("found 7"), std::string::npos);

  // A tracking file is not an object file and vice versa.
  const Expected<std::vector<KittiLabelRow>> as_object =
      parse_kitti_object_labels(kTwoTrackingRows, "o.txt");
  ASSERT_FALSE(as_object);
  EXPECT_EQ(as_object.error().line, 1);
  EXPECT_NE(as_object.error().message.find("expected 15 or 16 columns"), std::string::npos);
  const Expected<std::vector<KittiLabelRow>> as_tracking = parse_kitti_tracking_labels(
      "Car 0.00 0 1.85 387.63 181.54 423.81 203.12 1.67 1.87 3.69 -16.53 2.39 58.49 1.57\n",
      "x.txt");
  ASSERT_FALSE(as_tracking);
}

TEST(KittiLabelErrors, IntegerColumnsRejectFractions) {
  // Object column 3 is occluded (an integer).
  const Expected<std::vector<KittiLabelRow>> occluded = parse_kitti_object_labels(
      "Car 0.00 0.5 1.85 387.63 181.54 423.81 203.12 1.67 1.87 3.69 -16.53 2.39 58.49 1.57\n",
      "o.txt");
  ASSERT_FALSE(occluded);
  EXPECT_EQ(occluded.error().describe(),
            "o.txt:1: column 3 (occluded): expected an integer, found '0.5'");

  std::string frame = kTwoTrackingRows;
  frame.replace(0, 1, "x");
  const Expected<std::vector<KittiLabelRow>> bad_frame =
      parse_kitti_tracking_labels(frame, "t.txt");
  ASSERT_FALSE(bad_frame);
  EXPECT_EQ(bad_frame.error().describe(),
            "t.txt:1: column 1 (frame): expected an integer, found 'x'");

  std::string negative = kTwoTrackingRows;
  negative.replace(0, 1, "-1");
  const Expected<std::vector<KittiLabelRow>> bad_index =
      parse_kitti_tracking_labels(negative, "t.txt");
  ASSERT_FALSE(bad_index);
  EXPECT_EQ(bad_index.error().describe(),
            "t.txt:1: column 1 (frame): expected a frame index >= 0, found '-1'");
}

TEST(KittiLabelErrors, ScoreAndLastColumnsAreNamed) {
  const Expected<std::vector<KittiLabelRow>> score = parse_kitti_object_labels(
      "Car 0.00 0 1.85 387.63 181.54 423.81 203.12 1.67 1.87 3.69 -16.53 2.39 58.49 1.57 high\n",
      "s.txt");
  ASSERT_FALSE(score);
  EXPECT_EQ(score.error().describe(),
            "s.txt:1: column 16 (score): expected a number, found 'high'");
  const Expected<std::vector<KittiLabelRow>> ry = parse_kitti_object_labels(
      "Car 0.00 0 1.85 387.63 181.54 423.81 203.12 1.67 1.87 3.69 -16.53 2.39 58.49 nan\n",
      "s.txt");
  ASSERT_FALSE(ry);
  EXPECT_EQ(ry.error().describe(),
            "s.txt:1: column 15 (rotation_y): expected a number, found 'nan'");
}

TEST(KittiLabelErrors, ReadMissingFile) {
  test::TempDir dir;
  const Expected<std::vector<KittiLabelRow>> rows = read_kitti_object_labels(dir.path() / "x.txt");
  ASSERT_FALSE(rows);
  EXPECT_EQ(rows.error().code, ErrorCode::kNotFound);
}

}  // namespace
}  // namespace pcanno::formats
