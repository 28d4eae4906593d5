// `pcanno render SEQUENCE [--labels F] --frame N --out shot.png [--view V] [--size WxH]
// [--color-by C] [--point-size P] [--track ID]`: the viewer's scene as a PNG, offscreen (needs an X
// display; `xvfb-run -a` on a headless machine). For tests, reports and CI.
// With `--camera CAM [--points] [--boxes-2d]`: the frame's image of that camera with the labels
// (and LiDAR points) projected into it, drawn in software (no display needed).
// The display options (--accumulate, --stack-track, --hide-ground, --crop, --crop-track,
// --focus-track, --intensity-min/max) build the shown points as the workstation's View > Display.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "cli_support.hpp"
#include "label_input.hpp"
#include "pcanno/formats/datasets/image.hpp"
#include "pcanno/formats/datasets/sequence.hpp"
#include "pcanno/formats/support/output_folder.hpp"
#include "pcanno/plugin/automation/ego_motion.hpp"
#include "pcanno/plugin/display/point_display.hpp"
#include "pcanno/plugin/registry.hpp"
#include "pcanno/plugin/sequence_frames.hpp"
#include "pcanno/plugin/session.hpp"
#include "pcanno/viewer/camera_colors.hpp"
#include "pcanno/viewer/camera_overlay.hpp"
#include "pcanno/viewer/render_png.hpp"

namespace pcanno::app {
namespace {

struct RenderCommandOptions {
  std::string sequence;
  std::string sequence_name;
  bool sweeps = false;  ///< nuScenes/Lyft: frame numbers count every LiDAR sweep
  std::string labels;
  std::string from;
  std::int64_t frame = 0;
  std::string out;
  std::string view = "perspective";
  std::string size = "1280x800";
  std::string color_by = "intensity";
  float point_size = 2.0f;
  std::optional<std::int64_t> track;
  bool force = false;
  std::string camera;     ///< draw into this camera's image instead of rendering the scene
  bool points = false;    ///< with --camera: LiDAR points coloured by depth
  bool boxes_2d = false;  ///< with --camera: each box's projected 2D box
  // sparse: what the scene shows of the frame (plugin::PointDisplay)
  std::string accumulate;  ///< "P" or "P,F": past and future frames
  bool hide_ground = false;
  std::string crop;  ///< "x0,y0,z0,x1,y1,z1" [m, the frame's LiDAR frame]
  std::optional<std::int64_t> crop_track;
  std::optional<std::int64_t> focus_track;
  double focus_margin = 2.0;
  std::optional<std::int64_t> stack_track;
  std::optional<float> intensity_min;
  std::optional<float> intensity_max;
};

const std::map<std::string, plugin::ViewKind> kViews = {
    {"perspective", plugin::ViewKind::kPerspective},
    {"top", plugin::ViewKind::kTop},
    {"side", plugin::ViewKind::kSide},
    {"front", plugin::ViewKind::kFront}};

const std::map<std::string, viewer::ColorBy> kColorModes = {
    {"intensity", viewer::ColorBy::kIntensity}, {"height", viewer::ColorBy::kHeight},
    {"distance", viewer::ColorBy::kDistance},   {"class", viewer::ColorBy::kClass},
    {"camera", viewer::ColorBy::kCamera},       {"time", viewer::ColorBy::kTime}};

// sparse ---------------------------------------------------------------------------------------

/// Comma-separated numbers of an option: exactly `count`, else a usage message naming it.
std::optional<std::vector<double>> parse_numbers(const std::string& text, std::size_t count,
                                                 const std::string& option, std::string& error) {
  std::vector<double> values;
  std::istringstream in(text);
  std::string item;
  while (std::getline(in, item, ',')) {
    std::size_t used = 0;
    double v = 0.0;
    try {
      v = std::stod(item, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used == 0 || used != item.size() || !std::isfinite(v)) {
      error = option + ": '" + item + "' is not a number (in '" + text + "')";
      return std::nullopt;
    }
    values.push_back(v);
  }
  if (values.size() != count) {
    error = option + ": expected " + std::to_string(count) + " comma-separated numbers, got '" +
            text + "'";
    return std::nullopt;
  }
  return values;
}

/// The display options of the command line; nullopt with `error` set when one is malformed.
std::optional<plugin::DisplayOptions> display_options(const RenderCommandOptions& opt,
                                                      std::string& error) {
  plugin::DisplayOptions o;
  if (!opt.accumulate.empty()) {
    const bool both = opt.accumulate.find(',') != std::string::npos;
    auto counts = parse_numbers(opt.accumulate, both ? 2 : 1, "--accumulate", error);
    if (!counts) return std::nullopt;
    for (double c : *counts) {
      if (c < 0 || c > 1000 || c != std::floor(c)) {
        error = "--accumulate: expected PAST[,FUTURE] frame counts in 0..1000, got '" +
                opt.accumulate + "'";
        return std::nullopt;
      }
    }
    o.past = static_cast<int>((*counts)[0]);
    o.future = both ? static_cast<int>((*counts)[1]) : 0;
  }
  if (!opt.crop.empty()) {
    auto c = parse_numbers(opt.crop, 6, "--crop", error);
    if (!c) return std::nullopt;
    const Eigen::Vector3d a((*c)[0], (*c)[1], (*c)[2]), b((*c)[3], (*c)[4], (*c)[5]);
    o.crop_region = plugin::DisplayRegion{a.cwiseMin(b), a.cwiseMax(b)};
  }
  o.hide_ground = opt.hide_ground;
  o.crop_track = opt.crop_track;
  o.focus_track = opt.focus_track;
  o.focus_margin = opt.focus_margin;
  o.stack_track = opt.stack_track;
  o.intensity_min = opt.intensity_min;
  o.intensity_max = opt.intensity_max;
  return o;
}

/// The points the scene shows: the frame's own, or what the display options build from it and
/// its neighbours. A sequence without poses that accumulates is placed by its ego motion
/// (estimated, or read from the cache `pcanno ego-motion` and the workstation share).
formats::Expected<std::shared_ptr<const formats::PointCloud>> display_points(
    const formats::Sequence& sequence, std::size_t frame, const formats::Annotations& labels,
    const plugin::DisplayOptions& options) {
  formats::FrameCacheOptions cache_options;
  cache_options.threads = 0;  // one frame after the other, on this thread
  formats::ReadOptions read;
  read.drop_non_finite = true;
  formats::FrameCache cache = formats::make_frame_cache(sequence, cache_options, read);
  plugin::DisplaySource source;
  source.frames = &cache;
  source.T_world_lidar = plugin::sequence_poses(sequence);
  source.timestamps_us = plugin::sequence_timestamps(sequence);
  source.document = &labels;
  if ((options.past > 0 || options.future > 0) && !sequence.has_poses()) {
    plugin::EgoMotionOptions ego;
    ego.cache_dir = plugin::default_ego_motion_cache();
    auto motion = plugin::estimate_ego_motion(sequence, ego);
    if (!motion) return std::move(motion).error();
    source.T_world_lidar.assign(motion->T_world_lidar.begin(), motion->T_world_lidar.end());
  }
  plugin::PointDisplay display;
  auto built = display.build(source, frame, options);
  if (!built) return built;
  for (const std::string& w : display.stats().warnings) {
    std::cerr << "pcanno: warning: " << w << "\n";
  }
  return built;
}

// ----------------------------------------------------------------------------------- sparse end

/// --color-by camera: every point's colour in the frame's decoded camera images. A frame without
/// images, or whose images all fail to decode, is an error: the render would be uniformly grey.
formats::Expected<std::shared_ptr<const std::vector<viewer::Rgb>>> camera_colors(
    const formats::Sequence& sequence, std::size_t frame, const formats::PointCloud& cloud,
    viewer::Rgb none) {
  const std::vector<formats::CameraImage>& cameras = sequence.frames[frame].images;
  if (cameras.empty()) {
    return formats::Error{
        formats::ErrorCode::kNotFound,
        "--color-by camera: frame " + std::to_string(frame) + " has no camera images",
        sequence.root.string()};
  }
  std::vector<std::shared_ptr<const formats::Image>> images;
  std::optional<formats::Error> first_error;
  for (const formats::CameraImage& camera : cameras) {
    auto image = formats::decode_image(camera.path);
    if (image) {
      images.push_back(std::make_shared<const formats::Image>(std::move(*image)));
    } else {
      images.push_back(nullptr);
      if (!first_error) first_error = image.error();
    }
  }
  if (std::all_of(images.begin(), images.end(), [](const auto& i) { return !i; })) {
    return *first_error;
  }
  return std::make_shared<const std::vector<viewer::Rgb>>(
      viewer::camera_point_colors(cloud, cameras, images, none));
}

bool parse_size(const std::string& text, int& width, int& height) {
  char x = 0, extra = 0;
  std::istringstream in(text);
  return (in >> width >> x >> height) && (x == 'x' || x == 'X') && !(in >> extra);
}

// The channel names of `sequence`'s cameras, for messages: "CAM_FRONT, CAM_BACK" or "none".
std::string camera_list(const formats::Sequence& sequence) {
  std::string out;
  for (const std::string& c : sequence.cameras) out += (out.empty() ? "" : ", ") + c;
  return out.empty() ? "none" : out;
}

// --labels as the sequence numbers its frames: a document made on a scene's keyframes, drawn with
// its sweeps, has its boxes moved to the keyframes (as `pcanno view` opens it).
formats::Expected<formats::Annotations> render_labels(const RenderCommandOptions& opt,
                                                      const plugin::Registry& registry,
                                                      const formats::Sequence& sequence) {
  auto read = read_labels(registry, opt.labels, opt.from, &sequence);
  if (!read) return read;
  auto fitted = plugin::fit_document_to_sequence(*read, sequence);
  if (!fitted) {
    formats::Error e = std::move(fitted).error();
    if (e.path.empty()) e.path = opt.labels;
    return e;
  }
  if (*fitted) std::cerr << "pcanno: note: " << **fitted << "\n";
  return read;
}

// The labels a camera render draws: --labels, else the dataset's own (as `pcanno view` opens
// them), else none. The dataset's labels are a convenience: when they cannot be read the image is
// drawn without them and a warning says why.
formats::Expected<formats::Annotations> camera_labels(const RenderCommandOptions& opt,
                                                      const plugin::Registry& registry,
                                                      const formats::Sequence& sequence) {
  if (!opt.labels.empty()) return render_labels(opt, registry, sequence);
  std::error_code ec;
  if (sequence.labels.empty() || !std::filesystem::exists(sequence.labels, ec)) {
    return formats::Annotations{};
  }
  // The nuScenes codec reads the dataroot (tables and all), not the table folder.
  const std::filesystem::path own = sequence.layout == "nuscenes" ? sequence.root : sequence.labels;
  auto read = read_labels(registry, own.string(), sequence.layout, &sequence);
  if (read) return read;
  std::cerr << "pcanno: warning: the dataset's labels were not read (" << read.error().describe()
            << "); drawing the image without labels\n";
  return formats::Annotations{};
}

/// The sequence to render, once an existing --out has been refused (before the work, not after
/// it); nullopt with `exit_code` set otherwise.
std::optional<formats::Sequence> open_render_sequence(const RenderCommandOptions& opt,
                                                      const plugin::Registry& registry,
                                                      int& exit_code) {
  std::error_code ec;
  if (!opt.force && std::filesystem::exists(opt.out, ec)) {
    exit_code = refuse_to_replace({opt.out});
    return std::nullopt;
  }
  return open_sequence_at_frame(opt.sequence, opt.sequence_name, opt.frame, exit_code,
                                registry.shared_readers(), opt.sweeps);
}

int run_render_camera(const RenderCommandOptions& opt, const plugin::Registry& registry) {
  int exit_code = kExitOk;
  auto sequence = open_render_sequence(opt, registry, exit_code);
  if (!sequence) return exit_code;
  if (std::find(sequence->cameras.begin(), sequence->cameras.end(), opt.camera) ==
      sequence->cameras.end()) {
    return report_usage("--camera: " + opt.sequence + " has no camera '" + opt.camera +
                        "'; its cameras: " + camera_list(*sequence));
  }
  const formats::FrameRef& frame_ref = sequence->frames[static_cast<std::size_t>(opt.frame)];
  const formats::CameraImage* camera_image = frame_ref.image(opt.camera);
  // A layout may list the image a frame should have although the file is missing.
  std::error_code ec;
  if (camera_image == nullptr || !std::filesystem::exists(camera_image->path, ec)) {
    return report_message(
        "frame " + std::to_string(opt.frame) + " (" + frame_ref.name + ") has no " + opt.camera +
        " image" +
        (camera_image ? " (" + camera_image->path.string() + " does not exist)" : std::string()));
  }
  auto image = formats::decode_image(camera_image->path);
  if (!image) return report(image.error());
  formats::CameraImage camera = *camera_image;
  if (camera.camera.width > 0 && camera.camera.height > 0 &&
      (camera.camera.width != image->width || camera.camera.height != image->height)) {
    std::cerr << "pcanno: warning: " << camera_image->path.string() << " is " << image->width << "x"
              << image->height << " pixels, its calibration says " << camera.camera.width << "x"
              << camera.camera.height << "; drawing for the image's size\n";
  }
  camera.camera.width = image->width;  // a Lyft row without a size gets it from the image
  camera.camera.height = image->height;

  auto labels = camera_labels(opt, registry, *sequence);
  if (!labels) return report(labels.error());
  if (opt.track && (labels->track(*opt.track) == nullptr ||
                    labels->track(*opt.track)->at(opt.frame) == nullptr)) {
    return report_usage("--track: track " + std::to_string(*opt.track) + " has no box in frame " +
                        std::to_string(opt.frame));
  }
  std::optional<formats::CloudFile> cloud;
  if (opt.points) {
    auto loaded = sequence->load_frame(static_cast<std::size_t>(opt.frame));
    if (!loaded) return report(loaded.error());
    cloud = std::move(*loaded);
  }
  viewer::OverlayOptions options;
  options.points = opt.points;
  options.boxes_2d = opt.boxes_2d;
  options.selected_track = opt.track;
  const viewer::SceneStyle style;
  const viewer::CameraOverlay overlay = viewer::compose_overlay(
      *labels, &*sequence, opt.frame, camera, cloud ? &cloud->cloud : nullptr, options, style);
  viewer::draw_overlay(*image, overlay, style.line_width);

  formats::OutputFolders folders;
  formats::Status written = folders.create(output_parent(opt.out));
  if (written) written = viewer::write_png(*image, opt.out, opt.force);
  if (!written) return report(written.error());
  folders.keep();
  return kExitOk;
}

int run_render(const RenderCommandOptions& opt, const plugin::Registry& registry) {
  if (!opt.camera.empty()) return run_render_camera(opt, registry);
  if (opt.points || opt.boxes_2d) {
    return report_usage(std::string(opt.points ? "--points" : "--boxes-2d") +
                        " draws into a camera image: give --camera");
  }
  viewer::RenderRequest request;
  if (!parse_size(opt.size, request.width, request.height) || request.width < 16 ||
      request.height < 16 || request.width > 8192 || request.height > 8192) {
    return report_usage("--size: expected WIDTHxHEIGHT with each side in 16..8192 pixels, got '" +
                        opt.size + "'");
  }
  if (!(opt.point_size > 0.0f && opt.point_size <= 64.0f)) {
    return report_usage("--point-size: expected a size in (0, 64] pixels");
  }
  request.view = kViews.at(opt.view);
  request.style.color_by = kColorModes.at(opt.color_by);
  request.style.point_size = opt.point_size;
  request.center_track = opt.track;
  std::string display_error;
  const std::optional<plugin::DisplayOptions> display = display_options(opt, display_error);
  if (!display) return report_usage(display_error);

  int exit_code = kExitOk;
  auto sequence = open_render_sequence(opt, registry, exit_code);
  if (!sequence) return exit_code;
  formats::Annotations labels;
  if (!opt.labels.empty()) {
    auto read = render_labels(opt, registry, *sequence);
    if (!read) return report(read.error());
    labels = std::move(*read);
  }
  std::shared_ptr<const formats::PointCloud> points;
  if (display->is_plain()) {
    auto cloud = sequence->load_frame(static_cast<std::size_t>(opt.frame));
    if (!cloud) return report(cloud.error());
    points = std::make_shared<const formats::PointCloud>(std::move(cloud->cloud));
  } else {  // sparse
    auto built = display_points(*sequence, static_cast<std::size_t>(opt.frame), labels, *display);
    if (!built) return report(built.error());
    points = std::move(*built);
  }
  if (request.style.color_by == viewer::ColorBy::kCamera) {
    auto colors = camera_colors(*sequence, static_cast<std::size_t>(opt.frame), *points,
                                request.style.no_camera_color);
    if (!colors) return report(colors.error());
    request.camera_colors = std::move(*colors);
  }

  std::unique_ptr<plugin::Session> session =
      plugin::Session::create(std::move(labels), std::move(*sequence));
  if (auto status = session->set_frame(opt.frame); !status) return report(status.error());
  if (opt.track && !session->box_in_world(*opt.track, opt.frame)) {
    return report_usage("--track: track " + std::to_string(*opt.track) + " has no box in frame " +
                        std::to_string(opt.frame));
  }
  // Missing folders of --out are made, and taken away again when the write fails.
  formats::OutputFolders folders;
  formats::Status written = folders.create(output_parent(opt.out));
  if (written) written = viewer::render_png(*session, points, request, opt.out, opt.force);
  if (!written) return report(written.error());
  folders.keep();
  return kExitOk;
}

}  // namespace

void add_render_command(CLI::App& app, const GlobalOptions& /*global*/,
                        const plugin::Registry& registry, CommandAction& action) {
  auto opt = std::make_shared<RenderCommandOptions>();
  CLI::App* cmd = app.add_subcommand(
      "render",
      "Render one frame (points, boxes, polylines) to a PNG offscreen; needs an X display "
      "(use `xvfb-run -a pcanno render ...` on a headless machine). With --camera: the frame's "
      "image of that camera with the labels projected into it (no display needed)");
  cmd->add_option("sequence", opt->sequence, "Dataset or folder of clouds")->required();
  cmd->add_option("--frame", opt->frame, "Frame index")->required();
  cmd->add_option("--out", opt->out,
                  "PNG to write (written atomically; folders are made when missing)")
      ->required();
  cmd->add_option("--labels", opt->labels, "Labels to draw (any readable format)");
  cmd->add_option("--from", opt->from, "Label format id (detected when omitted)");
  CLI::Option* view =
      cmd->add_option("--view", opt->view, "Camera: perspective (default), top, side or front")
          ->check(CLI::IsMember({"perspective", "top", "side", "front"}));
  CLI::Option* size =
      cmd->add_option("--size", opt->size, "Image size WIDTHxHEIGHT in pixels (default 1280x800)");
  CLI::Option* color_by =
      cmd->add_option("--color-by", opt->color_by,
                      "Point colours: intensity (default), height, distance, class (of the box "
                      "a point is in), camera (the RGB of the frame's camera images) or time "
                      "(the frame offset of accumulated points: past blue, current green, "
                      "future red)")
          ->check(CLI::IsMember({"intensity", "height", "distance", "class", "camera", "time"}));
  CLI::Option* point_size =
      cmd->add_option("--point-size", opt->point_size, "Point size in pixels (default 2)");
  cmd->add_option("--track", opt->track,
                  "Centre the view on this track's box; with --camera, highlight it in the "
                  "selection colour");
  CLI::Option* camera =
      cmd->add_option(
             "--camera", opt->camera,
             "Draw into this camera's image of the frame instead (image_2, CAM_FRONT, ...; "
             "`pcanno info` lists them): boxes with their heading face and polylines in "
             "class colours; labels from --labels, else the dataset's own")
          ->excludes(view)
          ->excludes(size)
          ->excludes(color_by)
          ->excludes(point_size);
  cmd->add_flag("--points", opt->points,
                "With --camera: the frame's LiDAR points, coloured by depth (red near, blue from "
                "60 m)");
  cmd->add_flag("--boxes-2d", opt->boxes_2d,
                "With --camera: each box's projected 2D box (clipped to the image)");
  cmd->add_option("--sequence-name", opt->sequence_name, "Sequence or scene inside the dataset");
  // sparse: what the scene shows of the frame
  std::vector<CLI::Option*> display = {
      cmd->add_option("--accumulate", opt->accumulate,
                      "PAST[,FUTURE]: add the points of that many earlier (and later) frames, "
                      "placed through the world frame (the sequence's poses, else its estimated "
                      "ego motion)"),
      cmd->add_flag("--hide-ground", opt->hide_ground,
                    "Leave out the ground points (a ground model fitted per frame)"),
      cmd->add_option("--crop", opt->crop,
                      "x0,y0,z0,x1,y1,z1: only the points inside this axis-aligned region [m, "
                      "the frame's LiDAR frame]"),
      cmd->add_option("--crop-track", opt->crop_track,
                      "Only the points inside this track's box at the frame"),
      cmd->add_option("--focus-track", opt->focus_track,
                      "Only the points within --focus-margin of this track's box at the frame"),
      cmd->add_option("--focus-margin", opt->focus_margin,
                      "Margin around the --focus-track box in metres (default 2)"),
      cmd->add_option("--stack-track", opt->stack_track,
                      "With --accumulate: this track's points from the other frames are placed "
                      "through its boxes, so that a moving object's points pile up on its box"),
      cmd->add_option("--intensity-min", opt->intensity_min,
                      "Only the points of at least this intensity"),
      cmd->add_option("--intensity-max", opt->intensity_max,
                      "Only the points of at most this intensity")};
  for (CLI::Option* o : display) o->excludes(camera);
  cmd->add_flag("--sweeps", opt->sweeps,
                "nuScenes/Lyft: --frame counts every LiDAR sweep, not only keyframes (as `pcanno "
                "view --sweeps` numbers them)");
  cmd->add_flag("--force", opt->force, "Replace an existing output file");
  cmd->callback([opt, &registry, &action] {
    action = [opt, &registry] { return run_render(*opt, registry); };
  });
}

}  // namespace pcanno::app
