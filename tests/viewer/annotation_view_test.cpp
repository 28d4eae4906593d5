// AnnotationView embedded in a plain offscreen vtkRenderWindow, driven by synthetic VTK events:
// dragging a rectangle in the top view with the cuboid tool creates that box in the document, and a
// plugin's tool starts by its id like a built-in.
#include <gtest/gtest.h>

#include <vtkCamera.h>
#include <vtkCommand.h>
#include <vtkInteractorStyleTrackballCamera.h>
#include <vtkNew.h>
#include <vtkRenderWindow.h>
#include <vtkRenderWindowInteractor.h>
#include <vtkRenderer.h>

#include "display.hpp"
#include "pcanno/formats/datasets/sequence.hpp"
#include "pcanno/formats/labels/kitti/codecs.hpp"
#include "pcanno/plugin/plugin_loader.hpp"
#include "pcanno/plugin/session.hpp"
#include "pcanno/viewer/annotation_view.hpp"
#include "pcanno/viewer/display_connection.hpp"
#include "pcanno/viewer/scene_renderer.hpp"

namespace pcanno::viewer {
namespace {

constexpr int kWidth = 800, kHeight = 600;

class AnnotationViewTest : public ::testing::Test {
 protected:
  void SetUp() override {
    PCANNO_REQUIRE_DISPLAY();
    formats::Annotations doc;
    doc.ensure_class("Car");
    session_ = plugin::Session::create(std::move(doc));
    ASSERT_TRUE(display_.ok()) << display_.error();
    window_->SetDisplayId(display_.display());
    window_->SetOffScreenRendering(1);
    window_->SetSize(kWidth, kHeight);
    window_->AddRenderer(renderer_);
    interactor_->SetRenderWindow(window_);
    interactor_->SetInteractorStyle(style_);
    view_ = std::make_unique<AnnotationView>(*session_, renderer_, interactor_);
    view_->set_view_kind(plugin::ViewKind::kTop);
    camera_ = make_camera(plugin::ViewKind::kTop, Eigen::Vector3d(10.0, 5.0, 0.0), 30.0);
    view_->set_camera(camera_);
  }
  void TearDown() override { view_.reset(); }

  // Sends `event` at the pixel where world point `p` appears (VTK display coordinates).
  void send(unsigned long event, const Eigen::Vector3d& p) {
    const auto px = project(camera_, p, kWidth, kHeight);
    ASSERT_TRUE(px);
    const int x = static_cast<int>(px->x());
    const int y = kHeight - 1 - static_cast<int>(px->y());
    interactor_->SetEventInformation(x, y, 0, 0);
    interactor_->InvokeEvent(event);
  }

  std::unique_ptr<plugin::Session> session_;
  DisplayConnection display_;  // outlives the window
  vtkNew<vtkRenderWindow> window_;
  vtkNew<vtkRenderer> renderer_;
  vtkNew<vtkRenderWindowInteractor> interactor_;
  vtkNew<vtkInteractorStyleTrackballCamera> style_;
  std::unique_ptr<AnnotationView> view_;
  CameraPose camera_;
};

TEST_F(AnnotationViewTest, DragInTopViewCreatesThatBox) {
  ASSERT_TRUE(view_->set_tool("cuboid-create"));
  const double camera_before = renderer_->GetActiveCamera()->GetPosition()[0];
  send(vtkCommand::LeftButtonPressEvent, {8.0, 3.0, 0.0});
  send(vtkCommand::MouseMoveEvent, {10.0, 4.0, 0.0});
  // The preview box is drawn while dragging.
  ASSERT_NE(view_->active_tool(), nullptr);
  EXPECT_EQ(view_->active_tool()->preview().boxes.size(), 1u);
  send(vtkCommand::MouseMoveEvent, {12.0, 5.0, 0.0});
  send(vtkCommand::LeftButtonReleaseEvent, {12.0, 5.0, 0.0});

  const formats::Annotations& doc = session_->document();
  ASSERT_EQ(doc.tracks.size(), 1u);
  const formats::Track& track = doc.tracks.front();
  EXPECT_EQ(track.label, "Car");
  ASSERT_EQ(track.boxes.size(), 1u);
  const geometry::Cuboid& box = track.boxes.front().box;
  // One pixel is 30 m / 600 px = 5 cm: the footprint is [8, 12] x [3, 5] within that.
  const double tol = 0.06;
  EXPECT_NEAR(box.center.x(), 10.0, tol);
  EXPECT_NEAR(box.center.y(), 4.0, tol);
  EXPECT_NEAR(box.size.x(), 4.0, 2 * tol);
  EXPECT_NEAR(box.size.y(), 2.0, 2 * tol);
  EXPECT_NEAR(box.yaw(), 0.0, 1e-6);
  EXPECT_NEAR(box.center.z() - box.size.z() / 2.0, 0.0, 1e-6);  // bottom on the ground z = 0
  EXPECT_EQ(track.boxes.front().provenance, formats::Provenance::kManual);
  // The tool consumed the drag: the camera did not orbit.
  EXPECT_DOUBLE_EQ(renderer_->GetActiveCamera()->GetPosition()[0], camera_before);
  // The scene shows the new box, selected.
  ASSERT_EQ(view_->scene().boxes().size(), 1u);
  EXPECT_TRUE(view_->scene().boxes().front().selected);
}

TEST_F(AnnotationViewTest, ClickSelectsAndDeleteRemovesAndUndoRestores) {
  ASSERT_TRUE(view_->set_tool("cuboid-create"));
  send(vtkCommand::LeftButtonPressEvent, {8.0, 3.0, 0.0});
  send(vtkCommand::MouseMoveEvent, {12.0, 5.0, 0.0});
  send(vtkCommand::LeftButtonReleaseEvent, {12.0, 5.0, 0.0});
  ASSERT_EQ(session_->document().tracks.size(), 1u);
  const std::int64_t id = session_->document().tracks.front().id;

  ASSERT_TRUE(view_->set_tool("select"));
  send(vtkCommand::LeftButtonPressEvent, {20.0, 15.0, 0.0});  // empty ground
  send(vtkCommand::LeftButtonReleaseEvent, {20.0, 15.0, 0.0});
  EXPECT_FALSE(session_->selection().track);
  send(vtkCommand::LeftButtonPressEvent, {10.5, 4.2, 0.0});  // inside the footprint
  send(vtkCommand::LeftButtonReleaseEvent, {10.5, 4.2, 0.0});
  ASSERT_TRUE(session_->selection().track);
  EXPECT_EQ(*session_->selection().track, id);

  interactor_->SetKeySym("Delete");
  interactor_->InvokeEvent(vtkCommand::KeyPressEvent);
  EXPECT_EQ(session_->boxes_at(0).size(), 0u);
  EXPECT_EQ(view_->scene().boxes().size(), 0u);  // redrawn through the session observer
  ASSERT_TRUE(session_->undo());
  EXPECT_EQ(view_->scene().boxes().size(), 1u);
}

TEST_F(AnnotationViewTest, EditToolMovesAndResizesByDragging) {
  ASSERT_TRUE(view_->set_tool("cuboid-create"));
  send(vtkCommand::LeftButtonPressEvent, {8.0, 3.0, 0.0});
  send(vtkCommand::MouseMoveEvent, {12.0, 5.0, 0.0});
  send(vtkCommand::LeftButtonReleaseEvent, {12.0, 5.0, 0.0});
  ASSERT_TRUE(session_->selection().track);  // the new box is selected
  const std::int64_t id = *session_->selection().track;

  ASSERT_TRUE(view_->set_tool("cuboid-edit"));
  // Drag inside the footprint, away from the face handles: the box moves with the pointer.
  send(vtkCommand::LeftButtonPressEvent, {10.6, 4.4, 0.0});
  send(vtkCommand::MouseMoveEvent, {12.0, 5.4, 0.0});
  send(vtkCommand::MouseMoveEvent, {13.6, 6.4, 0.0});
  send(vtkCommand::LeftButtonReleaseEvent, {13.6, 6.4, 0.0});
  auto moved = session_->box_in_world(id, 0);
  ASSERT_TRUE(moved);
  EXPECT_NEAR(moved->center.x(), 13.0, 0.1);
  EXPECT_NEAR(moved->center.y(), 6.0, 0.1);
  EXPECT_NEAR(moved->size.x(), 4.0, 0.1);

  // Drag the front face (+x, at x = 15) one metre further: length 5, the back face stays.
  send(vtkCommand::LeftButtonPressEvent, {15.0, 6.0, 0.0});
  send(vtkCommand::MouseMoveEvent, {15.5, 6.0, 0.0});
  send(vtkCommand::MouseMoveEvent, {16.0, 6.0, 0.0});
  send(vtkCommand::LeftButtonReleaseEvent, {16.0, 6.0, 0.0});
  auto resized = session_->box_in_world(id, 0);
  EXPECT_NEAR(resized->size.x(), 5.0, 0.1);
  EXPECT_NEAR(resized->center.x() - resized->size.x() / 2.0, 11.0, 0.1);
  // Each drag is one undo step.
  ASSERT_TRUE(session_->undo());
  EXPECT_NEAR(session_->box_in_world(id, 0)->size.x(), 4.0, 0.1);
  ASSERT_TRUE(session_->undo());
  EXPECT_NEAR(session_->box_in_world(id, 0)->center.x(), 10.0, 0.1);
}

TEST_F(AnnotationViewTest, APluginToolStartsByIdAndItsClickEditsTheSession) {
  ASSERT_TRUE(plugin::load_plugin(session_->registry(), PCANNO_TEST_COMPONENTS_PLUGIN));
  const formats::Status unknown = view_->set_tool("lasso");
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, formats::ErrorCode::kNotFound);
  EXPECT_NE(unknown.error().message.find("test-tool"), std::string::npos)
      << unknown.error().message;
  EXPECT_EQ(view_->tool(), "select");

  const formats::Status started = view_->set_tool("test-tool");
  ASSERT_TRUE(started) << started.error().describe();
  EXPECT_EQ(view_->tool(), "test-tool");
  const double camera_before = renderer_->GetActiveCamera()->GetPosition()[0];
  // The plugin's tool places a 1 m marker where the click meets the ground.
  send(vtkCommand::LeftButtonPressEvent, {6.0, 2.0, 0.0});
  send(vtkCommand::LeftButtonReleaseEvent, {6.0, 2.0, 0.0});
  const formats::Annotations& doc = session_->document();
  ASSERT_EQ(doc.tracks.size(), 1u);
  EXPECT_EQ(doc.tracks.front().label, "Marker");
  ASSERT_EQ(doc.tracks.front().boxes.size(), 1u);
  const geometry::Cuboid& box = doc.tracks.front().boxes.front().box;
  const double pixel = 30.0 / kHeight;  // [m] the camera shows 30 m over 600 px
  EXPECT_NEAR(box.center.x(), 6.0, pixel);
  EXPECT_NEAR(box.center.y(), 2.0, pixel);
  EXPECT_NEAR(box.center.z(), 0.5, 1e-9);
  EXPECT_EQ(session_->selection().track, doc.tracks.front().id);
  // Consumed, so the camera stayed; the scene shows the marker, selected.
  EXPECT_DOUBLE_EQ(renderer_->GetActiveCamera()->GetPosition()[0], camera_before);
  ASSERT_EQ(view_->scene().boxes().size(), 1u);
  EXPECT_TRUE(view_->scene().boxes().front().selected);

  // Escape finishes the plugin's tool: the view is back to "select".
  interactor_->SetKeySym("Escape");
  interactor_->InvokeEvent(vtkCommand::KeyPressEvent);
  EXPECT_EQ(view_->tool(), "select");
}

TEST(AnnotationViewFrames, ShowsTheSessionFrameAndFollowsFrameChanges) {
  PCANNO_REQUIRE_DISPLAY();
  const auto training = test::sample_data_dir() / "kitti_tracking/training";
  auto sequence = formats::open_sequence(training);
  ASSERT_TRUE(sequence) << sequence.error().describe();
  const std::size_t frame0 = sequence->load_frame(0)->cloud.size();
  const std::size_t frame3 = sequence->load_frame(3)->cloud.size();
  ASSERT_NE(frame0, frame3);
  formats::LabelContext context;
  context.sequence = &*sequence;
  auto labels = formats::read_kitti_tracking_annotations(training / "label_02/0000.txt", context);
  ASSERT_TRUE(labels);
  auto session = plugin::Session::create(std::move(*labels), std::move(*sequence));

  DisplayConnection display;
  ASSERT_TRUE(display.ok()) << display.error();
  vtkNew<vtkRenderWindow> window;
  window->SetDisplayId(display.display());
  window->SetOffScreenRendering(1);
  window->SetSize(320, 200);
  vtkNew<vtkRenderer> renderer;
  window->AddRenderer(renderer);
  vtkNew<vtkRenderWindowInteractor> interactor;
  interactor->SetRenderWindow(window);
  {
    AnnotationView view(*session, renderer, interactor);
    EXPECT_EQ(view.scene().point_count(), frame0);
    EXPECT_EQ(view.scene().boxes().size(), 3u);
    ASSERT_TRUE(session->set_frame(3));  // the view observes the session
    EXPECT_EQ(view.scene().point_count(), frame3);
    EXPECT_EQ(view.scene().boxes().size(), session->boxes_at(3).size());
  }
  // The view removed its observer: changes after it is gone reach nobody.
  EXPECT_TRUE(session->set_frame(1));
}

}  // namespace
}  // namespace pcanno::viewer
