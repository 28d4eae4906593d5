#include "batch_ops.hpp"

#include <algorithm>
#include <fstream>
#include <regex>
#include <sstream>
#include <system_error>

namespace pcanno::app::batch {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

/// Options the adapters set themselves, per task.
const std::vector<std::string>& reserved_options() {
  static const std::vector<std::string> kReserved = {
      "out", "sequence", "sequence-name", "json", "quiet", "force", "skip-failed", "labels"};
  return kReserved;
}

/// A run file's options as command-line arguments, in key order; `own` is batch's, not passed.
void append_options(const json& options, std::vector<std::string>& args, const std::string& own) {
  for (const auto& [key, value] : options.items()) {
    if (key == own) continue;
    const std::string flag = "--" + key;
    const auto add = [&](const json& v) {
      if (v.is_boolean()) {
        if (v.get<bool>()) args.push_back(flag);
      } else {
        args.push_back(flag);
        args.push_back(v.is_string() ? v.get<std::string>() : v.dump());
      }
    };
    if (value.is_array()) {
      for (const json& v : value) add(v);
    } else {
      add(value);
    }
  }
}

std::string option(const RunSpec& spec, const char* key) {
  const auto it = spec.options.find(key);
  return it != spec.options.end() && it->is_string() ? it->get<std::string>() : "";
}

/// Where `pcanno convert` writes one sequence inside its staging folder.
std::string convert_output(const std::string& to, const std::string& name) {
  if (to == "nuscenes") return "nuscenes";
  if (to == "kitti-tracking") return "kitti";
  if (to == "openlabel") return name + ".json";
  if (to == "pcanno") return name + ".pcanno.json";
  return "out";
}

void convert_counts(const std::string& log, TaskState& state) {
  std::smatch m;
  if (std::regex_search(log, m, std::regex(R"(read (\d+) box(?:es)? in (\d+) tracks?)"))) {
    state.counts["boxes_read"] = std::stoll(m[1]);
    state.counts["tracks"] = std::stoll(m[2]);
  }
  if (std::regex_search(log, m, std::regex(R"(wrote (\d+) box)"))) {
    state.counts["boxes_written"] = std::stoll(m[1]);
  }
  // What the format could not hold, once per reason: "dropped 473 ignore regions (...): ...".
  if (std::regex_search(log, m, std::regex(R"(dropped ([^\n]*))"))) {
    state.warnings.push_back("dropped " + m[1].str());
  }
}

void eval_counts(const fs::path& report, TaskState& state) {
  const json j = json::parse(slurp(report), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.contains("overall")) return;
  for (const char* key : {"boxes", "missed", "mean_iou_3d", "mean_iou_bev", "fraction_3d_50"}) {
    if (j["overall"].contains(key)) state.counts[key] = j["overall"][key];
  }
}

void check_counts(const fs::path& report, TaskState& state) {
  const json j = json::parse(slurp(report), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.contains("summary")) return;
  for (const char* key : {"boxes", "tracks", "errors", "warnings", "infos"}) {
    if (j["summary"].contains(key)) state.counts[key] = j["summary"][key];
  }
}

}  // namespace

const std::vector<std::string>& operation_ids() {
  static const std::vector<std::string> kIds = {"convert",  "check",  "track",
                                                "prelabel", "render", "eval"};
  return kIds;
}

formats::Status check_spec(const RunSpec& spec) {
  auto invalid = [](const std::string& message) -> formats::Status {
    return formats::Error{formats::ErrorCode::kInvalidArgument, message, ""};
  };
  const auto& ids = operation_ids();
  if (std::find(ids.begin(), ids.end(), spec.operation) == ids.end()) {
    return invalid("unknown operation '" + spec.operation +
                   "'; batch runs: convert, check, track, prelabel, render, eval");
  }
  for (const std::string& key : reserved_options()) {
    if (spec.options.contains(key)) {
      return invalid("option '" + key + "' is set by pcanno batch for each sequence");
    }
  }
  if (spec.operation == "eval") {
    std::error_code ec;
    if (!fs::is_directory(option(spec, "gt"), ec)) {
      return invalid(
          "eval needs the ground truth: option \"gt\" (--option gt=FOLDER), a folder "
          "holding each sequence's labels under the name of its predictions' file");
    }
  }
  if (spec.operation == "convert" && option(spec, "to").empty()) {
    return invalid("convert needs the output format: option \"to\" (--to)");
  }
  if ((spec.operation == "track" || spec.operation == "prelabel" || spec.operation == "render") &&
      spec.dataset.empty()) {
    return invalid(spec.operation + " needs the dataset with the clouds (inputs.dataset)");
  }
  return {};
}

std::string output_format(const RunSpec& spec) {
  const std::string to = option(spec, "to");
  if (!to.empty() || spec.operation == "check" || spec.operation == "render" ||
      spec.operation == "eval") {
    return to;
  }
  if (spec.operation == "prelabel") return "pcanno";  // pcanno prelabel's default
  return listing_codec(spec);                         // track keeps the input's format
}

std::string listing_codec(const RunSpec& spec) {
  const std::string from = option(spec, "from");
  if (!from.empty()) return from;
  std::error_code ec;
  // A nuScenes dataroot holds a version folder with scene.json; anything else is read as KITTI.
  for (const auto& e : fs::directory_iterator(spec.dataset, ec)) {
    if (fs::exists(e.path() / "scene.json", ec)) return "nuscenes";
  }
  return "kitti-tracking";
}

fs::path eval_truth(const RunSpec& spec, const Task& task) {
  return fs::path(option(spec, "gt")) / fs::path(task.labels).filename();
}

TaskCommand task_command(const Plan& plan, const Task& task, const fs::path& staging) {
  const RunSpec& spec = plan.spec;
  const std::string& op = spec.operation;
  // Each command's positional inputs; the dataset gives clouds, calibration and poses.
  const std::string dataset = task.dataset.empty() ? task.input : task.dataset;
  TaskCommand c;
  if (op == "convert") {
    c.args = {"convert", task.input};
    if (!task.dataset.empty()) c.args.insert(c.args.end(), {"--sequence", task.dataset});
  } else if (op == "track") {
    c.args = {"track", dataset, task.labels};
  } else if (op == "prelabel") {
    c.args = {"prelabel", dataset};
  } else if (op == "eval") {
    // The sequence's predictions against its ground truth, found by the same file name.
    c.args = {"eval", task.labels, eval_truth(spec, task).string()};
    if (!task.dataset.empty()) c.args.insert(c.args.end(), {"--sequence", task.dataset});
  } else if (op == "render") {
    // A thumbnail: frame 0 with the sequence's labels unless the options say otherwise.
    c.args = {"render", dataset, "--labels", task.labels};
    if (!spec.options.contains("frame")) c.args.insert(c.args.end(), {"--frame", "0"});
  } else {
    c.args = {op, task.labels};
    if (!task.dataset.empty()) c.args.insert(c.args.end(), {"--sequence", task.dataset});
  }
  // check and eval read label files and find their dataset themselves, unless one is named.
  const bool label_files_only = op == "check" || op == "eval";
  if (!task.sequence_name.empty() && (!label_files_only || !task.dataset.empty())) {
    c.args.insert(c.args.end(), {"--sequence-name", task.sequence_name});
  }
  append_options(spec.options, c.args, op == "eval" ? "gt" : "");
  if (op == "render") {
    c.args.insert(c.args.end(), {"--out", (staging / (task.name + ".png")).string()});
    return c;
  }
  if (op == "check" || op == "eval") {
    c.args.push_back("--json");
    c.stdout_file = staging / (task.name + ".json");
    return c;
  }
  const std::string to = output_format(spec);
  if (option(spec, "to").empty()) c.args.insert(c.args.end(), {"--to", to});
  c.args.push_back("--out");
  c.args.push_back((staging / convert_output(to, task.name)).string());
  return c;
}

bool task_succeeded(const Plan& plan, int code, const fs::path& staging, const Task& task) {
  if (code == 0) return true;
  if (plan.spec.operation == "check" && code == 1) {
    const json j = json::parse(slurp(staging / (task.name + ".json")), nullptr, false);
    return !j.is_discarded() && j.contains("summary");
  }
  return false;
}

void collect_counts(const Plan& plan, const std::string& log_text, const fs::path& part,
                    TaskState& state) {
  state.counts = json::object();
  state.warnings.clear();
  const std::string& op = plan.spec.operation;
  if (op == "check") {
    check_counts(part / (state.name + ".json"), state);
  } else if (op == "eval") {
    eval_counts(part / (state.name + ".json"), state);
  } else {
    convert_counts(log_text, state);
  }
  std::istringstream lines(log_text);
  for (std::string line; std::getline(lines, line);) {
    const auto at = line.find("pcanno: warning: ");
    if (at != std::string::npos) state.warnings.push_back(line.substr(at + 17));
  }
}

}  // namespace pcanno::app::batch
