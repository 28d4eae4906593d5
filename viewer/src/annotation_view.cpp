#include "pcanno/viewer/annotation_view.hpp"

#include <optional>

#include <vtkCallbackCommand.h>
#include <vtkCommand.h>
#include <vtkRenderWindow.h>
#include <vtkRenderWindowInteractor.h>
#include <vtkRenderer.h>
#include <vtkSmartPointer.h>

#include "pcanno/plugin/session.hpp"
#include "pcanno/plugin/tool_manager.hpp"
#include "pcanno/viewer/scene_renderer.hpp"

namespace pcanno::viewer {
namespace {

// Tools see the mouse before the interactor style does (which observes at priority 0), so a
// consumed event can be kept from orbiting the camera.
constexpr float kObserverPriority = 1.0f;

constexpr unsigned long kEvents[] = {
    vtkCommand::LeftButtonPressEvent,    vtkCommand::LeftButtonReleaseEvent,
    vtkCommand::MiddleButtonPressEvent,  vtkCommand::MiddleButtonReleaseEvent,
    vtkCommand::RightButtonPressEvent,   vtkCommand::RightButtonReleaseEvent,
    vtkCommand::MouseMoveEvent,          vtkCommand::KeyPressEvent,
    vtkCommand::KeyReleaseEvent,         vtkCommand::MouseWheelForwardEvent,
    vtkCommand::MouseWheelBackwardEvent,
};

}  // namespace

struct AnnotationView::Impl {
  vtkRenderer* renderer = nullptr;
  vtkRenderWindowInteractor* interactor = nullptr;
  vtkSmartPointer<vtkCallbackCommand> callback = vtkSmartPointer<vtkCallbackCommand>::New();
  std::vector<unsigned long> tags;
  int session_observer = -1;
  std::optional<formats::FrameCache> cache;
  std::int64_t loaded_frame = -1;
  plugin::MouseButton pressed = plugin::MouseButton::kNone;
  bool camera_moving = false;  // a press the tool left to the interactor style
};

AnnotationView::AnnotationView(plugin::Session& session, vtkRenderer* renderer,
                               vtkRenderWindowInteractor* interactor, SceneStyle style)
    : impl_(std::make_unique<Impl>()),
      scene_(std::make_unique<SceneRenderer>(renderer, std::move(style))),
      session_(session),
      tools_(std::make_unique<plugin::ToolManager>(session)) {
  Impl& m = *impl_;
  m.renderer = renderer;
  m.interactor = interactor;
  (void)tools_->start(tools_->home());  // "select"; a registry without it starts with no tool
  if (const formats::Sequence* seq = session_.sequence(); seq && seq->size() > 0) {
    formats::FrameCacheOptions options;
    options.max_bytes = std::size_t{512} << 20;
    m.cache.emplace(formats::make_frame_cache(*seq, options));
  }
  m.callback->SetClientData(this);
  m.callback->SetCallback([](vtkObject*, unsigned long id, void* client, void*) {
    static_cast<AnnotationView*>(client)->on_vtk_event(id);
  });
  for (unsigned long e : kEvents) {
    m.tags.push_back(interactor->AddObserver(e, m.callback, kObserverPriority));
  }
  m.session_observer = session_.add_observer([this](const plugin::Change&) { refresh(); });
  load_frame();  // first: a georeferenced cloud moves the default focus
  set_camera(make_camera(kind_, default_focus(), 40.0));
  refresh();
}

AnnotationView::~AnnotationView() {
  session_.remove_observer(impl_->session_observer);
  for (unsigned long tag : impl_->tags) impl_->interactor->RemoveObserver(tag);
}

void AnnotationView::set_view_kind(plugin::ViewKind kind) {
  kind_ = kind;
  scene_->set_fill_areas(kind == plugin::ViewKind::kTop);  // areas are filled seen from above
  const Eigen::Vector3d focus = default_focus();
  if (const auto& sel = session_.selection(); sel.track) {
    if (auto box = session_.box_in_world(*sel.track, session_.frame())) {
      set_camera(camera_on_box(kind, *box));
      return;
    }
  }
  set_camera(make_camera(kind, focus, 40.0));
}

Eigen::Vector3d AnnotationView::default_focus() const {
  // 10 m ahead of the world origin, moved to the cloud's viewpoint: a UTM cloud is millions of
  // metres from the world origin, a sensor-frame cloud is not moved.
  if (!scene_->cloud()) return Eigen::Vector3d(10.0, 0.0, 0.0);
  return Eigen::Vector3d(10.0, 0.0, 0.0) +
         scene_->T_world_lidar().linear() * viewpoint_of(*scene_->cloud());
}

void AnnotationView::set_camera(const CameraPose& pose) {
  apply_camera(pose, impl_->renderer->GetActiveCamera());
  if (scene_) scene_->reset_clipping_range();
}

formats::Status AnnotationView::set_tool(const std::string& id) {
  if (formats::Status started = tools_->start(id); !started) return started;
  scene_->set_preview(tools_->preview());
  return {};
}

const std::string& AnnotationView::tool() const { return tools_->active_id(); }

plugin::Tool* AnnotationView::active_tool() { return tools_->active(); }

plugin::ViewInfo AnnotationView::current_view() const {
  const int* size = impl_->renderer->GetSize();
  return view_info(camera_pose(impl_->renderer->GetActiveCamera()), kind_, std::max(1, size[1]));
}

void AnnotationView::load_frame() {
  Impl& m = *impl_;
  if (!m.cache || session_.frame() == m.loaded_frame) return;
  m.loaded_frame = session_.frame();
  auto frame = m.cache->get(static_cast<std::size_t>(m.loaded_frame));
  scene_->set_cloud(frame ? *frame : nullptr,
                    session_.T_world_lidar(m.loaded_frame).value_or(geometry::Pose::Identity()));
}

void AnnotationView::refresh() {
  load_frame();
  scene_->update_from_session(session_);
  scene_->set_preview(tools_->preview());
  scene_->reset_clipping_range();
  if (vtkRenderWindow* window = impl_->renderer->GetRenderWindow()) window->Render();
}

void AnnotationView::handle_result(int result) {
  // The manager has handed a finished tool over to "select" already.
  if (result & (plugin::kRender | plugin::kFinished)) refresh();
}

void AnnotationView::on_vtk_event(unsigned long id) {
  Impl& m = *impl_;
  if (active_tool() == nullptr) return;
  int modifiers = plugin::kNoModifier;
  if (m.interactor->GetShiftKey()) modifiers |= plugin::kShift;
  if (m.interactor->GetControlKey()) modifiers |= plugin::kControl;
  if (m.interactor->GetAltKey()) modifiers |= plugin::kAlt;

  int result = plugin::kIgnored;
  if (id == vtkCommand::KeyPressEvent || id == vtkCommand::KeyReleaseEvent) {
    plugin::KeyEvent key;
    key.key = m.interactor->GetKeySym() ? m.interactor->GetKeySym() : "";
    key.modifiers = modifiers;
    key.press = id == vtkCommand::KeyPressEvent;
    key.view = current_view();
    result = tools_->on_key(key);
  } else {
    // Display coordinates (origin bottom-left of the window) -> image pixel of this viewport.
    const int* pos = m.interactor->GetEventPosition();
    const int* origin = m.renderer->GetOrigin();
    const int* size = m.renderer->GetSize();
    const int width = std::max(1, size[0]), height = std::max(1, size[1]);
    const Eigen::Vector2d pixel(pos[0] - origin[0] + 0.5, height - (pos[1] - origin[1]) - 0.5);
    const CameraPose pose = camera_pose(m.renderer->GetActiveCamera());
    const plugin::Ray ray = pixel_ray(pose, pixel, width, height);
    const plugin::ViewInfo view = view_info(pose, kind_, height);
    if (id == vtkCommand::MouseWheelForwardEvent || id == vtkCommand::MouseWheelBackwardEvent) {
      plugin::WheelEvent wheel;
      wheel.steps = id == vtkCommand::MouseWheelForwardEvent ? 1.0 : -1.0;
      wheel.modifiers = modifiers;
      wheel.ray = ray;
      wheel.view = view;
      result = tools_->on_wheel(wheel);
    } else {
      plugin::PointerEvent ev;
      ev.modifiers = modifiers;
      ev.ray = ray;
      ev.view = view;
      switch (id) {
        case vtkCommand::LeftButtonPressEvent:
        case vtkCommand::MiddleButtonPressEvent:
        case vtkCommand::RightButtonPressEvent:
          ev.type = m.interactor->GetRepeatCount() > 0 ? plugin::PointerEvent::Type::kDoubleClick
                                                       : plugin::PointerEvent::Type::kPress;
          ev.button = id == vtkCommand::LeftButtonPressEvent     ? plugin::MouseButton::kLeft
                      : id == vtkCommand::MiddleButtonPressEvent ? plugin::MouseButton::kMiddle
                                                                 : plugin::MouseButton::kRight;
          m.pressed = ev.button;
          break;
        case vtkCommand::LeftButtonReleaseEvent:
        case vtkCommand::MiddleButtonReleaseEvent:
        case vtkCommand::RightButtonReleaseEvent:
          ev.type = plugin::PointerEvent::Type::kRelease;
          ev.button = m.pressed;
          m.pressed = plugin::MouseButton::kNone;
          break;
        default:
          ev.type = plugin::PointerEvent::Type::kMove;
          ev.button = m.pressed;
          break;
      }
      result = tools_->on_pointer(ev);
      // Presses the tool leaves to the style move the camera: big clouds switch to their level
      // of detail until the button comes up.
      if (ev.type == plugin::PointerEvent::Type::kPress && !(result & plugin::kConsumed)) {
        m.camera_moving = true;
        scene_->set_interacting(true);
      } else if (ev.type == plugin::PointerEvent::Type::kRelease && m.camera_moving) {
        m.camera_moving = false;
        scene_->set_interacting(false);
        result |= plugin::kRender;
      }
    }
  }
  if (result & plugin::kConsumed) m.callback->SetAbortFlag(1);
  handle_result(result);
}

}  // namespace pcanno::viewer
