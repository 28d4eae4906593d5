// "Extend": with the create tool's extend mode on, a new box joins the selected track.
#include <cmath>

#include <gtest/gtest.h>

#include "pcanno/plugin/tools/cuboid_create_tool.hpp"
#include "tool_test_helpers.hpp"

namespace pcanno::plugin {
namespace {

using namespace tool_test;

TEST(CuboidCreateToolExtend, TheNewBoxJoinsTheSelectedTrackAsOneStep) {
  auto s = Session::create(frames_only(4));
  CuboidCreateTool tool;
  drag(tool, *s, top_view(), Eigen::Vector3d(10.0, 2.0, 0.0), Eigen::Vector3d(14.0, 4.0, 0.0));
  ASSERT_EQ(s->document().tracks.size(), 1u);
  const std::int64_t id = s->document().tracks[0].id;
  ASSERT_EQ(s->selection().track, id);

  tool.set_extend(true);
  ASSERT_TRUE(s->set_frame(2));
  drag(tool, *s, top_view(), Eigen::Vector3d(11.0, 2.0, 0.0), Eigen::Vector3d(15.0, 4.0, 0.0));
  ASSERT_EQ(s->document().tracks.size(), 1u) << "no new track";
  const formats::Track& t = s->document().tracks[0];
  ASSERT_EQ(t.boxes.size(), 2u);
  EXPECT_EQ(t.boxes[1].frame, 2);
  EXPECT_NEAR(t.boxes[1].box.center.x(), 13.0, 1e-9);
  EXPECT_EQ(s->selection().track, id);
  EXPECT_EQ(s->undo_name(), "Extend track");
  ASSERT_TRUE(s->undo());
  EXPECT_EQ(s->document().tracks[0].boxes.size(), 1u);

  // A frame where the track has a box already: refused, said, nothing changes.
  ASSERT_TRUE(s->set_frame(0));
  drag(tool, *s, top_view(), Eigen::Vector3d(1.0, 2.0, 0.0), Eigen::Vector3d(3.0, 4.0, 0.0));
  EXPECT_EQ(s->document().tracks.size(), 1u);
  EXPECT_EQ(s->document().tracks[0].boxes.size(), 1u);
  EXPECT_NE(tool.preview().status.find("has a box at frame 0 already"), std::string::npos)
      << tool.preview().status;

  // Nothing selected: extend makes a new track as usual.
  s->set_selection(Selection{});
  drag(tool, *s, top_view(), Eigen::Vector3d(1.0, 2.0, 0.0), Eigen::Vector3d(3.0, 4.0, 0.0));
  EXPECT_EQ(s->document().tracks.size(), 2u);
}

// Extending takes the object's own size, not the palette's class: a pedestrian's next box is
// pedestrian-sized although "Car" is chosen for new tracks.
TEST(CuboidCreateToolExtend, TheNewBoxTakesTheTracksSizeNotThePalettes) {
  const double pedestrian_h = formats::make_class_spec("Pedestrian").default_size.z();
  const double car_h = formats::make_class_spec("Car").default_size.z();
  ASSERT_GT(std::abs(pedestrian_h - car_h), 0.05);
  auto s = Session::create(frames_only(4));
  CuboidCreateTool tool;
  tool.set_label("Pedestrian");
  drag(tool, *s, top_view(), Eigen::Vector3d(10.0, 2.0, 0.0), Eigen::Vector3d(10.8, 2.6, 0.0));
  ASSERT_EQ(s->document().tracks.size(), 1u);
  EXPECT_NEAR(s->document().tracks[0].boxes[0].box.size.z(), pedestrian_h, 1e-9);

  tool.set_label("Car");
  tool.set_extend(true);
  ASSERT_TRUE(s->set_frame(1));
  drag(tool, *s, top_view(), Eigen::Vector3d(10.5, 2.0, 0.0), Eigen::Vector3d(11.3, 2.6, 0.0));
  const formats::Track& t = s->document().tracks.at(0);
  ASSERT_EQ(t.boxes.size(), 2u);
  EXPECT_EQ(t.label, "Pedestrian");
  EXPECT_NEAR(t.boxes[1].box.size.z(), pedestrian_h, 1e-9);
}

}  // namespace
}  // namespace pcanno::plugin
