// Shared-library plugins through Boost.DLL (header-only here: BOOST_DLL_USE_STD_FS makes it use
// std::filesystem, so no Boost library is linked). Boost stays in this file; the public headers
// only speak std and formats types.
#include "pcanno/plugin/plugin_loader.hpp"

#include <dlfcn.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <functional>
#include <mutex>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include <boost/dll/shared_library.hpp>

#include "pcanno/plugin/detectors/process_detector.hpp"
#include "pcanno/plugin/plugin_api.hpp"

namespace pcanno::plugin {
namespace {

namespace fs = std::filesystem;
namespace dll = boost::dll;
using formats::Error;
using formats::ErrorCode;
using formats::Expected;
using formats::Status;

/// Libraries whose components went into a registry. They are never unloaded: the components'
/// std::function code lives in them, and a registry (a static one, a session's) may be destroyed
/// after any list we could keep here at exit; unloading first would call into unmapped code.
/// Hence a leaked heap list rather than a static object with a destructor.
void keep_loaded(dll::shared_library library) {
  static std::mutex mutex;
  static auto* libraries = new std::vector<dll::shared_library>();
  const std::lock_guard<std::mutex> lock(mutex);
  libraries->push_back(std::move(library));
}

/// Collects a plugin's components and adds them to the registry only once its registration has
/// succeeded, each stamped with the plugin's file as origin.
class StagingContext final : public PluginContext {
 public:
  explicit StagingContext(std::string path) : path_(std::move(path)) {}

  void add_reader(formats::CloudReader reader, ComponentInfo info) override {
    pending_.push_back(
        [reader = std::move(reader), info = stamp(std::move(info))](Registry& r) mutable {
          r.add_reader(std::move(reader), std::move(info));
        });
  }
  void add_codec(formats::LabelCodec codec, ComponentInfo info) override {
    pending_.push_back(
        [codec = std::move(codec), info = stamp(std::move(info))](Registry& r) mutable {
          r.add_codec(std::move(codec), std::move(info));
        });
  }
  void add_tool(ToolFactory factory) override {
    factory.info = stamp(std::move(factory.info));
    pending_.push_back(
        [factory = std::move(factory)](Registry& r) mutable { r.add_tool(std::move(factory)); });
  }
  void add_service(AutomationService service) override {
    service.info = stamp(std::move(service.info));
    pending_.push_back(
        [service = std::move(service)](Registry& r) mutable { r.add_service(std::move(service)); });
  }
  void add_detector(DetectorFactory factory) override {
    factory.info = stamp(std::move(factory.info));
    pending_.push_back([factory = std::move(factory)](Registry& r) mutable {
      r.add_detector(std::move(factory));
    });
  }
  const std::string& plugin_path() const override { return path_; }

  void commit(Registry& registry) {
    for (auto& add : pending_) add(registry);
    pending_.clear();
  }

 private:
  ComponentInfo stamp(ComponentInfo info) const {
    info.origin = path_;
    return info;
  }

  std::string path_;
  std::vector<std::function<void(Registry&)>> pending_;
};

/// Records a failure; a failure to record one (out of memory) must not escape either.
void record(Registry& registry, const std::string& path, const std::string& reason) noexcept {
  try {
    registry.failures().push_back({path, reason});
  } catch (...) {
  }
}

Error rejected(const std::string& path, std::string reason) {
  return Error{ErrorCode::kUnsupported, std::move(reason), path};
}

/// dlopen's own explanation ("invalid ELF header", "file too short", a missing dependency).
std::string dl_error_text() {
  const char* text = ::dlerror();
  return text != nullptr ? std::string(text) : std::string("unknown reason");
}

Status load_into(Registry& registry, const std::string& path) {
  std::error_code ec;
  const fs::file_status status = fs::status(path, ec);
  if (!fs::exists(status)) {
    return Error{ErrorCode::kNotFound, "no such file", path};
  }
  if (fs::is_directory(status)) {
    return rejected(path, "is a folder; name a plugin file (PCANNO_PLUGIN_PATH may list folders)");
  }

  dll::shared_library library;
  dll::fs::error_code load_error;
  // rtld_now: a plugin with unresolved symbols is refused here instead of failing on first use.
  library.load(path, load_error, dll::load_mode::rtld_now | dll::load_mode::rtld_local);
  if (load_error || !library.is_loaded()) {
    return rejected(path, "not a shared library or cannot be loaded: " + dl_error_text());
  }
  if (!library.has(PCANNO_PLUGIN_ENTRY_SYMBOL)) {
    return rejected(path, "no " PCANNO_PLUGIN_ENTRY_SYMBOL " symbol: not a pcanno plugin");
  }
  const auto entry = library.get<const pcanno_plugin_descriptor*()>(PCANNO_PLUGIN_ENTRY_SYMBOL);
  const pcanno_plugin_descriptor* descriptor = entry();
  if (descriptor == nullptr) {
    return rejected(path, PCANNO_PLUGIN_ENTRY_SYMBOL " returned no descriptor");
  }
  // Only the C descriptor has been touched so far: a plugin for another ABI is refused before
  // anything of C++ reaches it.
  if (descriptor->abi_version != PCANNO_PLUGIN_ABI_VERSION) {
    return rejected(path, "built for plugin ABI " + std::to_string(descriptor->abi_version) +
                              ", this pcanno supports " +
                              std::to_string(PCANNO_PLUGIN_ABI_VERSION));
  }
  if (descriptor->register_components == nullptr) {
    return rejected(path, "registration failed: the descriptor has no registration function");
  }

  StagingContext context(path);
  char reason[1024] = {};
  int result = 1;
  try {
    // Through the base class: the plugin casts the void* back to PluginContext*.
    result = descriptor->register_components(static_cast<PluginContext*>(&context), reason,
                                             sizeof reason);
  } catch (const std::exception& e) {
    // A hand-written entry point that let an exception out; PCANNO_PLUGIN never does.
    std::snprintf(reason, sizeof reason, "exception: %s", e.what());
  } catch (...) {
    std::snprintf(reason, sizeof reason, "unknown exception");
  }
  reason[sizeof reason - 1] = '\0';
  if (result != 0) {
    // The plugin's code has run and may have left callbacks or threads behind: keep it mapped.
    keep_loaded(std::move(library));
    return rejected(path, std::string("registration failed: ") +
                              (reason[0] != '\0' ? reason : "no reason given"));
  }
  context.commit(registry);
  keep_loaded(std::move(library));
  return {};
}

/// The absolute path, as the user named it (symbolic links kept), for messages and `origin`.
std::string display_path(const fs::path& file) {
  std::error_code ec;
  const fs::path absolute = fs::absolute(file, ec);
  return ec ? file.string() : absolute.lexically_normal().string();
}

/// A `*.detector.json` manifest: an external-process detector, no library to load.
Status load_manifest(Registry& registry, const std::string& path) {
  Expected<DetectorFactory> factory = read_detector_manifest(path);
  if (!factory) {
    Error error = factory.error();
    error.path = path;
    if (error.offset >= 0) error.message += " (byte " + std::to_string(error.offset) + ")";
    error.message = "detector manifest: " + error.message;
    return error;
  }
  registry.add_detector(std::move(*factory));
  return {};
}

/// The `*.so` files and `*.detector.json` manifests of a folder, sorted, so that load order (and which plugin wins an id both
/// claim) does not depend on the filesystem.
std::vector<fs::path> plugin_files_in(const fs::path& folder, std::error_code& ec) {
  std::vector<fs::path> files;
  for (fs::directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec)) {
    std::error_code type_ec;
    if ((it->path().extension() == ".so" || is_detector_manifest(it->path())) &&
        it->is_regular_file(type_ec)) {
      files.push_back(it->path());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace

formats::Status load_plugin(Registry& registry, const std::filesystem::path& file) {
  std::string path = file.string();
  try {
    path = display_path(file);
    Status status = is_detector_manifest(file) ? load_manifest(registry, path)
                                               : load_into(registry, path);
    if (!status) record(registry, path, status.error().message);
    return status;
  } catch (const std::exception& e) {
    // Boost.DLL and the filesystem throw on the unexpected; nothing may leave this API.
    Error error = rejected(path, std::string("cannot be loaded: ") + e.what());
    record(registry, path, error.message);
    return error;
  } catch (...) {
    Error error = rejected(path, "cannot be loaded: unknown exception");
    record(registry, path, error.message);
    return error;
  }
}

std::size_t load_plugins_from_environment(Registry& registry) {
  const char* value = std::getenv("PCANNO_PLUGIN_PATH");
  if (value == nullptr) return 0;
  std::size_t loaded = 0;
  try {
    const std::string list(value);
    std::size_t begin = 0;
    while (begin <= list.size()) {
      std::size_t end = list.find(':', begin);
      if (end == std::string::npos) end = list.size();
      const std::string entry = list.substr(begin, end - begin);
      begin = end + 1;
      if (entry.empty()) continue;

      std::error_code ec;
      if (fs::is_directory(entry, ec)) {
        const std::vector<fs::path> files = plugin_files_in(entry, ec);
        if (ec) {
          record(registry, display_path(entry), "cannot list the plugin folder: " + ec.message());
        }
        for (const fs::path& file : files) {
          if (load_plugin(registry, file)) ++loaded;
        }
      } else if (fs::exists(entry, ec)) {
        if (load_plugin(registry, entry)) ++loaded;
      } else {
        record(registry, display_path(entry),
               "PCANNO_PLUGIN_PATH names a file or folder that does not exist");
      }
    }
  } catch (const std::exception& e) {
    record(registry, value, std::string("cannot read PCANNO_PLUGIN_PATH: ") + e.what());
  } catch (...) {
    record(registry, value, "cannot read PCANNO_PLUGIN_PATH: unknown exception");
  }
  return loaded;
}

}  // namespace pcanno::plugin
