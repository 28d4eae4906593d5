// ToolManager: tools started by id from the session's registry (a plugin's tool as a built-in),
// events routed to the active tool and on to its companions, kFinished back home, the shared
// class label, and a clear error for an unknown id.
#include <gtest/gtest.h>

#include "pcanno/formats/labels/class_schema.hpp"

#include "pcanno/plugin/plugin_loader.hpp"
#include "pcanno/plugin/session.hpp"
#include "pcanno/plugin/tool_manager.hpp"
#include "pcanno/plugin/tools/cuboid_edit_tool.hpp"
#include "tool_test_helpers.hpp"

namespace pcanno::plugin {
namespace {

using namespace tool_test;
using T = PointerEvent::Type;

/// A side view looking along world +y at the origin: world +x right, +z up.
ViewInfo side_view() {
  return make_side_view(geometry::Cuboid::from_yaw(Eigen::Vector3d::Zero(),
                                                   Eigen::Vector3d::Ones(), 0.0),
                        0.02);
}

KeyEvent key_event(const std::string& name) {
  KeyEvent e;
  e.key = name;
  return e;
}

class ToolManagerTest : public ::testing::Test {
 protected:
  std::unique_ptr<Session> session_ = Session::create(frames_only(3));
  ToolManager tools_{*session_};
};

TEST_F(ToolManagerTest, UnknownIdIsNotFoundAndNamesTheKnownTools) {
  ASSERT_TRUE(tools_.start("select"));
  const Status started = tools_.start("lasso");
  ASSERT_FALSE(started);
  EXPECT_EQ(started.error().code, ErrorCode::kNotFound);
  const std::string& message = started.error().message;
  EXPECT_NE(message.find("\"lasso\""), std::string::npos) << message;
  for (const char* id : {"select", "cuboid-create", "cuboid-edit", "polyline"}) {
    EXPECT_NE(message.find(id), std::string::npos) << id << " missing from: " << message;
  }
  EXPECT_EQ(tools_.active_id(), "select");  // the active tool stays
  EXPECT_FALSE(tools_.set_home("lasso"));
  EXPECT_FALSE(tools_.set_companions({{"select", {}}, {"lasso", {}}}));
  EXPECT_FALSE(tools_.tool("lasso"));
}

TEST_F(ToolManagerTest, APluginToolStartsByIdAndEditsThroughItsHost) {
  ASSERT_TRUE(load_plugin(session_->registry(), PCANNO_TEST_COMPONENTS_PLUGIN));
  const std::vector<std::string> ids = tools_.tool_ids();
  EXPECT_NE(std::find(ids.begin(), ids.end(), "test-tool"), ids.end());
  ASSERT_TRUE(tools_.start("test-tool")) << tools_.start("test-tool").error().describe();
  ASSERT_EQ(tools_.active()->id(), "test-tool");

  // A click at (3, 4) in the top view: the plugin's marker, a 1 m cube standing there.
  const int result = tools_.on_pointer(at(T::kPress, top_view(), {3.0, 4.0, 0.0}));
  EXPECT_TRUE(result & kConsumed);
  ASSERT_EQ(session_->document().tracks.size(), 1u);
  const formats::Track& track = session_->document().tracks.front();
  EXPECT_EQ(track.label, "Marker");
  ASSERT_EQ(track.boxes.size(), 1u);
  EXPECT_TRUE(track.boxes.front().box.center.isApprox(Eigen::Vector3d(3.0, 4.0, 0.5), 1e-9));
  EXPECT_TRUE(track.boxes.front().box.size.isApprox(Eigen::Vector3d::Ones()));
  EXPECT_EQ(session_->selection().track, track.id);
  EXPECT_EQ(tools_.preview().status, "marker 0");
  // One undo step, applied by the session like any command.
  EXPECT_EQ(session_->undo_name(), "Place marker");
  ASSERT_TRUE(session_->undo());
  EXPECT_TRUE(session_->document().tracks.empty());

  // Escape: the plugin's tool finishes and the home tool takes over.
  const int finished = tools_.on_key(key_event("Escape"));
  EXPECT_TRUE(finished & kFinished);
  EXPECT_EQ(tools_.active_id(), "select");
}

TEST_F(ToolManagerTest, WhileAJobHoldsTheSessionNoToolSeesAnEvent) {
  ASSERT_TRUE(tools_.start("cuboid-create"));
  ASSERT_TRUE(session_->begin_job("propagate"));
  // A drag that would create a box: refused before any tool sees it, left to the view's camera.
  EXPECT_EQ(tools_.on_pointer(at(T::kPress, top_view(), {0.0, 0.0, 0.0})), kIgnored);
  EXPECT_EQ(tools_.on_pointer(at(T::kMove, top_view(), {4.0, 2.0, 0.0})), kIgnored);
  EXPECT_EQ(tools_.on_pointer(at(T::kRelease, top_view(), {4.0, 2.0, 0.0})), kIgnored);
  EXPECT_TRUE(tools_.active()->preview().boxes.empty());  // no drag was started
  EXPECT_EQ(tools_.on_key(key_event("Escape")), kIgnored);
  EXPECT_EQ(tools_.send_key("cuboid-edit", key_event("Right")), kIgnored);
  EXPECT_EQ(tools_.active_id(), "cuboid-create");
  const Status started = tools_.start("select");
  ASSERT_FALSE(started);
  EXPECT_EQ(started.error().code, ErrorCode::kBusy);
  EXPECT_NE(started.error().message.find("propagate"), std::string::npos);
  EXPECT_TRUE(session_->document().tracks.empty());

  // The job ends: the same drag creates the box.
  session_->end_job();
  EXPECT_TRUE(tools_.on_pointer(at(T::kPress, top_view(), {0.0, 0.0, 0.0})) & kConsumed);
  tools_.on_pointer(at(T::kMove, top_view(), {4.0, 2.0, 0.0}));
  tools_.on_pointer(at(T::kRelease, top_view(), {4.0, 2.0, 0.0}));
  EXPECT_EQ(session_->document().tracks.size(), 1u);
  EXPECT_TRUE(tools_.start("select"));
}

TEST_F(ToolManagerTest, TheChosenClassReachesToolsCreatedBeforeAndAfter) {
  ASSERT_TRUE(tools_.start("select"));
  ASSERT_TRUE(tools_.tool("polyline"));  // created before the class is chosen
  // A polyline class that is not the default one, so that the label must have arrived.
  std::string line_class;
  for (const formats::ClassSpec& c : formats::default_class_schema()) {
    if (c.shape == formats::ShapeKind::kPolyline &&
        c.name != session_->document().default_class(formats::ShapeKind::kPolyline)) {
      line_class = c.name;
      break;
    }
  }
  ASSERT_FALSE(line_class.empty());
  tools_.set_label(line_class);
  EXPECT_EQ(tools_.label(), line_class);
  ASSERT_TRUE(tools_.start("polyline"));
  tools_.on_pointer(at(T::kPress, top_view(), {10.0, 0.0, 0.0}));
  tools_.on_pointer(at(T::kRelease, top_view(), {10.0, 0.0, 0.0}));
  ASSERT_EQ(session_->document().polylines.size(), 1u);
  EXPECT_EQ(session_->document().polylines.front().label, line_class);
  tools_.set_label("Van");
  ASSERT_TRUE(tools_.start("cuboid-create"));  // created after
  ASSERT_EQ(drag(*tools_.active(), *session_, top_view(), {0.0, 0.0, 0.0}, {4.0, 2.0, 0.0}) &
                kConsumed,
            kConsumed);
  ASSERT_EQ(session_->document().tracks.size(), 1u);
  EXPECT_EQ(session_->document().tracks.front().label, "Van");
}

// The workstation's arrangement: the box editor at home, the picker at hand in plan views only,
// and one box per create.
class WorkstationTools : public ToolManagerTest {
 protected:
  void SetUp() override {
    ASSERT_TRUE(tools_.set_home("cuboid-edit"));
    ASSERT_TRUE(tools_.set_companions(
        {{"cuboid-edit", {}}, {"select", {ViewKind::kTop, ViewKind::kPerspective}}}));
    tools_.set_home_after_create(true);
    ASSERT_TRUE(tools_.start("cuboid-edit"));
  }

  int drag_events(const ViewInfo& view, const Eigen::Vector3d& from, const Eigen::Vector3d& to) {
    tools_.on_pointer(at(T::kPress, view, from));
    tools_.on_pointer(at(T::kMove, view, 0.5 * (from + to)));
    tools_.on_pointer(at(T::kMove, view, to));
    return tools_.on_pointer(at(T::kRelease, view, to));
  }
};

TEST_F(WorkstationTools, CreateReturnsHomeAfterOneBoxAndThePickerWorksInPlanViewsOnly) {
  ASSERT_TRUE(tools_.start("cuboid-create"));
  drag_events(top_view(), {0.0, 0.0, 0.0}, {4.0, 2.0, 0.0});
  ASSERT_EQ(session_->document().tracks.size(), 1u);
  const std::int64_t id = session_->document().tracks.front().id;
  EXPECT_EQ(session_->selection().track, id);
  EXPECT_EQ(tools_.active_id(), "cuboid-edit");  // one box per create

  // An empty click in the side view leaves the selection (the picker is not asked there) ...
  tools_.on_pointer(at(T::kPress, side_view(), {30.0, 0.0, 5.0}));
  tools_.on_pointer(at(T::kRelease, side_view(), {30.0, 0.0, 5.0}));
  EXPECT_EQ(session_->selection().track, id);
  // ... an empty click in the top view clears it: the editor ignored it, the picker took it.
  tools_.on_pointer(at(T::kPress, top_view(), {30.0, 30.0, 0.0}));
  tools_.on_pointer(at(T::kRelease, top_view(), {30.0, 30.0, 0.0}));
  EXPECT_FALSE(session_->selection().track);
  // A click on the box picks it again.
  tools_.on_pointer(at(T::kPress, top_view(), {1.0, 0.5, 0.0}));
  tools_.on_pointer(at(T::kRelease, top_view(), {1.0, 0.5, 0.0}));
  EXPECT_EQ(session_->selection().track, id);
}

TEST_F(WorkstationTools, TheEditorTakesWhatTheCreateToolLeavesAndKeysReachEveryTool) {
  ASSERT_TRUE(tools_.start("cuboid-create"));
  drag_events(top_view(), {0.0, 0.0, 0.0}, {4.0, 2.0, 0.0});
  ASSERT_TRUE(tools_.start("cuboid-create"));  // N again
  const std::int64_t id = *session_->selection().track;
  const geometry::Cuboid before = *session_->box_in_world(id, 0);

  // The create tool ignores side views: a top-face drag there is the editor's and grows the box.
  const Eigen::Vector3d top = before.center + Eigen::Vector3d(0.0, 0.0, 0.5 * before.size.z());
  drag_events(side_view(), top, top + Eigen::Vector3d(0.0, 0.0, 0.5));
  EXPECT_NEAR(session_->box_in_world(id, 0)->size.z(), before.size.z() + 0.5, 1e-6);
  EXPECT_EQ(tools_.active_id(), "cuboid-create");  // no new track: still creating

  // Delete is for the picker: the create and edit tools leave it.
  const int deleted = tools_.on_key(key_event("Delete"));
  EXPECT_TRUE(deleted & kConsumed);
  EXPECT_TRUE(session_->boxes_at(0).empty());
  ASSERT_TRUE(session_->undo());

  // send_key reaches the editor whichever tool is active: a nudge along the top view's x.
  session_->set_selection(Selection{id, std::nullopt, std::nullopt});
  const geometry::Cuboid grown = *session_->box_in_world(id, 0);
  KeyEvent right = key_event("Right");
  right.view = top_view();
  EXPECT_TRUE(tools_.send_key("cuboid-edit", right) & kConsumed);
  EXPECT_NEAR(session_->box_in_world(id, 0)->center.x() - grown.center.x(),
              CuboidEditTool::kNudgeStep, 1e-9);
  EXPECT_EQ(tools_.active_id(), "cuboid-create");
  EXPECT_EQ(tools_.send_key("lasso", right), kIgnored);

  // Escape with no drag: the create tool finishes, home is the editor.
  EXPECT_TRUE(tools_.on_key(key_event("Escape")) & kFinished);
  EXPECT_EQ(tools_.active_id(), "cuboid-edit");
}

}  // namespace
}  // namespace pcanno::plugin
