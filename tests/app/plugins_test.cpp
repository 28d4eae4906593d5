// `pcanno plugins` and `pcanno convert` with shared-library plugins from PCANNO_PLUGIN_PATH: the
// example csv-boxes exporter is listed and used; broken plugins are reported, never fatal.

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "files.hpp"
#include "run_command.hpp"
#include "temp_dir.hpp"
#include "test_data.hpp"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using pcanno::test::CommandResult;
using pcanno::test::slurp;

const fs::path kExamplePlugin = PCANNO_EXAMPLE_PLUGIN;

/// Runs pcanno with PCANNO_PLUGIN_PATH set to `plugin_path`, or removed when it is empty.
CommandResult pcanno_with(const std::string& plugin_path, const std::string& args,
                          bool with_stderr = true) {
  const std::string env = plugin_path.empty() ? "env -u PCANNO_PLUGIN_PATH "
                                              : "env PCANNO_PLUGIN_PATH='" + plugin_path + "' ";
  return pcanno::test::run_command(env + PCANNO_BINARY + " " + args +
                                   (with_stderr ? " 2>&1" : " 2>/dev/null"));
}

class PluginsCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    temp_.write("bad.so", "this is not an ELF file, whatever its name says\n");
  }

  pcanno::test::TempDir temp_;
  const fs::path dir_ = temp_.path();
  const fs::path labels_ =
      fs::path(PCANNO_SAMPLE_DATA_DIR) / "kitti_tracking/training/label_02/0000.txt";
};

const json* find_component(const json& components, const std::string& kind, const std::string& id) {
  for (const json& c : components) {
    if (c["kind"] == kind && c["id"] == id) return &c;
  }
  return nullptr;
}

TEST_F(PluginsCommandTest, ListsTheBuiltInComponents) {
  const CommandResult r = pcanno_with("", "plugins --json", false);
  ASSERT_EQ(r.exit_code, 0) << r.out;
  const json j = json::parse(r.out);
  EXPECT_TRUE(j["plugin_path"].is_null());
  EXPECT_TRUE(j["failures"].empty());
  for (const char* codec : {"kitti-object", "kitti-tracking", "nuscenes", "pcanno"}) {
    const json* c = find_component(j["components"], "codec", codec);
    ASSERT_NE(c, nullptr) << codec;
    EXPECT_EQ((*c)["origin"], "built-in");
    EXPECT_FALSE((*c)["description"].get<std::string>().empty());
  }
  EXPECT_NE(find_component(j["components"], "reader", "pcd"), nullptr);
  EXPECT_EQ(find_component(j["components"], "codec", "csv-boxes"), nullptr);

  const CommandResult text = pcanno_with("", "plugins");
  EXPECT_EQ(text.exit_code, 0);
  EXPECT_NE(text.out.find("KIND"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("kitti-tracking"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("PCANNO_PLUGIN_PATH is not set"), std::string::npos) << text.out;
}

TEST_F(PluginsCommandTest, ListsLoadedPluginsAndThoseThatFailed) {
  const std::string path = kExamplePlugin.parent_path().string() + ":" +
                           PCANNO_TEST_WRONG_ABI_PLUGIN + ":" + (dir_ / "bad.so").string();
  const CommandResult r = pcanno_with(path, "plugins --json", false);
  ASSERT_EQ(r.exit_code, 0) << r.out;  // failed plugins are reported, not fatal
  const json j = json::parse(r.out);
  EXPECT_EQ(j["plugin_path"], path);
  const json* csv = find_component(j["components"], "codec", "csv-boxes");
  ASSERT_NE(csv, nullptr) << r.out;
  EXPECT_EQ((*csv)["origin"], kExamplePlugin.string());
  EXPECT_EQ((*csv)["version"], "1.0.0");
  EXPECT_EQ((*csv)["priority"], 5);
  ASSERT_EQ(j["failures"].size(), 2u) << r.out;
  EXPECT_EQ(j["failures"][0]["path"], PCANNO_TEST_WRONG_ABI_PLUGIN);
  EXPECT_EQ(j["failures"][0]["reason"], "built for plugin ABI 999, this pcanno supports 4");
  EXPECT_EQ(j["failures"][1]["path"], (dir_ / "bad.so").string());
  EXPECT_NE(j["failures"][1]["reason"].get<std::string>().find("not a shared library"),
            std::string::npos);

  // The table: the plugin's file sits under ORIGIN, the failures follow with their reasons.
  const CommandResult text = pcanno_with(path, "plugins", false);
  ASSERT_EQ(text.exit_code, 0);
  std::istringstream lines(text.out);
  std::string header, line, csv_line;
  std::getline(lines, header);
  while (std::getline(lines, line)) {
    if (line.rfind("codec", 0) == 0 && line.find("csv-boxes") != std::string::npos) csv_line = line;
  }
  ASSERT_FALSE(csv_line.empty()) << text.out;
  EXPECT_EQ(csv_line.find(kExamplePlugin.string()), header.find("ORIGIN")) << text.out;
  EXPECT_EQ(csv_line.find("1.0.0"), header.find("VERSION")) << text.out;
  EXPECT_NE(text.out.find("plugins not loaded:"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("this pcanno supports 4"), std::string::npos) << text.out;
}

/// (track id, frame) -> the row's 16 fields.
std::map<std::pair<long long, long long>, std::vector<std::string>> csv_rows(
    const std::string& text) {
  std::map<std::pair<long long, long long>, std::vector<std::string>> rows;
  std::istringstream lines(text);
  std::string line;
  std::getline(lines, line);  // header
  while (std::getline(lines, line)) {
    std::vector<std::string> f;
    std::istringstream fields(line);
    for (std::string s; std::getline(fields, s, ',');) f.push_back(s);
    rows[{std::stoll(f.at(0)), std::stoll(f.at(2))}] = f;
  }
  return rows;
}

TEST_F(PluginsCommandTest, ConvertWritesCsvBoxesThroughThePlugin) {
  const std::string plugins = kExamplePlugin.parent_path().string();
  const fs::path csv = dir_ / "boxes.csv";
  const CommandResult r =
      pcanno_with(plugins, "convert " + labels_.string() + " --to csv-boxes --out " + csv.string());
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("wrote 15 boxes as csv-boxes"), std::string::npos) << r.out;

  // The same labels through the built-in native writer: every CSV number equals the document's.
  const fs::path doc = dir_ / "boxes.pcanno.json";
  ASSERT_EQ(pcanno_with("", "convert " + labels_.string() + " --to pcanno --out " + doc.string())
                .exit_code,
            0);
  const json j = json::parse(slurp(doc));
  const auto rows = csv_rows(slurp(csv));
  EXPECT_EQ(rows.size(), 15u);
  std::size_t compared = 0;
  for (const json& track : j["tracks"]) {
    for (const json& box : track["boxes"]) {
      const auto it = rows.find({track["id"].get<long long>(), box["frame"].get<long long>()});
      ASSERT_NE(it, rows.end()) << "track " << track["id"] << " frame " << box["frame"];
      const std::vector<std::string>& f = it->second;
      EXPECT_EQ(f[1], track["label"].get<std::string>());
      EXPECT_EQ(f[3], box["frame_of_reference"].get<std::string>());
      std::vector<double> want;
      for (const char* key : {"center", "size", "rotation_wxyz"}) {
        for (const json& v : box[key]) want.push_back(v.get<double>());
      }
      for (std::size_t k = 0; k < want.size(); ++k) {
        EXPECT_EQ(std::strtod(f[4 + k].c_str(), nullptr), want[k]) << f[4 + k];
      }
      EXPECT_EQ(f[14], box["provenance"].get<std::string>());
      EXPECT_EQ(f[15], box["keyframe"].get<bool>() ? "1" : "0");
      ++compared;
    }
  }
  EXPECT_EQ(compared, 15u);

  // Back: the plugin's codec is found by detection, without --from.
  const fs::path again = dir_ / "again.pcanno.json";
  const CommandResult back =
      pcanno_with(plugins, "convert " + csv.string() + " --to pcanno --out " + again.string());
  ASSERT_EQ(back.exit_code, 0) << back.out;
  EXPECT_NE(back.out.find("(csv-boxes)"), std::string::npos) << back.out;
  EXPECT_NE(back.out.find("wrote 15 boxes"), std::string::npos) << back.out;
}

TEST_F(PluginsCommandTest, ConvertListsPluginFormatsAndRejectsUnknownOnes) {
  const std::string plugins = kExamplePlugin.parent_path().string();
  const CommandResult help = pcanno_with(plugins, "convert --help");
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("csv-boxes"), std::string::npos) << help.out;

  // Without the plugin the format does not exist: a usage error naming the formats there are.
  const CommandResult missing = pcanno_with(
      "", "convert " + labels_.string() + " --to csv-boxes --out " + (dir_ / "x.csv").string());
  EXPECT_EQ(missing.exit_code, 2) << missing.out;
  EXPECT_NE(missing.out.find("cannot write labels as 'csv-boxes'"), std::string::npos)
      << missing.out;
  EXPECT_NE(missing.out.find("kitti-tracking"), std::string::npos) << missing.out;
  EXPECT_FALSE(fs::exists(dir_ / "x.csv"));
  const CommandResult from =
      pcanno_with("", "convert " + labels_.string() + " --from bogus --to pcanno --out " +
                          (dir_ / "x.json").string());
  EXPECT_EQ(from.exit_code, 2) << from.out;
  EXPECT_NE(from.out.find("input formats: "), std::string::npos) << from.out;
}

TEST_F(PluginsCommandTest, BrokenPluginsAreWarningsNotFailures) {
  const std::string path = (dir_ / "bad.so").string() + ":" + PCANNO_TEST_NO_ENTRY_LIBRARY + ":" +
                           kExamplePlugin.string();
  const fs::path csv = dir_ / "boxes.csv";
  const CommandResult r =
      pcanno_with(path, "convert " + labels_.string() + " --to csv-boxes --out " + csv.string());
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_TRUE(fs::exists(csv));
  EXPECT_NE(r.out.find("pcanno: warning: plugin " + (dir_ / "bad.so").string() + " not loaded: "),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("no pcanno_plugin_entry symbol: not a pcanno plugin"), std::string::npos)
      << r.out;
  // Warnings go to stderr: stdout alone has none.
  const CommandResult quiet = pcanno_with(
      path, "convert " + labels_.string() + " --to csv-boxes --force --out " + csv.string(), false);
  EXPECT_EQ(quiet.exit_code, 0);
  EXPECT_EQ(quiet.out.find("warning"), std::string::npos) << quiet.out;
}

}  // namespace

namespace {

TEST_F(PluginsCommandTest, ListsDetectorsAndBadDetectorManifests) {
  const fs::path examples =
      fs::path(PCANNO_SAMPLE_DATA_DIR).parent_path() / "examples/detectors";
  // A folder of its own: the fixture's folder holds a broken bad.so.
  const fs::path broken = temp_.write("detectors/broken.detector.json",
                                      "{\"id\": \"broken\", \"command\": []}");
  const CommandResult r =
      pcanno_with(examples.string() + ":" + broken.parent_path().string(), "plugins --json", false);
  ASSERT_EQ(r.exit_code, 0) << r.out;
  const json j = json::parse(r.out);
  const json* classical = find_component(j["components"], "detector", "classical");
  ASSERT_NE(classical, nullptr);
  EXPECT_EQ((*classical)["origin"], "built-in");
  const json* example = find_component(j["components"], "detector", "numpy-example");
  ASSERT_NE(example, nullptr);
  EXPECT_EQ((*example)["origin"], (examples / "numpy.detector.json").string());
  EXPECT_EQ((*example)["version"], "1.0.0");
  ASSERT_EQ(j["failures"].size(), 1u) << j["failures"].dump();
  EXPECT_EQ(j["failures"][0]["path"], broken.string());
  EXPECT_NE(j["failures"][0]["reason"].get<std::string>().find("'command' must be a non-empty"),
            std::string::npos);
}

}  // namespace
