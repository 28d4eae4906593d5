// merge_nuscenes_dataroots: one-scene dataroots written apart (as pcanno batch's workers write
// them) merge into the bytes write_nuscenes_scenes() writes for the scenes together, again and
// again; parts that cannot form one dataset are refused before anything is in place.
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "files.hpp"
#include "nuscenes_link_rules.hpp"
#include "pcanno/formats/datasets/sequence.hpp"
#include "pcanno/formats/labels/kitti/codecs.hpp"
#include "pcanno/formats/labels/nuscenes/codec.hpp"
#include "pcanno/formats/labels/nuscenes/merge.hpp"
#include "temp_dir.hpp"
#include "test_data.hpp"

namespace pcanno::formats {
namespace {

namespace fs = std::filesystem;
using test::slurp;
using test::TempDir;

/// Every regular file under `root` by relative path, with its bytes.
std::map<std::string, std::string> tree(const fs::path& root) {
  std::map<std::string, std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(root)) {
    if (e.is_regular_file()) out[e.path().lexically_relative(root).string()] = slurp(e.path());
  }
  return out;
}

/// The sample sequence with its clouds (scene 0000) and its labels again without (scene 0007).
struct Scenes {
  Sequence clouds;
  Annotations with_clouds, label_only;
};

void make_scenes(Scenes& s) {
  const fs::path training = test::sample_data_dir() / "kitti_tracking/training";
  Expected<Sequence> seq = open_sequence(training);
  ASSERT_TRUE(seq) << seq.error().describe();
  s.clouds = std::move(*seq);
  LabelContext context;
  context.sequence = &s.clouds;
  Expected<Annotations> a =
      read_kitti_tracking_annotations(training / "label_02/0000.txt", context);
  ASSERT_TRUE(a) << a.error().describe();
  s.with_clouds = std::move(*a);
  s.label_only = s.with_clouds;
  s.label_only.sequence.name = "0007";
}

TEST(NuscenesMerge, PartsMergeIntoTheBytesOfOneExport) {
  TempDir dir;
  Scenes s;
  ASSERT_NO_FATAL_FAILURE(make_scenes(s));
  const fs::path a = dir.path() / "a", b = dir.path() / "b";
  LabelContext context;
  context.sequence = &s.clouds;
  ASSERT_TRUE(write_nuscenes_dataset(s.with_clouds, a, context));
  ASSERT_TRUE(write_nuscenes_dataset(s.label_only, b, {}));
  const fs::path together = dir.path() / "together";
  ASSERT_TRUE(
      write_nuscenes_scenes({{&s.with_clouds, &s.clouds}, {&s.label_only, nullptr}}, together, {}));

  const fs::path out = dir.path() / "made/for/it/merged";
  const Status merged = merge_nuscenes_dataroots({a, b}, out, false);
  ASSERT_TRUE(merged) << merged.error().describe();
  const auto expected = tree(together);
  EXPECT_EQ(tree(out).size(), expected.size());
  EXPECT_TRUE(tree(out) == expected);
  const auto problems = test_nuscenes::link_problems(out, "v1.0-pcanno");
  EXPECT_TRUE(problems.empty()) << test_nuscenes::join(problems);

  // Existing output only when asked; merging again gives the same bytes.
  const Status refused = merge_nuscenes_dataroots({a, b}, out, false);
  EXPECT_FALSE(refused);
  EXPECT_TRUE(merge_nuscenes_dataroots({a, b}, out, true));
  EXPECT_TRUE(tree(out) == expected);
}

TEST(NuscenesMerge, PartsThatAreNotOneDatasetAreRefused) {
  TempDir dir;
  Scenes s;
  ASSERT_NO_FATAL_FAILURE(make_scenes(s));
  const fs::path a = dir.path() / "a", twin = dir.path() / "twin";
  ASSERT_TRUE(write_nuscenes_dataset(s.label_only, a, {}));
  // The same scene with a box moved: its tokens name different records.
  Annotations moved = s.label_only;
  moved.tracks.front().boxes.front().box.center.x() += 1.0;
  ASSERT_TRUE(write_nuscenes_dataset(moved, twin, {}));
  const fs::path out = dir.path() / "out";
  const Status conflict = merge_nuscenes_dataroots({a, twin}, out, false);
  ASSERT_FALSE(conflict);
  EXPECT_EQ(conflict.error().code, ErrorCode::kConflict);
  EXPECT_NE(conflict.error().message.find("sample_annotation token"), std::string::npos)
      << conflict.error().message;
  EXPECT_FALSE(fs::exists(out));

  // Another version folder.
  Annotations other = s.label_only;
  other.sequence.name = "0009";
  other.attributes[kNuscenesVersionAttribute] = "v1.0-other";
  const fs::path c = dir.path() / "c";
  ASSERT_TRUE(write_nuscenes_dataset(other, c, {}));
  const Status versions = merge_nuscenes_dataroots({a, c}, out, false);
  ASSERT_FALSE(versions);
  EXPECT_EQ(versions.error().code, ErrorCode::kConflict);
  EXPECT_FALSE(fs::exists(out));

  // A damaged table names its file and byte.
  std::ofstream(a / "v1.0-pcanno/log.json", std::ios::trunc) << "[\n{\"logfile\": \"x\"}\n]";
  const Status damaged = merge_nuscenes_dataroots({a}, out, false);
  ASSERT_FALSE(damaged);
  EXPECT_EQ(damaged.error().code, ErrorCode::kMalformed);
  EXPECT_NE(damaged.error().path.find("log.json"), std::string::npos) << damaged.error().path;
  EXPECT_EQ(damaged.error().offset, 2);
  EXPECT_FALSE(fs::exists(out));
}

}  // namespace
}  // namespace pcanno::formats
