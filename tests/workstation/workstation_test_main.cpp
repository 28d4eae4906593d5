// One QApplication for every test: widgets need it, and Qt allows only one per process.
#include <QVTKOpenGLNativeWidget.h>
#include <QApplication>
#include <QSurfaceFormat>

#include <optional>

#include <gtest/gtest.h>

#include "pcanno/viewer/display_connection.hpp"

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  if (qEnvironmentVariableIsEmpty("DISPLAY")) {
    // --gtest_list_tests (test discovery) runs without a display; the tests themselves need one.
    if (::testing::GTEST_FLAG(list_tests)) return RUN_ALL_TESTS();
    qputenv("QT_QPA_PLATFORM", "offscreen");
  }
  QSurfaceFormat::setDefaultFormat(QVTKOpenGLNativeWidget::defaultFormat());
  // Qt gives up on the first failed X connection, which happens while the shared Xvfb resets
  // after another test's last client left; this one waits that out (see DisplayConnection).
  std::optional<pcanno::viewer::DisplayConnection> display;
  if (pcanno::viewer::qt_uses_x11()) display.emplace();
  QApplication app(argc, argv);
  return RUN_ALL_TESTS();
}
