// A plugin whose registration fails after adding a codec: the host must add nothing of it.
#include <stdexcept>

#include "pcanno/plugin/plugin_api.hpp"

namespace {

pcanno::formats::Status register_components(pcanno::plugin::PluginContext& context) {
  pcanno::formats::LabelCodec codec;
  codec.id = "failing-codec";
  context.add_codec(codec, {"codec", codec.id, "1.0.0", 0, "", "never registered"});
#ifdef PCANNO_TEST_THROW
  throw std::runtime_error("the test plugin throws");
#else
  return pcanno::formats::Error{pcanno::formats::ErrorCode::kUnsupported,
                                "the test plugin refuses to register", ""};
#endif
}

}  // namespace

PCANNO_PLUGIN(register_components)
