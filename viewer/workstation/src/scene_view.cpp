#include "pcanno/viewer/workstation/scene_view.hpp"

#include <algorithm>
#include <cmath>

#include <vtkCamera.h>
#include <vtkGenericOpenGLRenderWindow.h>
#include <vtkInteractorStyleTrackballCamera.h>
#include <vtkRenderWindowInteractor.h>
#include <vtkRenderer.h>
#include <QKeyEvent>
#include <QMouseEvent>
#include <QTimer>
#include <QWheelEvent>

#include "pcanno/plugin/tools/tool_geometry.hpp"
#include "pcanno/viewer/camera.hpp"
#include "pcanno/viewer/workstation/key_names.hpp"

namespace pcanno::viewer::workstation {
namespace {

plugin::MouseButton button_of(Qt::MouseButton b) {
  switch (b) {
    case Qt::LeftButton:
      return plugin::MouseButton::kLeft;
    case Qt::MiddleButton:
      return plugin::MouseButton::kMiddle;
    case Qt::RightButton:
      return plugin::MouseButton::kRight;
    default:
      return plugin::MouseButton::kNone;
  }
}

}  // namespace

SceneView::SceneView(plugin::ViewKind kind, const SceneStyle& style, QWidget* parent)
    : QVTKOpenGLNativeWidget(parent),
      kind_(kind),
      window_(vtkSmartPointer<vtkGenericOpenGLRenderWindow>::New()),
      renderer_(vtkSmartPointer<vtkRenderer>::New()) {
  setRenderWindow(window_);
  window_->AddRenderer(renderer_);  // before the scene: its overlay layer joins this window
  scene_ = std::make_unique<SceneRenderer>(renderer_, style);
  scene_->set_fill_areas(kind == plugin::ViewKind::kTop);  // areas are filled seen from above
  renderer_->SetBackground(style.background[0], style.background[1], style.background[2]);
  const bool ortho = kind != plugin::ViewKind::kPerspective;
  setFocusPolicy(Qt::StrongFocus);
  setMouseTracking(true);
  setMinimumSize(120, 90);
  if (ortho) {
    renderer_->GetActiveCamera()->ParallelProjectionOn();
    ortho_ = plugin::make_top_view(Eigen::Vector3d::Zero(), 0.1);
    apply_ortho_camera();
  } else {
    auto trackball = vtkSmartPointer<vtkInteractorStyleTrackballCamera>::New();
    window_->GetInteractor()->SetInteractorStyle(trackball);
    reset_camera();
  }
}

SceneView::~SceneView() = default;

plugin::ViewInfo SceneView::view_info() const {
  if (kind_ != plugin::ViewKind::kPerspective) return ortho_;
  return viewer::view_info(camera_pose(renderer_->GetActiveCamera()), kind_, std::max(1, height()));
}

CameraPose SceneView::pose() const {
  if (kind_ != plugin::ViewKind::kPerspective) return ortho_camera(ortho_, height());
  return camera_pose(renderer_->GetActiveCamera());
}

plugin::Ray SceneView::ray_at(const QPointF& pixel) const {
  // Logical pixels: the device pixel ratio scales the image and the pixel alike.
  return pixel_ray(pose(), Eigen::Vector2d(pixel.x(), pixel.y()), std::max(1, width()),
                   std::max(1, height()));
}

QPointF SceneView::pixel_of(const Eigen::Vector3d& p) const {
  const std::optional<Eigen::Vector2d> px =
      project(pose(), p, std::max(1, width()), std::max(1, height()));
  return px ? QPointF(px->x(), px->y()) : QPointF(-1.0, -1.0);
}

void SceneView::set_ortho_view(const plugin::ViewInfo& view, double slab) {
  ortho_ = view;
  slab_ = slab;
  ortho_.kind = kind_;
  apply_ortho_camera();
}

void SceneView::apply_ortho_camera() {
  vtkCamera* cam = renderer_->GetActiveCamera();
  apply_camera(pose(), cam);
  if (slab_ > 0.0) {
    cam->SetClippingRange(kOrthoCameraDistance - slab_, kOrthoCameraDistance + slab_);
  } else {
    cam->SetClippingRange(1.0, 2.0 * kOrthoCameraDistance);
  }
  render_later();
}

void SceneView::set_birds_eye(bool on) {
  if (kind_ != plugin::ViewKind::kPerspective) return;
  birds_eye_ = on;
  vtkCamera* cam = renderer_->GetActiveCamera();
  double f[3];
  cam->GetFocalPoint(f);
  if (on) {
    cam->SetPosition(f[0], f[1], f[2] + 60.0);
    cam->SetViewUp(1.0, 0.0, 0.0);  // driving direction up the screen
  } else {
    cam->SetPosition(f[0] - 18.0, f[1], f[2] + 9.0);
    cam->SetViewUp(0.0, 0.0, 1.0);
  }
  render_later();
}

void SceneView::reset_camera() {
  if (kind_ != plugin::ViewKind::kPerspective) return;
  vtkCamera* cam = renderer_->GetActiveCamera();
  cam->SetFocalPoint(12.0, 0.0, -1.0);
  cam->SetViewAngle(45.0);
  birds_eye_ = !birds_eye_;
  set_birds_eye(!birds_eye_);
  cam->SetClippingRange(0.5, 500.0);
}

void SceneView::move_camera(const Eigen::Isometry3d& delta) {
  if (kind_ != plugin::ViewKind::kPerspective) {
    ortho_.focus = delta * ortho_.focus;
    apply_ortho_camera();
    return;
  }
  CameraPose moved = camera_pose(renderer_->GetActiveCamera());
  moved.position = delta * moved.position;
  moved.focal_point = delta * moved.focal_point;
  moved.view_up = delta.linear() * moved.view_up;
  apply_camera(moved, renderer_->GetActiveCamera());
  render_later();
}

void SceneView::render_later() {
  if (render_queued_) return;
  render_queued_ = true;
  QTimer::singleShot(0, this, [this] {
    render_queued_ = false;
    if (kind_ != plugin::ViewKind::kPerspective) {
      // The scale follows the widget's height (it may have been resized since).
      renderer_->GetActiveCamera()->SetParallelScale(pose().parallel_scale);
    } else {
      scene_->reset_clipping_range();
    }
    window_->Render();
    update();
  });
}

bool SceneView::event(QEvent* event) {
  switch (event->type()) {
    case QEvent::MouseButtonPress:
    case QEvent::MouseButtonRelease:
    case QEvent::MouseButtonDblClick:
    case QEvent::MouseMove:
      if (handle_mouse(event)) return true;
      break;
    case QEvent::Wheel:
      if (handle_wheel(event)) return true;
      break;
    case QEvent::KeyPress:
    case QEvent::KeyRelease:
      // Never to VTK: its default keys quit, switch to wireframe or reset the camera.
      if (handle_key(event)) return true;
      return QWidget::event(event);
    case QEvent::Resize:
      if (kind_ != plugin::ViewKind::kPerspective) render_later();
      break;
    default:
      break;
  }
  return QVTKOpenGLNativeWidget::event(event);
}

bool SceneView::handle_mouse(QEvent* event) {
  auto* e = static_cast<QMouseEvent*>(event);
  plugin::PointerEvent pe;
  switch (event->type()) {
    case QEvent::MouseButtonPress:
      pe.type = plugin::PointerEvent::Type::kPress;
      break;
    case QEvent::MouseButtonRelease:
      pe.type = plugin::PointerEvent::Type::kRelease;
      break;
    case QEvent::MouseButtonDblClick:
      pe.type = plugin::PointerEvent::Type::kDoubleClick;
      break;
    default:
      pe.type = plugin::PointerEvent::Type::kMove;
      break;
  }
  pe.button = button_of(e->button());
  if (pe.type == plugin::PointerEvent::Type::kMove && (e->buttons() & Qt::LeftButton)) {
    pe.button = plugin::MouseButton::kLeft;
  }
  pe.modifiers = modifiers_of(e->modifiers());
  pe.ray = ray_at(e->localPos());
  pe.view = view_info();
  if (pe.type == plugin::PointerEvent::Type::kPress) setFocus(Qt::MouseFocusReason);

  if (const auto hit =
          kind_ == plugin::ViewKind::kPerspective || kind_ == plugin::ViewKind::kTop
              ? plugin::intersect_ground(pe.ray, pe.view.focus.z())
              : plugin::intersect_plane(pe.ray, pe.view.focus, plugin::towards_viewer(pe.view))) {
    emit cursor_moved(hit->x(), hit->y(), hit->z());
  }

  const bool left =
      pe.button == plugin::MouseButton::kLeft || pe.type == plugin::PointerEvent::Type::kMove;
  if (!vtk_drag_ && !pan_from_ && left && pointer_handler) {
    const int result = pointer_handler(*this, pe);
    if (result & plugin::kConsumed) return true;
  }

  if (kind_ == plugin::ViewKind::kPerspective) {
    // What the tools ignored orbits, pans and zooms (VTK's trackball camera).
    if (pe.type == plugin::PointerEvent::Type::kPress) vtk_drag_ = true;
    if (pe.type == plugin::PointerEvent::Type::kRelease) vtk_drag_ = false;
    return false;
  }
  // Orthographic views: middle or right drag pans; the left button belongs to the tools.
  if (pe.type == plugin::PointerEvent::Type::kPress &&
      (e->button() == Qt::MiddleButton || e->button() == Qt::RightButton)) {
    pan_from_ = e->localPos();
  } else if (pe.type == plugin::PointerEvent::Type::kMove && pan_from_) {
    const QPointF d = e->localPos() - *pan_from_;
    ortho_.focus -= (d.x() * plugin::screen_right(ortho_) - d.y() * plugin::screen_up(ortho_)) *
                    ortho_.meters_per_pixel;
    pan_from_ = e->localPos();
    apply_ortho_camera();
  } else if (pe.type == plugin::PointerEvent::Type::kRelease) {
    pan_from_.reset();
  }
  return true;
}

bool SceneView::handle_wheel(QEvent* event) {
  auto* e = static_cast<QWheelEvent*>(event);
  plugin::WheelEvent we;
  we.steps = e->angleDelta().y() / 120.0;
  we.modifiers = modifiers_of(e->modifiers());
  we.ray = ray_at(e->position());
  we.view = view_info();
  if (wheel_handler && (wheel_handler(*this, we) & plugin::kConsumed)) return true;
  if (kind_ == plugin::ViewKind::kPerspective) return false;
  ortho_.meters_per_pixel =
      std::clamp(ortho_.meters_per_pixel * std::pow(0.85, we.steps), 0.002, 2.0);
  apply_ortho_camera();
  return true;
}

bool SceneView::handle_key(QEvent* event) {
  auto* e = static_cast<QKeyEvent*>(event);
  plugin::KeyEvent ke;
  ke.key = key_name(*e);
  if (ke.key.empty()) return false;
  ke.modifiers = modifiers_of(e->modifiers());
  ke.press = event->type() == QEvent::KeyPress;
  ke.view = view_info();
  return key_handler && (key_handler(*this, ke) & plugin::kConsumed);
}

}  // namespace pcanno::viewer::workstation
