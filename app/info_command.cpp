// `pcanno info PATH`: what a path holds. Point-cloud files today; dataset layouts join with the
// sequence readers.
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "cli_support.hpp"
#include "pcanno/formats/raw_bin.hpp"

namespace pcanno::app {
namespace {

namespace fs = std::filesystem;

struct InfoOptions {
  std::string path;
  std::string format;  ///< empty: from the suffix
  bool json = false;
};

struct CloudFormat {
  const char* id;
  const char* suffix;
  formats::RawBinLayout layout;
};

// Longest suffix first, so `.pcd.bin` never falls to `.bin`.
constexpr CloudFormat kCloudFormats[] = {
    {"nuscenes-bin", ".pcd.bin", formats::RawBinLayout::kNuscenes},
    {"kitti-bin", ".bin", formats::RawBinLayout::kKitti},
};

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::optional<CloudFormat> pick_format(const InfoOptions& opt) {
  for (const CloudFormat& f : kCloudFormats) {
    if (opt.format.empty() ? ends_with(fs::path(opt.path).filename().string(), f.suffix)
                           : opt.format == f.id) {
      return f;
    }
  }
  return std::nullopt;
}

int run_info(const InfoOptions& opt) {
  std::error_code ec;
  if (!fs::exists(opt.path, ec)) {
    return report(
        formats::Error{formats::ErrorCode::kNotFound, "no such file or directory", opt.path});
  }
  if (fs::is_directory(opt.path, ec)) {
    return report(formats::Error{
        formats::ErrorCode::kUnsupported,
        "is a directory; dataset layouts are not recognised by this build yet", opt.path});
  }
  const std::optional<CloudFormat> format = pick_format(opt);
  if (!format) {
    return report(
        formats::Error{formats::ErrorCode::kUnknownFormat,
                       "unknown point-cloud format (known: .bin KITTI, .pcd.bin nuScenes; "
                       "use --format to choose)",
                       opt.path});
  }
  const auto cloud = formats::read_raw_bin(opt.path, format->layout);
  if (!cloud) return report(cloud.error());

  std::vector<std::string> fields{"x", "y", "z"};
  for (const auto& a : cloud->attributes) fields.push_back(a.name);
  const formats::Bounds3f b = cloud->bounds();

  if (opt.json) {
    nlohmann::json j;
    j["path"] = opt.path;
    j["kind"] = "cloud";
    j["format"] = format->id;
    j["points"] = cloud->size();
    j["fields"] = fields;
    if (!b.empty()) {
      j["bounds"] = {{"min", {b.min.x(), b.min.y(), b.min.z()}},
                     {"max", {b.max.x(), b.max.y(), b.max.z()}}};
    } else {
      j["bounds"] = nullptr;
    }
    std::cout << j.dump(2) << '\n';
    return kExitOk;
  }
  std::ostringstream fields_text;
  for (std::size_t i = 0; i < fields.size(); ++i) fields_text << (i ? " " : "") << fields[i];
  std::cout << opt.path << ": point cloud\n"
            << "  format  " << format->id << '\n'
            << "  points  " << cloud->size() << '\n'
            << "  fields  " << fields_text.str() << '\n';
  if (!b.empty()) {
    std::cout << std::fixed << std::setprecision(3) << "  bounds  x [" << b.min.x() << ", "
              << b.max.x() << "]  y [" << b.min.y() << ", " << b.max.y() << "]  z [" << b.min.z()
              << ", " << b.max.z() << "] m\n";
  }
  return kExitOk;
}

}  // namespace

void add_info_command(CLI::App& app, const GlobalOptions& /*global*/, CommandAction& action) {
  auto opt = std::make_shared<InfoOptions>();
  CLI::App* cmd =
      app.add_subcommand("info", "Say what a path holds: format, point count, fields, bounds");
  cmd->add_option("path", opt->path, "Point-cloud file")->required();
  cmd->add_option("--format", opt->format, "Override suffix detection")
      ->check(CLI::IsMember({"kitti-bin", "nuscenes-bin"}));
  cmd->add_flag("--json", opt->json, "Machine-readable output");
  cmd->callback([opt, &action] { action = [opt] { return run_info(*opt); }; });
}

}  // namespace pcanno::app
