#pragma once
#include <functional>
#include <memory>
#include <optional>

#include <QVTKOpenGLNativeWidget.h>
#include <vtkGenericOpenGLRenderWindow.h>
#include <vtkRenderer.h>
#include <vtkSmartPointer.h>
#include <QPointF>

#include "pcanno/plugin/tool.hpp"
#include "pcanno/viewer/camera.hpp"
#include "pcanno/viewer/scene_renderer.hpp"

namespace pcanno::viewer::workstation {

/// One view of the workstation, drawn by the viewer library's SceneRenderer (the cloud shared
/// with the other views without copies, boxes, heading arrows, track ids, the tool preview): the
/// perspective main view (VTK trackball camera: orbit, pan, zoom, and a bird's-eye preset) or an
/// orthographic top, side or front view whose camera is a plugin::ViewInfo (the same camera the
/// engine's tools expect). Mouse, wheel and key events go to the host's handlers first as engine
/// events (pointer ray in the world frame plus this view's camera); what the tools ignore moves the
/// camera.
class SceneView : public QVTKOpenGLNativeWidget {
  Q_OBJECT

 public:
  SceneView(plugin::ViewKind kind, const SceneStyle& style, QWidget* parent = nullptr);
  ~SceneView() override;

  plugin::ViewKind kind() const { return kind_; }
  /// The current camera as the tools see it.
  plugin::ViewInfo view_info() const;
  /// The current camera as plain data (viewer/camera.hpp, whose math the view uses throughout):
  /// the VTK camera of the perspective view, ortho_camera() of an orthographic one.
  CameraPose pose() const;
  /// The pointer ray through widget pixel `pixel` (logical pixels, origin top-left).
  plugin::Ray ray_at(const QPointF& pixel) const;
  /// The widget pixel showing world point `p` (logical pixels, origin top-left); (-1, -1) behind
  /// the perspective camera.
  QPointF pixel_of(const Eigen::Vector3d& p) const;

  /// Orthographic views: looks as `view` does (focus, axes, metres per pixel). `slab` > 0 [m]
  /// shows only what lies within that distance of the focus along the view direction, so a side
  /// view of a box is not buried under the whole street behind it.
  void set_ortho_view(const plugin::ViewInfo& view, double slab = 0.0);
  /// Perspective view: straight down from above the focal point, or back to the chase camera.
  void set_birds_eye(bool on);
  bool birds_eye() const { return birds_eye_; }
  void reset_camera();
  /// Moves the camera rigidly by `delta` [world]: how the views follow the ego vehicle from frame
  /// to frame in sequences with poses. Orthographic views move their focus only (they stay
  /// north-up, the axes the tools' drags are defined in).
  void move_camera(const Eigen::Isometry3d& delta);
  void render_later();

  vtkRenderer* renderer() const { return renderer_; }
  SceneRenderer& scene() { return *scene_; }

  std::function<int(SceneView&, const plugin::PointerEvent&)> pointer_handler;
  std::function<int(SceneView&, const plugin::WheelEvent&)> wheel_handler;
  std::function<int(SceneView&, const plugin::KeyEvent&)> key_handler;

 signals:
  /// The point under the pointer on the ground plane z = 0 (the view plane for side and front).
  void cursor_moved(double x, double y, double z);

 protected:
  bool event(QEvent* event) override;

 private:
  bool handle_mouse(QEvent* event);
  bool handle_wheel(QEvent* event);
  bool handle_key(QEvent* event);
  void apply_ortho_camera();

  plugin::ViewKind kind_;
  vtkSmartPointer<vtkGenericOpenGLRenderWindow> window_;
  vtkSmartPointer<vtkRenderer> renderer_;
  std::unique_ptr<SceneRenderer> scene_;
  plugin::ViewInfo ortho_;           ///< orthographic views: the camera
  double slab_ = 0.0;                ///< [m] half depth shown around the focus; 0: all
  bool vtk_drag_ = false;            ///< a press the tools ignored: VTK's style owns the drag
  std::optional<QPointF> pan_from_;  ///< orthographic views: middle/right drag pans
  bool birds_eye_ = false;
  bool render_queued_ = false;
};

}  // namespace pcanno::viewer::workstation
