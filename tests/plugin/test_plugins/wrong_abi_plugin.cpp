// A plugin built for a future plugin ABI: the host must refuse it without calling its registration.
#include <cstdlib>

#include "pcanno/plugin/plugin_api.hpp"

namespace {

int register_components(void* /*context*/, char* /*error*/, size_t /*error_size*/) noexcept {
  // Reached only if the host ignored the ABI version: the test checks this marker.
  ::setenv("PCANNO_TEST_WRONG_ABI_REGISTERED", "1", 1);
  return 0;
}

const pcanno_plugin_descriptor descriptor = {999, &register_components};

}  // namespace

extern "C" PCANNO_PLUGIN_EXPORT const pcanno_plugin_descriptor* pcanno_plugin_entry(void) {
  return &descriptor;
}
