// `pcanno convert INPUT --to FORMAT --out PATH`: labels between KITTI object, KITTI tracking,
// nuScenes, OpenLABEL, the native document and any codec a plugin adds, through the one annotation
// model. An input holding several sequences (a KITTI tracking training folder or label_02 folder,
// a nuScenes dataroot with several scenes) is converted whole (convert_set.cpp).
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>
#include <vector>

#include <CLI/CLI.hpp>

#include "cli_support.hpp"
#include "convert_set.hpp"
#include "label_input.hpp"
#include "pcanno/formats/datasets/sequence.hpp"
#include "pcanno/formats/labels/label_codec.hpp"
#include "pcanno/plugin/services/label_input.hpp"
#include "pcanno/plugin/registry.hpp"
#include "progress.hpp"

namespace pcanno::app {
namespace {

namespace fs = std::filesystem;

/// "a, b, c": the ids of the codecs that can write (or read).
std::string codec_ids(const formats::LabelCodecRegistry& codecs, bool writable) {
  std::ostringstream ids;
  for (const auto& c : codecs.codecs()) {
    if (writable ? !c.write : !c.read) continue;
    if (ids.tellp() > 0) ids << ", ";
    ids << c.id;
  }
  return ids.str();
}

/// One document: the input as a whole, with the dataset of --sequence or the input itself.
int convert_document(const ConvertOptions& opt, const GlobalOptions& global,
                     const formats::LabelCodec& reader, const formats::LabelCodec& writer,
                     formats::LabelContext context) {
  // The dataset gives calibration, poses and points: --sequence, or the input itself when it is
  // one.
  std::optional<formats::Sequence> sequence;
  formats::SequenceOptions seq_options;
  seq_options.name = opt.sequence_name;
  const bool input_is_dataset = !formats::detect_layout(opt.input).empty();
  const std::string dataset = !opt.sequence.empty() ? opt.sequence
                              : input_is_dataset    ? opt.input
                                                    : std::string();
  if (!dataset.empty()) {
    auto opened = formats::open_sequence(dataset, seq_options);
    if (!opened) return report(opened.error());
    sequence = std::move(*opened);
  }
  // A dataset input (nuScenes) knows its poses while --sequence brings what it lacks (KITTI
  // calibration): poses missing from --sequence are taken from the input, frame by frame.
  if (sequence && input_is_dataset && !opt.sequence.empty()) {
    auto input_sequence = formats::open_sequence(opt.input);
    if (input_sequence && input_sequence->size() == sequence->size()) {
      for (std::size_t i = 0; i < sequence->size(); ++i) {
        if (!sequence->frames[i].T_world_lidar) {
          sequence->frames[i].T_world_lidar = input_sequence->frames[i].T_world_lidar;
        }
      }
    }
  }
  context.sequence = sequence ? &*sequence : nullptr;

  // Reading is the first half of the bar, writing the second; Ctrl+C cancels either.
  ProgressBar bar("converting", global.quiet);
  context.progress = bar.callback(0.0, 0.5);
  auto annotations = reader.read(opt.input, context);
  if (!annotations) return report(annotations.error());
  context.progress = bar.callback(0.5, 1.0);
  // Missing folders of --out are made, and taken away again when the write fails.
  const auto written = plugin::write_labels_output(writer, *annotations, opt.out, context);
  if (!written) return report(written.error());

  if (!global.quiet) {
    std::cout << "read " << describe_document(*annotations) << " from " << opt.input << " ("
              << reader.id << ")\n";
    print_write_report(*written, writer.id);
  }
  return kExitOk;
}

int run_convert(const ConvertOptions& opt, const GlobalOptions& global,
                const plugin::Registry& registry) {
  warn_plugin_failures(registry);
  const formats::LabelCodecRegistry& codecs = registry.codecs();
  // Checked here rather than by CLI11 because plugins may add formats.
  const formats::LabelCodec* writer = codecs.find(opt.to);
  if (writer == nullptr || !writer->write) {
    return report_usage("--to: cannot write labels as '" + opt.to +
                        "'; output formats: " + codec_ids(codecs, true));
  }
  if (!opt.from.empty()) {
    const formats::LabelCodec* reader = codecs.find(opt.from);
    if (reader == nullptr || !reader->read) {
      return report_usage("--from: cannot read labels as '" + opt.from +
                          "'; input formats: " + codec_ids(codecs, false));
    }
  }

  std::optional<formats::ClassMap> class_map;
  if (!opt.class_map.empty()) {
    auto loaded = formats::read_class_map(opt.class_map);
    if (!loaded) return report(loaded.error());
    class_map = std::move(*loaded);
  }

  formats::LabelContext context;
  context.class_map = class_map ? &*class_map : nullptr;
  context.overwrite = opt.force;
  context.include_outside_fov = opt.include_outside_fov;
  context.keyframes_only = !opt.all_frames;

  const auto reader = codecs.select(opt.input, opt.from);
  if (!reader) return report(reader.error());
  if (!(*reader)->read) return report_message("cannot read labels as '" + (*reader)->id + "'");

  auto units = list_label_units((*reader)->id, opt.input, opt.sequence, opt.sequence_name);
  if (!units) return report(units.error());
  if (units->empty()) return convert_document(opt, global, **reader, *writer, context);
  return convert_set(opt, global, **reader, *writer, std::move(*units), context);
}

}  // namespace

void add_convert_command(CLI::App& app, const GlobalOptions& global,
                         const plugin::Registry& registry, CommandAction& action) {
  auto opt = std::make_shared<ConvertOptions>();
  CLI::App* cmd = app.add_subcommand("convert",
                                     "Convert labels between KITTI object/tracking, nuScenes, "
                                     "OpenLABEL, pcanno and plugin formats");
  const formats::LabelCodecRegistry& codecs = registry.codecs();
  cmd->add_option("input", opt->input,
                  "Label file, label folder, or a dataset root holding labels and calibration; "
                  "a folder holding several sequences (KITTI tracking label_02/, a nuScenes "
                  "dataroot with several scenes) is converted whole")
      ->required();
  cmd->add_option("--to", opt->to, "Output format: " + codec_ids(codecs, true))->required();
  cmd->add_option("--out", opt->out,
                  "Output file or folder (made when missing). Several sequences: a folder with "
                  "one output per sequence; nuScenes: one dataroot holding every scene")
      ->required();
  cmd->add_option("--from", opt->from,
                  "Input format, overriding detection: " + codec_ids(codecs, false));
  cmd->add_option(
      "--sequence", opt->sequence,
      "Dataset supplying calibration, poses and points (KITTI training/, nuScenes dataroot)");
  cmd->add_option("--sequence-name", opt->sequence_name,
                  "Sequence or scene inside the dataset (0003, scene-0061): convert only this one");
  cmd->add_option("--class-map", opt->class_map,
                  "JSON class map, document class -> format category: {\"Car\": \"vehicle.car\", "
                  "\"Cyclist\": {\"category\": \"vehicle.bicycle\", \"attributes\": "
                  "[\"cycle.with_rider\"]}}. KITTI applies the entries naming a KITTI type");
  cmd->add_flag("-f,--force", opt->force, "Replace existing output");
  cmd->add_flag("--skip-failed", opt->skip_failed,
                "Several sequences: convert those that can be read and list the others, rather "
                "than writing nothing");
  cmd->add_flag("--include-outside-fov", opt->include_outside_fov,
                "KITTI object: also write boxes the camera cannot see");
  cmd->add_flag("--all-frames", opt->all_frames,
                "nuScenes: annotate every frame, not only keyframes");
  cmd->callback([opt, &global, &registry, &action] {
    action = [opt, &global, &registry] { return run_convert(*opt, global, registry); };
  });
}

}  // namespace pcanno::app
