// One component of each kind, each claiming origin "built-in": the host must stamp the plugin's
// file on all of them, and their code (the tool's vtable, the service) runs from this library.
#include <memory>

#include "pcanno/plugin/plugin_api.hpp"

namespace {

using pcanno::formats::Error;
using pcanno::formats::ErrorCode;

class TestTool final : public pcanno::plugin::Tool {
 public:
  std::string id() const override { return "test-tool"; }
  int on_pointer(pcanno::plugin::Session& /*session*/,
                 const pcanno::plugin::PointerEvent& /*event*/) override {
    return pcanno::plugin::kIgnored;
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
  tool.info = {"tool", "test-tool", "0.2.0", 0, "built-in", "test tool"};
  tool.create = [] { return std::make_unique<TestTool>(); };
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
