#include "batch_run.hpp"

#include <glob.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <set>
#include <sstream>
#include <system_error>

#include "label_input.hpp"
#include "pcanno/formats/support/atomic_write.hpp"

namespace pcanno::app::batch {
namespace {

namespace fs = std::filesystem;
using formats::Error;
using formats::ErrorCode;
using nlohmann::json;

formats::Expected<std::string> read_text(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return Error{ErrorCode::kNotFound, "cannot open", file.string()};
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

formats::Expected<json> read_json(const fs::path& file) {
  auto text = read_text(file);
  if (!text) return std::move(text).error();
  json j = json::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Error{ErrorCode::kMalformed, "not valid JSON", file.string()};
  return j;
}

fs::path absolute_from(const fs::path& base, const std::string& p) {
  if (p.empty()) return {};
  const fs::path path(p);
  return (path.is_absolute() ? path : base / path).lexically_normal();
}

/// Two 64-bit FNV-1a lanes: enough to notice a changed input, not a security measure.
struct Hasher {
  std::uint64_t a = 0xcbf29ce484222325ull, b = 0x84222325cbf29ce4ull;
  void add(std::string_view bytes) {
    for (const char c : bytes) {
      a = (a ^ static_cast<unsigned char>(c)) * 0x100000001b3ull;
      b = (b ^ static_cast<unsigned char>(c)) * 0x100000001b3ull + 1;
    }
  }
  void add_line(const std::string& text) { add(text), add("\n"); }
  std::string hex() const {
    char out[33];
    std::snprintf(out, sizeof out, "%016llx%016llx", static_cast<unsigned long long>(a),
                  static_cast<unsigned long long>(b));
    return out;
  }
};

void hash_file(Hasher& h, const fs::path& file) {
  h.add_line(file.string());
  std::ifstream in(file, std::ios::binary);
  if (!in) return h.add_line("<missing>");
  char buffer[1 << 16];
  while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
    h.add(std::string_view(buffer, static_cast<std::size_t>(in.gcount())));
  }
}

void hash_folder_listing(Hasher& h, const fs::path& folder) {
  h.add_line(folder.string());
  std::vector<std::string> lines;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(folder, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    if (!it->is_regular_file(ec)) continue;
    const auto size = it->file_size(ec);
    const auto time = it->last_write_time(ec).time_since_epoch().count();
    lines.push_back(it->path().lexically_relative(folder).string() + " " + std::to_string(size) +
                    " " + std::to_string(time));
  }
  std::sort(lines.begin(), lines.end());
  for (const std::string& line : lines) h.add_line(line);
}

/// The files of sequence `name` in a dataset laid out by sequence (KITTI: label_02/0003.txt,
/// calib/0003.txt, oxts/0003.txt, velodyne/0003/): `<sub>/<name>.*` files and `<sub>/<name>/`
/// folders of every first-level folder.
void dataset_inputs(const fs::path& root, const std::string& name, Task& task) {
  std::error_code ec;
  std::vector<fs::path> subs;
  for (const auto& e : fs::directory_iterator(root, ec)) {
    if (e.is_directory(ec)) subs.push_back(e.path());
  }
  std::sort(subs.begin(), subs.end());
  for (const fs::path& sub : subs) {
    std::vector<fs::path> hits;
    for (const auto& e : fs::directory_iterator(sub, ec)) {
      const std::string file = e.path().filename().string();
      if (file == name || file.rfind(name + ".", 0) == 0) hits.push_back(e.path());
    }
    std::sort(hits.begin(), hits.end());
    for (const fs::path& p : hits) {
      (fs::is_directory(p, ec) ? task.folders : task.files).push_back(p.string());
    }
  }
}

std::vector<std::string> expand_globs(const std::vector<std::string>& patterns) {
  std::vector<std::string> out;
  for (const std::string& pattern : patterns) {
    glob_t g{};
    if (::glob(pattern.c_str(), GLOB_NOCHECK, nullptr, &g) == 0) {
      for (std::size_t i = 0; i < g.gl_pathc; ++i) out.emplace_back(g.gl_pathv[i]);
    }
    ::globfree(&g);
  }
  return out;
}

json strings(const std::vector<std::string>& v) { return json(v); }

}  // namespace

formats::Expected<RunSpec> run_spec_from_json(const json& j, const fs::path& base) {
  auto bad = [&](const std::string& what) -> formats::Expected<RunSpec> {
    return Error{ErrorCode::kMalformed, what, ""};
  };
  if (!j.is_object()) return bad("a run file is a JSON object");
  RunSpec spec;
  spec.operation = j.value("operation", "");
  if (spec.operation.empty()) return bad("\"operation\" is missing (convert, check)");
  if (j.contains("options")) {
    if (!j["options"].is_object()) return bad("\"options\" must be an object");
    spec.options = j["options"];
    // Files the options name are found from the run file's folder, like the inputs.
    for (const char* key : {"class-map", "schema"}) {
      if (spec.options.contains(key) && spec.options[key].is_string()) {
        spec.options[key] = absolute_from(base, spec.options[key].get<std::string>()).string();
      }
    }
  }
  const json inputs = j.value("inputs", json::object());
  if (!inputs.is_object()) return bad("\"inputs\" must be an object");
  spec.dataset = absolute_from(base, inputs.value("dataset", ""));
  if (inputs.contains("sequences")) {
    spec.sequences = inputs["sequences"].get<std::vector<std::string>>();
  }
  for (const std::string& f : inputs.value("files", std::vector<std::string>())) {
    spec.files.push_back(absolute_from(base, f).string());
  }
  if (spec.dataset.empty() && spec.files.empty()) {
    return bad("\"inputs\" names no \"dataset\" and no \"files\"");
  }
  spec.output = absolute_from(base, j.value("output", ""));
  if (spec.output.empty()) return bad("\"output\" is missing");
  spec.run_dir = absolute_from(base, j.value("run_dir", ""));
  if (j.contains("jobs")) spec.jobs = j["jobs"].get<int>();
  if (j.contains("retries")) spec.retries = j["retries"].get<int>();
  if (j.contains("engine")) spec.engine = j["engine"].get<std::string>();
  if (j.contains("slurm")) {
    if (!j["slurm"].is_object()) return bad("\"slurm\" must be an object");
    spec.slurm = j["slurm"];
  }
  return spec;
}

formats::Expected<RunSpec> read_run_file(const fs::path& file) {
  auto j = read_json(file);
  if (!j) return std::move(j).error();
  try {
    auto spec = run_spec_from_json(*j, fs::absolute(file).parent_path());
    if (!spec) {
      Error e = std::move(spec).error();
      e.path = file.string();
      return e;
    }
    return spec;
  } catch (const json::exception& e) {
    return Error{ErrorCode::kMalformed, std::string("wrong type: ") + e.what(), file.string()};
  }
}

json to_json(const RunSpec& spec) {
  json j = {{"operation", spec.operation}, {"options", spec.options}};
  json inputs = json::object();
  if (!spec.dataset.empty()) inputs["dataset"] = spec.dataset.string();
  if (!spec.sequences.empty()) inputs["sequences"] = strings(spec.sequences);
  if (!spec.files.empty()) inputs["files"] = strings(spec.files);
  j["inputs"] = inputs;
  j["output"] = spec.output.string();
  j["run_dir"] = default_run_dir(spec).string();
  if (spec.jobs) j["jobs"] = *spec.jobs;
  if (spec.retries) j["retries"] = *spec.retries;
  if (spec.engine) j["engine"] = *spec.engine;
  if (!spec.slurm.empty()) j["slurm"] = spec.slurm;
  return j;
}

fs::path default_run_dir(const RunSpec& spec) {
  if (!spec.run_dir.empty()) return spec.run_dir;
  fs::path out = spec.output;
  if (!out.has_filename()) out = out.parent_path();
  return out.parent_path() / (out.filename().string() + ".batch");
}

formats::Expected<Plan> make_plan(const RunSpec& spec, const std::string& codec_id) {
  Plan plan;
  plan.spec = spec;
  std::set<std::string> names;
  if (!spec.files.empty()) {
    for (const std::string& file : expand_globs(spec.files)) {
      std::error_code ec;
      if (!fs::exists(file, ec)) return Error{ErrorCode::kNotFound, "no such input", file};
      Task task;
      task.name = fs::path(file).stem().string();
      task.input = file;
      task.labels = file;
      task.files.push_back(file);
      if (!spec.dataset.empty()) {
        task.dataset = spec.dataset.string();
        task.sequence_name = task.name;
        dataset_inputs(spec.dataset, task.name, task);
      } else if (fs::path(file).parent_path().filename() == "label_02") {
        // KITTI labels find their calibration in the training folder: it is an input too.
        task.files.clear();
        dataset_inputs(fs::path(file).parent_path().parent_path(), task.name, task);
      }
      plan.tasks.push_back(std::move(task));
    }
  } else {
    auto units = list_label_units(codec_id, spec.dataset.string(), "", "");
    if (!units) return std::move(units).error();
    if (units->empty()) {
      return Error{ErrorCode::kUnsupported,
                   "holds one sequence; batch runs need a dataset of several (or \"files\")",
                   spec.dataset.string()};
    }
    for (const LabelUnit& unit : *units) {
      if (!spec.sequences.empty() && std::find(spec.sequences.begin(), spec.sequences.end(),
                                               unit.name) == spec.sequences.end()) {
        continue;
      }
      Task task;
      task.name = unit.name;
      task.input = spec.dataset.string();
      task.labels = unit.labels.string();
      task.sequence_name = unit.name;
      if (codec_id == "nuscenes") {
        task.folders.push_back(unit.labels.string());  // shared tables: their listing
      } else {
        dataset_inputs(spec.dataset, unit.name, task);
      }
      plan.tasks.push_back(std::move(task));
    }
    for (const std::string& wanted : spec.sequences) {
      if (std::none_of(plan.tasks.begin(), plan.tasks.end(),
                       [&](const Task& t) { return t.name == wanted; })) {
        return Error{ErrorCode::kNotFound, "no sequence '" + wanted + "' in the dataset",
                     spec.dataset.string()};
      }
    }
  }
  for (const Task& t : plan.tasks) {
    if (!names.insert(t.name).second) {
      return Error{ErrorCode::kInvalidArgument,
                   "two inputs are both sequence '" + t.name + "'; names must differ", t.input};
    }
  }
  if (plan.tasks.empty()) return Error{ErrorCode::kNotFound, "no sequence to run", ""};
  return plan;
}

formats::Status make_run_dir(const RunDir& dir) {
  std::error_code ec;
  for (const char* sub : {"state", "logs", "staging", "parts"}) {
    fs::create_directories(dir.root / sub, ec);
    if (ec)
      return Error{ErrorCode::kIo, "cannot create folder: " + ec.message(), dir.root.string()};
  }
  return {};
}

formats::Status write_plan(const RunDir& dir, const Plan& plan) {
  json tasks = json::array();
  for (const Task& t : plan.tasks) {
    tasks.push_back({{"name", t.name},
                     {"input", t.input},
                     {"labels", t.labels},
                     {"dataset", t.dataset},
                     {"sequence_name", t.sequence_name},
                     {"files", strings(t.files)},
                     {"folders", strings(t.folders)}});
  }
  const json j = {
      {"pcanno_version", PCANNO_VERSION}, {"run", to_json(plan.spec)}, {"tasks", tasks}};
  formats::Status s = formats::write_file_atomic(dir.run_file(), to_json(plan.spec).dump(2) + "\n",
                                                 /*overwrite=*/true);
  if (!s) return s;
  return formats::write_file_atomic(dir.plan_file(), j.dump(1) + "\n", /*overwrite=*/true);
}

formats::Expected<Plan> read_plan(const RunDir& dir) {
  auto j = read_json(dir.plan_file());
  if (!j) return std::move(j).error();
  try {
    auto spec = run_spec_from_json((*j)["run"], dir.root);
    if (!spec) return std::move(spec).error();
    Plan plan;
    plan.spec = std::move(*spec);
    for (const json& t : (*j)["tasks"]) {
      Task task;
      task.name = t.at("name").get<std::string>();
      task.input = t.at("input").get<std::string>();
      task.labels = t.at("labels").get<std::string>();
      task.dataset = t.at("dataset").get<std::string>();
      task.sequence_name = t.at("sequence_name").get<std::string>();
      task.files = t.at("files").get<std::vector<std::string>>();
      task.folders = t.at("folders").get<std::vector<std::string>>();
      plan.tasks.push_back(std::move(task));
    }
    return plan;
  } catch (const json::exception& e) {
    return Error{ErrorCode::kMalformed, e.what(), dir.plan_file().string()};
  }
}

std::string to_string(TaskStatus s) {
  switch (s) {
    case TaskStatus::kPending:
      return "pending";
    case TaskStatus::kRunning:
      return "running";
    case TaskStatus::kDone:
      return "done";
    case TaskStatus::kFailed:
      return "failed";
    case TaskStatus::kCancelled:
      return "cancelled";
  }
  return "pending";
}

std::optional<TaskState> read_state(const RunDir& dir, const std::string& name) {
  auto j = read_json(dir.state(name));
  if (!j) return std::nullopt;
  TaskState s;
  try {
    s.name = j->value("sequence", name);
    s.index = j->value("index", std::size_t{0});
    const std::string status = j->value("status", "pending");
    for (TaskStatus t : {TaskStatus::kPending, TaskStatus::kRunning, TaskStatus::kDone,
                         TaskStatus::kFailed, TaskStatus::kCancelled}) {
      if (to_string(t) == status) s.status = t;
    }
    s.input_hash = j->value("input_hash", "");
    s.attempts = j->value("attempts", 0);
    s.exit_code = j->value("exit_code", 0);
    s.started = j->value("started", "");
    s.finished = j->value("finished", "");
    s.seconds = j->value("seconds", 0.0);
    s.log = j->value("log", "");
    s.pid = j->value("pid", std::int64_t{0});
    s.host = j->value("host", "");
    s.error = j->value("error", "");
    s.counts = j->value("counts", json::object());
    s.warnings = j->value("warnings", std::vector<std::string>());
  } catch (const json::exception&) {
    return std::nullopt;  // a damaged record: the task is redone
  }
  return s;
}

formats::Status write_state(const RunDir& dir, const TaskState& s) {
  const json j = {{"sequence", s.name},
                  {"index", s.index},
                  {"status", to_string(s.status)},
                  {"input_hash", s.input_hash},
                  {"attempts", s.attempts},
                  {"exit_code", s.exit_code},
                  {"started", s.started},
                  {"finished", s.finished},
                  {"seconds", s.seconds},
                  {"log", s.log},
                  {"pid", s.pid},
                  {"host", s.host},
                  {"error", s.error},
                  {"counts", s.counts},
                  {"warnings", s.warnings}};
  return formats::write_file_atomic(dir.state(s.name), j.dump(1) + "\n", /*overwrite=*/true);
}

std::string input_hash(const Plan& plan, const Task& task) {
  Hasher h;
  h.add_line(std::string("pcanno ") + PCANNO_VERSION);
  h.add_line(plan.spec.operation);
  h.add_line(plan.spec.options.dump());  // keys sorted: the same options give the same text
  // A file an option names (a class map, a schema, a detector's model) changes the output with
  // its bytes, not with its name.
  for (const auto& [key, value] : plan.spec.options.items()) {
    std::error_code ec;
    if (value.is_string() && fs::is_regular_file(value.get<std::string>(), ec)) {
      h.add_line(key);
      hash_file(h, value.get<std::string>());
    }
  }
  h.add_line(task.input + "|" + task.dataset + "|" + task.sequence_name);
  for (const std::string& f : task.files) hash_file(h, f);
  for (const std::string& f : task.folders) hash_folder_listing(h, f);
  return h.hex();
}

bool up_to_date(const RunDir& dir, const std::optional<TaskState>& state, const std::string& hash) {
  std::error_code ec;
  return state && state->status == TaskStatus::kDone && state->input_hash == hash &&
         fs::exists(dir.part(state->name), ec);
}

bool is_batch_process(std::int64_t pid, const std::string& also) {
  if (pid <= 0) return false;
  auto cmdline = read_text("/proc/" + std::to_string(pid) + "/cmdline");
  if (!cmdline) return false;
  std::string args = *cmdline;
  std::replace(args.begin(), args.end(), '\0', ' ');
  return args.find(" batch ") != std::string::npos &&
         (also.empty() || args.find(also) != std::string::npos);
}

std::string utc_now() {
  const auto now = std::chrono::system_clock::now();
  const std::time_t t = std::chrono::system_clock::to_time_t(now);
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char out[64];
  std::snprintf(out, sizeof out, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms));
  return out;
}

std::string slurp(const fs::path& file) {
  auto text = read_text(file);
  return text ? std::move(*text) : std::string();
}

std::string self_exe() {
  std::error_code ec;
  const fs::path p = fs::read_symlink("/proc/self/exe", ec);
  return ec ? std::string("pcanno") : p.string();
}

std::string host_name() {
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) != 0) return "";
  return name;
}

}  // namespace pcanno::app::batch
