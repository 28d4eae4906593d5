#pragma once
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <vector>

#include "pcanno/formats/clouds/point_cloud.hpp"
#include "pcanno/formats/datasets/image.hpp"
#include "pcanno/formats/support/expected.hpp"
#include "pcanno/plugin/tool.hpp"
#include "pcanno/viewer/camera.hpp"
#include "pcanno/viewer/scene_style.hpp"

namespace pcanno::plugin {
class Session;
}

namespace pcanno::viewer {

/// What an offscreen render shows and how big it is.
struct RenderRequest {
  int width = 1280;  ///< [px]
  int height = 800;  ///< [px]
  plugin::ViewKind view = plugin::ViewKind::kPerspective;
  /// Centre the view on this track's box at the session's frame; else on the frame's scene.
  std::optional<std::int64_t> center_track;
  SceneStyle style;
  /// ColorBy::kCamera: each point's colour in the frame's camera images (camera_point_colors()).
  std::shared_ptr<const std::vector<Rgb>> camera_colors;
};

/// The camera render_png() uses for `request` at the session's current frame: centred on the
/// requested box, else on the boxes and polylines with an extent covering them; a frame without
/// either is framed on `cloud` (its sensor frame; the 1st..99th percentiles, at most 80 m
/// across), or shows 40 m around the sensor without one.
CameraPose render_camera(const plugin::Session& session, const RenderRequest& request,
                         const formats::PointCloud* cloud = nullptr);

using Image = formats::Image;  ///< RGB, rows top to bottom

/// Renders the session's current frame (boxes, polylines) over `cloud` (its sensor frame; may be
/// null) in an offscreen window with render_camera(). The top view fills areas (closed
/// polylines); the other views draw their outlines only.
formats::Expected<Image> render_image(const plugin::Session& session,
                                      std::shared_ptr<const formats::PointCloud> cloud,
                                      const RenderRequest& request);

/// `image` written as an 8-bit RGB PNG, atomically (temporary sibling, then rename). An existing
/// file is replaced only with `overwrite`. An empty image, or one whose `rgb` does not hold
/// width * height * 3 bytes, is refused (kUnsupported) naming `path`. Needs no display.
formats::Status write_png(const Image& image, const std::filesystem::path& path,
                          bool overwrite = true);

/// render_image() written as a PNG, atomically (temporary sibling, then rename). An existing file
/// is replaced only with `overwrite`.
formats::Status render_png(const plugin::Session& session,
                           std::shared_ptr<const formats::PointCloud> cloud,
                           const RenderRequest& request, const std::filesystem::path& path,
                           bool overwrite = true);

}  // namespace pcanno::viewer
