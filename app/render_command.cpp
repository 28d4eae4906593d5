// `pcanno render SEQUENCE [--labels F] --frame N --out shot.png [--view V] [--size WxH]
// [--color-by C] [--point-size P] [--track ID]`: the viewer's scene as a PNG, offscreen (needs an X
// display; `xvfb-run -a` on a headless machine). For tests, reports and CI.
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <sstream>

#include <CLI/CLI.hpp>

#include "cli_support.hpp"
#include "label_input.hpp"
#include "pcanno/formats/datasets/sequence.hpp"
#include "pcanno/formats/support/output_folder.hpp"
#include "pcanno/plugin/registry.hpp"
#include "pcanno/plugin/session.hpp"
#include "pcanno/viewer/render_png.hpp"

namespace pcanno::app {
namespace {

struct RenderCommandOptions {
  std::string sequence;
  std::string sequence_name;
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
};

const std::map<std::string, plugin::ViewKind> kViews = {
    {"perspective", plugin::ViewKind::kPerspective},
    {"top", plugin::ViewKind::kTop},
    {"side", plugin::ViewKind::kSide},
    {"front", plugin::ViewKind::kFront}};

const std::map<std::string, viewer::ColorBy> kColorModes = {
    {"intensity", viewer::ColorBy::kIntensity},
    {"height", viewer::ColorBy::kHeight},
    {"distance", viewer::ColorBy::kDistance},
    {"class", viewer::ColorBy::kClass}};

bool parse_size(const std::string& text, int& width, int& height) {
  char x = 0, extra = 0;
  std::istringstream in(text);
  return (in >> width >> x >> height) && (x == 'x' || x == 'X') && !(in >> extra);
}

int run_render(const RenderCommandOptions& opt, const plugin::Registry& registry) {
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

  // An existing --out is refused before the work, not after it.
  std::error_code ec;
  if (!opt.force && std::filesystem::exists(opt.out, ec)) return refuse_to_replace({opt.out});
  int exit_code = kExitOk;
  auto sequence = open_sequence_at_frame(opt.sequence, opt.sequence_name, opt.frame, exit_code,
                                         registry.shared_readers());
  if (!sequence) return exit_code;
  formats::Annotations labels;
  if (!opt.labels.empty()) {
    auto read = read_labels(registry, opt.labels, opt.from, &*sequence);
    if (!read) return report(read.error());
    labels = std::move(*read);
  }
  auto cloud = sequence->load_frame(static_cast<std::size_t>(opt.frame));
  if (!cloud) return report(cloud.error());
  auto points = std::make_shared<const formats::PointCloud>(std::move(cloud->cloud));

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
      "(use `xvfb-run -a pcanno render ...` on a headless machine)");
  cmd->add_option("sequence", opt->sequence, "Dataset or folder of clouds")->required();
  cmd->add_option("--frame", opt->frame, "Frame index")->required();
  cmd->add_option("--out", opt->out,
                  "PNG to write (written atomically; folders are made when missing)")
      ->required();
  cmd->add_option("--labels", opt->labels, "Labels to draw (any readable format)");
  cmd->add_option("--from", opt->from, "Label format id (detected when omitted)");
  cmd->add_option("--view", opt->view, "Camera: perspective (default), top, side or front")
      ->check(CLI::IsMember({"perspective", "top", "side", "front"}));
  cmd->add_option("--size", opt->size, "Image size WIDTHxHEIGHT in pixels (default 1280x800)");
  cmd->add_option("--color-by", opt->color_by,
                  "Point colours: intensity (default), height, distance or class (of the box "
                  "a point is in)")
      ->check(CLI::IsMember({"intensity", "height", "distance", "class"}));
  cmd->add_option("--point-size", opt->point_size, "Point size in pixels (default 2)");
  cmd->add_option("--track", opt->track, "Centre the view on this track's box");
  cmd->add_option("--sequence-name", opt->sequence_name, "Sequence or scene inside the dataset");
  cmd->add_flag("--force", opt->force, "Replace an existing output file");
  cmd->callback([opt, &registry, &action] {
    action = [opt, &registry] { return run_render(*opt, registry); };
  });
}

}  // namespace pcanno::app
