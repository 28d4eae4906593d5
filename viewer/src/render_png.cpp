#include "pcanno/viewer/render_png.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <vtkImageData.h>
#include <vtkPNGWriter.h>
#include <vtkRenderWindow.h>
#include <vtkRenderer.h>
#include <vtkSmartPointer.h>
#include <vtkUnsignedCharArray.h>
#include <vtkWindowToImageFilter.h>

#include "pcanno/formats/support/atomic_write.hpp"
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

namespace {

// The vertical extent [m] a view needs to show `span` (in the heading's frame) in `request`'s
// aspect ratio.
double extent_for(const RenderRequest& request, const Eigen::Vector3d& span) {
  const double aspect = static_cast<double>(request.width) / request.height;
  switch (request.view) {
    case plugin::ViewKind::kTop:
      return std::max(span.y(), span.x() / aspect);
    case plugin::ViewKind::kSide:
      return std::max(span.z(), span.x() / aspect);
    case plugin::ViewKind::kFront:
      return std::max(span.z(), span.y() / aspect);
    case plugin::ViewKind::kPerspective:
      return span.norm();
  }
  return span.norm();
}

// The 1st..99th percentile box of a strided sample of the cloud, in the heading's frame: stray
// returns far out must not shrink the object to a dot.
std::optional<std::pair<Eigen::Vector3d, Eigen::Vector3d>> robust_bounds(
    const formats::PointCloud& cloud, const geometry::Pose& T_heading_lidar) {
  const std::size_t stride = std::max<std::size_t>(1, cloud.size() / 20000);
  std::array<std::vector<double>, 3> axes;
  for (std::size_t i = 0; i < cloud.size(); i += stride) {
    const Eigen::Vector3d p = cloud.point(i);  // in double: a UTM cloud keeps its detail
    if (!p.allFinite()) continue;
    const Eigen::Vector3d q = T_heading_lidar * p;
    for (int k = 0; k < 3; ++k) axes[k].push_back(q[k]);
  }
  if (axes[0].empty()) return std::nullopt;
  Eigen::Vector3d lo, hi;
  for (int k = 0; k < 3; ++k) {
    std::vector<double>& v = axes[k];
    const auto at = [&v](double q) {
      auto it = v.begin() + static_cast<std::ptrdiff_t>(q * static_cast<double>(v.size() - 1));
      std::nth_element(v.begin(), it, v.end());
      return *it;
    };
    lo[k] = at(0.01);
    hi[k] = at(0.99);
  }
  return std::pair{lo, hi};
}

}  // namespace

CameraPose render_camera(const plugin::Session& session, const RenderRequest& request,
                         const formats::PointCloud* cloud) {
  const std::int64_t frame = session.frame();
  if (request.center_track) {
    if (auto box = session.box_in_world(*request.center_track, frame)) {
      return camera_on_box(request.view, *box);
    }
  }
  Eigen::Vector3d focus = Eigen::Vector3d::Zero();
  double yaw = 0.0;  // views follow the sensor's heading when the sequence has poses
  const geometry::Pose T_world_lidar =
      session.T_world_lidar(frame).value_or(geometry::Pose::Identity());
  if (session.T_world_lidar(frame)) {
    focus = T_world_lidar.translation();
    const Eigen::Vector3d forward = T_world_lidar.linear().col(0);
    yaw = std::atan2(forward.y(), forward.x());
  }
  // The centre and spread of the boxes and polylines in the heading's frame, as the views see
  // them.
  const Eigen::Matrix3d R_world_heading =
      Eigen::AngleAxisd(yaw, Eigen::Vector3d::UnitZ()).toRotationMatrix();
  Eigen::Vector3d lo = Eigen::Vector3d::Constant(1e300), hi = -lo;
  std::size_t count = 0;
  const auto extend = [&](const Eigen::Vector3d& p) {
    const Eigen::Vector3d in_heading = R_world_heading.transpose() * p;
    lo = lo.cwiseMin(in_heading);
    hi = hi.cwiseMax(in_heading);
  };
  for (const plugin::BoxAtFrame& b : session.boxes_at(frame)) {
    auto box = session.box_in_world(b.track->id, frame);
    if (!box) continue;
    for (const Eigen::Vector3d& c : box->corners()) extend(c);
    ++count;
  }
  for (const ScenePolyline& p : scene_polylines(session, request.style)) {
    for (const Eigen::Vector3d& v : p.line_in_world.vertices) extend(v);
    count += p.line_in_world.vertices.empty() ? 0 : 1;
  }
  if (count > 0) {
    focus = R_world_heading * ((lo + hi) / 2.0);
    double extent = extent_for(request, hi - lo);
    // Capped: a nuScenes frame labels objects 100 m apart, which would make every box tiny.
    if (request.view == plugin::ViewKind::kPerspective) extent = std::min(extent, 50.0);
    extent = std::max(extent * 1.3, 8.0);  // a margin, and never closer than a car's size
    return make_camera(request.view, focus, extent, yaw);
  }
  // No boxes: the cloud itself, from a scanned object a hand wide to a street (at most 80 m
  // across); without a cloud, 40 m around the sensor.
  if (cloud != nullptr) {
    geometry::Pose T_heading_lidar = geometry::Pose::Identity();
    T_heading_lidar.linear() = R_world_heading.transpose();
    T_heading_lidar = T_heading_lidar * T_world_lidar;
    if (auto bounds = robust_bounds(*cloud, T_heading_lidar)) {
      const auto& [b_lo, b_hi] = *bounds;
      focus = R_world_heading * ((b_lo + b_hi) / 2.0);
      const double extent = std::clamp(extent_for(request, b_hi - b_lo) * 1.15, 0.01, 80.0);
      return make_camera(request.view, focus, extent, yaw);
    }
  }
  return make_camera(request.view, focus, 40.0, yaw);
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
    const CameraPose camera = render_camera(session, request, cloud.get());
    const std::int64_t frame = session.frame();
    scene.set_camera_colors(request.camera_colors);
    scene.set_cloud(std::move(cloud),
                    session.T_world_lidar(frame).value_or(geometry::Pose::Identity()));
    scene.set_fill_areas(request.view == plugin::ViewKind::kTop);
    scene.update_from_session(session);
    apply_camera(camera, renderer->GetActiveCamera());
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

formats::Status write_png(const Image& image, const std::filesystem::path& path, bool overwrite) {
  if (image.empty() ||
      image.rgb.size() != static_cast<std::size_t>(image.width) * image.height * 3) {
    formats::Error e = render_error(
        formats::ErrorCode::kUnsupported,
        "cannot write a " + std::to_string(image.width) + "x" + std::to_string(image.height) +
            " image with " + std::to_string(image.rgb.size()) + " bytes of RGB as a PNG");
    e.path = path.string();
    return e;
  }
  auto data = vtkSmartPointer<vtkImageData>::New();
  data->SetDimensions(image.width, image.height, 1);
  data->AllocateScalars(VTK_UNSIGNED_CHAR, 3);
  auto* out = static_cast<std::uint8_t*>(data->GetScalarPointer());
  const std::size_t row = static_cast<std::size_t>(image.width) * 3;
  for (int y = 0; y < image.height; ++y) {  // VTK rows run bottom-up
    std::copy_n(image.rgb.data() + static_cast<std::size_t>(y) * row, row,
                out + static_cast<std::size_t>(image.height - 1 - y) * row);
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

formats::Status render_png(const plugin::Session& session,
                           std::shared_ptr<const formats::PointCloud> cloud,
                           const RenderRequest& request, const std::filesystem::path& path,
                           bool overwrite) {
  auto image = render_image(session, std::move(cloud), request);
  if (!image) return image.error();
  return write_png(*image, path, overwrite);
}

}  // namespace pcanno::viewer
