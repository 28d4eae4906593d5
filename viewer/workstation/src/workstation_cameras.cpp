// The window's cameras: the camera panel under the views, its toggles, selection from a click on
// a projected shape, the tool preview over the images, and points coloured from the images.
#include <algorithm>
#include <utility>

#include <QAction>
#include <QActionGroup>
#include <QComboBox>
#include <QMenu>
#include <QSplitter>

#include "pcanno/viewer/camera_colors.hpp"
#include "pcanno/viewer/workstation/camera_panel.hpp"
#include "pcanno/viewer/workstation/scene_view.hpp"
#include "pcanno/viewer/workstation/workstation_window.hpp"

namespace pcanno::viewer::workstation {

QWidget* WorkstationWindow::build_camera_panel(QWidget* views) {
  cameras_ = new CameraPanel(this);
  cameras_->setVisible(false);  // until a sequence with cameras shows
  connect(cameras_, &CameraPanel::shape_clicked, this, [this](int kind, qint64 id) {
    // Selecting is no edit: it also works during a job (shown when the job has ended).
    if (kind == static_cast<int>(OverlayShape::Kind::kBox)) {
      select_track(id);
    } else {
      select_polyline(id);
    }
  });
  auto* split = new QSplitter(Qt::Vertical, this);
  split->setObjectName("views_and_cameras");
  split->addWidget(views);
  split->addWidget(cameras_);
  split->setStretchFactor(0, 3);
  split->setStretchFactor(1, 1);
  split->setSizes({640, 230});
  return split;
}

void WorkstationWindow::build_camera_actions(QMenu* view) {
  QMenu* cams = view->addMenu("&Cameras");
  const auto toggle = [this, cams](const QString& text, const QKeySequence& key) {
    QAction* a = cams->addAction(text);
    a->setShortcut(key);
    a->setShortcutContext(Qt::WindowShortcut);
    a->setCheckable(true);
    connect(a, &QAction::toggled, this, [this] { update_cameras(); });
    return a;
  };
  camera_points_action_ = toggle("LiDAR &points by depth", QKeySequence("Ctrl+Shift+D"));
  camera_boxes_2d_action_ = toggle("Projected &2D boxes", QKeySequence("Ctrl+Shift+B"));

  QMenu* colors = view->addMenu("C&olour points by");
  auto* group = new QActionGroup(this);
  group->setExclusive(true);
  static const std::pair<ColorBy, const char*> kModes[] = {{ColorBy::kIntensity, "&Intensity"},
                                                           {ColorBy::kHeight, "&Height"},
                                                           {ColorBy::kDistance, "&Distance"},
                                                           {ColorBy::kClass, "&Class"},
                                                           {ColorBy::kCamera, "Camera &RGB"},
                                                           {ColorBy::kTime, "&Time offset"}};
  color_actions_.clear();
  int n = 0;
  for (const auto& [mode, text] : kModes) {
    QAction* a = colors->addAction(text);
    a->setCheckable(true);
    a->setChecked(mode == color_by_);
    a->setShortcut(QKeySequence(QString("Ctrl+%1").arg(++n)));
    a->setShortcutContext(Qt::WindowShortcut);
    group->addAction(a);
    const ColorBy m = mode;
    connect(a, &QAction::triggered, this, [this, m] { set_color_by(m); });
    color_actions_.push_back(a);
  }
}

void WorkstationWindow::set_camera_points(bool on) { camera_points_action_->setChecked(on); }

void WorkstationWindow::set_camera_boxes_2d(bool on) { camera_boxes_2d_action_->setChecked(on); }

void WorkstationWindow::set_color_by(ColorBy mode) {
  color_by_ = mode;
  const auto index = static_cast<std::size_t>(mode);
  if (index < color_actions_.size() && !color_actions_[index]->isChecked()) {
    color_actions_[index]->setChecked(true);
  }
  update_camera_colors();
  for (SceneView* v : views()) {
    SceneStyle style = v->scene().style();
    style.color_by = mode;
    v->scene().set_style(style);
    v->render_later();
  }
}

void WorkstationWindow::update_camera_colors() {
  std::shared_ptr<const std::vector<Rgb>> colors;
  const formats::Sequence* seq = session_->sequence();
  const std::int64_t frame = loaded_frame_;
  if (color_by_ == ColorBy::kCamera && frame_ && seq && frame >= 0 &&
      static_cast<std::size_t>(frame) < seq->size()) {
    // Once per frame for all four views.
    colors = std::make_shared<const std::vector<Rgb>>(
        camera_point_colors(shown_ ? *shown_ : frame_->cloud,  // the drawn points (display)
                            seq->frames[static_cast<std::size_t>(frame)].images,
                            frame_->images, main_view_->scene().style().no_camera_color));
  }
  for (SceneView* v : views()) v->scene().set_camera_colors(colors);
}

void WorkstationWindow::update_cameras() {
  if (!cameras_ || session_->busy()) return;
  const formats::Sequence* seq = session_->sequence();
  const std::vector<std::string> none;
  const std::vector<std::string>& channels = seq ? seq->cameras : none;
  const bool changed = channels != cameras_->cameras();
  cameras_->set_cameras(channels);
  cameras_->setVisible(!channels.empty());
  if (channels.empty()) return;
  if (changed) fit_camera_strip();
  OverlayOptions options;
  options.points = camera_points_action_ && camera_points_action_->isChecked();
  options.boxes_2d = camera_boxes_2d_action_ && camera_boxes_2d_action_->isChecked();
  options.selected_track = session_->selection().track;
  if (!options.selected_track) options.selected_polyline = session_->selection().polyline;
  // The frame loaded last: refresh() loads the session's frame before this runs.
  cameras_->show_frame(shown_document(), seq, loaded_frame_, frame_, options,
                       main_view_->scene().style());
}

void WorkstationWindow::fit_camera_strip() {
  auto* split = qobject_cast<QSplitter*>(cameras_->parentWidget());
  const formats::Sequence* seq = session_->sequence();
  if (!split || !seq || cameras_->cameras().empty()) return;
  // The strip as high as its images drawn across the width need, up to 40 % of the views' area.
  double aspect = 9.0 / 16.0;  // height / width, until an image size is known
  for (const formats::FrameRef& f : seq->frames) {
    if (!f.images.empty() && f.images.front().camera.width > 0) {
      aspect = f.images.front().camera.height / static_cast<double>(f.images.front().camera.width);
      break;
    }
  }
  // Before the window is laid out its sizes are nominal; setSizes() takes them as proportions.
  const bool laid_out = split->width() > 200 && split->height() > 200;
  const int width = laid_out ? split->width() : 1350;
  const int total = laid_out ? split->height() : 870;
  const int n = static_cast<int>(cameras_->cameras().size());
  const int want = std::clamp(
      static_cast<int>(width / n * aspect) + cameras_->chooser()->sizeHint().height() + 8, 120,
      total * 2 / 5);
  split->setSizes({total - want, want});
}

void WorkstationWindow::update_camera_preview(const plugin::ToolPreview& preview) {
  if (!cameras_ || cameras_->cameras().empty()) return;
  // The preview is in the world; the cameras take the frame's LiDAR frame.
  const geometry::Pose T_lidar_world =
      session_->T_world_lidar(session_->frame()).value_or(geometry::Pose::Identity()).inverse();
  std::vector<geometry::Cuboid> boxes;
  for (const geometry::Cuboid& b : preview.boxes)
    boxes.push_back(geometry::transform(T_lidar_world, b));
  cameras_->set_preview(boxes, main_view_->scene().style().preview_color);
}

}  // namespace pcanno::viewer::workstation
