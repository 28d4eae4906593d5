#include "pcanno/viewer/workstation/workstation_app.hpp"

#include <fstream>
#include <iostream>

#include <QVTKOpenGLNativeWidget.h>
#include <QApplication>
#include <QSurfaceFormat>
#include <QTimer>

#include "pcanno/viewer/workstation/scene_view.hpp"
#include "pcanno/viewer/workstation/workstation_window.hpp"

namespace pcanno::viewer::workstation {
namespace {

/// Where each view is on the screen and how it maps to the world, so that a test driving the
/// window with xdotool can aim as a person looking at it would.
void write_layout_report(WorkstationWindow& window, const std::filesystem::path& path) {
  std::ofstream out(path);
  out << "{\n";
  const SceneView* views[] = {window.main_view(), window.top_view(), window.side_view(),
                              window.front_view()};
  const char* names[] = {"main", "top", "side", "front"};
  for (int i = 0; i < 4; ++i) {
    const SceneView* v = views[i];
    const QPoint g = v->mapToGlobal(QPoint(0, 0));
    const plugin::ViewInfo info = v->view_info();
    out << "  \"" << names[i] << "\": {\"x\": " << g.x() << ", \"y\": " << g.y()
        << ", \"width\": " << v->width() << ", \"height\": " << v->height()
        << ", \"meters_per_pixel\": " << info.meters_per_pixel << ", \"focus\": [" << info.focus.x()
        << ", " << info.focus.y() << ", " << info.focus.z() << "]}" << (i < 3 ? ",\n" : "\n");
  }
  out << "}\n";
}

}  // namespace

int run_workstation(const WorkstationOptions& options, const char* program) {
  std::vector<std::string> notes;
  auto session = open_workstation_session(options, &notes);
  if (!session) {
    std::cerr << "pcanno: error: " << session.error().describe() << "\n";
    return 1;
  }
  for (const std::string& n : notes) std::cerr << "pcanno: note: " << n << "\n";

  // VTK renders through a core-profile context; this must precede the QApplication.
  QSurfaceFormat::setDefaultFormat(QVTKOpenGLNativeWidget::defaultFormat());
  int argc = 1;
  char* argv[] = {const_cast<char*>(program), nullptr};
  QApplication app(argc, argv);
  QApplication::setApplicationName("pcanno view");

  WorkstationWindow window(std::move(*session));
  window.resize(1600, 1000);
  window.show();
  window.activateWindow();
  window.main_view()->setFocus();

  if (!options.layout_report.empty()) {
    QTimer::singleShot(700, &window, [&] { write_layout_report(window, options.layout_report); });
  }
  int status = 0;
  if (!options.screenshot.empty()) {
    // Show the side and front views at work: on the first track, when there is one.
    const formats::Annotations& doc = window.session().document();
    if (!doc.tracks.empty()) window.select_track(doc.tracks.front().id);
    QTimer::singleShot(1500, &window, [&] {
      if (!window.save_screenshot(QString::fromStdString(options.screenshot.string()))) {
        std::cerr << "pcanno: error: cannot write " << options.screenshot << "\n";
        status = 1;
      }
      QApplication::quit();
    });
  }
  const int rc = QApplication::exec();
  return status != 0 ? status : rc;
}

}  // namespace pcanno::viewer::workstation
