#pragma once
#include <memory>
#include <string>

#include "pcanno/formats/datasets/frame_cache.hpp"
#include "pcanno/formats/support/expected.hpp"
#include "pcanno/plugin/tool.hpp"
#include "pcanno/viewer/camera.hpp"
#include "pcanno/viewer/scene_style.hpp"

class vtkRenderer;
class vtkRenderWindowInteractor;

namespace pcanno::plugin {
class Session;
class ToolManager;
}

namespace pcanno::viewer {

class SceneRenderer;

/// An annotation view inside any host's vtkRenderer + vtkRenderWindowInteractor (a plain
/// vtkRenderWindow, a QVTKOpenGLNativeWidget, ...). It owns a SceneRenderer, turns the
/// interactor's mouse and key events into the engine's tool events (the pointer ray cast through
/// the renderer's camera) for its plugin::ToolManager, whose active tool applies its commands to
/// the Session, and redraws when the Session changes (it observes it). Events the tools ignore go
/// on to the interactor style (orbit, pan, zoom); events they consume stop there. A tool that
/// finishes hands over to "select".
///
/// The Session and the VTK objects must outlive the view. Single-threaded, like the Session.
class AnnotationView {
 public:
  /// Loads the session's frames through its own FrameCache (none without a sequence).
  AnnotationView(plugin::Session& session, vtkRenderer* renderer,
                 vtkRenderWindowInteractor* interactor, SceneStyle style = {});
  ~AnnotationView();  ///< detaches its observers and actors
  AnnotationView(const AnnotationView&) = delete;
  AnnotationView& operator=(const AnnotationView&) = delete;

  /// The kind of view this is; tools behave per view (create drags in top view, edit faces in
  /// side views). Also sets the camera to that view around the current frame's focus, and fills
  /// areas (closed polylines) in the top view only.
  void set_view_kind(plugin::ViewKind kind);
  plugin::ViewKind view_kind() const { return kind_; }
  void set_camera(const CameraPose& pose);

  /// Starts tool `id` of the session's registry: "select" (the first), "cuboid-create",
  /// "cuboid-edit", "polyline", or a plugin's. kNotFound, naming the known ids, when there is no
  /// such tool; the active tool stays.
  formats::Status set_tool(const std::string& id);
  const std::string& tool() const;
  plugin::Tool* active_tool();
  plugin::ToolManager& tools() { return *tools_; }

  SceneRenderer& scene() { return *scene_; }
  plugin::ViewInfo current_view() const;
  /// Re-reads the session (frame cloud, boxes, selection, preview) and renders.
  void refresh();

 private:
  void on_vtk_event(unsigned long event_id);
  void handle_result(int result);
  void load_frame();
  /// Where a new camera looks [world]: 10 m ahead of the origin, moved to the loaded cloud's
  /// viewpoint (viewpoint_of(): a georeferenced cloud's middle).
  Eigen::Vector3d default_focus() const;

  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::unique_ptr<SceneRenderer> scene_;
  plugin::Session& session_;
  std::unique_ptr<plugin::ToolManager> tools_;
  plugin::ViewKind kind_ = plugin::ViewKind::kPerspective;
};

}  // namespace pcanno::viewer
