#include "pcanno/viewer/render_png.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <string>

#include <vtkImageData.h>
#include <vtkPNGWriter.h>
#include <vtkRenderWindow.h>
#include <vtkRenderer.h>
#include <vtkSmartPointer.h>
#include <vtkUnsignedCharArray.h>
#include <vtkWindowToImageFilter.h>

#include "pcanno/formats/atomic_write.hpp"
#include "pcanno/plugin/session.hpp"
#include "pcanno/viewer/display_connection.hpp"
#include "pcanno/viewer/scene_renderer.hpp"

namespace pcanno::viewer {
namespace {

formats::Error render_error(formats::ErrorCode code, std::string message) {
  formats::Error e;
  e.code = code;
  e.message = std::move(message);
  return e;
}

}  // namespace

CameraPose render_camera(const plugin::Session& session, const RenderRequest& request) {
  const std::int64_t frame = session.frame();
  if (request.center_track) {
    if (auto box = session.box_in_world(*request.center_track, frame)) {
      return camera_on_box(request.view, *box);
    }
  }
  Eigen::Vector3d focus = Eigen::Vector3d::Zero();
  double yaw = 0.0;  // views follow the sensor's heading when the sequence has poses
  if (const auto T = session.T_world_lidar(frame)) {
    focus = T->translation();
    const Eigen::Vector3d forward = T->linear().col(0);
    yaw = std::atan2(forward.y(), forward.x());
  }
  // The boxes' centre and spread in the heading's frame, as the views see them; a box-less frame
  // shows 40 m around the sensor.
  const Eigen::Matrix3d R_world_heading =
      Eigen::AngleAxisd(yaw, Eigen::Vector3d::UnitZ()).toRotationMatrix();
  Eigen::Vector3d lo = Eigen::Vector3d::Constant(1e300), hi = -lo;
  std::size_t count = 0;
  for (const plugin::BoxAtFrame& b : session.boxes_at(frame)) {
    auto box = session.box_in_world(b.track->id, frame);
    if (!box) continue;
    for (const Eigen::Vector3d& c : box->corners()) {
      const Eigen::Vector3d in_heading = R_world_heading.transpose() * c;
      lo = lo.cwiseMin(in_heading);
      hi = hi.cwiseMax(in_heading);
    }
    ++count;
  }
  double extent = 40.0;
  if (count > 0) {
    focus = R_world_heading * ((lo + hi) / 2.0);
    const Eigen::Vector3d span = hi - lo;
    const double aspect = static_cast<double>(request.width) / request.height;
    switch (request.view) {
      case plugin::ViewKind::kTop:
        extent = std::max(span.y(), span.x() / aspect);
        break;
      case plugin::ViewKind::kSide:
        extent = std::max(span.z(), span.x() / aspect);
        break;
      case plugin::ViewKind::kFront:
        extent = std::max(span.z(), span.y() / aspect);
        break;
      case plugin::ViewKind::kPerspective:
        // Capped: a nuScenes frame labels objects 100 m apart, which would make every box tiny.
        extent = std::min(span.norm(), 50.0);
        break;
    }
    extent = std::max(extent * 1.3, 8.0);  // a margin, and never closer than a car's size
  }
  return make_camera(request.view, focus, extent, yaw);
}

formats::Expected<Image> render_image(const plugin::Session& session,
                                      std::shared_ptr<const formats::PointCloud> cloud,
                                      const RenderRequest& request) {
  if (request.width < 16 || request.height < 16 || request.width > 8192 || request.height > 8192) {
    return render_error(formats::ErrorCode::kUnsupported,
                        "image size " + std::to_string(request.width) + "x" +
                            std::to_string(request.height) + " is outside 16..8192 pixels");
  }
  // VTK's X11 window aborts the process without a display; refuse cleanly instead. Declared
  // before the window, so that it closes after it.
  DisplayConnection display;
  if (!display.ok()) {
    return render_error(
        formats::ErrorCode::kUnsupported,
        "rendering needs an X display (" + display.error() + "); run under `xvfb-run -a`");
  }
  auto window = vtkSmartPointer<vtkRenderWindow>::New();
  window->SetDisplayId(display.display());
  window->SetOffScreenRendering(1);
  window->SetMultiSamples(0);  // exact legend colours on edges: no blending with the background
  window->SetSize(request.width, request.height);
  auto renderer = vtkSmartPointer<vtkRenderer>::New();
  renderer->SetBackground(request.style.background[0], request.style.background[1],
                          request.style.background[2]);
  window->AddRenderer(renderer);
  {
    SceneRenderer scene(renderer, request.style);
    const std::int64_t frame = session.frame();
    scene.set_cloud(std::move(cloud),
                    session.T_world_lidar(frame).value_or(geometry::Pose::Identity()));
    scene.update_from_session(session);
    apply_camera(render_camera(session, request), renderer->GetActiveCamera());
    scene.reset_clipping_range();
    window->Render();

    auto grab = vtkSmartPointer<vtkWindowToImageFilter>::New();
    grab->SetInput(window);
    grab->SetInputBufferTypeToRGB();
    grab->ReadFrontBufferOff();
    grab->Update();
    vtkImageData* data = grab->GetOutput();
    int dims[3] = {0, 0, 0};
    data->GetDimensions(dims);
    auto* pixels = static_cast<const std::uint8_t*>(data->GetScalarPointer());
    if (pixels == nullptr || dims[0] != request.width || dims[1] != request.height) {
      return render_error(formats::ErrorCode::kIo, "the offscreen render produced no image");
    }
    Image image;
    image.width = dims[0];
    image.height = dims[1];
    image.rgb.resize(static_cast<std::size_t>(image.width) * image.height * 3);
    const std::size_t row = static_cast<std::size_t>(image.width) * 3;
    for (int y = 0; y < image.height; ++y) {  // VTK rows run bottom-up
      std::copy_n(pixels + static_cast<std::size_t>(image.height - 1 - y) * row, row,
                  image.rgb.data() + static_cast<std::size_t>(y) * row);
    }
    return image;
  }
}

formats::Status render_png(const plugin::Session& session,
                           std::shared_ptr<const formats::PointCloud> cloud,
                           const RenderRequest& request, const std::filesystem::path& path,
                           bool overwrite) {
  auto image = render_image(session, std::move(cloud), request);
  if (!image) return image.error();
  auto data = vtkSmartPointer<vtkImageData>::New();
  data->SetDimensions(image->width, image->height, 1);
  data->AllocateScalars(VTK_UNSIGNED_CHAR, 3);
  auto* out = static_cast<std::uint8_t*>(data->GetScalarPointer());
  const std::size_t row = static_cast<std::size_t>(image->width) * 3;
  for (int y = 0; y < image->height; ++y) {
    std::copy_n(image->rgb.data() + static_cast<std::size_t>(y) * row, row,
                out + static_cast<std::size_t>(image->height - 1 - y) * row);
  }
  auto writer = vtkSmartPointer<vtkPNGWriter>::New();
  writer->SetInputData(data);
  writer->WriteToMemoryOn();
  writer->Write();
  vtkUnsignedCharArray* bytes = writer->GetResult();
  if (bytes == nullptr || bytes->GetNumberOfTuples() == 0) {
    formats::Error e = render_error(formats::ErrorCode::kIo, "PNG encoding failed");
    e.path = path.string();
    return e;
  }
  const std::string_view view(reinterpret_cast<const char*>(bytes->GetPointer(0)),
                              static_cast<std::size_t>(bytes->GetNumberOfTuples()));
  return formats::write_file_atomic(path, view, overwrite);
}

}  // namespace pcanno::viewer
