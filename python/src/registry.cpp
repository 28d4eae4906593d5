#include "registry.hpp"

#include <cstdlib>
#include <memory>
#include <mutex>
#include <vector>

#include "pcanno/plugin/plugin_loader.hpp"

namespace pcanno::python {

const plugin::Registry& python_registry() {
  // Loading plugins dlopens them: done once per value of PCANNO_PLUGIN_PATH, not per call.
  static std::mutex mutex;
  static std::string loaded_for;
  static std::vector<std::unique_ptr<const plugin::Registry>>* loaded =
      new std::vector<std::unique_ptr<const plugin::Registry>>();  // never freed: see the header
  const char* env = std::getenv("PCANNO_PLUGIN_PATH");
  const std::string path = env != nullptr ? env : "";
  std::vector<plugin::PluginFailure> failures;
  const plugin::Registry* current = nullptr;
  {
    std::lock_guard<std::mutex> lock(mutex);
    if (loaded->empty() || path != loaded_for) {
      auto fresh = std::make_unique<plugin::Registry>(plugin::Registry::with_builtins());
      plugin::load_plugins_from_environment(*fresh);
      failures = fresh->failures();
      loaded->push_back(std::move(fresh));
      loaded_for = path;
    }
    current = loaded->back().get();
  }
  for (const plugin::PluginFailure& f : failures) {
    warn("plugin " + f.path + " not loaded: " + f.reason);
  }
  return *current;
}

void warn(const std::string& message) {
  PyErr_WarnEx(PyExc_UserWarning, message.c_str(), 1);             // attributed to the caller
  if (PyErr_Occurred() != nullptr) throw py::error_already_set();  // warnings turned into errors
}

}  // namespace pcanno::python
