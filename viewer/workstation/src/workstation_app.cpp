#include "pcanno/viewer/workstation/workstation_app.hpp"

#include <iostream>
#include <memory>
#include <optional>
#include <sstream>

#include <QVTKOpenGLNativeWidget.h>
#include <QApplication>
#include <QSurfaceFormat>
#include <QTimer>

#include "pcanno/formats/labels/document/class_schema_file.hpp"
#include "pcanno/formats/support/atomic_write.hpp"
#include "pcanno/plugin/attribute_rules.hpp"
#include "pcanno/plugin/tools/tool_geometry.hpp"
#include "pcanno/viewer/display_connection.hpp"
#include "pcanno/viewer/workstation/camera_panel.hpp"
#include "pcanno/viewer/workstation/camera_view.hpp"
#include "pcanno/viewer/workstation/scene_view.hpp"
#include "pcanno/viewer/workstation/task_mode.hpp"
#include "pcanno/viewer/workstation/unsaved_edits.hpp"
#include "pcanno/viewer/workstation/workstation_window.hpp"

namespace pcanno::viewer::workstation {
namespace {

/// The camera views shown and, for each projected box, a screen point that selects it (the centre
/// of its visible outline's bounds, where a click there picks it); then the tracks the main view
/// draws selected.
void write_cameras(WorkstationWindow& window, std::ostringstream& out) {
  out << "  \"cameras\": [";
  const char* sep = "";
  for (const CameraView* v : window.camera_panel()->visible_views()) {
    if (!v->isVisible()) continue;
    const QPoint g = v->mapToGlobal(QPoint(0, 0));
    out << sep << "\n    {\"channel\": \"" << v->channel().toStdString() << "\", \"x\": " << g.x()
        << ", \"y\": " << g.y() << ", \"width\": " << v->width() << ", \"height\": " << v->height()
        << ", \"boxes\": [";
    sep = ",";
    const char* box_sep = "";
    const CameraOverlay& overlay = v->overlay();
    for (std::size_t i = 0; i < overlay.shapes.size(); ++i) {
      const OverlayShape& s = overlay.shapes[i];
      if (s.kind != OverlayShape::Kind::kBox) continue;
      // The middle of the visible outline's bounds, inside the image.
      Eigen::Vector2d lo = Eigen::Vector2d::Constant(1e300), hi = -lo;
      for (const auto* list : {&s.segments, &s.heading}) {
        for (const geometry::PixelSegment& seg : *list) {
          lo = lo.cwiseMin(seg.a).cwiseMin(seg.b);
          hi = hi.cwiseMax(seg.a).cwiseMax(seg.b);
        }
      }
      if (lo.x() > hi.x()) continue;
      lo = lo.cwiseMax(Eigen::Vector2d::Zero());
      hi = hi.cwiseMin(Eigen::Vector2d(overlay.width - 1, overlay.height - 1));
      const Eigen::Vector2d uv = 0.5 * (lo + hi);
      if (pick_shape(overlay, uv, 0.0) != i) continue;
      const QPoint p = v->mapToGlobal(v->widget_of(uv).toPoint());
      out << box_sep << "{\"id\": " << s.id << ", \"x\": " << p.x() << ", \"y\": " << p.y() << "}";
      box_sep = ", ";
    }
    out << "]}";
  }
  out << "],\n  \"selected_in_main_view\": [";
  const char* id_sep = "";
  for (const SceneBox& b : window.main_view()->scene().boxes()) {
    if (!b.selected) continue;
    out << id_sep << b.track_id;
    id_sep = ", ";
  }
  out << "]\n";
}

/// Where each view is on the screen and how it maps to the world (the screen's right and up
/// directions in the world), so that a test driving the window with xdotool can aim as a person
/// looking at it would. Rewritten (atomically) whenever it changes: selecting a box turns and
/// zooms the top view.
void write_layout_report(WorkstationWindow& window, const std::filesystem::path& path,
                         std::string& last) {
  std::ostringstream out;
  out << "{\n";
  const SceneView* views[] = {window.main_view(), window.top_view(), window.side_view(),
                              window.front_view()};
  const char* names[] = {"main", "top", "side", "front"};
  for (int i = 0; i < 4; ++i) {
    const SceneView* v = views[i];
    const QPoint g = v->mapToGlobal(QPoint(0, 0));
    const plugin::ViewInfo info = v->view_info();
    const Eigen::Vector3d right = plugin::screen_right(info);
    const Eigen::Vector3d up = plugin::screen_up(info);
    out << "  \"" << names[i] << "\": {\"x\": " << g.x() << ", \"y\": " << g.y()
        << ", \"width\": " << v->width() << ", \"height\": " << v->height()
        << ", \"meters_per_pixel\": " << info.meters_per_pixel << ", \"focus\": [" << info.focus.x()
        << ", " << info.focus.y() << ", " << info.focus.z() << "], \"right\": [" << right.x()
        << ", " << right.y() << ", " << right.z() << "], \"up\": [" << up.x() << ", " << up.y()
        << ", " << up.z() << "]}"
        << ",\n";
  }
  write_cameras(window, out);
  out << "}\n";
  if (out.str() == last) return;
  last = out.str();
  (void)formats::write_file_atomic(path, last, true);
}

/// Shows `window` and runs the application until it closes: the layout report and the
/// screenshot of `options` included.
int run_window(WorkstationWindow& window, const WorkstationOptions& options) {
  window.resize(1600, 1000);
  window.show();
  window.activateWindow();
  window.main_view()->setFocus();

  std::string last_report;
  QTimer report_timer;
  if (!options.layout_report.empty()) {
    QObject::connect(&report_timer, &QTimer::timeout, &window,
                     [&] { write_layout_report(window, options.layout_report, last_report); });
    report_timer.start(250);
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

/// `pcanno view --db URL --task ID [--review]`: the window over a store task until it closes.
int run_task(const WorkstationOptions& options) {
  TaskOpenOptions task;
  task.url = default_store_url(options.store_url);
  task.user = options.store_user;
  task.task_id = options.task_id;
  task.review = options.review;
  formats::Expected<TaskMode::Opened> opened = TaskMode::open(task);
  if (!opened) {
    std::cerr << "pcanno: error: task " << options.task_id << ": " << opened.error().describe()
              << "\n";
    return 1;
  }
  WorkstationWindow window(std::move(opened->session));
  window.set_store(task.url, task.user);
  window.enter_task(std::move(opened->mode));
  if (!options.tool.empty()) {
    // The task is open and leased: a tool refused (read-only labels) is a note, not an exit.
    if (formats::Status started = window.start_tool(options.tool); !started) {
      std::cerr << "pcanno: note: --tool: " << started.error().describe() << "\n";
    }
  }
  return run_window(window, options);
}

}  // namespace

int run_workstation(const WorkstationOptions& options, const char* program) {
  // VTK renders through a core-profile context; this must precede the QApplication.
  QSurfaceFormat::setDefaultFormat(QVTKOpenGLNativeWidget::defaultFormat());
  int argc = 1;
  char* argv[] = {const_cast<char*>(program), nullptr};
  // Qt connects to X once and exits if that fails, as it does while an Xvfb started without
  // -noreset restarts after its last client left; this connection waits that out and holds it off.
  // Only for Qt's X11 platform: offscreen or Wayland would just wait for nothing.
  std::optional<DisplayConnection> display;
  if (qt_uses_x11()) display.emplace();
  // First, so that unsaved edits found while opening can be offered in a dialog.
  QApplication app(argc, argv);
  QApplication::setApplicationName("pcanno view");

  if (options.task_id > 0) return run_task(options);
  std::vector<std::string> notes;
  auto session = open_workstation_session(options, &notes);
  if (!session) {
    std::cerr << "pcanno: error: " << session.error().describe() << "\n";
    return 1;
  }
  for (const std::string& n : notes) std::cerr << "pcanno: note: " << n << "\n";
  for (const std::string& w : (*session)->warnings()) std::cerr << "pcanno: note: " << w << "\n";
  if ((*session)->pending_recovery()) {
    std::cerr << "pcanno: asking whether to recover them (--recover or --discard-recovery "
                 "decide on the command line)\n";
  }
  const QString recovery = resolve_pending_recovery(nullptr, **session);
  if (!recovery.isEmpty()) std::cerr << "pcanno: " << recovery.toStdString() << "\n";
  std::shared_ptr<const formats::ClassSchema> kept_schema;
  if (!options.schema.empty()) {  // ontology: after recovery, so that it is the newest edit
    formats::Expected<formats::ClassSchema> schema = formats::read_class_schema(options.schema);
    const formats::Status loaded =
        schema ? (*session)->apply(plugin::load_class_schema((*session)->document(), *schema))
               : formats::Status(schema.error());
    if (!loaded) {
      std::cerr << "pcanno: error: --schema: " << loaded.error().describe() << "\n";
      return 1;
    }
    kept_schema = std::make_shared<const formats::ClassSchema>(std::move(*schema));
  }

  WorkstationWindow window(std::move(*session));
  window.keep_class_schema(std::move(kept_schema));
  window.set_store(default_store_url(options.store_url), options.store_user);
  if (!options.tool.empty()) {
    if (formats::Status started = window.start_tool(options.tool); !started) {
      std::cerr << "pcanno: error: --tool: " << started.error().describe() << "\n";
      return 1;
    }
  }
  return run_window(window, options);
}

}  // namespace pcanno::viewer::workstation
