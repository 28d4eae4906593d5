// The label input and output services the CLI (convert, eval, check, track, prelabel) and the
// Python automation share: the dataset found for a labels path, codec detection, the
// unreadable-format message and outputs whose new folders go away again when a write fails.
#include "pcanno/plugin/services/label_input.hpp"

#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "pcanno/plugin/registry.hpp"

namespace pcanno::plugin {
namespace {

namespace fs = std::filesystem;

const fs::path& training() {
  static const fs::path root = fs::path(PCANNO_SAMPLE_DATA_DIR) / "kitti_tracking/training";
  return root;
}

/// Track ids of the label file, DontCare (-1) left out: a hand parse of the KITTI text.
std::set<int> track_ids_in(const fs::path& file) {
  std::set<int> ids;
  std::ifstream in(file);
  for (std::string line; std::getline(in, line);) {
    std::istringstream fields(line);
    int frame = 0;
    int track = 0;
    fields >> frame >> track;
    if (track >= 0) ids.insert(track);
  }
  return ids;
}

/// A temporary folder, removed with what it holds.
struct TempDir {
  fs::path path;
  TempDir() {
    path =
        fs::temp_directory_path() /
        ("pcanno_label_input_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
         "_" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

TEST(LabelInput, OpenDatasetTakesTheSequenceElseADatasetRootElseNothing) {
  const std::string labels = (training() / "label_02/0000.txt").string();
  auto none = open_dataset(labels, "", "0000");
  ASSERT_TRUE(none) << none.error().describe();
  EXPECT_FALSE(*none);  // a label file is not a dataset

  auto from_input = open_dataset(training().string(), "", "0000");
  ASSERT_TRUE(from_input) << from_input.error().describe();
  ASSERT_TRUE(*from_input);
  EXPECT_EQ((*from_input)->layout, "kitti-tracking");
  EXPECT_EQ((*from_input)->size(), 5u);  // velodyne/0000 holds five clouds

  auto from_sequence = open_dataset(labels, training().string(), "0000");
  ASSERT_TRUE(from_sequence) << from_sequence.error().describe();
  ASSERT_TRUE(*from_sequence);
  EXPECT_EQ((*from_sequence)->size(), 5u);

  auto missing = open_dataset(labels, (training() / "no_such_dataset").string(), "");
  EXPECT_FALSE(missing);
}

TEST(LabelInput, OpenReferencedDatasetOpensWhatTheLabelsName) {
  formats::Annotations labels;
  EXPECT_FALSE(open_referenced_dataset(labels));  // no reference
  labels.sequence = {"kitti-tracking", training().string(), "0000"};
  auto opened = open_referenced_dataset(labels);
  ASSERT_TRUE(opened);
  EXPECT_EQ(opened->size(), 5u);
  labels.sequence.path = (training() / "no_such_dataset").string();
  EXPECT_FALSE(open_referenced_dataset(labels));
}

TEST(LabelInput, ReadLabelsDetectsTheCodecAndReadsEveryTrack) {
  const Registry registry = Registry::with_builtins();
  const fs::path file = training() / "label_02/0000.txt";
  auto dataset = open_dataset(training().string(), "", "0000");
  ASSERT_TRUE(dataset && *dataset);
  std::string codec_id;
  auto labels = read_labels(registry, file.string(), "", &**dataset, &codec_id);
  ASSERT_TRUE(labels) << labels.error().describe();
  EXPECT_EQ(codec_id, "kitti-tracking");
  EXPECT_EQ(labels->tracks.size(), track_ids_in(file).size());

  auto unknown = read_labels(registry, file.string(), "no-such-format", nullptr);
  EXPECT_FALSE(unknown);
}

TEST(LabelInput, UnreadableFormatNamesTheOptionAndTheReadableFormats) {
  const Registry registry = Registry::with_builtins();
  EXPECT_EQ(unreadable_format(registry.codecs(), "", "--from"), "");
  EXPECT_EQ(unreadable_format(registry.codecs(), "kitti-tracking", "--from"), "");
  const std::string message = unreadable_format(registry.codecs(), "nope", "--from");
  EXPECT_EQ(message.rfind("--from: cannot read labels as 'nope'; input formats: ", 0), 0u)
      << message;
  for (const auto& codec : registry.codecs().codecs()) {
    EXPECT_EQ(message.find(codec.id) != std::string::npos, static_cast<bool>(codec.read))
        << codec.id;
  }
}

TEST(LabelInput, OutputParentIsTheFolderHoldingTheOutput) {
  EXPECT_EQ(output_parent("a/b/c"), fs::path("a/b"));
  EXPECT_EQ(output_parent("a/b/c/"), fs::path("a/b"));
  EXPECT_EQ(output_parent("c"), fs::path());
}

TEST(LabelInput, WriteLabelsOutputMakesFoldersAndTakesThemAwayOnFailure) {
  TempDir tmp;
  formats::LabelCodec writer;
  writer.id = "test";
  bool fail = false;
  writer.write = [&](const formats::Annotations&, const fs::path& out,
                     const formats::LabelContext&) -> formats::Expected<formats::WriteReport> {
    if (fail) return formats::Error{formats::ErrorCode::kIo, "refused", out.string()};
    std::ofstream(out) << "x";
    formats::WriteReport report;
    report.written.push_back(out);
    return report;
  };
  const formats::Annotations doc;
  const fs::path out = tmp.path / "new/deeper/out.txt";
  auto written = write_labels_output(writer, doc, out.string(), {});
  ASSERT_TRUE(written) << written.error().describe();
  EXPECT_TRUE(fs::is_regular_file(out));

  fail = true;
  auto failed = write_labels_output(writer, doc, (tmp.path / "other/out.txt").string(), {});
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().message, "refused");
  EXPECT_FALSE(fs::exists(tmp.path / "other"));  // the folder made for it went away again
  EXPECT_TRUE(fs::is_directory(tmp.path / "new/deeper"));
}

}  // namespace
}  // namespace pcanno::plugin
