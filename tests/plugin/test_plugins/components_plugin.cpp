// One component of each kind, each claiming origin "built-in": the host must stamp the plugin's
// file on all of them, and their code (the tool's vtable, the service) runs from this library.
#include <algorithm>
#include <cmath>
#include <memory>
#include <string>

#include "pcanno/plugin/command.hpp"
#include "pcanno/plugin/plugin_api.hpp"
#include "pcanno/plugin/session.hpp"

namespace {

using pcanno::formats::Error;
using pcanno::formats::ErrorCode;
namespace plugin = pcanno::plugin;

/// "test-tool": a left click places a 1 m "Marker" cube on the ground plane z = 0 under the
/// pointer, as a new track, and selects it; Escape finishes. It edits through its host
/// (plugin::ToolHost), because a plugin links no engine code: Session's inline accessors are all it
/// may call on the session itself.
class MarkerTool final : public plugin::Tool {
 public:
  std::string id() const override { return "test-tool"; }

  int on_pointer(plugin::Session& session, const plugin::PointerEvent& event) override {
    if (event.type != plugin::PointerEvent::Type::kPress ||
        event.button != plugin::MouseButton::kLeft) {
      return plugin::kIgnored;
    }
    if (host() == nullptr) {
      preview_.status = "test-tool needs a host to edit through";
      return plugin::kRender;
    }
    const Eigen::Vector3d& o = event.ray.origin;
    const Eigen::Vector3d& d = event.ray.direction;
    if (std::abs(d.z()) < 1e-9 || -o.z() / d.z() < 0.0) return plugin::kIgnored;
    const Eigen::Vector3d on_ground = o - (o.z() / d.z()) * d;

    const pcanno::formats::Annotations& doc = session.document();
    const std::int64_t frame = session.frame();
    std::int64_t id = 0;
    for (const pcanno::formats::Track& t : doc.tracks) id = std::max(id, t.id + 1);
    pcanno::formats::BoxState box;
    box.frame = frame;
    box.shape_frame = host()->shape_frame_for(frame);
    Eigen::Vector3d center = on_ground + Eigen::Vector3d(0.0, 0.0, 0.5);
    if (const auto pose = host()->T_world_lidar(frame);
        pose && box.shape_frame == pcanno::formats::ShapeFrame::kLidar) {
      center = pose->inverse() * center;
    }
    box.box = pcanno::geometry::Cuboid::from_yaw(center, Eigen::Vector3d::Ones(), 0.0);
    pcanno::formats::Track track;
    track.id = id;
    track.label = "Marker";
    track.boxes.push_back(box);

    plugin::Command command{"Place marker", {}};
    const bool known = std::any_of(doc.classes.begin(), doc.classes.end(),
                                   [](const auto& c) { return c.name == "Marker"; });
    if (!known) {
      command.edits.push_back(
          pcanno::formats::ClassEdit{"Marker", pcanno::formats::make_class_spec("Marker"), -1});
    }
    command.edits.push_back(pcanno::formats::TrackEdit{id, track});
    const pcanno::formats::Status done = host()->apply(command);
    if (!done) {
      preview_.status = "cannot place a marker: " + done.error().describe();
      return plugin::kConsumed | plugin::kRender;
    }
    host()->set_selection(plugin::Selection{id, std::nullopt, std::nullopt});
    preview_.status = "marker " + std::to_string(id);
    return plugin::kConsumed | plugin::kRender;
  }

  int on_key(plugin::Session& /*session*/, const plugin::KeyEvent& event) override {
    if (event.press && event.key == "Escape") return plugin::kConsumed | plugin::kFinished;
    return plugin::kIgnored;
  }
};

pcanno::formats::Status register_components(pcanno::plugin::PluginContext& context) {
  pcanno::formats::CloudReader reader;
  reader.id = "test-reader";
  reader.suffixes = {".testcloud"};
  reader.read = [](const std::filesystem::path& path, const pcanno::formats::ReadOptions&)
      -> pcanno::formats::Expected<pcanno::formats::CloudFile> {
    return Error{ErrorCode::kUnsupported, "test reader", path.string()};
  };
  context.add_reader(reader, {"reader", "test-reader", "0.1.0", 3, "built-in", "test reader"});

  pcanno::plugin::ToolFactory tool;
  tool.info = {"tool", "test-tool", "0.2.0", 0, "built-in", "test tool: a click places a marker"};
  tool.create = [] { return std::make_unique<MarkerTool>(); };
  context.add_tool(tool);

  pcanno::plugin::AutomationService service;
  service.info = {"service", "test-service", "0.3.0", 0, "built-in", "test service"};
  service.run = [](pcanno::plugin::Session&, const pcanno::formats::AttributeMap& parameters,
                   const std::function<bool(double)>&) -> pcanno::formats::Status {
    const auto it = parameters.find("answer");
    return Error{ErrorCode::kUnsupported,
                 "test service ran with answer " + (it != parameters.end() ? it->second : ""), ""};
  };
  context.add_service(service);
  return {};
}

}  // namespace

PCANNO_PLUGIN(register_components)
