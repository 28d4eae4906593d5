#include "pcanno/plugin/tools/polyline_tool.hpp"

#include <filesystem>

#include <gtest/gtest.h>

#include "pcanno/formats/labels/class_schema.hpp"
#include "pcanno/plugin/polyline_commands.hpp"
#include "pcanno/plugin/tools/cuboid_create_tool.hpp"
#include "temp_dir.hpp"
#include "tool_test_helpers.hpp"

namespace pcanno::plugin {
namespace {

using namespace tool_test;
using T = PointerEvent::Type;

const geometry::Polyline& line_of(const Session& s, std::size_t i = 0) {
  return s.document().polylines.at(i).states.at(0).line;
}

/// Draws (0,0) -> (2,0) -> (4,1) on the ground and keeps the line current.
void draw_three(PolylineTool& tool, Session& s) {
  const ViewInfo view = top_view();
  for (const Eigen::Vector3d& p : {Eigen::Vector3d(0.0, 0.0, 0.0), Eigen::Vector3d(2.0, 0.0, 0.0),
                                   Eigen::Vector3d(4.0, 1.0, 0.0)}) {
    EXPECT_EQ(click(tool, s, view, p), kConsumed | kRender);
  }
}

TEST(PolylineTool, ThreeClicksAndReturnMakeAThreeVertexLine) {
  auto s = Session::create(frames_only(1));
  PolylineTool tool;
  tool.activate(*s);
  draw_three(tool, *s);
  EXPECT_EQ(key(tool, *s, "Return"), kConsumed | kRender | kFinished);
  ASSERT_EQ(s->document().polylines.size(), 1u);
  // No class chosen: the document's default polyline class (the schema's first line class).
  EXPECT_EQ(s->document().polylines[0].label,
            s->document().default_class(formats::ShapeKind::kPolyline));
  EXPECT_EQ(s->document().class_or_default(s->document().polylines[0].label).shape,
            formats::ShapeKind::kPolyline);
  const geometry::Polyline& line = line_of(*s);
  ASSERT_EQ(line.vertices.size(), 3u);
  EXPECT_EQ(line.vertices[0], Eigen::Vector3d(0.0, 0.0, 0.0));
  EXPECT_EQ(line.vertices[1], Eigen::Vector3d(2.0, 0.0, 0.0));
  EXPECT_EQ(line.vertices[2], Eigen::Vector3d(4.0, 1.0, 0.0));
  EXPECT_FALSE(line.closed);
  // Finished: the next click starts another line.
  click(tool, *s, top_view(), {9.0, 9.0, 0.0});
  EXPECT_EQ(s->document().polylines.size(), 2u);
  EXPECT_EQ(line_of(*s).vertices.size(), 3u);
}

TEST(PolylineTool, ControlClickOnASegmentInsertsAVertexThere) {
  auto s = Session::create(frames_only(1));
  PolylineTool tool;
  draw_three(tool, *s);
  EXPECT_EQ(click(tool, *s, top_view(), {1.0, 0.05, 0.0}, kControl), kConsumed | kRender);
  const geometry::Polyline& line = line_of(*s);
  ASSERT_EQ(line.vertices.size(), 4u);
  EXPECT_NEAR((line.vertices[1] - Eigen::Vector3d(1.0, 0.0, 0.0)).norm(), 0.0, 1e-12);
  EXPECT_EQ(line.vertices[2], Eigen::Vector3d(2.0, 0.0, 0.0));
  EXPECT_EQ(s->undo_name(), "Insert vertex");
  // Away from every segment nothing is inserted (and no vertex appended).
  click(tool, *s, top_view(), {1.0, 3.0, 0.0}, kControl);
  EXPECT_EQ(line_of(*s).vertices.size(), 4u);
}

TEST(PolylineTool, DraggingAVertexMovesItInOneUndoStep) {
  auto s = Session::create(frames_only(1));
  PolylineTool tool;
  draw_three(tool, *s);
  const std::string before = text(*s);
  drag(tool, *s, top_view(), {2.05, 0.0, 0.0}, {2.5, 1.0, 0.0});
  ASSERT_EQ(line_of(*s).vertices.size(), 3u);  // moved, not appended
  EXPECT_EQ(line_of(*s).vertices[1], Eigen::Vector3d(2.5, 1.0, 0.0));
  EXPECT_EQ(s->undo_name(), "Move vertex");
  ASSERT_TRUE(s->undo());
  EXPECT_EQ(text(*s), before);
  // A click on a vertex without moving changes nothing but the selection.
  click(tool, *s, top_view(), {4.0, 1.0, 0.0});
  EXPECT_EQ(text(*s), before);
  EXPECT_EQ(s->selection(), (Selection{std::nullopt, 0, 2}));
}

TEST(PolylineTool, DeleteRemovesTheHoveredOrSelectedVertex) {
  auto s = Session::create(frames_only(1));
  PolylineTool tool;
  draw_three(tool, *s);
  tool.on_pointer(*s, at(T::kMove, top_view(), {0.05, 0.0, 0.0}));  // hover vertex 0
  EXPECT_EQ(key(tool, *s, "Delete"), kConsumed | kRender);
  ASSERT_EQ(line_of(*s).vertices.size(), 2u);
  EXPECT_EQ(line_of(*s).vertices[0], Eigen::Vector3d(2.0, 0.0, 0.0));
  // Selected by a click, then the pointer moves away: the selected one goes.
  click(tool, *s, top_view(), {4.0, 1.0, 0.0});
  tool.on_pointer(*s, at(T::kMove, top_view(), {7.0, 7.0, 0.0}));
  EXPECT_EQ(key(tool, *s, "BackSpace"), kConsumed | kRender);
  ASSERT_EQ(line_of(*s).vertices.size(), 1u);
  EXPECT_EQ(line_of(*s).vertices[0], Eigen::Vector3d(2.0, 0.0, 0.0));
  // The last vertex takes the line with it.
  tool.on_pointer(*s, at(T::kMove, top_view(), {2.0, 0.0, 0.0}));
  key(tool, *s, "Delete");
  EXPECT_TRUE(s->document().polylines.empty());
  EXPECT_EQ(key(tool, *s, "Delete"), kIgnored);
}

TEST(PolylineTool, CAndADoubleClickOnTheFirstVertexCloseTheLine) {
  auto s = Session::create(frames_only(1));
  PolylineTool tool;
  draw_three(tool, *s);
  key(tool, *s, "c");
  EXPECT_TRUE(line_of(*s).closed);
  key(tool, *s, "c");
  EXPECT_FALSE(line_of(*s).closed);
  // A double click: press, release, double click, release on the first vertex.
  const ViewInfo view = top_view();
  click(tool, *s, view, {0.0, 0.0, 0.0});
  // It closes the line and, while drawing, finishes it.
  EXPECT_EQ(tool.on_pointer(*s, at(T::kDoubleClick, view, {0.0, 0.0, 0.0})),
            kConsumed | kRender | kFinished);
  tool.on_pointer(*s, at(T::kRelease, view, {0.0, 0.0, 0.0}));
  EXPECT_TRUE(line_of(*s).closed);
  EXPECT_EQ(line_of(*s).vertices.size(), 3u);
  EXPECT_EQ(s->undo_name(), "Close polyline");
}

TEST(PolylineTool, NewVerticesSnapToTheNearestPointWithinTheTolerance) {
  auto s = Session::create(frames_only(1));
  PolylineTool tool;
  const Eigen::Vector3d curb(3.02, 0.03, 0.37);
  tool.set_points({curb, {3.5, 0.0, 0.1}, {3.1, 0.0, -10.0} /* farther from the ray */});
  click(tool, *s, top_view(), {3.0, 0.0, 0.0});  // 8 px = 0.16 m
  EXPECT_EQ(line_of(*s).vertices[0], curb);
  click(tool, *s, top_view(), {5.0, 0.0, 0.0});  // no point near: the ground
  EXPECT_EQ(line_of(*s).vertices[1], Eigen::Vector3d(5.0, 0.0, 0.0));
  tool.set_snapping(false);
  click(tool, *s, top_view(), {3.5, 0.0, 0.0});
  EXPECT_EQ(line_of(*s).vertices[2], Eigen::Vector3d(3.5, 0.0, 0.0));
  // A click on a vertex does not move it, though a point lies within the snap tolerance.
  tool.set_snapping(true);
  tool.set_points({curb, {3.5, 0.0, 0.1}, {5.1, 0.0, 0.2}});
  const std::string before = text(*s);
  click(tool, *s, top_view(), {5.0, 0.0, 0.0});
  EXPECT_EQ(text(*s), before);
  // A moved vertex snaps too.
  drag(tool, *s, top_view(), {5.0, 0.0, 0.0}, {3.45, 0.05, 0.0});
  EXPECT_EQ(line_of(*s).vertices[1], Eigen::Vector3d(3.5, 0.0, 0.1));
}

TEST(PolylineTool, PointsComeFromTheSequenceFrameInTheWorld) {
  const test::TempDir dir;
  const std::filesystem::path cloud = dir.write(
      "000000.pcd",
      "VERSION 0.7\nFIELDS x y z\nSIZE 4 4 4\nTYPE F F F\nCOUNT 1 1 1\nWIDTH 4\nHEIGHT 1\n"
      "VIEWPOINT 0 0 0 1 0 0 0\nPOINTS 4\nDATA ascii\n"
      "1 2 0.5\n-1 -1 -2\n-1 1 -1.5\n-0.5 -1 -1.75\n");
  formats::Sequence seq;
  seq.layout = "folder";
  formats::FrameRef frame;
  frame.cloud_path = cloud;
  frame.format = "pcd";
  frame.T_world_lidar = geometry::Pose(Eigen::Translation3d(10.0, 0.0, 3.0));
  seq.frames.push_back(frame);
  auto s = Session::create(frames_only(1), seq);

  PolylineTool tool;
  click(tool, *s, top_view(), {11.05, 2.0, 0.0});
  ASSERT_EQ(s->document().polylines.size(), 1u);
  const formats::PolylineState& state = s->document().polylines[0].states[0];
  EXPECT_EQ(state.shape_frame, formats::ShapeFrame::kWorld);
  EXPECT_EQ(state.line.vertices[0], Eigen::Vector3d(11.0, 2.0, 3.5));  // lidar (1, 2, 0.5)

  // The same cloud gives the create tool its ground: the lowest of the three points under the
  // footprint (5th percentile of three) is lidar z = -2, world z = 1.
  CuboidCreateTool create;
  drag(create, *s, top_view(), {8.5, -1.5, 0.0}, {10.5, 1.5, 0.0});
  ASSERT_EQ(s->document().tracks.size(), 1u);
  const geometry::Cuboid& box = s->document().tracks[0].boxes[0].box;
  EXPECT_NEAR(box.center.z() - 0.5 * box.size.z(), 1.0, 1e-9);
}

/// A polyline class of the default schema whose ClassSpec::closed is `closed` (an area or a line).
std::string polyline_class(const formats::Annotations& doc, bool closed) {
  for (const formats::ClassSpec& c : formats::default_class_schema()) {
    if (c.shape == formats::ShapeKind::kPolyline && c.closed == closed) return c.name;
  }
  ADD_FAILURE() << "the default schema has no polyline class with closed=" << closed;
  return doc.default_class(formats::ShapeKind::kPolyline);
}

TEST(PolylineTool, ABoxClassLabelIsNotUsedForALine) {
  auto s = Session::create(frames_only(1));
  PolylineTool tool;
  tool.set_label(s->document().default_class());  // the box class the palette had
  click(tool, *s, top_view(), {1.0, 0.0, 0.0});
  EXPECT_EQ(s->document().polylines.at(0).label,
            s->document().default_class(formats::ShapeKind::kPolyline));
  const std::string line_class = polyline_class(s->document(), false);
  tool.set_label(line_class);
  key(tool, *s, "Return");
  click(tool, *s, top_view(), {5.0, 0.0, 0.0});
  EXPECT_EQ(s->document().polylines.at(1).label, line_class);
}

TEST(PolylineTool, ShiftPlacesOnTheGroundInsteadOfSnapping) {
  auto s = Session::create(frames_only(1));
  PolylineTool tool;
  const Eigen::Vector3d curb(3.02, 0.03, 0.37);
  tool.set_points({curb});
  click(tool, *s, top_view(), {3.0, 0.0, 0.0}, kShift);
  EXPECT_EQ(line_of(*s).vertices[0], Eigen::Vector3d(3.0, 0.0, 0.0));
  key(tool, *s, "Return");
  click(tool, *s, top_view(), {3.0, 0.02, 0.0});  // without Shift: onto the point
  EXPECT_EQ(s->document().polylines.at(1).states.at(0).line.vertices.at(0), curb);
}

TEST(PolylineTool, WithoutAPointThereAVertexLandsOnTheFramesGround) {
  // A LiDAR frame: the road 1.73 m below the sensor, rising 2 % towards +x, and a wall.
  std::vector<Eigen::Vector3d> points;
  for (int i = -40; i <= 40; ++i) {
    for (int j = -40; j <= 40; ++j) {
      const double x = 0.25 * i, y = 0.25 * j;
      points.emplace_back(x, y, -1.73 + 0.02 * x);
    }
  }
  for (int k = 0; k < 200; ++k) points.emplace_back(6.0, -5.0 + 0.05 * k, 0.5);
  auto s = Session::create(frames_only(1));
  PolylineTool tool;
  tool.set_points(points);
  // Shift: no snapping, so the vertex goes onto the ground under the pointer, not to z = 0.
  click(tool, *s, top_view(), {4.1, 1.1, 0.0}, kShift);
  const Eigen::Vector3d v = line_of(*s).vertices.at(0);
  EXPECT_NEAR(v.x(), 4.1, 1e-9);
  EXPECT_NEAR(v.y(), 1.1, 1e-9);
  EXPECT_NEAR(v.z(), -1.73 + 0.02 * 4.1, 0.02);
}

TEST(PolylineTool, ADoubleClickEndsTheLineAtItsLastVertex) {
  auto s = Session::create(frames_only(1));
  PolylineTool tool;
  tool.activate(*s);
  click(tool, *s, top_view(), {0.0, 0.0, 0.0});
  click(tool, *s, top_view(), {2.0, 0.0, 0.0});
  // The double click's first click added (4, 0); the double click ends the line there.
  click(tool, *s, top_view(), {4.0, 0.0, 0.0});
  EXPECT_EQ(tool.on_pointer(*s, at(T::kDoubleClick, top_view(), {4.0, 0.0, 0.0})),
            kConsumed | kRender | kFinished);
  tool.on_pointer(*s, at(T::kRelease, top_view(), {4.0, 0.0, 0.0}));
  EXPECT_EQ(line_of(*s).vertices.size(), 3u);
  EXPECT_FALSE(line_of(*s).closed);
  click(tool, *s, top_view(), {9.0, 9.0, 0.0});
  EXPECT_EQ(s->document().polylines.size(), 2u);
}

TEST(PolylineTool, AnAreaClassIsClosedWhenFinishedWithThreeVertices) {
  auto s = Session::create(frames_only(1));
  PolylineTool tool;
  tool.set_label(polyline_class(s->document(), true));
  draw_three(tool, *s);
  EXPECT_EQ(key(tool, *s, "Return") & kFinished, kFinished);
  EXPECT_TRUE(line_of(*s).closed);
  EXPECT_EQ(s->undo_name(), "Close polyline");
  // Two vertices are no area: the line stays open.
  click(tool, *s, top_view(), {9.0, 9.0, 0.0});
  click(tool, *s, top_view(), {11.0, 9.0, 0.0});
  key(tool, *s, "Return");
  EXPECT_FALSE(s->document().polylines.at(1).states.at(0).line.closed);
  // A line class stays open with three.
  tool.set_label(polyline_class(s->document(), false));
  draw_three(tool, *s);
  key(tool, *s, "Return");
  EXPECT_FALSE(s->document().polylines.at(2).states.at(0).line.closed);
}

TEST(PolylineTool, EditingTheSelectedLineLeavesOtherClicksToOtherTools) {
  auto s = Session::create(frames_only(1));
  PolylineTool tool;
  draw_three(tool, *s);
  key(tool, *s, "Return");
  tool.deactivate(*s);  // what the workstation's home keeps at hand
  EXPECT_FALSE(tool.drawing());
  s->set_selection(Selection{std::nullopt, 0, std::nullopt});
  const std::string before = text(*s);
  // Away from the line: nothing happens, the click is left to the picker.
  EXPECT_EQ(click(tool, *s, top_view(), {8.0, 8.0, 0.0}), kIgnored);
  EXPECT_EQ(text(*s), before);
  // A plain click on a segment inserts a vertex; dragging on moves it (a second step).
  EXPECT_EQ(drag(tool, *s, top_view(), {1.0, 0.0, 0.0}, {1.0, -1.0, 0.0}) & kConsumed, kConsumed);
  ASSERT_EQ(line_of(*s).vertices.size(), 4u);
  EXPECT_EQ(line_of(*s).vertices[1], Eigen::Vector3d(1.0, -1.0, 0.0));
  EXPECT_EQ(s->undo_name(), "Move vertex");
  ASSERT_TRUE(s->undo());
  EXPECT_NEAR((line_of(*s).vertices[1] - Eigen::Vector3d(1.0, 0.0, 0.0)).norm(), 0.0, 1e-12);
  EXPECT_EQ(s->undo_name(), "Insert vertex");
  ASSERT_TRUE(s->undo());
  EXPECT_EQ(text(*s), before);
  // Not selected: a segment is not edited (the picker selects the line).
  s->set_selection({});
  EXPECT_EQ(click(tool, *s, top_view(), {1.0, 0.0, 0.0}), kIgnored);
  EXPECT_EQ(key(tool, *s, "Delete"), kIgnored);
  EXPECT_EQ(text(*s), before);
  // A vertex of a line that is not selected: selected and dragged in one go.
  drag(tool, *s, top_view(), {4.0, 1.0, 0.0}, {5.0, 2.0, 0.0});
  EXPECT_EQ(s->selection(), (Selection{std::nullopt, 0, 2}));
  EXPECT_EQ(line_of(*s).vertices[2], Eigen::Vector3d(5.0, 2.0, 0.0));
  EXPECT_EQ(s->undo_name(), "Move vertex");
}

TEST(PolylineTool, AltDragAndArrowsMoveTheWholeLineInOneStep) {
  auto s = Session::create(frames_only(1));
  PolylineTool tool;
  draw_three(tool, *s);
  key(tool, *s, "Return");
  tool.set_drawing(false);
  s->set_selection(Selection{std::nullopt, 0, std::nullopt});
  const std::string before = text(*s);
  // Grabbed on a segment, dragged 1 m up the screen (+y in a north-up top view).
  drag(tool, *s, top_view(), {1.0, 0.0, 0.0}, {1.0, 1.0, 0.0}, kAlt);
  const geometry::Polyline& moved = line_of(*s);
  ASSERT_EQ(moved.vertices.size(), 3u);
  EXPECT_NEAR((moved.vertices[0] - Eigen::Vector3d(0.0, 1.0, 0.0)).norm(), 0.0, 1e-9);
  EXPECT_NEAR((moved.vertices[2] - Eigen::Vector3d(4.0, 2.0, 0.0)).norm(), 0.0, 1e-9);
  EXPECT_EQ(s->undo_name(), "Edit polyline");
  ASSERT_TRUE(s->undo());
  EXPECT_EQ(text(*s), before);
  // Right: +x by kNudgeStep; Shift: a tenth of it.
  EXPECT_EQ(key(tool, *s, "Right", kNoModifier, top_view()), kConsumed | kRender);
  EXPECT_NEAR(line_of(*s).vertices[1].x(), 2.0 + PolylineTool::kNudgeStep, 1e-9);
  key(tool, *s, "Down", kShift, top_view());
  EXPECT_NEAR(line_of(*s).vertices[1].y(),
              -PolylineTool::kNudgeStep * PolylineTool::kFineFactor, 1e-9);
  EXPECT_NEAR(line_of(*s).vertices[0].y(),
              -PolylineTool::kNudgeStep * PolylineTool::kFineFactor, 1e-9);
  ASSERT_TRUE(s->undo());
  ASSERT_TRUE(s->undo());
  EXPECT_EQ(text(*s), before);
}

TEST(PolylineTool, DeleteWithTheLineSelectedRemovesItsStateAtThisFrame) {
  auto s = Session::create(frames_only(3));
  PolylineTool tool;
  draw_three(tool, *s);
  key(tool, *s, "Return");
  geometry::Polyline line = line_of(*s);
  ASSERT_TRUE(s->apply(set_polyline(s->document(), 0, 1, line)));
  tool.set_drawing(false);
  s->set_selection(Selection{std::nullopt, 0, std::nullopt});
  EXPECT_EQ(key(tool, *s, "Delete"), kConsumed | kRender);
  ASSERT_EQ(s->document().polylines.size(), 1u);
  ASSERT_EQ(s->document().polylines[0].states.size(), 1u);
  EXPECT_EQ(s->document().polylines[0].states[0].frame, 1);
  EXPECT_EQ(s->selection(), Selection{});
  ASSERT_TRUE(s->set_frame(1));
  s->set_selection(Selection{std::nullopt, 0, std::nullopt});
  key(tool, *s, "Delete");  // its last state: the polyline goes
  EXPECT_TRUE(s->document().polylines.empty());
  ASSERT_TRUE(s->undo());
  EXPECT_EQ(s->document().polylines.size(), 1u);
}

TEST(PolylineCommands, ClassAndAttributesOfAPolylineAreOneUndoStepEach) {
  auto s = Session::create(frames_only(1));
  geometry::Polyline line;
  line.vertices = {{0.0, 0.0, 0.0}, {1.0, 0.0, 0.0}};
  const std::string first = polyline_class(s->document(), false);
  ASSERT_TRUE(s->apply(create_polyline(s->document(), first, 0, line)));
  const std::string before = text(*s);
  const std::string area = polyline_class(s->document(), true);
  ASSERT_TRUE(s->apply(set_polyline_class(s->document(), 0, area)));
  EXPECT_EQ(s->document().polylines[0].label, area);
  EXPECT_NE(s->document().class_spec(area), nullptr);  // added to the schema
  ASSERT_TRUE(s->apply(set_polyline_attribute(s->document(), 0, "colour", "yellow")));
  EXPECT_EQ(s->document().polylines[0].attributes.at("colour"), "yellow");
  ASSERT_TRUE(s->apply(set_polyline_attribute(s->document(), 0, "colour", std::nullopt)));
  EXPECT_EQ(s->document().polylines[0].attributes.count("colour"), 0u);
  ASSERT_TRUE(s->undo());
  EXPECT_EQ(s->document().polylines[0].attributes.at("colour"), "yellow");
  ASSERT_TRUE(s->undo());
  ASSERT_TRUE(s->undo());
  EXPECT_EQ(text(*s), before);
  EXPECT_FALSE(set_polyline_attribute(s->document(), 7, "colour", "white"));
  EXPECT_FALSE(set_polyline_attribute(s->document(), 0, "", "white"));
  EXPECT_FALSE(set_polyline_class(s->document(), 7, area));
  EXPECT_FALSE(delete_polyline_state(s->document(), 0, 3));
}

}  // namespace
}  // namespace pcanno::plugin
