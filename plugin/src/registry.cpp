#include "pcanno/plugin/registry.hpp"

#include <algorithm>
#include <tuple>
#include <utility>

#include "builtin_tools.hpp"
#include "detectors/builtin_detectors.hpp"
#include "pcanno/plugin/services/prelabel_service.hpp"
#include "pcanno/plugin/services/trace_service.hpp"
#include "services/builtin_services.hpp"

namespace pcanno::plugin {

Registry Registry::with_builtins() {
  Registry r;
  const formats::CloudReaderRegistry readers = formats::CloudReaderRegistry::with_builtin_readers();
  for (const formats::CloudReader& reader : readers.readers()) {
    r.add_reader(reader, ComponentInfo{"reader", reader.id, "1.0.0", reader.priority, "built-in",
                                       reader.description});
  }
  const formats::LabelCodecRegistry codecs = formats::LabelCodecRegistry::with_builtin_codecs();
  for (const formats::LabelCodec& codec : codecs.codecs()) {
    r.add_codec(codec, ComponentInfo{"codec", codec.id, "1.0.0", codec.priority, "built-in",
                                     codec.description});
  }
  detail::add_builtin_tools(r);
  detail::add_builtin_services(r);
  detail::add_trace_service(r);
  detail::add_builtin_detectors(r);
  detail::add_prelabel_service(r);
  return r;
}

void Registry::remember(ComponentInfo info) {
  const auto same = [&](const ComponentInfo& i) { return i.kind == info.kind && i.id == info.id; };
  infos_.erase(std::remove_if(infos_.begin(), infos_.end(), same), infos_.end());
  infos_.push_back(std::move(info));
}

void Registry::add_reader(formats::CloudReader reader, ComponentInfo info) {
  info.kind = "reader";
  info.id = reader.id;
  reader.priority = info.priority;
  // Copy on write: a copied Registry, or a handle from shared_readers(), never sees this change.
  auto readers = std::make_shared<formats::CloudReaderRegistry>(*readers_);
  readers->add(std::move(reader));
  readers_ = std::move(readers);
  remember(std::move(info));
}

void Registry::add_codec(formats::LabelCodec codec, ComponentInfo info) {
  info.kind = "codec";
  info.id = codec.id;
  codec.priority = info.priority;
  codecs_.add(std::move(codec));
  remember(std::move(info));
}

template <typename Item>
static void replace_or_add(std::vector<Item>& items, Item item) {
  for (Item& existing : items) {
    if (existing.info.id == item.info.id) {
      existing = std::move(item);
      return;
    }
  }
  items.push_back(std::move(item));
}

void Registry::add_tool(ToolFactory factory) {
  factory.info.kind = "tool";
  remember(factory.info);
  replace_or_add(tools_, std::move(factory));
}

void Registry::add_service(AutomationService service) {
  service.info.kind = "service";
  remember(service.info);
  replace_or_add(services_, std::move(service));
}

void Registry::add_detector(DetectorFactory factory) {
  factory.info.kind = "detector";
  remember(factory.info);
  replace_or_add(detectors_, std::move(factory));
}

const ToolFactory* Registry::tool(const std::string& id) const {
  for (const ToolFactory& t : tools_) {
    if (t.info.id == id) return &t;
  }
  return nullptr;
}

const AutomationService* Registry::service(const std::string& id) const {
  for (const AutomationService& s : services_) {
    if (s.info.id == id) return &s;
  }
  return nullptr;
}

const DetectorFactory* Registry::detector(const std::string& id) const {
  for (const DetectorFactory& d : detectors_) {
    if (d.info.id == id) return &d;
  }
  return nullptr;
}

std::unique_ptr<Tool> Registry::create_tool(const std::string& id) const {
  const ToolFactory* t = tool(id);
  return t != nullptr && t->create ? t->create() : nullptr;
}

std::vector<ComponentInfo> Registry::components() const {
  std::vector<ComponentInfo> out = infos_;
  std::sort(out.begin(), out.end(), [](const ComponentInfo& a, const ComponentInfo& b) {
    return std::tie(a.kind, a.id) < std::tie(b.kind, b.id);
  });
  return out;
}

}  // namespace pcanno::plugin
