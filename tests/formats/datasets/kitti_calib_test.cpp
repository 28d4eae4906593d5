#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>

#include <gtest/gtest.h>
#include <Eigen/LU>

#include "pcanno/formats/datasets/kitti_calib.hpp"
#include "temp_dir.hpp"
#include "test_data.hpp"

namespace pcanno::formats {
namespace {

namespace fs = std::filesystem;
using test::shared_data_dir;

const fs::path kTrackingCalib = fs::path("kitti_tracking/training/calib");

fs::path tracking_calib(int sequence) {
  char name[16];
  std::snprintf(name, sizeof(name), "%04d.txt", sequence);
  return shared_data_dir() / kTrackingCalib / name;
}

double exact(const char* text) { return std::strtod(text, nullptr); }

// A valid object-style file used as the base for error cases; line numbers below refer to it.
const char* const kValidObjectStyle =
    "P0: 1 0 0 0 0 1 0 0 0 0 1 0\n"  // line 1
    "P1: 1 0 0 0 0 1 0 0 0 0 1 0\n"  // line 2
    "P2: 7.215377e+02 0 6.095593e+02 4.485728e+01 0 7.215377e+02 1.728540e+02 2.163791e-01 0 0 1 "
    "2.745884e-03\n"                               // line 3
    "P3: 1 0 0 0 0 1 0 0 0 0 1 0\n"                // line 4
    "R0_rect: 1 0 0 0 1 0 0 0 1\n"                 // line 5
    "Tr_velo_to_cam: 0 -1 0 0 0 0 -1 0 1 0 0 0\n"  // line 6
    "Tr_imu_to_velo: 1 0 0 0 0 1 0 0 0 0 1 0\n"    // line 7
    "\n";

std::string replace_line(const std::string& text, int line_number, const std::string& new_line) {
  std::string out;
  std::size_t start = 0;
  for (int line = 1; start < text.size(); ++line) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    out += line == line_number ? new_line : text.substr(start, end - start);
    out += '\n';
    start = end + 1;
  }
  return out;
}

TEST(KittiCalib, AllTrackingSequencesParse) {
  PCANNO_REQUIRE_DATA(tracking_calib(20));
  Eigen::Matrix<double, 3, 4> first_imu;
  for (int s = 0; s <= 20; ++s) {
    const Expected<KittiCalib> calib = read_kitti_calib(tracking_calib(s));
    ASSERT_TRUE(calib) << calib.error().describe();
    for (int i = 0; i < 4; ++i) EXPECT_TRUE(calib->has_P[i]) << s;
    EXPECT_TRUE(calib->has_imu_to_velo) << s;
    EXPECT_GT(calib->P[2](0, 0), 600.0) << s;  // focal length in pixels
    EXPECT_NEAR(calib->R0_rect.determinant(), 1.0, 1e-3) << s;
    // formats.md 4.2: Tr_imu_velo is the same for all sequences.
    if (s == 0) first_imu = calib->Tr_imu_to_velo;
    EXPECT_EQ(calib->Tr_imu_to_velo, first_imu) << s;
  }
}

TEST(KittiCalib, TrackingSequenceZeroValues) {
  PCANNO_REQUIRE_DATA(tracking_calib(0));
  const Expected<KittiCalib> calib = read_kitti_calib(tracking_calib(0));
  ASSERT_TRUE(calib) << calib.error().describe();
  // Exact: from_chars must round like strtod on the file's %.12e text (data README values).
  EXPECT_EQ(calib->R0_rect(0, 0), exact("9.999239000000e-01"));
  EXPECT_EQ(calib->Tr_velo_to_cam(0, 0), exact("7.533745000000e-03"));
  EXPECT_EQ(calib->P[2](0, 3), exact("4.485728000000e+01"));
  // formats.md 2.3: P2[0][3]/P2[0][0] = 44.857/721.538 = 0.062 m for sequence 0000.
  EXPECT_NEAR(calib->P[2](0, 3) / calib->P[2](0, 0), 0.062, 5e-4);
  EXPECT_NEAR(calib->P[2](0, 0), 721.538, 1e-3);

  // formats.md 3.3: the Van's bottom centre (-4.552284, 1.858523, 13.410495) is (13.7010, 4.5714,
  // -1.7424) in the Velodyne frame.
  const Eigen::Vector4d loc(-4.552284, 1.858523, 13.410495, 1.0);
  const Eigen::Vector4d velo = calib->T_rect_velo().inverse() * loc;
  EXPECT_NEAR(velo.x(), 13.7010, 1e-3);
  EXPECT_NEAR(velo.y(), 4.5714, 1e-3);
  EXPECT_NEAR(velo.z(), -1.7424, 1e-3);
}

TEST(KittiCalib, ObjectStyleKeysGiveIdenticalNumbers) {
  const fs::path object_style =
      shared_data_dir() / "kitti_tracking/training/calib_object_style/0000.txt";
  PCANNO_REQUIRE_DATA(object_style);
  PCANNO_REQUIRE_DATA(tracking_calib(0));
  const Expected<KittiCalib> a = read_kitti_calib(tracking_calib(0));
  const Expected<KittiCalib> b = read_kitti_calib(object_style);
  ASSERT_TRUE(a) << a.error().describe();
  ASSERT_TRUE(b) << b.error().describe();
  for (int i = 0; i < 4; ++i) EXPECT_EQ(a->P[i], b->P[i]) << i;
  EXPECT_EQ(a->R0_rect, b->R0_rect);
  EXPECT_EQ(a->Tr_velo_to_cam, b->Tr_velo_to_cam);
  EXPECT_EQ(a->Tr_imu_to_velo, b->Tr_imu_to_velo);
  EXPECT_TRUE(b->has_imu_to_velo);
}

TEST(KittiCalib, ObjectBenchmarkFilesParse) {
  const fs::path dir = shared_data_dir() / "kitti_object/training/calib";
  PCANNO_REQUIRE_DATA(dir / "000002.txt");
  for (const char* name : {"000000.txt", "000001.txt", "000002.txt"}) {
    const Expected<KittiCalib> calib = read_kitti_calib(dir / name);
    ASSERT_TRUE(calib) << calib.error().describe();
    EXPECT_TRUE(calib->has_imu_to_velo);
    EXPECT_GT(calib->P[2](0, 0), 600.0);
    // T_rect_velo is a (near-)rigid map: its rotation block is close to orthonormal.
    const Eigen::Matrix3d R = calib->T_rect_velo().topLeftCorner<3, 3>();
    EXPECT_TRUE((R * R.transpose()).isApprox(Eigen::Matrix3d::Identity(), 1e-4)) << name;
  }
}

TEST(KittiCalib, AcceptsSpellingAndWhitespaceVariants) {
  const Expected<KittiCalib> reference = parse_kitti_calib(kValidObjectStyle, "ref.txt");
  ASSERT_TRUE(reference) << reference.error().describe();
  // Tracking keys, optional colons both ways, CRLF, tabs, trailing blanks, blank lines, a BOM and
  // unknown keys.
  const std::string variant =
      "\xEF\xBB\xBF"
      "P0 1 0 0 0 0 1 0 0 0 0 1 0\r\n"
      "\r\n"
      "P1:1 0 0 0 0 1 0 0 0 0 1 0  \r\n"
      "P_rect_02: 9 9 9\r\n"
      "P2:\t7.215377e+02 0 6.095593e+02 4.485728e+01 0 7.215377e+02 1.728540e+02 2.163791e-01 0 0 "
      "1 "
      "+2.745884e-03\t \r\n"
      "  P3: 1 0 0 0 0 1 0 0 0 0 1 0\r\n"
      "R_rect: 1 0 0 0 1 0 0 0 1\r\n"
      "Tr_velo_cam 0 -1 0 0 0 0 -1 0 1 0 0 0\r\n"
      "Tr_cam_to_road: 1 2\r\n"
      "Tr_imu_velo 1 0 0 0 0 1 0 0 0 0 1 0";  // no final newline
  const Expected<KittiCalib> parsed = parse_kitti_calib(variant, "variant.txt");
  ASSERT_TRUE(parsed) << parsed.error().describe();
  for (int i = 0; i < 4; ++i) EXPECT_EQ(parsed->P[i], reference->P[i]) << i;
  EXPECT_EQ(parsed->R0_rect, reference->R0_rect);
  EXPECT_EQ(parsed->Tr_velo_to_cam, reference->Tr_velo_to_cam);
  EXPECT_EQ(parsed->Tr_imu_to_velo, reference->Tr_imu_to_velo);
  // Row-major: the 4th number of P2 is P2(0,3), the 8th P2(1,3).
  EXPECT_EQ(parsed->P[2](0, 3), 44.85728);
  EXPECT_EQ(parsed->P[2](1, 3), 0.2163791);
  EXPECT_EQ(parsed->Tr_velo_to_cam(0, 1), -1.0);
  EXPECT_EQ(parsed->Tr_velo_to_cam(2, 0), 1.0);
}

TEST(KittiCalib, OptionalKeysMayBeAbsent) {
  const std::string text =
      "P2: 1 0 0 0 0 1 0 0 0 0 1 0\n"
      "R0_rect: 1 0 0 0 1 0 0 0 1\n"
      "Tr_velo_to_cam: 0 -1 0 0 0 0 -1 0 1 0 0 0\n";
  const Expected<KittiCalib> calib = parse_kitti_calib(text, "min.txt");
  ASSERT_TRUE(calib) << calib.error().describe();
  EXPECT_FALSE(calib->has_imu_to_velo);
  EXPECT_FALSE(calib->has_P[0]);
  EXPECT_TRUE(calib->has_P[2]);
  EXPECT_FALSE(calib->has_P[3]);
}

TEST(KittiCalib, PercentTwelveEDoublesRoundTripExactly) {
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> mantissa(-10.0, 10.0);
  std::uniform_int_distribution<int> exponent(-12, 4);
  for (int round = 0; round < 200; ++round) {
    double v[12];
    std::string line = "P2:";
    for (double& x : v) {
      char buf[40];
      std::snprintf(buf, sizeof(buf), " %.12e", mantissa(rng) * std::pow(10.0, exponent(rng)));
      line += buf;
      x = std::strtod(buf, nullptr);
    }
    const std::string text =
        line + "\nR0_rect: 1 0 0 0 1 0 0 0 1\nTr_velo_to_cam: 1 0 0 0 0 1 0 0 0 0 1 0\n";
    const Expected<KittiCalib> calib = parse_kitti_calib(text, "rt.txt");
    ASSERT_TRUE(calib) << calib.error().describe();
    for (int i = 0; i < 12; ++i) ASSERT_EQ(calib->P[2](i / 4, i % 4), v[i]) << line;
  }
}

TEST(KittiCalib, WrongCountNamesFileLineAndKey) {
  const std::string text = replace_line(
      kValidObjectStyle, 3, "P2: 7.215377e+02 0 6.095593e+02 4.485728e+01 0 1 2 3 4 5 6");
  const Expected<KittiCalib> calib = parse_kitti_calib(text, "calib/0000.txt");
  ASSERT_FALSE(calib);
  EXPECT_EQ(calib.error().code, ErrorCode::kMalformed);
  EXPECT_EQ(calib.error().line, 3);
  EXPECT_EQ(calib.error().describe(),
            "calib/0000.txt:3: expected 12 numbers after 'P2:', found 11");

  const Expected<KittiCalib> r = parse_kitti_calib(
      replace_line(kValidObjectStyle, 5, "R_rect 1 0 0 0 1 0 0 0 1 0"), "calib/0001.txt");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().describe(), "calib/0001.txt:5: expected 9 numbers after 'R_rect', found 10");

  const Expected<KittiCalib> tr =
      parse_kitti_calib(replace_line(kValidObjectStyle, 6, "Tr_velo_to_cam:"), "c.txt");
  ASSERT_FALSE(tr);
  EXPECT_EQ(tr.error().line, 6);
  EXPECT_NE(tr.error().message.find("expected 12"), std::string::npos);
}

TEST(KittiCalib, BadNumberNamesTheToken) {
  for (const char* bad : {"abc", "1.0.0", "nan", "inf", "1e999", "--1", "0x10", "1,5"}) {
    const std::string text = replace_line(
        kValidObjectStyle, 7, std::string("Tr_imu_to_velo: 1 0 0 0 0 ") + bad + " 0 0 0 0 1 0");
    const Expected<KittiCalib> calib = parse_kitti_calib(text, "k.txt");
    ASSERT_FALSE(calib) << bad;
    EXPECT_EQ(calib.error().code, ErrorCode::kMalformed);
    EXPECT_EQ(calib.error().line, 7) << bad;
    EXPECT_NE(calib.error().message.find(std::string("'") + bad + "'"), std::string::npos)
        << calib.error().message;
    EXPECT_NE(calib.error().message.find("value 6"), std::string::npos) << calib.error().message;
  }
}

TEST(KittiCalib, MissingRequiredKeyIsNamed) {
  struct Case {
    int line;
    const char* key;
  };
  for (const Case c : {Case{3, "P2"}, Case{5, "R0_rect"}, Case{6, "Tr_velo_to_cam"}}) {
    const Expected<KittiCalib> calib =
        parse_kitti_calib(replace_line(kValidObjectStyle, c.line, ""), "m.txt");
    ASSERT_FALSE(calib) << c.key;
    EXPECT_EQ(calib.error().code, ErrorCode::kMalformed);
    EXPECT_EQ(calib.error().line, -1);  // an absent key has no line
    EXPECT_NE(calib.error().message.find(std::string("missing required key '") + c.key + "'"),
              std::string::npos)
        << calib.error().message;
  }
  const Expected<KittiCalib> empty = parse_kitti_calib("", "empty.txt");
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error().code, ErrorCode::kMalformed);
}

TEST(KittiCalib, DuplicateKeyPointsAtBothLines) {
  const std::string text = std::string(kValidObjectStyle) + "R_rect 1 0 0 0 1 0 0 0 1\n";
  const Expected<KittiCalib> calib = parse_kitti_calib(text, "d.txt");
  ASSERT_FALSE(calib);
  EXPECT_EQ(calib.error().line, 9);
  EXPECT_NE(calib.error().message.find("line 5"), std::string::npos) << calib.error().message;
}

TEST(KittiCalib, ReadMissingFileIsNotFound) {
  test::TempDir dir;
  const Expected<KittiCalib> calib = read_kitti_calib(dir.path() / "0000.txt");
  ASSERT_FALSE(calib);
  EXPECT_EQ(calib.error().code, ErrorCode::kNotFound);
}

}  // namespace
}  // namespace pcanno::formats
