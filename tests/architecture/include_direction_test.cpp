// Reads the source tree and fails on any #include that points the wrong way: between modules
// (geometry <- formats <- plugin <- viewer <- app) or between formats' concepts (support <- clouds
// <- datasets <- labels <- codecs). A new back-edge fails here before it becomes a cycle.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "include_rules.hpp"

namespace pcanno::test {
namespace {

TEST(IncludeRules, ModuleOfAPathAndOfAnInclude) {
  EXPECT_EQ(module_rank("geometry/include/pcanno/geometry/pose.hpp"), 0);
  EXPECT_EQ(module_rank("formats/src/clouds/pcd.cpp"), 1);
  EXPECT_EQ(module_rank("plugin/src/session.cpp"), 2);
  EXPECT_EQ(module_rank("viewer/workstation/main_window.cpp"), 3);
  EXPECT_EQ(module_rank("app/main.cpp"), 4);
  EXPECT_EQ(module_rank("python/src/clouds.cpp"), 2);
  EXPECT_EQ(module_rank("store/src/sqlite/sqlite_store.cpp"), 2);
  EXPECT_FALSE(module_rank("tests/formats/pcd_test.cpp").has_value());
  EXPECT_EQ(included_module_rank("pcanno/viewer/camera.hpp"), 3);
  EXPECT_FALSE(included_module_rank("gtest/gtest.h").has_value());
}

TEST(IncludeRules, FormatsConceptOfAPathAndOfAnInclude) {
  EXPECT_EQ(formats_layer("formats/include/pcanno/formats/support/error.hpp"), 0);
  EXPECT_EQ(formats_layer("formats/src/clouds/pcd.cpp"), 1);
  EXPECT_EQ(formats_layer("formats/src/datasets/sequence.cpp"), 2);
  EXPECT_EQ(formats_layer("formats/src/labels/annotations.cpp"), 3);
  EXPECT_EQ(formats_layer("formats/src/labels/kitti/label.cpp"), 4);
  EXPECT_EQ(formats_layer("formats/src/builtin_codecs.cpp"), 5);
  EXPECT_FALSE(formats_layer("plugin/src/session.cpp").has_value());
  EXPECT_EQ(included_formats_layer("pcanno/formats/labels/nuscenes/codec.hpp"), 4);
  // Private headers are included relative to formats/src.
  EXPECT_EQ(included_formats_layer("support/text_scan.hpp"), 0);
  EXPECT_EQ(included_formats_layer("labels/openlabel/json.hpp"), 4);
}

TEST(IncludeRules, BackEdgesAreReportedAndForwardEdgesAreNot) {
  EXPECT_TRUE(include_violation("formats/src/clouds/pcd.cpp", "pcanno/plugin/session.hpp"));
  EXPECT_TRUE(include_violation("geometry/src/pose.cpp", "pcanno/formats/clouds/pcd.hpp"));
  EXPECT_TRUE(include_violation("plugin/src/tools/tool.cpp", "pcanno/viewer/camera.hpp"));
  EXPECT_TRUE(include_violation("viewer/src/scene.cpp", "app/progress.hpp"));
  // The Python module is headless: it may use the engine, never the viewer or the CLI.
  EXPECT_TRUE(include_violation("python/src/session.cpp", "pcanno/viewer/camera.hpp"));
  EXPECT_TRUE(include_violation("python/src/automation.cpp", "app/progress.hpp"));
  EXPECT_TRUE(include_violation("formats/src/support/input_file.cpp",
                                "pcanno/formats/clouds/point_cloud.hpp"));
  EXPECT_TRUE(include_violation("formats/include/pcanno/formats/datasets/sequence.hpp",
                                "pcanno/formats/labels/annotations.hpp"));
  EXPECT_TRUE(include_violation("formats/src/labels/label_codec.cpp",
                                "pcanno/formats/labels/kitti/codecs.hpp"));
  EXPECT_TRUE(include_violation("formats/src/clouds/pcd.cpp", "labels/openlabel/json.hpp"));

  // The store builds on the engine, never the other way; the viewer uses both.
  EXPECT_FALSE(include_violation("store/src/task_sync.cpp", "pcanno/plugin/journal.hpp"));
  EXPECT_TRUE(include_violation("plugin/src/session.cpp", "pcanno/store/project_store.hpp"));
  EXPECT_TRUE(include_violation("store/src/open_store.cpp", "pcanno/viewer/camera.hpp"));
  EXPECT_FALSE(include_violation("store/src/project_store.cpp",
                                 "pcanno/formats/labels/document/document.hpp"));
  EXPECT_FALSE(include_violation("viewer/workstation/task_dialog.cpp",
                                 "pcanno/store/project_store.hpp"));

  EXPECT_FALSE(include_violation("app/main.cpp", "pcanno/viewer/camera.hpp"));
  EXPECT_FALSE(include_violation("python/src/session.cpp", "pcanno/plugin/session.hpp"));
  EXPECT_FALSE(
      include_violation("plugin/src/session.cpp", "pcanno/formats/labels/annotations.hpp"));
  EXPECT_FALSE(include_violation("formats/src/labels/kitti/label.cpp", "support/text_scan.hpp"));
  EXPECT_FALSE(include_violation("formats/src/builtin_codecs.cpp",
                                 "pcanno/formats/labels/kitti/codecs.hpp"));
  EXPECT_FALSE(include_violation("formats/src/clouds/pcd.cpp", "clouds/lzf.hpp"));
}

TEST(IncludeRules, EngineHeadersKeepViewerAndServiceLibrariesOut) {
  EXPECT_TRUE(forbidden_in_engine_header("vtkSmartPointer.h"));
  EXPECT_TRUE(forbidden_in_engine_header("QWidget"));
  EXPECT_TRUE(forbidden_in_engine_header("pcl/point_cloud.h"));
  EXPECT_TRUE(forbidden_in_engine_header("open3d/Open3D.h"));
  EXPECT_TRUE(forbidden_in_engine_header("pqxx/pqxx"));
  EXPECT_TRUE(forbidden_in_engine_header("sqlite3.h"));
  EXPECT_TRUE(forbidden_in_engine_header("pybind11/pybind11.h"));
  EXPECT_TRUE(forbidden_in_engine_header("nlohmann/json.hpp"));
  EXPECT_FALSE(forbidden_in_engine_header("Eigen/Core"));
  EXPECT_FALSE(forbidden_in_engine_header("filesystem"));
}

TEST(IncludeDirection, NoSourceFileIncludesAgainstTheModuleOrder) {
  const std::vector<SourceFile> files = product_sources(PCANNO_SOURCE_DIR);
  ASSERT_GT(files.size(), 200u) << "the scan found too few files under " << PCANNO_SOURCE_DIR;
  std::string report;
  std::size_t edges = 0;
  for (const SourceFile& file : files) {
    for (const Include& inc : file.includes) {
      ++edges;
      if (include_violation(file.relative, inc.target)) {
        report +=
            file.relative + ":" + std::to_string(inc.line) + " includes \"" + inc.target + "\"\n";
      }
    }
  }
  EXPECT_GT(edges, 1000u);
  EXPECT_TRUE(report.empty()) << "includes against geometry <- formats <- plugin <- viewer <- app"
                                 " or support <- clouds <- datasets <- labels <- codecs:\n"
                              << report;
}

TEST(IncludeDirection, EngineHeadersIncludeNoViewerOrServiceLibrary) {
  std::string report;
  for (const SourceFile& file : product_sources(PCANNO_SOURCE_DIR)) {
    if (!is_engine_public_header(file.relative)) continue;
    for (const Include& inc : file.includes) {
      if (forbidden_in_engine_header(inc.target)) {
        report +=
            file.relative + ":" + std::to_string(inc.line) + " includes <" + inc.target + ">\n";
      }
    }
  }
  EXPECT_TRUE(report.empty()) << "public headers of geometry/, formats/ and plugin/ must build "
                                 "without VTK, Qt, PCL, Open3D, SQL clients, pybind11 or "
                                 "nlohmann:\n"
                              << report;
}

}  // namespace
}  // namespace pcanno::test
