#pragma once
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "pcanno/formats/clouds/reader.hpp"
#include "pcanno/formats/labels/label_codec.hpp"
#include "pcanno/plugin/detector.hpp"
#include "pcanno/plugin/tool.hpp"

namespace pcanno::plugin {

/// Identity of a registered component, for `pcanno plugins` and for choosing among equals.
struct ComponentInfo {
  std::string kind;     ///< "reader", "codec", "tool", "service", "detector"
  std::string id;       ///< "pcd", "kitti-tracking", "cuboid-create", ...
  std::string version;  ///< "1.0.0"
  int priority = 0;     ///< higher wins when two components claim the same input
  std::string origin;   ///< "built-in" or the plugin's file
  std::string description;
};

struct ToolFactory {
  ComponentInfo info;
  std::function<std::unique_ptr<Tool>()> create;
};

/// An automation service (fit, propagate, interpolate, check, ...): runs on the session with
/// string parameters, reports progress in [0, 1] (returning false cancels), and applies its result
/// as one undo step.
struct AutomationService {
  ComponentInfo info;
  std::function<formats::Status(Session&, const formats::AttributeMap& parameters,
                                const std::function<bool(double)>& progress)>
      run;
};

/// A registered detector (detector.hpp): what it is and how to start one. `parameters` are the
/// run's string options (`--detector-param key=value`, a service's parameters); an unknown key is
/// kInvalidArgument naming it and the known ones.
struct DetectorFactory {
  ComponentInfo info;
  std::function<formats::Expected<std::unique_ptr<Detector>>(
      const formats::AttributeMap& parameters)>
      create;
};

/// A plugin that could not be loaded, and why.
struct PluginFailure {
  std::string path;
  std::string reason;
};

/// Everything a session can use: cloud readers, label codecs, tools, automation services and
/// detectors, each
/// with an id, version and priority. Adding a component with an existing id replaces it, so a
/// plugin may override a built-in.
class Registry {
 public:
  /// The built-in readers, codecs, tools and services (services/qa.hpp: "check").
  static Registry with_builtins();

  void add_reader(formats::CloudReader reader, ComponentInfo info);
  void add_codec(formats::LabelCodec codec, ComponentInfo info);
  void add_tool(ToolFactory factory);
  void add_service(AutomationService service);
  void add_detector(DetectorFactory factory);

  const formats::CloudReaderRegistry& readers() const { return *readers_; }
  /// The same readers as a shared handle for formats::ReadOptions::readers and
  /// formats::SequenceOptions::readers, so that read_cloud(), open_sequence() and FrameCache use
  /// plugin readers as they use built-ins. Later add_reader() calls do not change a handle
  /// already given out (copy on write).
  std::shared_ptr<const formats::CloudReaderRegistry> shared_readers() const { return readers_; }
  const formats::LabelCodecRegistry& codecs() const { return codecs_; }
  const std::vector<ToolFactory>& tools() const { return tools_; }
  const std::vector<AutomationService>& services() const { return services_; }
  const std::vector<DetectorFactory>& detectors() const { return detectors_; }
  const ToolFactory* tool(const std::string& id) const;
  const AutomationService* service(const std::string& id) const;
  const DetectorFactory* detector(const std::string& id) const;
  std::unique_ptr<Tool> create_tool(const std::string& id) const;

  /// Every component, built-in and loaded, sorted by kind then id.
  std::vector<ComponentInfo> components() const;

  std::vector<PluginFailure>& failures() { return failures_; }
  const std::vector<PluginFailure>& failures() const { return failures_; }

 private:
  void remember(ComponentInfo info);

  std::shared_ptr<formats::CloudReaderRegistry> readers_ =
      std::make_shared<formats::CloudReaderRegistry>();
  formats::LabelCodecRegistry codecs_;
  std::vector<ToolFactory> tools_;
  std::vector<AutomationService> services_;
  std::vector<DetectorFactory> detectors_;
  std::vector<ComponentInfo> infos_;
  std::vector<PluginFailure> failures_;
};

}  // namespace pcanno::plugin
