// `pcanno check LABELS`: quality checks (motion limits per class, heading flips, size drift, boxes
// with too few points, overlaps), findings grouped by track and frame. Exit 0 when no finding is
// an error, 1 when any is (so scripts and CI can gate on it), 2 on bad arguments.
#include <algorithm>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "cli_support.hpp"
#include "label_input.hpp"
#include "pcanno/formats/labels/document/class_schema_file.hpp"
#include "pcanno/plugin/registry.hpp"
#include "pcanno/plugin/services/automation_reports.hpp"
#include "pcanno/plugin/services/qa.hpp"
#include "progress.hpp"
#include "report_json.hpp"

namespace pcanno::app {
namespace {

using nlohmann::json;

struct CheckCommandOptions {
  std::string labels;
  std::string from;
  std::string sequence;
  std::string sequence_name;
  std::string schema;
  std::size_t min_points = plugin::QaOptions{}.min_points;
  bool no_points = false;
  bool json = false;
};

std::string plural(std::size_t n, const std::string& word) {
  return std::to_string(n) + " " + word + (n == 1 ? "" : word.back() == 'x' ? "es" : "s");
}

std::string summary_line(const plugin::QaReport& r) {
  return plural(r.count(plugin::Severity::kError), "error") + ", " +
         plural(r.count(plugin::Severity::kWarning), "warning") + ", " +
         std::to_string(r.count(plugin::Severity::kInfo)) + " info";
}

void print_json(const CheckCommandOptions& opt, const formats::Annotations& labels,
                const formats::Sequence* seq, const plugin::QaReport& r) {
  plugin::ReportValue fields = plugin::ReportValue::object();
  plugin::add_check_report(fields, labels, seq, r);
  json j = to_json(fields);
  j["labels"] = opt.labels;
  std::cout << j.dump(2) << '\n';
}

void print_text(const formats::Annotations& labels, const formats::Sequence* seq,
                const plugin::QaReport& r) {
  std::ostringstream out;
  out << "checked " << plural(r.boxes, "box") << " in " << plural(r.tracks, "track");
  if (seq != nullptr) {
    out << "; sequence " << seq->layout << " " << seq->name << ", points counted in "
        << plural(r.clouds_read, "frame");
  } else {
    out << "; no sequence";
  }
  out << '\n';
  // Findings come sorted by track then frame: a header per track, one line per finding.
  std::optional<std::int64_t> current;
  for (const plugin::Finding& f : r.findings) {
    if (!current || *current != f.track) {
      current = f.track;
      if (f.track < 0) {
        out << "\ndocument:\n";
      } else {
        const formats::Track* t = labels.track(f.track);
        out << "\ntrack " << f.track << " (" << (t != nullptr ? t->label : "?") << "):\n";
      }
    }
    std::string where = f.frame >= 0 ? "frame " + std::to_string(f.frame) : "-";
    where.resize(std::max<std::size_t>(where.size(), 11), ' ');
    std::string severity = plugin::to_string(f.severity);
    severity.resize(8, ' ');
    std::string check = f.check;
    check.resize(std::max<std::size_t>(check.size(), 13), ' ');
    out << "  " << where << severity << check << f.message << '\n';
  }
  out << "\nsummary: " << summary_line(r) << '\n';
  std::cout << out.str();
}

int run_check(const CheckCommandOptions& opt, const GlobalOptions& global,
              const plugin::Registry& registry) {
  warn_plugin_failures(registry);
  const std::string bad_format = unreadable_format(registry.codecs(), opt.from, "--from");
  if (!bad_format.empty()) return report_usage(bad_format);

  auto sequence = open_dataset(opt.labels, opt.sequence, opt.sequence_name);
  if (!sequence) return report(sequence.error());
  auto labels = read_labels(registry, opt.labels, opt.from, *sequence ? &**sequence : nullptr);
  if (!labels) return report(labels.error());
  if (!opt.schema.empty()) {
    // The file wins over the labels' own classes (formats::apply_class_schema).
    auto schema = formats::read_class_schema(opt.schema);
    if (!schema) return report(schema.error());
    formats::apply_class_schema(*labels, *schema);
  }
  // Without --sequence, the dataset the labels name (where a KITTI label file's calibration was
  // found, a native document's sequence) gives poses and points when it opens.
  if (!*sequence) *sequence = open_referenced_dataset(*labels);
  const formats::Sequence* seq = *sequence ? &**sequence : nullptr;

  plugin::QaOptions options;
  options.min_points = opt.min_points;
  options.check_points = !opt.no_points;
  ProgressBar bar("checking", global.quiet || opt.json);
  options.progress = bar.callback();
  auto checked = plugin::check_annotations(*labels, seq, options);
  if (!checked) return report(checked.error());
  const plugin::QaReport& r = *checked;
  if (opt.json) {
    print_json(opt, *labels, seq, r);
  } else {
    print_text(*labels, seq, r);
  }
  if (r.has_errors()) {
    return report_message("check found " + plural(r.count(plugin::Severity::kError), "error"));
  }
  return kExitOk;
}

}  // namespace

void add_check_command(CLI::App& app, const GlobalOptions& global, const plugin::Registry& registry,
                       CommandAction& action) {
  auto opt = std::make_shared<CheckCommandOptions>();
  CLI::App* cmd = app.add_subcommand(
      "check",
      "Quality checks on labels: speed, acceleration and yaw rate per class, heading flips, size "
      "drift within a track, boxes with too few points, overlapping boxes. Exit 1 when any finding "
      "is an error");
  cmd->add_option("labels", opt->labels,
                  "Label file, label folder, or a dataset root holding labels")
      ->required();
  cmd->add_option("--from", opt->from, "Label format, overriding detection");
  cmd->add_option("--sequence", opt->sequence,
                  "Dataset supplying poses, timestamps and points (default: the one the labels "
                  "name, when it opens)");
  cmd->add_option("--sequence-name", opt->sequence_name,
                  "Sequence or scene inside the dataset (0003, scene-0061)");
  cmd->add_option("--min-points", opt->min_points,
                  "Boxes with fewer LiDAR points get a warning (none at all: an error unless the "
                  "box is a keyframe)")
      ->capture_default_str();
  cmd->add_option("--schema", opt->schema,
                  "Class schema file (docs/class_schema.md): its classes, attributes and tags "
                  "replace the labels' own of the same name; attribute values outside it and "
                  "missing mandatory attributes and tags are errors");
  cmd->add_flag("--no-points", opt->no_points, "Do not read clouds to count points in boxes");
  cmd->add_flag("--json", opt->json, "Machine-readable output");
  cmd->callback([opt, &global, &registry, &action] {
    action = [opt, &global, &registry] { return run_check(*opt, global, registry); };
  });
}

}  // namespace pcanno::app
