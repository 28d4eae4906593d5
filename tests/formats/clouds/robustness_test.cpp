#include <algorithm>
#include <random>
#include <string>

#include <gtest/gtest.h>

#include "files.hpp"
#include "pcanno/formats/clouds/raw_bin.hpp"
#include "pcanno/formats/datasets/kitti_calib.hpp"
#include "pcanno/formats/labels/kitti/label.hpp"
#include "temp_dir.hpp"
#include "test_data.hpp"

namespace pcanno::formats {
namespace {

namespace fs = std::filesystem;
using test::shared_data_dir;

std::int64_t count_lines(const std::string& text) {
  return static_cast<std::int64_t>(std::count(text.begin(), text.end(), '\n')) + 1;
}

/// Damaged copies of `original`: cut at evenly spread and random offsets, then some with bytes
/// overwritten by characters that matter to a text parser (separators, signs, NUL, high bytes).
std::vector<std::string> damaged_variants(const std::string& original, int count,
                                          std::mt19937& rng) {
  static const char kNasty[] = {'\0', '\n', '\r', ' ', '\t',   '-',    '+',    '.', 'e',
                                'E',  ':',  'x',  '9', '\x7f', '\xff', '\xef', 'n', 'i'};
  std::vector<std::string> out;
  for (int i = 0; i < count; ++i) {
    const std::size_t cut = i % 2 == 0 ? original.size() * static_cast<std::size_t>(i) / count
                                       : rng() % (original.size() + 1);
    std::string v = original.substr(0, cut);
    if (i % 3 != 0 && !v.empty()) {
      const int flips = 1 + static_cast<int>(rng() % 8);
      for (int f = 0; f < flips; ++f) {
        char& c = v[rng() % v.size()];
        c = rng() % 2 ? kNasty[rng() % sizeof(kNasty)] : static_cast<char>(rng());
      }
    }
    out.push_back(std::move(v));
  }
  return out;
}

template <typename T>
void expect_value_or_located_error(const Expected<T>& result, const std::string& text,
                                   const std::string& path) {
  if (result) return;
  const Error& e = result.error();
  ASSERT_EQ(e.code, ErrorCode::kMalformed) << e.describe();
  ASSERT_EQ(e.path, path);
  ASSERT_FALSE(e.message.empty());
  ASSERT_LE(e.line, count_lines(text)) << e.describe();
  ASSERT_TRUE(e.line == -1 || e.line >= 1) << e.describe();
}

TEST(Robustness, DamagedCalibrationNeverCrashes) {
  const fs::path tracking = shared_data_dir() / "kitti_tracking/training/calib/0000.txt";
  const fs::path object = shared_data_dir() / "kitti_object/training/calib/000001.txt";
  PCANNO_REQUIRE_DATA(tracking);
  PCANNO_REQUIRE_DATA(object);
  std::mt19937 rng(1);
  int parsed = 0, rejected = 0;
  for (const fs::path& file : {tracking, object}) {
    for (const std::string& v : damaged_variants(test::slurp(file), 200, rng)) {
      const Expected<KittiCalib> calib = parse_kitti_calib(v, "calib.txt");
      expect_value_or_located_error(calib, v, "calib.txt");
      (calib ? parsed : rejected)++;
    }
  }
  // Both outcomes must occur, or the damage was not exercising anything.
  EXPECT_GT(parsed, 0);
  EXPECT_GT(rejected, 0);
}

TEST(Robustness, DamagedLabelsNeverCrash) {
  const fs::path tracking = shared_data_dir() / "kitti_tracking/training/label_02/0000.txt";
  const fs::path object = shared_data_dir() / "kitti_object/training/label_2/000001.txt";
  PCANNO_REQUIRE_DATA(tracking);
  PCANNO_REQUIRE_DATA(object);
  std::mt19937 rng(2);
  // The first ~40 rows keep the run fast while covering DontCare and object rows.
  const std::string tracking_text = test::slurp(tracking).substr(0, 6000);
  int parsed = 0, rejected = 0;
  for (const std::string& v : damaged_variants(tracking_text, 200, rng)) {
    const auto rows = parse_kitti_tracking_labels(v, "label_02/0000.txt");
    expect_value_or_located_error(rows, v, "label_02/0000.txt");
    (rows ? parsed : rejected)++;
  }
  for (const std::string& v : damaged_variants(test::slurp(object), 200, rng)) {
    const auto rows = parse_kitti_object_labels(v, "label_2/000001.txt");
    expect_value_or_located_error(rows, v, "label_2/000001.txt");
    (rows ? parsed : rejected)++;
  }
  EXPECT_GT(parsed, 0);
  EXPECT_GT(rejected, 0);
}

TEST(Robustness, CutPointFilesAreTruncatedOrExact) {
  const fs::path file = shared_data_dir() / "kitti_tracking/training/velodyne/0000/000000.bin";
  PCANNO_REQUIRE_DATA(file);
  const std::string head = test::slurp(file).substr(0, 4096);
  std::mt19937 rng(3);
  for (int i = 0; i < 300; ++i) {
    const std::size_t cut = rng() % (head.size() + 1);
    for (RawBinLayout layout : {RawBinLayout::kKitti, RawBinLayout::kNuscenes}) {
      const std::size_t record = floats_per_point(layout) * sizeof(float);
      const Expected<PointCloud> cloud = parse_raw_bin(head.data(), cut, layout, "cut.bin");
      if (cut % record == 0) {
        ASSERT_TRUE(cloud) << cloud.error().describe();
        ASSERT_EQ(cloud->size(), cut / record);
      } else {
        ASSERT_FALSE(cloud);
        ASSERT_EQ(cloud.error().code, ErrorCode::kTruncated);
        ASSERT_NE(cloud.error().message.find(std::to_string(cut) + " bytes"), std::string::npos);
      }
    }
  }
}

TEST(Robustness, DamagedFilesOnDiskThroughTheReaders) {
  const fs::path bin = shared_data_dir() / "kitti_object/training/velodyne/000000.bin";
  const fs::path calib = shared_data_dir() / "kitti_object/training/calib/000000.txt";
  const fs::path label = shared_data_dir() / "kitti_object/training/label_2/000001.txt";
  PCANNO_REQUIRE_DATA(bin);
  PCANNO_REQUIRE_DATA(calib);
  PCANNO_REQUIRE_DATA(label);
  test::TempDir dir;
  std::mt19937 rng(4);
  const std::string bin_bytes = test::slurp(bin).substr(0, 1600);
  const std::string calib_text = test::slurp(calib);
  const std::string label_text = test::slurp(label);
  for (int i = 0; i < 20; ++i) {
    const fs::path b = dir.write("f.bin", bin_bytes.substr(0, rng() % bin_bytes.size()));
    const Expected<PointCloud> cloud = read_kitti_bin(b);
    ASSERT_EQ(cloud.has_value(), fs::file_size(b) % 16 == 0);
    const fs::path c = dir.write("c.txt", calib_text.substr(0, rng() % calib_text.size()));
    const Expected<KittiCalib> k = read_kitti_calib(c);
    if (!k) {
      ASSERT_EQ(k.error().path, c.string());
    }
    const fs::path l = dir.write("l.txt", label_text.substr(0, rng() % label_text.size()));
    const Expected<std::vector<KittiLabelRow>> rows = read_kitti_object_labels(l);
    if (!rows) {
      ASSERT_EQ(rows.error().path, l.string());
    }
  }
}

}  // namespace
}  // namespace pcanno::formats
