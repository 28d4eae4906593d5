#include "pcanno/formats/datasets/oxts.hpp"

#include <cmath>

#include <gtest/gtest.h>

#include "pcanno/geometry/angles.hpp"
#include "test_data.hpp"

namespace pcanno::formats {
namespace {

std::string record_line(double lat, double lon, double alt, double roll, double pitch, double yaw) {
  std::string line = std::to_string(lat) + " " + std::to_string(lon) + " " + std::to_string(alt) +
                     " " + std::to_string(roll) + " " + std::to_string(pitch) + " " +
                     std::to_string(yaw);
  for (int i = 6; i < 25; ++i) line += " 0.5";
  return line + " 4 7 5 5 6\n";
}

TEST(Oxts, RealRecordGivesDocumentedMercatorPose) {
  const auto path = test::shared_data_dir() / "oxts/2011_09_26_drive_0048_oxts_0000000000.txt";
  PCANNO_REQUIRE_DATA(path);
  const auto records = read_oxts(path);
  ASSERT_TRUE(records) << records.error().describe();
  ASSERT_EQ(records->size(), 1u);
  const OxtsRecord& r = records->front();
  EXPECT_DOUBLE_EQ(r.lat, 49.030860615858);
  EXPECT_DOUBLE_EQ(r.lon, 8.3397493123379);
  EXPECT_DOUBLE_EQ(r.yaw, -0.9314506732051);
  EXPECT_EQ(r.values[25], 4.0);  // navstat ... orimode: 4 7 5 5 6
  EXPECT_EQ(r.values[29], 6.0);
  // formats.md 5.2 (verified): tx 608692.407, ty 4117562.461, tz 114.530.
  const auto absolute = oxts_to_poses(*records, OxtsOrigin::kMercator);
  EXPECT_NEAR(absolute[0].translation().x(), 608692.407, 1e-3);
  EXPECT_NEAR(absolute[0].translation().y(), 4117562.461, 1e-3);
  EXPECT_NEAR(absolute[0].translation().z(), 114.530, 1e-3);
  EXPECT_TRUE(oxts_to_poses(*records)[0].isApprox(geometry::Pose::Identity(), 1e-12));
}

TEST(Oxts, MotionEastAndHeading) {
  // 1e-4 degrees of longitude at latitude 49.03 is 7.2987 m east; yaw pi/2 points the IMU x axis
  // north.
  const std::string text = record_line(49.030860615858, 8.3397, 100, 0, 0, 0) +
                           record_line(49.030860615858, 8.3398, 101, 0, 0, geometry::kPi / 2);
  const auto records = parse_oxts(text, "oxts.txt");
  ASSERT_TRUE(records) << records.error().describe();
  const auto poses = oxts_to_poses(*records);
  EXPECT_NEAR(poses[1].translation().x(), 7.2987, 1e-3);
  EXPECT_NEAR(poses[1].translation().y(), 0.0, 1e-6);
  EXPECT_NEAR(poses[1].translation().z(), 1.0, 1e-9);
  EXPECT_TRUE(
      (poses[1].linear() * Eigen::Vector3d::UnitX()).isApprox(Eigen::Vector3d::UnitY(), 1e-6));
}

TEST(Oxts, MalformedLinesNameTheLine) {
  const auto short_line = parse_oxts(record_line(49, 8, 1, 0, 0, 0) + "1 2 3\n", "seq.txt");
  ASSERT_FALSE(short_line);
  EXPECT_EQ(short_line.error().code, ErrorCode::kMalformed);
  EXPECT_EQ(short_line.error().line, 2);
  EXPECT_NE(short_line.error().message.find("30"), std::string::npos);
  std::string bad = record_line(49, 8, 1, 0, 0, 0);
  bad.replace(0, 2, "4x");
  const auto not_number = parse_oxts(bad, "seq.txt");
  ASSERT_FALSE(not_number);
  EXPECT_NE(not_number.error().describe().find("seq.txt:1"), std::string::npos);
  EXPECT_TRUE(parse_oxts("", "empty.txt")->empty());
  EXPECT_FALSE(read_oxts("/no/such/oxts.txt"));
}

}  // namespace
}  // namespace pcanno::formats
