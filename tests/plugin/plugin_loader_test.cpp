// Shared-library plugins: the example csv-boxes exporter loads from PCANNO_PLUGIN_PATH and writes
// exact CSV; plugins for another ABI, corrupt files and plain libraries are refused with their own
// reason while the rest load.

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "pcanno/formats/labels/annotations.hpp"
#include "pcanno/plugin/plugin_api.hpp"
#include "pcanno/plugin/plugin_loader.hpp"
#include "pcanno/plugin/registry.hpp"
#include "pcanno/plugin/session.hpp"
#include "scoped_env.hpp"
#include "temp_dir.hpp"

namespace {

namespace fs = std::filesystem;
using pcanno::formats::Annotations;
using pcanno::formats::BoxState;
using pcanno::formats::LabelCodec;
using pcanno::plugin::ComponentInfo;
using pcanno::plugin::PluginFailure;
using pcanno::plugin::Registry;

const fs::path kExamplePlugin = PCANNO_EXAMPLE_PLUGIN;

using pcanno::test::ScopedEnv;

class PluginLoaderTest : public ::testing::Test {
 protected:
  /// A file named like a plugin holding no ELF image at all.
  fs::path write_corrupt_plugin(const fs::path& folder) const {
    const fs::path bad = folder / "bad.so";
    std::ofstream out(bad, std::ios::binary);
    for (int i = 0; i < 256; ++i) out.put(static_cast<char>((i * 37 + 11) & 0xff));
    return bad;
  }

  pcanno::test::TempDir temp_;
  const fs::path dir_ = temp_.path();
};

std::optional<ComponentInfo> component(const Registry& registry, const std::string& kind,
                                       const std::string& id) {
  for (const ComponentInfo& c : registry.components()) {
    if (c.kind == kind && c.id == id) return c;
  }
  return std::nullopt;
}

std::string failure_for(const Registry& registry, const fs::path& path) {
  for (const PluginFailure& f : registry.failures()) {
    if (f.path == path.string()) return f.reason;
  }
  return "<no failure recorded for " + path.string() + ">";
}

TEST_F(PluginLoaderTest, LoadsTheExamplePluginFromTheEnvironment) {
  ASSERT_TRUE(fs::exists(kExamplePlugin)) << kExamplePlugin;
  const ScopedEnv env("PCANNO_PLUGIN_PATH", kExamplePlugin.parent_path().string());
  Registry registry = Registry::with_builtins();
  EXPECT_EQ(registry.codecs().find("csv-boxes"), nullptr);

  EXPECT_EQ(pcanno::plugin::load_plugins_from_environment(registry), 1u);
  EXPECT_TRUE(registry.failures().empty()) << registry.failures().front().reason;
  const LabelCodec* codec = registry.codecs().find("csv-boxes");
  ASSERT_NE(codec, nullptr);
  EXPECT_TRUE(codec->write);
  EXPECT_TRUE(codec->read);
  const auto info = component(registry, "codec", "csv-boxes");
  ASSERT_TRUE(info);
  EXPECT_EQ(info->origin, kExamplePlugin.string());
  EXPECT_EQ(info->version, "1.0.0");
  EXPECT_EQ(info->priority, 5);
  EXPECT_NE(info->description.find("CSV"), std::string::npos);
  // The built-ins are still there, and still built-in.
  const auto builtin = component(registry, "codec", "kitti-tracking");
  ASSERT_TRUE(builtin);
  EXPECT_EQ(builtin->origin, "built-in");
}

TEST_F(PluginLoaderTest, NoPathLoadsNothing) {
  const ScopedEnv env("PCANNO_PLUGIN_PATH", "");
  Registry registry = Registry::with_builtins();
  const std::size_t before = registry.components().size();
  EXPECT_EQ(pcanno::plugin::load_plugins_from_environment(registry), 0u);
  EXPECT_EQ(registry.components().size(), before);
  EXPECT_TRUE(registry.failures().empty());
}

TEST_F(PluginLoaderTest, SessionOpenLoadsPluginsFromTheEnvironment) {
  const ScopedEnv env("PCANNO_PLUGIN_PATH", kExamplePlugin.string());
  auto session = pcanno::plugin::Session::open({});
  ASSERT_TRUE(session) << session.error().describe();
  EXPECT_NE((*session)->registry().codecs().find("csv-boxes"), nullptr);

  pcanno::plugin::SessionOptions without;
  without.load_plugins = false;
  auto plain = pcanno::plugin::Session::open(without);
  ASSERT_TRUE(plain);
  EXPECT_EQ((*plain)->registry().codecs().find("csv-boxes"), nullptr);
}

TEST_F(PluginLoaderTest, RejectsBrokenPluginsWithTheirReasonAndLoadsTheRest) {
  const fs::path bad = write_corrupt_plugin(dir_);
  const fs::path missing = dir_ / "missing.so";
  ::unsetenv("PCANNO_TEST_WRONG_ABI_REGISTERED");
  const ScopedEnv env("PCANNO_PLUGIN_PATH", std::string(PCANNO_TEST_WRONG_ABI_PLUGIN) + ":" +
                                                bad.string() + "::" + PCANNO_TEST_NO_ENTRY_LIBRARY +
                                                ":" + kExamplePlugin.string() + ":" +
                                                missing.string());
  Registry registry = Registry::with_builtins();
  EXPECT_EQ(pcanno::plugin::load_plugins_from_environment(registry), 1u);
  EXPECT_NE(registry.codecs().find("csv-boxes"), nullptr);
  ASSERT_EQ(registry.failures().size(), 4u);

  EXPECT_EQ(failure_for(registry, PCANNO_TEST_WRONG_ABI_PLUGIN),
            "built for plugin ABI 999, this pcanno supports " +
                std::to_string(PCANNO_PLUGIN_ABI_VERSION));
  EXPECT_EQ(std::getenv("PCANNO_TEST_WRONG_ABI_REGISTERED"), nullptr)
      << "the registration of a plugin for another ABI was called";

  const std::string corrupt = failure_for(registry, bad);
  EXPECT_EQ(corrupt.rfind("not a shared library or cannot be loaded: ", 0), 0u) << corrupt;
  EXPECT_NE(corrupt.find("invalid ELF header"), std::string::npos) << corrupt;  // dlerror's text

  EXPECT_EQ(failure_for(registry, PCANNO_TEST_NO_ENTRY_LIBRARY),
            "no pcanno_plugin_entry symbol: not a pcanno plugin");
  EXPECT_EQ(failure_for(registry, missing),
            "PCANNO_PLUGIN_PATH names a file or folder that does not exist");
}

TEST_F(PluginLoaderTest, FolderEntriesLoadEverySoFileInNameOrder) {
  fs::copy_file(kExamplePlugin, dir_ / "b_csv.so");
  fs::copy_file(PCANNO_TEST_WRONG_ABI_PLUGIN, dir_ / "c_wrong_abi.so");
  write_corrupt_plugin(dir_);  // bad.so
  std::ofstream(dir_ / "a_notes.txt") << "not a plugin, not loaded";
  fs::create_directories(dir_ / "a_folder.so");  // a folder is no plugin file either

  const ScopedEnv env("PCANNO_PLUGIN_PATH", dir_.string());
  Registry registry = Registry::with_builtins();
  EXPECT_EQ(pcanno::plugin::load_plugins_from_environment(registry), 1u);
  const auto info = component(registry, "codec", "csv-boxes");
  ASSERT_TRUE(info);
  EXPECT_EQ(info->origin, (dir_ / "b_csv.so").string());
  ASSERT_EQ(registry.failures().size(), 2u);
  EXPECT_EQ(registry.failures()[0].path, (dir_ / "bad.so").string());
  EXPECT_EQ(registry.failures()[1].path, (dir_ / "c_wrong_abi.so").string());
}

TEST_F(PluginLoaderTest, FailedRegistrationAddsNothing) {
  Registry registry = Registry::with_builtins();
  const std::size_t before = registry.components().size();

  const auto refused = pcanno::plugin::load_plugin(registry, PCANNO_TEST_FAILING_PLUGIN);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().message, "registration failed: the test plugin refuses to register");
  const auto threw = pcanno::plugin::load_plugin(registry, PCANNO_TEST_THROWING_PLUGIN);
  ASSERT_FALSE(threw);
  EXPECT_EQ(threw.error().message, "registration failed: exception: the test plugin throws");

  // Both added a codec before failing; neither reached the registry.
  EXPECT_EQ(registry.codecs().find("failing-codec"), nullptr);
  EXPECT_EQ(registry.components().size(), before);
  ASSERT_EQ(registry.failures().size(), 2u);
  EXPECT_EQ(registry.failures()[0].path, PCANNO_TEST_FAILING_PLUGIN);
  EXPECT_EQ(registry.failures()[0].reason, refused.error().message);
}

TEST_F(PluginLoaderTest, LoadPluginNamesMissingFilesAndFolders) {
  Registry registry;
  const auto missing = pcanno::plugin::load_plugin(registry, dir_ / "nope.so");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, pcanno::formats::ErrorCode::kNotFound);
  const auto folder = pcanno::plugin::load_plugin(registry, dir_);
  ASSERT_FALSE(folder);
  EXPECT_NE(folder.error().message.find("is a folder"), std::string::npos);
  EXPECT_EQ(registry.failures().size(), 2u);
}

TEST_F(PluginLoaderTest, EveryComponentKindIsStampedWithThePluginFile) {
  Registry registry;
  ASSERT_TRUE(pcanno::plugin::load_plugin(registry, PCANNO_TEST_COMPONENTS_PLUGIN));
  for (const auto& [kind, id] : {std::pair<std::string, std::string>{"reader", "test-reader"},
                                 {"tool", "test-tool"},
                                 {"service", "test-service"}}) {
    const auto info = component(registry, kind, id);
    ASSERT_TRUE(info) << kind << " " << id;
    EXPECT_EQ(info->origin, PCANNO_TEST_COMPONENTS_PLUGIN) << kind;  // not the claimed "built-in"
  }
  EXPECT_EQ(registry.tool("test-tool")->info.origin, PCANNO_TEST_COMPONENTS_PLUGIN);
  EXPECT_EQ(registry.service("test-service")->info.origin, PCANNO_TEST_COMPONENTS_PLUGIN);

  // The components' code runs from the plugin.
  const auto tool = registry.create_tool("test-tool");
  ASSERT_NE(tool, nullptr);
  EXPECT_EQ(tool->id(), "test-tool");
  ASSERT_NE(registry.readers().find("test-reader"), nullptr);
  EXPECT_EQ(registry.readers().find("test-reader")->priority, 3);
  auto session = pcanno::plugin::Session::create(Annotations{});
  const auto ran = registry.service("test-service")->run(*session, {{"answer", "42"}}, {});
  ASSERT_FALSE(ran);
  EXPECT_EQ(ran.error().message, "test service ran with answer 42");
}

}  // namespace
