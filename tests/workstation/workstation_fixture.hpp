#pragma once
#include <unistd.h>

#include <cstdlib>

#include <filesystem>
#include <memory>

#include <functional>

#include <QApplication>
#include <QMouseEvent>
#include <QTest>
#include <QTimer>

#include <gtest/gtest.h>

#include "pcanno/plugin/tools/tool_geometry.hpp"
#include "pcanno/viewer/workstation/scene_view.hpp"
#include "pcanno/viewer/workstation/workstation_session.hpp"
#include "pcanno/viewer/workstation/workstation_window.hpp"

// Opens the workstation on the sample KITTI tracking frames and drives its real widgets with
// synthetic events, as the window system would deliver them.

namespace pcanno::test {

namespace ws = pcanno::viewer::workstation;

/// Calls `answer` with the next modal dialog of type `Dialog` once it is up (polled from the event
/// loop that the dialog's exec() runs). Gives up after 5 s: the test's own checks then fail.
template <typename Dialog>
void when_modal(std::function<void(Dialog*)> answer) {
  auto* poll = new QTimer;
  poll->setInterval(20);
  auto tries = std::make_shared<int>(0);
  QObject::connect(poll, &QTimer::timeout, [poll, answer, tries] {
    auto* dialog = qobject_cast<Dialog*>(QApplication::activeModalWidget());
    if (!dialog) {
      if (++*tries > 250) poll->deleteLater();
      return;
    }
    poll->stop();
    poll->deleteLater();
    answer(dialog);
  });
  poll->start();
}

class WorkstationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("pcanno_ws_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    // Sessions without a document journal under $XDG_STATE_HOME: one folder per test, so that no
    // test recovers another's unsaved edits.
    ::setenv("XDG_STATE_HOME", (dir_ / "state").c_str(), 1);
  }
  void TearDown() override {
    window_.reset();
    std::filesystem::remove_all(dir_);
  }

  /// The window over `options` (sequence: the sample KITTI tracking frames when empty), shown.
  ws::WorkstationWindow& open(ws::WorkstationOptions options) {
    if (options.sequence.empty()) options.sequence = sample_;
    auto session = ws::open_workstation_session(options);
    EXPECT_TRUE(session) << (session ? "" : session.error().describe());
    return open(std::move(*session));
  }

  ws::WorkstationWindow& open(std::unique_ptr<plugin::Session> session) {
    window_ = std::make_unique<ws::WorkstationWindow>(std::move(session));
    window_->resize(1600, 1000);
    window_->show();
    EXPECT_TRUE(QTest::qWaitForWindowExposed(window_.get()));
    window_->activateWindow();
    // Shortcuts need the active window; Xvfb without a window manager still gives focus.
    EXPECT_TRUE(QTest::qWaitForWindowActive(window_.get()));
    QTest::qWait(200);  // first layout and render
    return *window_;
  }

  /// A left-button drag from `from` to `to` in `steps` moves, as press, moves and release.
  static void drag(QWidget* w, QPoint from, QPoint to, int steps = 8) {
    send(w, QEvent::MouseButtonPress, from, Qt::LeftButton, Qt::LeftButton);
    for (int i = 1; i <= steps; ++i) {
      const QPoint p = from + (to - from) * i / steps;
      send(w, QEvent::MouseMove, p, Qt::NoButton, Qt::LeftButton);
    }
    send(w, QEvent::MouseButtonRelease, to, Qt::LeftButton, Qt::NoButton);
    QApplication::processEvents();
  }

  /// N, then the footprint of the sample's van ahead on the left dragged in the top view (as a
  /// person draws a box).
  static void draw_van_box(ws::WorkstationWindow& w) {
    QTest::keyClick(w.main_view(), Qt::Key_N);
    ws::SceneView* top = w.top_view();
    drag(top, top->pixel_of({11.5, 6.3, 0.0}).toPoint(), top->pixel_of({15.9, 2.9, 0.0}).toPoint());
  }

  /// A left click (press and release) at `p`.
  static void click(QWidget* w, QPoint p) {
    send(w, QEvent::MouseButtonPress, p, Qt::LeftButton, Qt::LeftButton);
    send(w, QEvent::MouseButtonRelease, p, Qt::LeftButton, Qt::NoButton);
    QApplication::processEvents();
  }

  static void send(QWidget* w, QEvent::Type type, QPoint p, Qt::MouseButton button,
                   Qt::MouseButtons buttons) {
    QMouseEvent e(type, QPointF(p), QPointF(w->mapToGlobal(p)), button, buttons, Qt::NoModifier);
    QApplication::sendEvent(w, &e);
  }

  /// Where the orthographic `view` shows widget pixel `p`, from its camera alone: the focus sits
  /// at the widget's centre, screen axes scaled by metres per pixel.
  static Eigen::Vector3d world_at(const ws::SceneView& view, QPoint p) {
    const plugin::ViewInfo v = view.view_info();
    return v.focus + (p.x() - view.width() / 2.0) * v.meters_per_pixel * plugin::screen_right(v) +
           (view.height() / 2.0 - p.y()) * v.meters_per_pixel * plugin::screen_up(v);
  }

  /// Waits up to `ms` for a running automation job to end.
  bool wait_for_job(int ms = 60000) {
    for (int waited = 0; window_->job_running() && waited < ms; waited += 20) QTest::qWait(20);
    QTest::qWait(50);
    EXPECT_TRUE(window_->isActiveWindow());  // progress shows in the status bar, not a dialog
    return !window_->job_running();
  }

  std::filesystem::path dir_;
  const std::filesystem::path sample_ =
      std::filesystem::path(PCANNO_SAMPLE_DATA_DIR) / "kitti_tracking";
  std::unique_ptr<ws::WorkstationWindow> window_;
};

}  // namespace pcanno::test
