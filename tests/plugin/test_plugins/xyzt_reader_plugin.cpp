// A cloud reader for a made-up text format, so that the tests can show plugin readers serving
// everything the built-ins serve: read_cloud(), `pcanno info`, plain-folder datasets and the views.
//
// ".xyzt": a first line "xyzt", then one point per line: x y z t (t: time [s], a "time" column).
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "pcanno/plugin/plugin_api.hpp"

namespace {

using pcanno::formats::CloudFile;
using pcanno::formats::Error;
using pcanno::formats::ErrorCode;
using pcanno::formats::Expected;

Error at_line(const std::string& message, const std::filesystem::path& path, std::int64_t line) {
  Error e{ErrorCode::kMalformed, message, path.string()};
  e.line = line;
  return e;
}

Expected<CloudFile> read_xyzt(const std::filesystem::path& path,
                              const pcanno::formats::ReadOptions&) {
  std::ifstream in(path);
  if (!in) return Error{ErrorCode::kNotFound, "cannot open", path.string()};
  std::string line;
  if (!std::getline(in, line) || line.rfind("xyzt", 0) != 0) {
    return at_line("expected 'xyzt' on the first line", path, 1);
  }
  CloudFile file;
  file.info.variant = "text";
  std::vector<float>& time = file.cloud.add_attribute("time");
  for (std::int64_t n = 2; std::getline(in, line); ++n) {
    if (line.empty()) continue;
    std::istringstream fields(line);
    float x = 0, y = 0, z = 0, t = 0;
    if (!(fields >> x >> y >> z >> t)) return at_line("expected 'x y z t'", path, n);
    file.cloud.x.push_back(x);
    file.cloud.y.push_back(y);
    file.cloud.z.push_back(z);
    time.push_back(t);
  }
  return file;
}

pcanno::formats::Status register_components(pcanno::plugin::PluginContext& context) {
  pcanno::formats::CloudReader reader;
  reader.id = "xyzt";
  reader.description = "test text cloud: 'xyzt', then x y z t per line";
  reader.suffixes = {".xyzt"};
  reader.sniff = [](const std::uint8_t* head, std::size_t n) {
    return n >= 5 && std::string(reinterpret_cast<const char*>(head), 5) == "xyzt\n" ? 100 : 0;
  };
  reader.read = read_xyzt;
  context.add_reader(reader, {"reader", "xyzt", "1.0.0", 0, "", "test text cloud"});
  return {};
}

}  // namespace

PCANNO_PLUGIN(register_components)
