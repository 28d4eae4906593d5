// 9-DoF editing through the real window: the side view's pitch handle (refused while the Car's
// tilt is locked, free after the box panel's "free tilt"), the box panel's numeric roll, and the
// saved document read back from disk.
#include <cmath>

#include <QCheckBox>
#include <QDoubleSpinBox>
#include <QLabel>
#include <QStatusBar>

#include "pcanno/formats/labels/document/document.hpp"
#include "pcanno/geometry/angles.hpp"
#include "pcanno/geometry/yaw_pitch_roll.hpp"
#include "pcanno/plugin/command.hpp"
#include "pcanno/plugin/tools/cuboid_edit_tool.hpp"
#include "pcanno/viewer/workstation/box_panel.hpp"
#include "workstation_fixture.hpp"

namespace pcanno::test {
namespace {

namespace fs = std::filesystem;
using Handle = plugin::CuboidEditTool::Handle;

constexpr double kDeg = geometry::kPi / 180.0;

class WorkstationTilt : public WorkstationTest {
 protected:
  /// The window over a new document with one Car (yaw 0.2 rad) at frame 0, selected.
  ws::WorkstationWindow& open_with_car() {
    doc_path_ = dir_ / "tilt.pcanno.json";  // dir_ is made in SetUp()
    ws::WorkstationOptions options;
    options.document = doc_path_;
    ws::WorkstationWindow& w = open(options);
    plugin::NewBox car;
    car.label = "Car";
    car.box = geometry::Cuboid::from_yaw(Eigen::Vector3d(13.7, 4.6, -0.9),
                                         Eigen::Vector3d(4.4, 1.8, 1.6), 0.2);
    EXPECT_TRUE(w.session().apply(plugin::create_track(w.session().document(), car)));
    id_ = w.session().document().tracks.at(0).id;
    w.select_track(id_);
    QTest::qWait(100);  // the side and front views follow the selected box
    return w;
  }

  /// Widget pixel of `which` handle of the selected box in `view`.
  QPoint handle_pixel(ws::WorkstationWindow& w, ws::SceneView* view, Handle which) {
    const geometry::Cuboid box = *w.session().box_in_world(id_, 0);
    for (const auto& h : plugin::CuboidEditTool::handles(box, view->view_info())) {
      if (h.handle == which) return view->pixel_of(h.position).toPoint();
    }
    ADD_FAILURE() << "no such handle";
    return {};
  }

  formats::Annotations save_and_read(ws::WorkstationWindow& w) {
    QTest::keyClick(w.main_view(), Qt::Key_S, Qt::ControlModifier);
    EXPECT_TRUE(fs::exists(doc_path_));
    auto saved = formats::read_pcanno_document(doc_path_);
    EXPECT_TRUE(saved) << saved.error().describe();
    return saved ? *saved : formats::Annotations{};
  }

  fs::path doc_path_;
  std::int64_t id_ = -1;
};

TEST_F(WorkstationTilt, SideViewPitchHandleRefusedWhileLockedThenTiltsTheSavedBox) {
  ws::WorkstationWindow& w = open_with_car();
  plugin::Session& session = w.session();
  ws::SceneView* side = w.side_view();
  const geometry::Cuboid before = *session.box_in_world(id_, 0);

  // Locked (a Car stands upright): the drag changes nothing and the status bar says why.
  const QPoint h = handle_pixel(w, side, Handle::kPitch);
  drag(side, h, h + QPoint(0, -40));
  EXPECT_EQ(session.box_in_world(id_, 0)->rotation.coeffs(), before.rotation.coeffs());
  EXPECT_EQ(w.statusBar()->currentMessage(), "pitch locked: Car is upright; unlock with free tilt");
  EXPECT_FALSE(w.box_panel()->field(ws::BoxPanel::kPitch)->isEnabled());

  // The box panel's "free tilt", clicked: one undo step on the track.
  QCheckBox* free = w.box_panel()->free_tilt();
  ASSERT_TRUE(free->isEnabled());
  QTest::mouseClick(free, Qt::LeftButton, Qt::NoModifier, QPoint(8, free->height() / 2));
  ASSERT_TRUE(session.document().track(id_)->free_tilt);
  EXPECT_EQ(session.undo_name(), "Free tilt");
  EXPECT_TRUE(w.box_panel()->field(ws::BoxPanel::kPitch)->isEnabled());

  // Drag the pitch handle (ahead of the front face, the nose on the right of the side view) 40 px
  // up: the nose rises by the angle the pointer turned about the centre, a negative pitch.
  QTest::qWait(50);
  const QPoint h2 = handle_pixel(w, side, Handle::kPitch);
  const QPoint centre = side->pixel_of(before.center).toPoint();
  ASSERT_GT(h2.x(), centre.x() + 10);  // the handle sits to the right of the centre
  const QPoint to = h2 + QPoint(0, -40);
  const double expected = -std::atan2(centre.y() - to.y(), to.x() - centre.x()) +
                          std::atan2(centre.y() - h2.y(), h2.x() - centre.x());
  drag(side, h2, to);
  const geometry::YawPitchRoll live =
      geometry::yaw_pitch_roll(session.box_in_world(id_, 0)->rotation);
  EXPECT_EQ(session.undo_name(), "Pitch box");
  EXPECT_NEAR(live.pitch, expected, 1.5 * kDeg);  // pixels rounded on the way
  EXPECT_LT(live.pitch, -5 * kDeg);

  // Saved and read back: the pitch is in the document, yaw and roll as before.
  const formats::Annotations saved = save_and_read(w);
  ASSERT_EQ(saved.tracks.size(), 1u);
  EXPECT_TRUE(saved.tracks[0].free_tilt);
  const geometry::YawPitchRoll a =
      geometry::yaw_pitch_roll(saved.tracks[0].boxes.at(0).box.rotation);
  EXPECT_NEAR(a.pitch, live.pitch, 1e-12);
  EXPECT_LT(a.pitch, -5 * kDeg);
  EXPECT_NEAR(a.yaw, 0.2, 1e-9);
  EXPECT_NEAR(a.roll, 0.0, 1e-9);
}

TEST_F(WorkstationTilt, BoxPanelTypesRollOnlyWhenFreeAndEveryValueIsOneEdit) {
  ws::WorkstationWindow& w = open_with_car();
  plugin::Session& session = w.session();
  ws::BoxPanel* panel = w.box_panel();
  QDoubleSpinBox* roll = panel->field(ws::BoxPanel::kRoll);
  QDoubleSpinBox* length = panel->field(ws::BoxPanel::kLength);

  // Locked: pitch and roll are read-only, the reason shown; the rest is editable.
  EXPECT_FALSE(roll->isEnabled());
  EXPECT_NE(panel->note()->text().indexOf("pitch and roll locked: Car is upright; unlock with "
                                          "free tilt"),
            -1)
      << panel->note()->text().toStdString();
  EXPECT_NE(panel->note()->text().indexOf("lidar frame"), -1);
  EXPECT_NEAR(length->value(), 4.4, 1e-9);
  EXPECT_NEAR(panel->field(ws::BoxPanel::kYaw)->value(), 0.2 / kDeg, 1e-3);

  const auto type_into = [](QDoubleSpinBox* box, const QString& text) {
    box->setFocus();
    box->selectAll();  // the number, not the unit
    QTest::keyClicks(box, text);
    QTest::keyClick(box, Qt::Key_Return);
    QApplication::processEvents();
  };
  type_into(length, "5.25");
  EXPECT_EQ(session.undo_name(), "Edit box");
  EXPECT_EQ(session.document().track(id_)->at(0)->box.size.x(), 5.25);

  QTest::mouseClick(panel->free_tilt(), Qt::LeftButton, Qt::NoModifier,
                    QPoint(8, panel->free_tilt()->height() / 2));
  ASSERT_TRUE(session.document().track(id_)->free_tilt);
  ASSERT_TRUE(roll->isEnabled());
  type_into(roll, "4.5");
  EXPECT_EQ(session.undo_name(), "Edit box");

  const formats::Annotations saved = save_and_read(w);
  ASSERT_EQ(saved.tracks.size(), 1u);
  const geometry::Cuboid& box = saved.tracks[0].boxes.at(0).box;
  const geometry::YawPitchRoll a = geometry::yaw_pitch_roll(box.rotation);
  EXPECT_NEAR(a.roll, 4.5 * kDeg, 1e-12);
  EXPECT_NEAR(a.yaw, 0.2, 1e-12);
  EXPECT_NEAR(a.pitch, 0.0, 1e-12);
  EXPECT_EQ(box.size.x(), 5.25);
  EXPECT_EQ(box.center, Eigen::Vector3d(13.7, 4.6, -0.9));

  // Locked again: the tilted box keeps its roll, shown read-only; the roll cannot grow.
  QTest::mouseClick(panel->free_tilt(), Qt::LeftButton, Qt::NoModifier,
                    QPoint(8, panel->free_tilt()->height() / 2));
  ASSERT_FALSE(session.document().track(id_)->free_tilt);
  EXPECT_FALSE(roll->isEnabled());
  EXPECT_NEAR(roll->value(), 4.5, 1e-9);
}

}  // namespace
}  // namespace pcanno::test
