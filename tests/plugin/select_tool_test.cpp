#include "pcanno/plugin/tools/select_tool.hpp"

#include <memory>

#include <gtest/gtest.h>

#include "pcanno/plugin/polyline_commands.hpp"
#include "pcanno/plugin/registry.hpp"
#include "tool_test_helpers.hpp"

namespace pcanno::plugin {
namespace {

using namespace tool_test;
using T = PointerEvent::Type;

NewBox box_at(std::int64_t frame, const Eigen::Vector3d& center,
              const Eigen::Vector3d& size = Eigen::Vector3d(4.0, 1.8, 1.5)) {
  NewBox b;
  b.frame = frame;
  b.box = geometry::Cuboid::from_yaw(center, size, 0.0);
  return b;
}

Selection track(std::int64_t id) { return Selection{id, std::nullopt, std::nullopt}; }

TEST(SelectTool, ClickSelectsTheBoxUnderThePointerAndAnEmptyClickClears) {
  auto s = Session::create(frames_only(2));
  ASSERT_TRUE(s->apply(create_track(s->document(), box_at(0, {10.0, 2.0, 0.75}))));
  ASSERT_TRUE(s->apply(create_track(s->document(), box_at(0, {20.0, -3.0, 0.75}))));
  SelectTool tool;
  const ViewInfo view = top_view();
  EXPECT_EQ(click(tool, *s, view, {21.5, -2.5, 0.0}), kConsumed | kRender);
  EXPECT_EQ(s->selection(), track(1));
  EXPECT_EQ(click(tool, *s, view, {8.2, 2.8, 0.0}), kConsumed | kRender);
  EXPECT_EQ(s->selection(), track(0));
  // Empty: cleared, and left to the view to orbit or pan.
  EXPECT_EQ(click(tool, *s, view, {15.0, 0.0, 0.0}), kRender);
  EXPECT_EQ(s->selection(), Selection{});
  // The box is not in frame 1.
  ASSERT_TRUE(s->set_frame(1));
  click(tool, *s, view, {10.0, 2.0, 0.0});
  EXPECT_EQ(s->selection(), Selection{});
}

TEST(SelectTool, DeleteRemovesTheSelectedBoxAtTheCurrentFrameAndEscapeClears) {
  auto s = Session::create(frames_only(2));
  ASSERT_TRUE(s->apply(create_track(s->document(), box_at(0, {10.0, 2.0, 0.75}))));
  formats::BoxState later = s->document().tracks[0].boxes[0];
  later.frame = 1;
  ASSERT_TRUE(s->apply(put_box(s->document(), 0, later)));
  SelectTool tool;
  ASSERT_TRUE(s->set_frame(1));
  click(tool, *s, top_view(), {10.0, 2.0, 0.0});
  ASSERT_EQ(s->selection(), track(0));
  EXPECT_EQ(key(tool, *s, "Delete"), kConsumed | kRender);
  ASSERT_EQ(s->document().tracks.size(), 1u);
  EXPECT_EQ(s->document().tracks[0].at(1), nullptr);
  EXPECT_NE(s->document().tracks[0].at(0), nullptr);  // the rest of the track stays
  EXPECT_EQ(s->selection(), Selection{});
  EXPECT_EQ(key(tool, *s, "Delete"), kIgnored);

  ASSERT_TRUE(s->set_frame(0));
  click(tool, *s, top_view(), {10.0, 2.0, 0.0});
  ASSERT_EQ(s->selection(), track(0));
  EXPECT_EQ(key(tool, *s, "Escape"), kConsumed | kRender);
  EXPECT_EQ(s->selection(), Selection{});
  EXPECT_EQ(key(tool, *s, "Escape"), kIgnored);
}

TEST(SelectTool, PerspectivePicksTheNearerOfTwoBoxesAlongTheRay) {
  auto s = Session::create(frames_only(1));
  ASSERT_TRUE(s->apply(create_track(s->document(), box_at(0, {10.0, 0.0, 0.75}))));  // 0
  ASSERT_TRUE(s->apply(create_track(s->document(), box_at(0, {20.0, 0.0, 0.75}))));  // 1
  SelectTool tool;
  ViewInfo view;
  view.kind = ViewKind::kPerspective;
  view.meters_per_pixel = 0.01;
  // A slanted ray from (0, 0, 1.5) through both boxes (z = 1.0 at x = 10, 0.5 at x = 20).
  const Eigen::Vector3d from_front(0.0, 0.0, 1.5);
  Ray ray{from_front, (Eigen::Vector3d(20.0, 0.0, 0.5) - from_front).normalized()};
  ASSERT_TRUE(ray_box_entry(ray, *s->box_in_world(0, 0)));
  ASSERT_TRUE(ray_box_entry(ray, *s->box_in_world(1, 0)));
  tool.on_pointer(*s, pointer(T::kPress, view, ray));
  EXPECT_EQ(s->selection(), track(0));
  // From the other side the other box is nearer.
  const Eigen::Vector3d from_back(30.0, 0.0, 1.5);
  ray = Ray{from_back, (Eigen::Vector3d(10.0, 0.0, 0.5) - from_back).normalized()};
  tool.on_pointer(*s, pointer(T::kPress, view, ray));
  EXPECT_EQ(s->selection(), track(1));
}

TEST(SelectTool, TopViewPicksTheTallerOfOverlappingFootprints) {
  auto s = Session::create(frames_only(1));
  ASSERT_TRUE(s->apply(create_track(s->document(), box_at(0, {0.0, 0.0, 0.75}))));
  ASSERT_TRUE(s->apply(
      create_track(s->document(), box_at(0, {1.0, 0.0, 1.5}, Eigen::Vector3d(3.0, 2.0, 3.0)))));
  SelectTool tool;
  click(tool, *s, top_view(), {0.5, 0.0, 0.0});
  EXPECT_EQ(s->selection(), track(1));
  click(tool, *s, top_view(), {-1.5, 0.0, 0.0});  // only the first box there
  EXPECT_EQ(s->selection(), track(0));
}

TEST(SelectTool, APreLabelTheSessionHidesIsClickedThrough) {
  auto s = Session::create(frames_only(1));
  ASSERT_TRUE(s->apply(create_track(s->document(), box_at(0, {0.0, 0.0, 0.75}))));
  ASSERT_TRUE(s->apply(
      create_track(s->document(), box_at(0, {1.0, 0.0, 1.5}, Eigen::Vector3d(3.0, 2.0, 3.0)))));
  formats::BoxState model = s->document().tracks[1].boxes[0];  // the taller box: a pre-label
  model.provenance = formats::Provenance::kModel;
  model.score = 0.3;
  ASSERT_TRUE(s->apply(put_box(s->document(), 1, model)));
  SelectTool tool;
  click(tool, *s, top_view(), {0.5, 0.0, 0.0});  // nothing hidden: the taller box, as before
  EXPECT_EQ(s->selection(), track(1));

  s->set_min_model_score(0.5);
  EXPECT_TRUE(s->hides(s->document().tracks[1].boxes[0]));
  EXPECT_FALSE(s->hides(s->document().tracks[0].boxes[0]));  // manual boxes never hide
  click(tool, *s, top_view(), {0.5, 0.0, 0.0});
  EXPECT_EQ(s->selection(), track(0));  // through the hidden one to the box below
  click(tool, *s, top_view(), {2.2, 0.0, 0.0});  // only the hidden box there: an empty click
  EXPECT_EQ(s->selection(), Selection{});

  s->set_min_model_score(0.0);
  s->set_selection(track(1));
  s->set_min_model_score(0.5);  // hiding the selected box deselects it
  EXPECT_EQ(s->selection(), Selection{});

  s->set_min_model_score(0.3);  // at its score: shown again
  click(tool, *s, top_view(), {0.5, 0.0, 0.0});
  EXPECT_EQ(s->selection(), track(1));
  model.score.reset();  // a model box without a score is never hidden
  ASSERT_TRUE(s->apply(put_box(s->document(), 1, model)));
  s->set_min_model_score(1.0);
  EXPECT_FALSE(s->hides(s->document().tracks[1].boxes[0]));
}

TEST(SelectTool, ASelectedPreLabelGoesWhenTheFrameOrAnEditHidesIt) {
  auto s = Session::create(frames_only(2));
  ASSERT_TRUE(s->apply(create_track(s->document(), box_at(0, {10.0, 2.0, 0.75}))));
  formats::BoxState seen = s->document().tracks[0].boxes[0];
  seen.provenance = formats::Provenance::kModel;
  seen.score = 0.9;
  ASSERT_TRUE(s->apply(put_box(s->document(), 0, seen)));
  formats::BoxState low = seen;
  low.frame = 1;
  low.score = 0.3;
  ASSERT_TRUE(s->apply(put_box(s->document(), 0, low)));
  s->set_min_model_score(0.5);
  s->set_selection(track(0));
  ASSERT_EQ(s->selection(), track(0));  // shown at frame 0
  ASSERT_TRUE(s->set_frame(1));         // hidden at frame 1: deselected
  EXPECT_EQ(s->selection(), Selection{});

  ASSERT_TRUE(s->set_frame(0));
  s->set_selection(track(0));
  seen.score = 0.2;  // an edit lowers its score under the threshold
  ASSERT_TRUE(s->apply(put_box(s->document(), 0, seen)));
  EXPECT_EQ(s->selection(), Selection{});
}

TEST(SelectTool, PolylineVerticesAndSegmentsArePicked) {
  auto s = Session::create(frames_only(1));
  geometry::Polyline line;
  line.vertices = {{0.0, 0.0, 0.0}, {4.0, 0.0, 0.0}, {4.0, 4.0, 0.0}};
  ASSERT_TRUE(s->apply(create_polyline(s->document(), "Lane", 0, line)));
  ASSERT_TRUE(s->apply(create_track(s->document(), box_at(0, {4.0, 4.0, 0.75}))));
  SelectTool tool;
  const ViewInfo view = top_view();  // 8 px = 0.16 m
  click(tool, *s, view, {4.1, 0.05, 0.0});
  EXPECT_EQ(s->selection(), (Selection{std::nullopt, 0, 1}));
  click(tool, *s, view, {2.0, 0.1, 0.0});
  EXPECT_EQ(s->selection(), (Selection{std::nullopt, 0, std::nullopt}));
  // A vertex inside a box's footprint: the thin line wins in the top view.
  click(tool, *s, view, {4.0, 4.0, 0.0});
  EXPECT_EQ(s->selection(), (Selection{std::nullopt, 0, 2}));
  click(tool, *s, view, {4.5, 4.5, 0.0});
  EXPECT_EQ(s->selection(), track(0));
  click(tool, *s, view, {2.0, 0.3, 0.0});  // beyond the tolerance
  EXPECT_EQ(s->selection(), Selection{});

  click(tool, *s, view, {0.0, 0.0, 0.0});
  ASSERT_EQ(s->selection(), (Selection{std::nullopt, 0, 0}));
  EXPECT_EQ(key(tool, *s, "BackSpace"), kConsumed | kRender);
  ASSERT_EQ(s->document().polylines[0].states[0].line.vertices.size(), 2u);
  EXPECT_EQ(s->document().polylines[0].states[0].line.vertices[0], Eigen::Vector3d(4.0, 0.0, 0.0));
}

TEST(Registry, BuiltinToolsAreRegistered) {
  const Registry registry = Registry::with_builtins();
  for (const char* id : {"select", "cuboid-create", "cuboid-edit", "polyline", "polyline-trace",
                         "ruler"}) {
    SCOPED_TRACE(id);
    std::unique_ptr<Tool> tool = registry.create_tool(id);
    ASSERT_NE(tool, nullptr);
    EXPECT_EQ(tool->id(), id);
    const ToolFactory* factory = registry.tool(id);
    ASSERT_NE(factory, nullptr);
    EXPECT_EQ(factory->info.kind, "tool");
    EXPECT_EQ(factory->info.version, "1.0.0");
    EXPECT_EQ(factory->info.origin, "built-in");
    EXPECT_FALSE(factory->info.description.empty());
  }
  EXPECT_EQ(registry.create_tool("lasso"), nullptr);
  std::size_t tools = 0;
  for (const ComponentInfo& c : registry.components()) tools += c.kind == "tool" ? 1 : 0;
  EXPECT_EQ(tools, 6u);
}

}  // namespace
}  // namespace pcanno::plugin
