// The window's tools come from the session's registry: a plugin's tool is listed in the Tools menu,
// starts from it (or from `pcanno view --tool`) and edits the document with a click in a view; an
// unknown id is refused with the ids that exist.
#include <cstdlib>
#include <optional>
#include <string>

#include <QAction>
#include <QLabel>
#include <QMenuBar>
#include <QStatusBar>

#include "run_command.hpp"
#include "workstation_fixture.hpp"

namespace pcanno::test {
namespace {

/// The workstation with the test plugin on PCANNO_PLUGIN_PATH (restored afterwards).
class WorkstationPluginTools : public WorkstationTest {
 protected:
  void SetUp() override {
    WorkstationTest::SetUp();
    if (const char* old = std::getenv("PCANNO_PLUGIN_PATH")) old_path_ = old;
    ::setenv("PCANNO_PLUGIN_PATH", PCANNO_TEST_COMPONENTS_PLUGIN, 1);
  }
  void TearDown() override {
    if (old_path_) {
      ::setenv("PCANNO_PLUGIN_PATH", old_path_->c_str(), 1);
    } else {
      ::unsetenv("PCANNO_PLUGIN_PATH");
    }
    WorkstationTest::TearDown();
  }

  QAction* tool_action(const std::string& id) {
    return window_->menuBar()->findChild<QAction*>(QString::fromStdString("tool:" + id));
  }

  std::optional<std::string> old_path_;
};

TEST_F(WorkstationPluginTools, ThePluginsToolStartsFromTheToolsMenuAndPlacesAMarker) {
  ws::WorkstationWindow& w = open(ws::WorkstationOptions{});  // the sample's 3 tracks
  const std::size_t tracks = w.session().document().tracks.size();
  ASSERT_EQ(w.tools().active_id(), "cuboid-edit");
  // Every registered tool is in the Tools menu, the plugin's with its description.
  for (const char* id : {"select", "cuboid-create", "cuboid-edit", "polyline", "test-tool"}) {
    EXPECT_NE(tool_action(id), nullptr) << id;
  }
  QAction* plugin_tool = tool_action("test-tool");
  ASSERT_NE(plugin_tool, nullptr);
  EXPECT_TRUE(plugin_tool->toolTip().contains("marker")) << plugin_tool->toolTip().toStdString();
  plugin_tool->trigger();
  ASSERT_EQ(w.tools().active_id(), "test-tool");
  bool shown = false;  // the status bar names the active tool
  for (const QLabel* label : w.statusBar()->findChildren<QLabel*>()) {
    shown |= label->text() == "TEST-TOOL";
  }
  EXPECT_TRUE(shown);

  // A click on empty ground in the top view: the plugin's marker stands there.
  ws::SceneView* top = w.top_view();
  const QPoint p(top->width() / 4, top->height() / 4);
  const Eigen::Vector3d ground = world_at(*top, p);
  send(top, QEvent::MouseButtonPress, p, Qt::LeftButton, Qt::LeftButton);
  send(top, QEvent::MouseButtonRelease, p, Qt::LeftButton, Qt::NoButton);
  const formats::Annotations& doc = w.session().document();
  ASSERT_EQ(doc.tracks.size(), tracks + 1);
  const formats::Track& marker = doc.tracks.back();
  EXPECT_EQ(marker.label, "Marker");
  auto box = w.session().box_in_world(marker.id, 0);
  ASSERT_TRUE(box);
  const double pixel = top->view_info().meters_per_pixel;
  EXPECT_NEAR(box->center.x(), ground.x(), pixel);
  EXPECT_NEAR(box->center.y(), ground.y(), pixel);
  EXPECT_EQ(w.session().selection().track, marker.id);
  // One undo step like any edit.
  QTest::keyClick(w.main_view(), Qt::Key_Z, Qt::ControlModifier);
  EXPECT_EQ(w.session().document().tracks.size(), tracks);

  // Escape in a view finishes it: back to the box editor.
  w.main_view()->setFocus();
  QTest::keyClick(w.main_view(), Qt::Key_Escape);
  EXPECT_EQ(w.tools().active_id(), "cuboid-edit");
}

TEST_F(WorkstationPluginTools, AnUnknownToolIsRefusedWithTheKnownIds) {
  ws::WorkstationWindow& w = open(ws::WorkstationOptions{});
  const formats::Status started = w.start_tool("lasso");
  ASSERT_FALSE(started);
  EXPECT_EQ(started.error().code, formats::ErrorCode::kNotFound);
  EXPECT_NE(started.error().message.find("test-tool"), std::string::npos)
      << started.error().message;
  EXPECT_TRUE(w.statusBar()->currentMessage().contains("lasso"))
      << w.statusBar()->currentMessage().toStdString();
  EXPECT_EQ(w.tools().active_id(), "cuboid-edit");
}

#ifdef PCANNO_BINARY
TEST_F(WorkstationPluginTools, ViewStartsAToolGivenOnTheCommandLine) {
  const std::string view = std::string(PCANNO_BINARY) + " view " + sample_.string();
  const CommandResult unknown = run_command(view + " --tool lasso 2>&1");
  EXPECT_EQ(unknown.exit_code, 1) << unknown.out;
  EXPECT_NE(unknown.out.find("pcanno: error: --tool: no tool \"lasso\""), std::string::npos)
      << unknown.out;
  EXPECT_NE(unknown.out.find("test-tool"), std::string::npos) << unknown.out;

  // The plugin's tool starts; the screenshot hook then closes the window.
  const std::filesystem::path png = dir_ / "window.png";
  const CommandResult plugin_tool =
      run_command(view + " --tool test-tool --screenshot " + png.string() + " 2>&1");
  EXPECT_EQ(plugin_tool.exit_code, 0) << plugin_tool.out;
  EXPECT_TRUE(std::filesystem::exists(png));
}
#endif

}  // namespace
}  // namespace pcanno::test
