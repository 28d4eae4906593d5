#include "pcanno/formats/clouds/reader.hpp"

#include <cmath>
#include <limits>

#include <gtest/gtest.h>

#include "temp_dir.hpp"
#include "test_data.hpp"

namespace pcanno::formats {
namespace {

namespace fs = std::filesystem;

/// A reader that recognises files starting with `magic` and returns one point at (tag, 0, 0).
CloudReader fake_reader(const std::string& id, const std::string& suffix, const std::string& magic,
                        float tag, int priority = 0) {
  CloudReader r;
  r.id = id;
  r.suffixes = {suffix};
  r.priority = priority;
  r.sniff = [magic](const std::uint8_t* head, std::size_t n) {
    return n >= magic.size() && std::equal(magic.begin(), magic.end(), head) ? 100 : 0;
  };
  r.read = [tag](const fs::path&, const ReadOptions& options) -> Expected<CloudFile> {
    if (options.progress && !options.progress(0.0))
      return Error{ErrorCode::kCancelled, "cancelled", ""};
    CloudFile f;
    const float nan = std::numeric_limits<float>::quiet_NaN();
    f.cloud.x = {tag, nan};
    f.cloud.y = {0.f, 0.f};
    f.cloud.z = {0.f, 0.f};
    return f;
  };
  return r;
}

TEST(CloudReaderRegistry, LongestSuffixWinsWithoutLookingAtSize) {
  test::TempDir dir;
  const auto registry = CloudReaderRegistry::with_builtin_readers();
  const fs::path nus = dir.write("a.pcd.bin", std::string(16 * 5, '\0'));  // also a multiple of 16
  const fs::path kitti = dir.write("a.bin", std::string(16 * 5, '\0'));
  EXPECT_EQ((*registry.select(nus))->id, "nuscenes-bin");
  EXPECT_EQ((*registry.select(kitti))->id, "kitti-bin");
  EXPECT_EQ(registry.read(nus)->cloud.size(), 4u);
  EXPECT_EQ(registry.read(kitti)->cloud.size(), 5u);
  // Suffixes match case-insensitively.
  const fs::path upper = dir.write("B.BIN", std::string(32, '\0'));
  EXPECT_EQ((*registry.select(upper))->id, "kitti-bin");
}

TEST(CloudReaderRegistry, ExplicitFormatOverridesSuffix) {
  test::TempDir dir;
  const fs::path file = dir.write("cloud.dat", std::string(40, '\0'));
  const auto registry = CloudReaderRegistry::with_builtin_readers();
  EXPECT_EQ(registry.read(file, {}, "nuscenes-bin")->cloud.size(), 2u);
  const auto unknown = registry.read(file, {}, "xyz");
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, ErrorCode::kUnsupported);
  EXPECT_NE(unknown.error().message.find("kitti-bin"), std::string::npos);  // lists the known ids
  const auto no_suffix = registry.read(file);
  ASSERT_FALSE(no_suffix);
  EXPECT_EQ(no_suffix.error().code, ErrorCode::kUnknownFormat);
  EXPECT_EQ(no_suffix.error().path, file.string());
}

TEST(CloudReaderRegistry, SniffingDecidesAmbiguousAndUnknownSuffixes) {
  test::TempDir dir;
  CloudReaderRegistry registry;
  registry.add(fake_reader("alpha", ".pts", "ALPHA", 1.f));
  registry.add(fake_reader("beta", ".pts", "BETA", 2.f));
  EXPECT_EQ((*registry.select(dir.write("x.pts", "BETA....")))->id, "beta");
  EXPECT_EQ((*registry.select(dir.write("y.pts", "ALPHA...")))->id, "alpha");
  EXPECT_EQ((*registry.select(dir.write("z.unknown", "BETA....")))->id, "beta");
  EXPECT_FALSE(registry.select(dir.write("w.unknown", "GAMMA...")));
  // Same suffix, no signature: priority decides.
  CloudReaderRegistry plain;
  plain.add(fake_reader("low", ".xyz", "#", 1.f, 0));
  plain.add(fake_reader("high", ".xyz", "#", 2.f, 5));
  EXPECT_EQ((*plain.select(dir.write("v.xyz", "no magic")))->id, "high");
}

TEST(CloudReaderRegistry, AddReplacesSameIdSoPluginsCanOverride) {
  CloudReaderRegistry registry = CloudReaderRegistry::with_builtin_readers();
  const std::size_t before = registry.readers().size();
  registry.add(fake_reader("kitti-bin", ".bin", "", 7.f));
  EXPECT_EQ(registry.readers().size(), before);
  test::TempDir dir;
  EXPECT_EQ(registry.read(dir.write("a.bin", "x"))->cloud.x[0], 7.f);
}

TEST(CloudReaderRegistry, OptionsDropNonFiniteAndCancel) {
  CloudReaderRegistry registry;
  registry.add(fake_reader("fake", ".fake", "F", 3.f));
  test::TempDir dir;
  const fs::path file = dir.write("a.fake", "F");
  EXPECT_EQ(registry.read(file)->cloud.size(), 2u);
  ReadOptions drop;
  drop.drop_non_finite = true;
  const auto dropped = registry.read(file, drop);
  ASSERT_TRUE(dropped);
  EXPECT_EQ(dropped->cloud.size(), 1u);
  EXPECT_EQ(dropped->info.dropped_non_finite, 1u);
  EXPECT_EQ(dropped->info.format, "fake");
  ReadOptions cancel;
  cancel.progress = [](double) { return false; };
  EXPECT_EQ(registry.read(file, cancel).error().code, ErrorCode::kCancelled);
}

TEST(CloudReaderRegistry, BuiltinsReadRealFrames) {
  const fs::path frame =
      test::sample_data_dir() / "kitti_tracking/training/velodyne/0000/000000.bin";
  int calls = 0;
  ReadOptions options;
  options.progress = [&](double f) {
    EXPECT_GE(f, 0.0);
    EXPECT_LE(f, 1.0);
    ++calls;
    return true;
  };
  const auto file = read_cloud(frame, options);
  ASSERT_TRUE(file) << file.error().describe();
  EXPECT_EQ(file->cloud.size(), 123398u);
  EXPECT_EQ(file->info.format, "kitti-bin");
  EXPECT_GE(calls, 2);
  EXPECT_NE(default_cloud_readers().find("nuscenes-bin"), nullptr);
}

TEST(PointCloud, RemoveNonFiniteKeepsAttributesAligned) {
  PointCloud c;
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float inf = std::numeric_limits<float>::infinity();
  c.x = {1, nan, 3, 4};
  c.y = {1, 2, inf, 4};
  c.z = {1, 2, 3, 4};
  c.add_attribute("intensity") = {10, 20, 30, 40};
  EXPECT_EQ(remove_non_finite(c), 2u);
  EXPECT_EQ(c.x, (std::vector<float>{1, 4}));
  EXPECT_EQ(*c.attribute("intensity"), (std::vector<float>{10, 40}));
}

}  // namespace
}  // namespace pcanno::formats
