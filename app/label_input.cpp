#include "label_input.hpp"

#include <filesystem>
#include <system_error>
#include <utility>

#include "pcanno/formats/datasets/nuscenes_db.hpp"
#include "pcanno/formats/labels/kitti/codecs.hpp"

namespace pcanno::app {

namespace {

namespace fs = std::filesystem;

/// The sequence `name` of `dataset` when it opens with clouds, else none.
std::optional<formats::Sequence> open_if_present(const fs::path& dataset, const std::string& layout,
                                                 const std::string& name) {
  formats::SequenceOptions options;
  options.layout = layout;
  options.name = name;
  auto opened = formats::open_sequence(dataset, options);
  if (!opened || opened->size() == 0) return std::nullopt;
  return std::move(*opened);
}

formats::Expected<std::vector<LabelUnit>> kitti_tracking_units(const fs::path& input,
                                                               const std::string& dataset) {
  std::vector<LabelUnit> units;
  std::error_code ec;
  if (!fs::is_directory(input, ec)) return units;  // one file: a single document
  const std::vector<fs::path> files = formats::list_kitti_tracking_label_files(input);
  if (files.empty()) {
    return formats::Error{formats::ErrorCode::kNotFound, "no label_02/SSSS.txt files",
                          input.string()};
  }
  // Clouds live in the training folder holding label_02 unless --sequence names another.
  const fs::path root =
      !dataset.empty() ? fs::path(dataset) : files.front().parent_path().parent_path();
  for (const fs::path& file : files) {
    LabelUnit unit;
    unit.name = file.stem().string();
    unit.labels = file;
    unit.sequence = open_if_present(root, "kitti-tracking", unit.name);
    units.push_back(std::move(unit));
  }
  return units;
}

formats::Expected<std::vector<LabelUnit>> nuscenes_units(const fs::path& input) {
  auto db = formats::load_nuscenes_db(input, "", /*with_annotations=*/false);
  if (!db) return std::move(db).error();
  std::vector<LabelUnit> units;
  if (db->scenes.size() < 2) return units;  // one scene: a single document
  for (const formats::NuscenesScene& scene : db->scenes) {
    LabelUnit unit;
    unit.name = scene.name;
    unit.labels = input;
    unit.sequence = open_if_present(input, "nuscenes", scene.name);
    if (!unit.sequence) {
      return formats::Error{formats::ErrorCode::kMalformed,
                            "scene '" + scene.name + "' does not open as a sequence",
                            input.string()};
    }
    units.push_back(std::move(unit));
  }
  return units;
}

}  // namespace

formats::Expected<std::vector<LabelUnit>> list_label_units(const std::string& codec_id,
                                                           const std::string& input,
                                                           const std::string& dataset,
                                                           const std::string& name) {
  formats::Expected<std::vector<LabelUnit>> units = std::vector<LabelUnit>();
  if (codec_id == "kitti-tracking") {
    units = kitti_tracking_units(input, dataset);
  } else if (codec_id == "nuscenes" && dataset.empty() &&
             formats::detect_layout(input) == "nuscenes") {
    // With --sequence the scene is read against another dataset's calibration: one document.
    units = nuscenes_units(input);
  }
  if (!units || name.empty() || units->empty()) return units;
  std::string names;
  for (LabelUnit& unit : *units) {
    if (unit.name == name) return std::vector<LabelUnit>{std::move(unit)};
    names += (names.empty() ? "" : ", ") + unit.name;
  }
  return formats::Error{
      formats::ErrorCode::kNotFound,
      "--sequence-name: no sequence '" + name + "' here (there are " + names + ")", input};
}

}  // namespace pcanno::app
