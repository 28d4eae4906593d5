// Cloud readers from plugins serve every place the built-ins serve: read_cloud() through the
// registry's readers, a plain-folder dataset opened by a Session (frames load, also through a
// FrameCache), by suffix, by content and by id, with the registry's priority rules.
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>

#include <gtest/gtest.h>

#include "pcanno/formats/datasets/frame_cache.hpp"
#include "pcanno/plugin/plugin_loader.hpp"
#include "pcanno/plugin/registry.hpp"
#include "pcanno/plugin/session.hpp"
#include "temp_dir.hpp"

namespace {

namespace fs = std::filesystem;
using pcanno::formats::CloudFile;
using pcanno::formats::Expected;
using pcanno::formats::ReadOptions;
using pcanno::plugin::Registry;

const fs::path kXyztPlugin = PCANNO_TEST_XYZT_PLUGIN;

class PluginReadersTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (const char* old = std::getenv("PCANNO_PLUGIN_PATH")) old_path_ = old;
  }
  void TearDown() override {
    if (old_path_) {
      ::setenv("PCANNO_PLUGIN_PATH", old_path_->c_str(), 1);
    } else {
      ::unsetenv("PCANNO_PLUGIN_PATH");
    }
  }

  pcanno::test::TempDir temp_;
  const fs::path dir_ = temp_.path();
  std::optional<std::string> old_path_;
};

TEST_F(PluginReadersTest, ReadCloudUsesTheRegistryReadersBySuffixContentAndId) {
  Registry registry = Registry::with_builtins();
  ASSERT_TRUE(pcanno::plugin::load_plugin(registry, kXyztPlugin));
  const fs::path file = temp_.write("scan.xyzt", "xyzt\n1 2 3 0.5\n4 5 6 0.75\n");
  // Without the plugin's readers the format is unknown...
  EXPECT_FALSE(pcanno::formats::read_cloud(file));
  ReadOptions options;
  options.readers = registry.shared_readers();
  // ...with them it is read by suffix,
  const Expected<CloudFile> by_suffix = pcanno::formats::read_cloud(file, options);
  ASSERT_TRUE(by_suffix) << by_suffix.error().describe();
  EXPECT_EQ(by_suffix->info.format, "xyzt");
  ASSERT_EQ(by_suffix->cloud.size(), 2u);
  EXPECT_EQ(by_suffix->cloud.y[1], 5.0f);
  EXPECT_EQ((*by_suffix->cloud.attribute("time"))[1], 0.75f);
  // by content under another name, and by id.
  const fs::path renamed = temp_.write("scan.txt", "xyzt\n7 8 9 0\n");
  EXPECT_EQ(pcanno::formats::read_cloud(renamed, options)->cloud.x[0], 7.0f);
  EXPECT_EQ(pcanno::formats::read_cloud(renamed, options, "xyzt")->cloud.z[0], 9.0f);
  // A plugin error keeps its location.
  const Expected<CloudFile> bad =
      pcanno::formats::read_cloud(temp_.write("bad.xyzt", "xyzt\n1 2\n"), options);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().line, 2);
  // The handle given out stays as it was: a reader added later is not in it.
  pcanno::formats::CloudReader late;
  late.id = "late";
  late.suffixes = {".late"};
  registry.add_reader(late, {"reader", "late", "1.0.0", 0, "", ""});
  EXPECT_EQ(options.readers->find("late"), nullptr);
  EXPECT_NE(registry.readers().find("late"), nullptr);
}

TEST_F(PluginReadersTest, SessionOpensAFolderOfPluginCloudsAndLoadsItsFrames) {
  const fs::path folder = dir_ / "scans";
  temp_.write("scans/000000.xyzt", "xyzt\n1 0 0 0\n");
  temp_.write("scans/000001.xyzt", "xyzt\n1 0 0 0\n2 0 0 0\n");
  temp_.write("scans/000002.xyzt", "xyzt\n1 0 0 0\n2 0 0 0\n3 0 0 0\n");
  pcanno::plugin::SessionOptions options;
  options.sequence = folder;
  options.journal = false;

  ::setenv("PCANNO_PLUGIN_PATH", "", 1);
  EXPECT_FALSE(pcanno::plugin::Session::open(options));  // no reader claims .xyzt

  ::setenv("PCANNO_PLUGIN_PATH", kXyztPlugin.c_str(), 1);
  auto session = pcanno::plugin::Session::open(options);
  ASSERT_TRUE(session) << session.error().describe();
  const pcanno::formats::Sequence* seq = (*session)->sequence();
  ASSERT_NE(seq, nullptr);
  EXPECT_EQ(seq->layout, "folder");
  ASSERT_EQ(seq->size(), 3u);
  EXPECT_EQ(seq->frames[2].format, "xyzt");
  for (std::size_t i = 0; i < seq->size(); ++i) {
    const Expected<CloudFile> frame = seq->load_frame(i);
    ASSERT_TRUE(frame) << frame.error().describe();
    EXPECT_EQ(frame->cloud.size(), i + 1);
  }
  // The views' frame cache copies the sequence, readers included.
  pcanno::formats::FrameCache cache = pcanno::formats::make_frame_cache(*seq);
  const auto cached = cache.get(1);
  ASSERT_TRUE(cached) << cached.error().describe();
  EXPECT_EQ((*cached)->size(), 2u);
}

TEST_F(PluginReadersTest, PriorityDecidesBetweenABuiltinAndAPluginOnTheSameSuffix) {
  Registry registry = Registry::with_builtins();
  ASSERT_TRUE(pcanno::plugin::load_plugin(registry, kXyztPlugin));
  // A second headerless reader for ".bin": without a signature to sniff, the higher priority
  // wins; at a lower priority the built-in stays.
  pcanno::formats::CloudReader other;
  other.id = "other-bin";
  other.suffixes = {".bin"};
  other.read = [](const fs::path&, const ReadOptions&) -> Expected<CloudFile> {
    CloudFile f;
    f.cloud.x = {42.0f};
    f.cloud.y = {0.0f};
    f.cloud.z = {0.0f};
    return f;
  };
  const fs::path file = temp_.write("scan.bin", std::string(16, '\0'));
  registry.add_reader(other, {"reader", "other-bin", "1.0.0", -1, "", ""});
  ReadOptions options;
  options.readers = registry.shared_readers();
  EXPECT_EQ(pcanno::formats::read_cloud(file, options)->info.format, "kitti-bin");
  registry.add_reader(other, {"reader", "other-bin", "1.0.0", 5, "", ""});
  options.readers = registry.shared_readers();
  EXPECT_EQ(pcanno::formats::read_cloud(file, options)->info.format, "other-bin");
}

}  // namespace
