// `pcanno edit LABELS --merge A,B --split ID@FRAME --relink ID@FRAME:NEW ... [-o OUT]`: track
// repair from the command line. Each action is made by the same engine command the workstation
// and the C ABI use (plugin/command.hpp, plugin/track_edits.hpp) and applied in the order given
// through a Session, so a refused action leaves nothing half done: nothing is written unless
// every action succeeds. The labels are written back atomically in their own format.
#include <algorithm>
#include <array>
#include <charconv>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <CLI/CLI.hpp>

#include "cli_support.hpp"
#include "label_input.hpp"
#include "pcanno/formats/labels/label_codec.hpp"
#include "pcanno/plugin/registry.hpp"
#include "pcanno/plugin/session.hpp"
#include "pcanno/plugin/track_edits.hpp"

namespace pcanno::app {
namespace {

using plugin::FrameRange;

struct EditOptions {
  std::string labels;
  std::string out;
  std::string from;
  std::string sequence;
  std::string sequence_name;
  bool force = false;
  /// The actions in command-line order: the option's name ("--merge") and its value.
  std::vector<std::pair<std::string, std::string>> actions;
};

/// Why an action's value does not parse: "--split '3x': expected ID@FRAME".
struct Syntax {
  std::string expected;
};

std::optional<std::int64_t> to_int(const std::string& text) {
  std::int64_t v = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, v);
  if (ec != std::errc() || ptr != end || text.empty()) return std::nullopt;
  return v;
}

/// Splits `text` at the first `sep`; nullopt without one.
std::optional<std::pair<std::string, std::string>> cut(const std::string& text, char sep) {
  const std::size_t at = text.find(sep);
  if (at == std::string::npos) return std::nullopt;
  return std::make_pair(text.substr(0, at), text.substr(at + 1));
}

/// "A-B" or "A" (one frame).
std::optional<FrameRange> to_range(const std::string& text) {
  if (const auto parts = cut(text, '-')) {
    const auto a = to_int(parts->first);
    const auto b = to_int(parts->second);
    if (!a || !b) return std::nullopt;
    return FrameRange{*a, *b};
  }
  const auto f = to_int(text);
  if (!f) return std::nullopt;
  return FrameRange{*f, *f};
}

/// "ID@REST": the id and REST.
std::optional<std::pair<std::int64_t, std::string>> id_at(const std::string& text) {
  const auto parts = cut(text, '@');
  if (!parts) return std::nullopt;
  const auto id = to_int(parts->first);
  if (!id) return std::nullopt;
  return std::make_pair(*id, parts->second);
}

/// The command for one action and what to say once it is applied, or a syntax error.
struct Made {
  formats::Expected<plugin::Command> command =
      formats::Error{formats::ErrorCode::kInvalidArgument, "unknown action", ""};
  std::string done;
};

std::variant<Made, Syntax> make_action(const std::string& name, const std::string& value,
                                       const plugin::Session& session) {
  const formats::Annotations& doc = session.document();
  Made m;
  if (name == "--merge") {
    const auto parts = cut(value, ',');
    const auto a = parts ? to_int(parts->first) : std::nullopt;
    const auto b = parts ? to_int(parts->second) : std::nullopt;
    if (!a || !b) return Syntax{"KEPT,ABSORBED (two track ids)"};
    m.command = plugin::merge_tracks(doc, *a, *b);
    m.done = "merged track " + std::to_string(*b) + " into track " + std::to_string(*a);
  } else if (name == "--split") {
    const auto at = id_at(value);
    const auto frame = at ? to_int(at->second) : std::nullopt;
    if (!frame) return Syntax{"ID@FRAME"};
    const std::int64_t id = plugin::next_track_id(doc);
    m.command = plugin::split_track(doc, at->first, *frame, id);
    m.done = "split track " + std::to_string(at->first) + " at frame " + std::to_string(*frame) +
             ": the rest is track " + std::to_string(id);
  } else if (name == "--relink") {
    const auto at = id_at(value);
    const auto parts = at ? cut(at->second, ':') : std::nullopt;
    const auto frame = parts ? to_int(parts->first) : std::nullopt;
    const auto target = parts && parts->second != "new" ? to_int(parts->second) : std::nullopt;
    if (!frame || (!target && (!parts || parts->second != "new"))) {
      return Syntax{"ID@FRAME:TRACK or ID@FRAME:new"};
    }
    const std::int64_t id = target ? *target : plugin::next_track_id(doc);
    m.command = plugin::relink_box(doc, at->first, *frame, id);
    m.done = "moved the box of track " + std::to_string(at->first) + " at frame " +
             std::to_string(*frame) + " to track " + std::to_string(id);
  } else if (name == "--delete-track") {
    const auto id = to_int(value);
    if (!id) return Syntax{"a track id"};
    m.command = plugin::delete_track(doc, *id);
    m.done = "deleted track " + std::to_string(*id);
  } else if (name == "--delete" || name == "--flip") {
    const auto at = id_at(value);
    const auto range = at ? to_range(at->second) : std::nullopt;
    if (!range) return Syntax{"ID@FIRST-LAST"};
    const std::string frames = plugin::range_text(*range);
    if (name == "--delete") {
      m.command = plugin::delete_frames(doc, at->first, *range);
      m.done = "deleted the boxes of track " + std::to_string(at->first) + " at frames " + frames;
    } else {
      m.command = plugin::flip_heading(doc, at->first, *range);
      m.done = "flipped the heading of track " + std::to_string(at->first) + " at frames " + frames;
    }
  } else if (name == "--size-from") {
    const auto at = id_at(value);
    const auto parts = at ? cut(at->second, ':') : std::nullopt;
    const auto frame = to_int(parts ? parts->first : (at ? at->second : std::string()));
    const auto range = parts ? to_range(parts->second) : std::nullopt;
    if (!frame || (parts && !range)) return Syntax{"ID@FRAME or ID@FRAME:FIRST-LAST"};
    m.command = plugin::apply_size(doc, at->first, *frame, range);
    m.done = "gave track " + std::to_string(at->first) +
             (range ? " at frames " + plugin::range_text(*range) : std::string(" at every frame")) +
             " the size of its box at frame " + std::to_string(*frame);
  } else if (name == "--class") {
    const auto parts = cut(value, '=');
    const auto id = parts ? to_int(parts->first) : std::nullopt;
    if (!id || parts->second.empty()) return Syntax{"ID=CLASS"};
    m.command = plugin::set_class(doc, *id, parts->second);
    m.done = "track " + std::to_string(*id) + " is now a " + parts->second;
  } else if (name == "--refit") {
    const auto at = id_at(value);
    const auto whole = at ? std::nullopt : to_int(value);
    const auto range = at ? to_range(at->second) : std::nullopt;
    if (!whole && !range) return Syntax{"ID or ID@FIRST-LAST"};
    const std::int64_t id = whole ? *whole : at->first;
    plugin::RefitReport report;
    m.command =
        plugin::refit_track(session, id, range, plugin::sequence_clouds(session), {}, &report);
    m.done =
        "re-fitted " + std::to_string(report.refitted) + " boxes of track " + std::to_string(id);
    if (!report.kept_frames.empty()) {
      m.done += "; kept frames " + plugin::frame_list(report.kept_frames) + " (only ground found)";
    }
  }
  return m;
}

/// The actions in command-line order, from the options CLI11 parsed (it records each value).
std::vector<std::pair<std::string, std::string>> actions_in_order(
    const CLI::App& cmd, const std::vector<const CLI::Option*>& action_options) {
  std::map<const CLI::Option*, std::size_t> taken;
  std::vector<std::pair<std::string, std::string>> out;
  for (const CLI::Option* o : cmd.parse_order()) {
    if (std::find(action_options.begin(), action_options.end(), o) == action_options.end()) {
      continue;
    }
    const std::size_t i = taken[o]++;
    if (i < o->results().size()) out.emplace_back(o->get_name(), o->results()[i]);
  }
  return out;
}

int run_edit(const EditOptions& opt, const GlobalOptions& global,
             const plugin::Registry& registry) {
  warn_plugin_failures(registry);
  if (opt.actions.empty()) {
    return report_usage(
        "edit: no action given (--merge, --split, --relink, --delete-track, "
        "--delete, --flip, --size-from, --class, --refit); see pcanno edit --help");
  }
  const std::string out = opt.out.empty() ? opt.labels : opt.out;
  std::error_code ec;
  if (!opt.out.empty() && !opt.force && std::filesystem::exists(opt.out, ec) &&
      !std::filesystem::equivalent(opt.out, opt.labels, ec)) {
    return refuse_to_replace({opt.out});
  }
  std::optional<formats::Sequence> sequence;
  if (!opt.sequence.empty()) {
    formats::SequenceOptions options;
    options.name = opt.sequence_name;
    auto opened = formats::open_sequence(opt.sequence, options);
    if (!opened) return report(opened.error());
    sequence = std::move(*opened);
  }
  std::string codec_id;
  auto doc =
      read_labels(registry, opt.labels, opt.from, sequence ? &*sequence : nullptr, &codec_id);
  if (!doc) return report(doc.error());
  const formats::LabelCodec* writer = registry.codecs().find(codec_id);
  if (writer == nullptr || !writer->write) {
    return report_message("labels read as '" + codec_id + "' cannot be written back");
  }
  std::unique_ptr<plugin::Session> session = plugin::Session::create(std::move(*doc), sequence);
  std::vector<std::string> done;
  for (const auto& [name, value] : opt.actions) {
    const std::string action = name + " " + value;
    if ((name == "--refit") && session->sequence() == nullptr) {
      return report_usage(action + ": re-fitting needs the clouds; give --sequence DATASET");
    }
    std::variant<Made, Syntax> made = make_action(name, value, *session);
    if (const Syntax* bad = std::get_if<Syntax>(&made)) {
      return report_usage(action + ": expected " + bad->expected);
    }
    Made& m = std::get<Made>(made);
    if (!m.command) return report_message(action + ": " + m.command.error().message);
    if (formats::Status ok = session->apply(*m.command); !ok) {
      return report_message(action + ": " + ok.error().message);
    }
    done.push_back(m.done);
  }
  formats::LabelContext context;
  context.overwrite = true;  // in place, or --out checked above
  context.sequence = session->sequence();
  auto written = writer->write(session->document(), out, context);
  if (!written) return report(written.error());
  if (!global.quiet) {
    for (const std::string& line : done) std::cout << line << '\n';
    print_write_report(*written, writer->id);
  }
  return kExitOk;
}

}  // namespace

void add_edit_command(CLI::App& app, const GlobalOptions& global, const plugin::Registry& registry,
                      CommandAction& action) {
  auto opt = std::make_shared<EditOptions>();
  CLI::App* cmd = app.add_subcommand(
      "edit",
      "Repair tracks: merge, split, relink a box, delete a track or frames, flip headings, "
      "apply a size, change a class, re-fit; the actions run in the order given, and the labels "
      "are written only when all of them succeed");
  cmd->add_option("labels", opt->labels, "Labels in any format that can be written back")
      ->required();
  cmd->add_option("-o,--out", opt->out, "Write here instead of replacing LABELS (atomically)");
  cmd->add_option("--from", opt->from, "Input format, overriding detection");
  cmd->add_option("--sequence", opt->sequence,
                  "Dataset with the clouds (for --refit, and for formats that need calibration)");
  cmd->add_option("--sequence-name", opt->sequence_name, "Sequence or scene inside the dataset");
  cmd->add_flag("-f,--force", opt->force, "Replace an existing --out");
  // Repeatable, each taking one value, so that the order given is the order applied.
  static const std::array<std::pair<const char*, const char*>, 9> kActions{{
      {"--merge",
       "KEPT,ABSORBED: move every box of ABSORBED into KEPT (refused, naming the "
       "frames, when both have a box at the same frame)"},
      {"--split", "ID@FRAME: the boxes of ID from FRAME on become a new track"},
      {"--relink",
       "ID@FRAME:TRACK | ID@FRAME:new: move the box of ID at FRAME to TRACK (or a "
       "new track)"},
      {"--delete-track", "ID: delete the whole track"},
      {"--delete", "ID@FIRST-LAST: delete the boxes of ID at these frames"},
      {"--flip", "ID@FIRST-LAST: turn the boxes of ID at these frames by 180 degrees"},
      {"--size-from",
       "ID@FRAME[:FIRST-LAST]: give every box of ID (or those at FIRST-LAST) the "
       "size of its box at FRAME"},
      {"--class", "ID=CLASS: the class of the whole track"},
      {"--refit", "ID[@FIRST-LAST]: re-fit the track's boxes to their points (needs --sequence)"},
  }};
  // CLI11 stores each option's values here; the callback reads them in parse order instead.
  auto storage = std::make_shared<std::array<std::vector<std::string>, kActions.size()>>();
  std::vector<const CLI::Option*> options;
  for (std::size_t i = 0; i < kActions.size(); ++i) {
    options.push_back(cmd->add_option(kActions[i].first, (*storage)[i], kActions[i].second)
                          ->expected(1)
                          ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll));
  }
  cmd->footer(
      "Examples:\n"
      "  pcanno edit labels.json --merge 3,7\n"
      "  pcanno edit labels.json --relink 3@12:new --merge 7,3 -o fixed.json\n"
      "Exit codes: 0 done, 1 an action was refused (nothing written), 2 bad arguments.");
  cmd->callback([opt, storage, options, cmd, &global, &registry, &action] {
    opt->actions = actions_in_order(*cmd, options);
    action = [opt, &global, &registry] { return run_edit(*opt, global, registry); };
  });
}

}  // namespace pcanno::app
