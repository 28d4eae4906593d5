#pragma once
// What a pcanno plugin includes. A plugin is a shared library exporting one C-linkage function,
// pcanno_plugin_entry, that returns a static descriptor made of C types only. The host reads the
// descriptor's ABI version first and calls the registration function only when it matches, so a
// plugin built for another ABI is refused before any C++ object crosses the library boundary.
//
// Once the versions match, C++ types do cross: the registration receives a PluginContext and hands
// it LabelCodec, CloudReader, ToolFactory and AutomationService values (std::string,
// std::function, Eigen). That is sound only because a plugin is built against the same pcanno
// headers, with the same compiler and standard library, as the host. PCANNO_PLUGIN_ABI_VERSION is
// bumped whenever any type a plugin shares with the host changes layout or meaning: this header,
// registry.hpp, tool.hpp, session.hpp, and the formats/ and geometry/ types they reach.
//
// A plugin author writes:
//
//   #include <pcanno/plugin/plugin_api.hpp>
//   static pcanno::formats::Status register_components(pcanno::plugin::PluginContext& context) {
//     context.add_codec(make_my_codec(), {"codec", "my-format", "1.0.0", 0, "", "My format"});
//     return {};
//   }
//   PCANNO_PLUGIN(register_components)
//
// and builds a MODULE library linking pcanno::plugin_api (examples/csv_exporter_plugin/).

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <exception>
#include <string>

#include "pcanno/formats/clouds/reader.hpp"
#include "pcanno/formats/labels/label_codec.hpp"
#include "pcanno/formats/support/expected.hpp"
#include "pcanno/plugin/registry.hpp"

/// The plugin ABI this header describes. The host loads only plugins reporting the same number.
#define PCANNO_PLUGIN_ABI_VERSION 4  // 4: detectors (PluginContext::add_detector)

#if defined(_WIN32)
#define PCANNO_PLUGIN_EXPORT __declspec(dllexport)
#else
#define PCANNO_PLUGIN_EXPORT __attribute__((visibility("default")))
#endif

extern "C" {

/// Frozen for every ABI version: abi_version stays the first member, so that any host can read it
/// from any plugin. Members after it may change, but only together with a new ABI version.
typedef struct pcanno_plugin_descriptor {
  int abi_version;  ///< PCANNO_PLUGIN_ABI_VERSION of the headers the plugin was built with
  /// Called only when abi_version is the host's. `context` points to a
  /// pcanno::plugin::PluginContext. Returns 0 on success; otherwise writes a NUL-terminated reason
  /// of at most error_size bytes (including the NUL) into `error` and returns non-zero. Must not
  /// throw.
  int (*register_components)(void* context, char* error, size_t error_size);
} pcanno_plugin_descriptor;

/// The one symbol a plugin exports: `extern "C" const pcanno_plugin_descriptor*
/// pcanno_plugin_entry(void)`. Its name is what the host looks up.
typedef const pcanno_plugin_descriptor* (*pcanno_plugin_entry_function)(void);
#define PCANNO_PLUGIN_ENTRY_SYMBOL "pcanno_plugin_entry"

}  // extern "C"

namespace pcanno::plugin {

/// What a plugin's registration function receives. The host implements it, so a plugin links no
/// engine code, and every component is stamped with origin = the plugin's file whatever the plugin
/// put there. Components are added to the registry only when the registration succeeds: a plugin
/// that fails halfway leaves nothing behind.
class PluginContext {
 public:
  virtual ~PluginContext() = default;

  virtual void add_reader(formats::CloudReader reader, ComponentInfo info) = 0;
  virtual void add_codec(formats::LabelCodec codec, ComponentInfo info) = 0;
  virtual void add_tool(ToolFactory factory) = 0;
  virtual void add_service(AutomationService service) = 0;
  virtual void add_detector(DetectorFactory factory) = 0;

  /// The plugin's file as the host loaded it (the `origin` of its components).
  virtual const std::string& plugin_path() const = 0;
};

/// A plugin's registration function: adds its components, or says why it cannot.
using RegisterFunction = formats::Status (*)(PluginContext&);

namespace detail {

/// Runs a RegisterFunction behind the C descriptor: errors and exceptions become the reason text,
/// because nothing may unwind through a C function pointer into the host.
inline int run_registration(RegisterFunction function, void* context, char* error,
                            std::size_t error_size) noexcept {
  const char* reason = "unknown exception";
  std::string text;
  try {
    const formats::Status status = function(*static_cast<PluginContext*>(context));
    if (status) return 0;
    text = status.error().describe();
    reason = text.c_str();
  } catch (const std::exception& e) {
    try {
      text = std::string("exception: ") + e.what();
      reason = text.c_str();
    } catch (...) {
      reason = "exception (out of memory while describing it)";
    }
  } catch (...) {
  }
  if (error != nullptr && error_size > 0) {
    const std::size_t n = std::min(std::strlen(reason), error_size - 1);
    std::memcpy(error, reason, n);
    error[n] = '\0';
  }
  return 1;
}

}  // namespace detail
}  // namespace pcanno::plugin

/// Defines the plugin's entry point around `register_function`, a
/// `pcanno::formats::Status (pcanno::plugin::PluginContext&)`. Use once per plugin, at namespace
/// scope.
#define PCANNO_PLUGIN(register_function)                                                      \
  static int pcanno_plugin_register_thunk_(void* context, char* error,                        \
                                           size_t error_size) noexcept {                      \
    return ::pcanno::plugin::detail::run_registration(&(register_function), context, error,   \
                                                      error_size);                            \
  }                                                                                           \
  extern "C" PCANNO_PLUGIN_EXPORT const pcanno_plugin_descriptor* pcanno_plugin_entry(void) { \
    static const pcanno_plugin_descriptor descriptor = {PCANNO_PLUGIN_ABI_VERSION,            \
                                                        &pcanno_plugin_register_thunk_};      \
    return &descriptor;                                                                       \
  }
