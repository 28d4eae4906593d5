#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "files.hpp"
#include "pcanno/formats/clouds/reader.hpp"
#include "pcanno/formats/datasets/sequence.hpp"
#include "temp_dir.hpp"

// Readers that are not built in (a plugin's) serve read_cloud() and the folder layout when the host
// passes its registry (formats knows nothing of plugins).

namespace pcanno::formats {
namespace {

namespace fs = std::filesystem;

/// A made-up text format: ".xyzt" files starting "XYZT", then one "x y z t" line per point.
CloudReader xyzt_reader() {
  CloudReader r;
  r.id = "xyzt";
  r.description = "test text format";
  r.suffixes = {".xyzt"};
  r.sniff = [](const std::uint8_t* head, std::size_t n) {
    return n >= 4 && std::string(reinterpret_cast<const char*>(head), 4) == "XYZT" ? 100 : 0;
  };
  r.read = [](const fs::path& path, const ReadOptions&) -> Expected<CloudFile> {
    const std::string text = test::slurp(path);
    CloudFile f;
    f.cloud.x = {static_cast<float>(text.size())};
    f.cloud.y = {0.0f};
    f.cloud.z = {0.0f};
    return f;
  };
  return r;
}

TEST(ReaderRegistryInjection, ReadCloudAndTheFolderLayoutUseTheGivenReaders) {
  auto readers = std::make_shared<CloudReaderRegistry>(CloudReaderRegistry::with_builtin_readers());
  readers->add(xyzt_reader());
  test::TempDir dir;
  const fs::path a = dir.write("000001.xyzt", "XYZT 1 2 3 0\n");
  const fs::path b = dir.write("000002.xyzt", "XYZT\n");
  // The built-ins alone do not know the format...
  EXPECT_FALSE(read_cloud(a));
  EXPECT_EQ(detect_layout(dir.path()), "");
  // ...the given registry does, by suffix, by content and by id.
  ReadOptions options;
  options.readers = readers;
  const Expected<CloudFile> by_suffix = read_cloud(a, options);
  ASSERT_TRUE(by_suffix) << by_suffix.error().describe();
  EXPECT_EQ(by_suffix->info.format, "xyzt");
  const fs::path renamed = dir.write("cloud.txt", "XYZT 4 5 6 0\n");
  EXPECT_EQ(read_cloud(renamed, options)->info.format, "xyzt");
  EXPECT_EQ(read_cloud(renamed, options, "xyzt")->cloud.x[0], 13.0f);

  SequenceOptions sequence_options;
  sequence_options.readers = readers;
  EXPECT_EQ(detect_layout(dir.path(), readers.get()), "folder");
  Expected<Sequence> seq = open_sequence(dir.path(), sequence_options);
  ASSERT_TRUE(seq) << seq.error().describe();
  ASSERT_EQ(seq->size(), 2u);  // cloud.txt has no cloud suffix
  EXPECT_EQ(seq->frames[0].format, "xyzt");
  // Frames load through the sequence's readers, with no ReadOptions naming them.
  const Expected<CloudFile> frame = seq->load_frame(1);
  ASSERT_TRUE(frame) << frame.error().describe();
  EXPECT_EQ(frame->cloud.x[0], 5.0f);  // "XYZT\n"
}

}  // namespace
}  // namespace pcanno::formats
