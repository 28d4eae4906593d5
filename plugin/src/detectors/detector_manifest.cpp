// `*.detector.json` manifests: an external-process detector registered without C++.
#include <cmath>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <utility>

#include <nlohmann/json.hpp>

#include "pcanno/plugin/detectors/process_detector.hpp"

namespace pcanno::plugin {
namespace {

constexpr double kMaxTimeout_s = 86400.0;  ///< [s] a day

namespace fs = std::filesystem;
using formats::Error;
using formats::ErrorCode;
using formats::Expected;
using nlohmann::json;

Error malformed(const fs::path& file, const std::string& what) {
  return Error{ErrorCode::kMalformed, what, file.string()};
}

/// "./x" and "../x" name files beside the manifest; anything else (python3, -u, /abs) stays.
std::string resolved(const std::string& arg, const fs::path& folder) {
  if (arg.rfind("./", 0) == 0 || arg.rfind("../", 0) == 0) {
    return (folder / arg).lexically_normal().string();
  }
  return arg;
}

}  // namespace

bool is_detector_manifest(const fs::path& file) {
  const std::string name = file.filename().string();
  const std::string suffix = ".detector.json";
  return name.size() > suffix.size() &&
         name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0;
}

Expected<DetectorFactory> read_detector_manifest(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return Error{ErrorCode::kNotFound, "cannot open the detector manifest", file.string()};
  std::ostringstream text;
  text << in.rdbuf();
  json j;
  try {
    j = json::parse(text.str());
  } catch (const json::parse_error& e) {
    return Error{ErrorCode::kMalformed, std::string("not valid JSON: ") + e.what(), file.string(),
                 -1, static_cast<std::int64_t>(e.byte)};
  }
  if (!j.is_object()) return malformed(file, "expected a JSON object");
  static const std::set<std::string> known{"id", "version", "description", "command",
                                           "timeout_s", "parameters"};
  for (const auto& [key, value] : j.items()) {
    if (known.count(key) == 0) {
      return malformed(file, "unknown key '" + key +
                                 "'; known: id, version, description, command, timeout_s, "
                                 "parameters");
    }
  }
  const auto string_field = [&](const char* key, bool required) -> Expected<std::string> {
    if (!j.contains(key)) {
      if (required) return malformed(file, std::string("'") + key + "' is required (a string)");
      return std::string();
    }
    if (!j[key].is_string() || (required && j[key].get<std::string>().empty())) {
      return malformed(file, std::string("'") + key + "' must be a non-empty string");
    }
    return j[key].get<std::string>();
  };
  const auto id = string_field("id", true);
  if (!id) return id.error();
  const auto version = string_field("version", false);
  if (!version) return version.error();
  const auto description = string_field("description", false);
  if (!description) return description.error();

  std::error_code ec;
  fs::path folder = fs::absolute(file, ec).parent_path();
  if (ec) folder = file.parent_path();
  ProcessDetectorOptions options;
  options.id = *id;
  options.working_directory = folder.string();
  if (!j.contains("command") || !j["command"].is_array() || j["command"].empty()) {
    return malformed(file, "'command' must be a non-empty array of strings (argv, no shell)");
  }
  for (const json& a : j["command"]) {
    if (!a.is_string() || a.get<std::string>().empty()) {
      return malformed(file, "'command' must be a non-empty array of strings (argv, no shell)");
    }
    options.command.push_back(resolved(a.get<std::string>(), folder));
  }
  // A program path with a '/' is relative to the manifest's folder, as the child sees it (it
  // runs there), not to the host's working folder: made absolute, checked and run from there.
  std::string& program = options.command.front();
  if (program.find('/') != std::string::npos && fs::path(program).is_relative()) {
    program = (folder / program).lexically_normal().string();
  }
  if (program.find('/') != std::string::npos && !fs::exists(program, ec)) {
    return malformed(file, "'command' names a program that does not exist: " + program);
  }
  if (j.contains("timeout_s")) {
    // A day at most: a larger value would overflow the poll deadline's milliseconds.
    if (!j["timeout_s"].is_number() || !(j["timeout_s"].get<double>() > 0) ||
        !(j["timeout_s"].get<double>() <= kMaxTimeout_s)) {
      return malformed(file, "'timeout_s' must be a number in (0, 86400] [s]");
    }
    options.timeout_s = j["timeout_s"].get<double>();
  }
  std::vector<std::string> parameters;
  if (j.contains("parameters")) {
    if (!j["parameters"].is_array()) {
      return malformed(file, "'parameters' must be an array of parameter names");
    }
    for (const json& p : j["parameters"]) {
      if (!p.is_string() || p.get<std::string>().empty() || p.get<std::string>() == "timeout_s") {
        return malformed(file, "'parameters' must be an array of parameter names (not timeout_s)");
      }
      parameters.push_back(p.get<std::string>());
    }
  }

  DetectorFactory factory;
  factory.info = ComponentInfo{"detector", *id, version->empty() ? "-" : *version, 0,
                               fs::absolute(file, ec).lexically_normal().string(),
                               description->empty() ? "external process" : *description};
  factory.create = [options, parameters](
                       const formats::AttributeMap& given) -> Expected<std::unique_ptr<Detector>> {
    ProcessDetectorOptions run = options;
    for (const auto& [key, value] : given) {
      if (key == "timeout_s") {
        char* end = nullptr;
        const double t = std::strtod(value.c_str(), &end);
        if (value.empty() || *end != '\0' || !(t > 0) || !(t <= kMaxTimeout_s)) {
          return Error{ErrorCode::kInvalidArgument,
                       "detector '" + options.id + "': parameter 'timeout_s' = '" + value +
                           "': expected a number in (0, 86400] [s]",
                       ""};
        }
        run.timeout_s = t;
        continue;
      }
      bool ok = false;
      std::string list = "timeout_s";
      for (const std::string& p : parameters) {
        ok = ok || p == key;
        list += ", " + p;
      }
      if (!ok) {
        return Error{ErrorCode::kInvalidArgument,
                     "detector '" + options.id + "': unknown parameter '" + key + "'; known: " + list,
                     ""};
      }
      run.parameters[key] = value;
    }
    return start_process_detector(run);
  };
  return factory;
}

}  // namespace pcanno::plugin
