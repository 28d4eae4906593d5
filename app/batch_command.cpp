// `pcanno batch RUN.json` / `pcanno batch --op convert --to nuscenes DATASET --out OUT`: one
// operation over many sequences, resumable (docs/batch.md). `pcanno batch --task I RUNDIR` runs
// one sequence of a prepared run (what the workers execute); `status` and `cancel` read the run
// directory.
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <thread>

#include <CLI/CLI.hpp>

#include "batch_engine.hpp"
#include "batch_ops.hpp"
#include "cli_support.hpp"

namespace pcanno::app {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

struct BatchOptions {
  std::vector<std::string> targets;
  std::string op;
  std::string out;
  std::string run_dir;
  std::string sequences;  ///< comma-separated subset
  std::optional<int> jobs;
  std::optional<int> retries;
  std::optional<std::size_t> task;
  bool force = false;
  bool prepare = false;  ///< write the plan, run nothing
  std::string engine;    ///< local, slurm
  batch::SlurmOptions slurm;
  // Options of the sequence's command, given inline.
  std::string to, from, class_map, schema;
  std::optional<std::size_t> min_points;
  bool all_frames = false, no_points = false;
  std::vector<std::string> extra;  ///< --option KEY=VALUE
};

std::vector<std::string> split_commas(const std::string& text) {
  std::vector<std::string> out;
  std::size_t at = 0;
  while (at <= text.size() && !text.empty()) {
    const std::size_t comma = std::min(text.find(',', at), text.size());
    if (comma > at) out.push_back(text.substr(at, comma - at));
    at = comma + 1;
  }
  return out;
}

formats::Expected<batch::RunSpec> inline_spec(const BatchOptions& opt) {
  auto usage = [](const std::string& m) -> formats::Expected<batch::RunSpec> {
    return formats::Error{formats::ErrorCode::kInvalidArgument, m, ""};
  };
  if (opt.targets.empty()) return usage("name the dataset (or label files) to run over");
  if (opt.out.empty()) return usage("--out names the output root");
  batch::RunSpec spec;
  spec.operation = opt.op;
  json& o = spec.options;
  if (!opt.to.empty()) o["to"] = opt.to;
  if (!opt.from.empty()) o["from"] = opt.from;
  // Absolute and normal, as a run file's are (run_spec_from_json): the tasks read the options back
  // from the plan, and the same options must give the same input hash.
  auto file_option = [](const std::string& path) {
    return fs::absolute(path).lexically_normal().string();
  };
  if (!opt.class_map.empty()) o["class-map"] = file_option(opt.class_map);
  if (!opt.schema.empty()) o["schema"] = file_option(opt.schema);
  if (opt.min_points) o["min-points"] = *opt.min_points;
  if (opt.all_frames) o["all-frames"] = true;
  if (opt.no_points) o["no-points"] = true;
  for (const std::string& kv : opt.extra) {
    const std::size_t eq = kv.find('=');
    if (eq == std::string::npos) {
      o[kv] = true;
    } else {
      const std::string key = kv.substr(0, eq), value = kv.substr(eq + 1);
      o[key] = key == "class-map" || key == "schema" ? file_option(value) : value;
    }
  }
  std::error_code ec;
  if (opt.targets.size() == 1 && fs::is_directory(opt.targets.front(), ec)) {
    spec.dataset = fs::absolute(opt.targets.front()).lexically_normal();
  } else {
    for (const std::string& t : opt.targets) spec.files.push_back(fs::absolute(t).string());
  }
  spec.sequences = split_commas(opt.sequences);
  spec.output = fs::absolute(opt.out).lexically_normal();
  if (!opt.run_dir.empty()) spec.run_dir = fs::absolute(opt.run_dir).lexically_normal();
  return spec;
}

/// A run directory, or a run file naming one.
batch::RunDir run_dir_of(const std::string& target) {
  std::error_code ec;
  if (fs::is_regular_file(target, ec)) {
    auto spec = batch::read_run_file(target);
    if (spec) return {batch::default_run_dir(*spec)};
  }
  return {fs::absolute(target).lexically_normal()};
}

/// True when the output root is missing or is the one this run directory last merged into.
bool output_is_ours(const batch::RunSpec& spec, const batch::RunDir& dir) {
  std::error_code ec;
  if (!fs::exists(spec.output, ec)) return true;
  std::ifstream in(dir.merge_file());
  const json merged = json::parse(in, nullptr, /*allow_exceptions=*/false);
  return !merged.is_discarded() && merged.value("output", "") == spec.output.string();
}

/// The Slurm settings: the run file's "slurm" object, then the command line's, which win.
formats::Status slurm_options(const BatchOptions& opt, const json& file, batch::SlurmOptions& out) {
  try {
    out = batch::slurm_options_from(file);
  } catch (const json::exception& e) {
    return formats::Error{formats::ErrorCode::kInvalidArgument,
                          std::string("the run file's \"slurm\": ") + e.what(), ""};
  }
  const batch::SlurmOptions& cli = opt.slurm;
  if (!cli.partition.empty()) out.partition = cli.partition;
  if (!cli.time.empty()) out.time = cli.time;
  if (!cli.mem.empty()) out.mem = cli.mem;
  if (cli.cpus_per_task > 0) out.cpus_per_task = cli.cpus_per_task;
  if (cli.max_running > 0) out.max_running = cli.max_running;
  out.sbatch_args.insert(out.sbatch_args.end(), cli.sbatch_args.begin(), cli.sbatch_args.end());
  out.wait = cli.wait;
  return {};
}

int run_batch(const BatchOptions& opt, const GlobalOptions& global) {
  if (opt.task) {
    if (opt.targets.size() != 1) return report_usage("--task I takes the run directory");
    return batch::run_task({fs::absolute(opt.targets.front())}, *opt.task);
  }
  formats::Expected<batch::RunSpec> spec = batch::RunSpec{};
  if (!opt.op.empty()) {
    spec = inline_spec(opt);
    if (!spec) return report_usage(spec.error().message);
  } else {
    if (opt.targets.size() != 1) {
      return report_usage("give a run file, or --op with a dataset and --out (see --help)");
    }
    spec = batch::read_run_file(opt.targets.front());
    if (!spec) return report(spec.error());
    if (!opt.run_dir.empty()) spec->run_dir = fs::absolute(opt.run_dir).lexically_normal();
  }
  if (formats::Status s = batch::check_spec(*spec); !s) return report_usage(s.error().message);

  batch::EngineOptions engine;
  engine.jobs = opt.jobs.value_or(
      spec->jobs.value_or(static_cast<int>(std::max(1u, std::thread::hardware_concurrency()))));
  engine.retries = opt.retries.value_or(spec->retries.value_or(2));
  engine.quiet = global.quiet;
  engine.engine = !opt.engine.empty() ? opt.engine : spec->engine.value_or("local");
  if (engine.engine != "local" && engine.engine != "slurm") {
    return report_usage("--engine: local or slurm, not " + engine.engine);
  }
  if (formats::Status s = slurm_options(opt, spec->slurm, engine.slurm); !s) {
    return report_usage(s.error().message);
  }
  if (engine.jobs < 1) return report_usage("-j: at least one worker");
  if (engine.retries < 0) return report_usage("--retries: zero or more");

  const std::string codec = spec->dataset.empty() ? "" : batch::listing_codec(*spec);
  auto plan = batch::make_plan(*spec, codec);
  if (!plan) return report(plan.error());
  // eval: a sequence's ground truth is one of its inputs (its bytes decide whether it is redone).
  if (spec->operation == "eval") {
    for (batch::Task& task : plan->tasks) {
      task.files.push_back(batch::eval_truth(*spec, task).string());
    }
  }
  const batch::RunDir dir{batch::default_run_dir(*spec)};
  // The output root belongs to the run: one this run did not make is replaced only with --force.
  if (!output_is_ours(*spec, dir) && !opt.force) return refuse_to_replace({spec->output});
  if (formats::Status s = batch::make_run_dir(dir); !s) return report(s.error());
  if (opt.prepare) {
    // What another engine (a Slurm array) starts from: the plan, tasks 0..N-1.
    if (formats::Status s = batch::write_plan(dir, *plan); !s) return report(s.error());
    std::cout << "prepared " << plan->tasks.size() << " tasks in " << dir.root.string()
              << ": run `pcanno batch --task I " << dir.root.string() << "` for I in 0.."
              << plan->tasks.size() - 1 << ", then `pcanno batch merge " << dir.root.string()
              << "`\n";
    return kExitOk;
  }
  if (engine.engine == "slurm") return batch::run_slurm(*plan, dir, engine);
  return batch::run_local(*plan, dir, engine);
}

}  // namespace

void add_batch_command(CLI::App& app, const GlobalOptions& global, CommandAction& action) {
  auto opt = std::make_shared<BatchOptions>();
  CLI::App* cmd = app.add_subcommand(
      "batch",
      "Run one operation (convert, check, track, prelabel, render, eval) over many sequences, one "
      "sequence per task, on local worker processes or a Slurm cluster; resumable (a re-run "
      "redoes only what failed, changed or never finished), outputs merged into one dataset "
      "where the format is one. See docs/batch.md.\n"
      "  pcanno batch RUN.json\n"
      "  pcanno batch --op convert --to nuscenes training/ --out nus -j 2\n"
      "  pcanno batch --op convert --to nuscenes training/ --out nus --engine slurm --wait\n"
      "  pcanno batch status nus.batch      pcanno batch cancel nus.batch\n"
      "  pcanno batch merge nus.batch       pcanno batch --task 3 nus.batch");
  cmd->add_option("run", opt->targets,
                  "A run file (JSON, docs/batch.md); with --op the dataset root (or label "
                  "files, one sequence each); with --task the run directory");
  cmd->add_option("--op", opt->op,
                  "Operation to run inline: convert, check, track, prelabel, render, eval");
  cmd->add_option("--out", opt->out, "Output root (inline runs)");
  cmd->add_option("--sequences", opt->sequences,
                  "Only these sequences of the dataset, comma-separated (0000,0003)");
  cmd->add_option("--run-dir", opt->run_dir,
                  "Run directory: state, logs, staging, parts (default: <output>.batch)");
  cmd->add_option("-j,--jobs", opt->jobs, "Worker processes (default: the core count)");
  cmd->add_option("--retries", opt->retries,
                  "Attempts after a task's first failure before it is reported (default 2)");
  cmd->add_option("--task", opt->task,
                  "Run task I of the prepared run directory and record it (what workers and "
                  "Slurm array tasks execute)");
  cmd->add_flag("-f,--force", opt->force, "Replace an output root this run did not make");
  cmd->add_flag("--prepare", opt->prepare,
                "Write the run directory and its plan and run nothing: tasks 0..N-1 for "
                "`pcanno batch --task I RUNDIR` elsewhere, then `pcanno batch merge RUNDIR`");
  cmd->add_option("--engine", opt->engine,
                  "Where tasks run: local (worker processes, the default) or slurm (one job array "
                  "and a finishing job; docs/batch.md)");
  auto* slurm = cmd->add_option_group("Slurm engine", "Passed to sbatch for each array task");
  slurm->add_option("--partition", opt->slurm.partition, "Partition (default: the cluster's)");
  slurm->add_option("--time", opt->slurm.time, "Time limit of one task (sbatch --time)");
  slurm->add_option("--mem", opt->slurm.mem, "Memory of one task (sbatch --mem, e.g. 4G)");
  slurm->add_option("--cpus-per-task", opt->slurm.cpus_per_task, "CPUs of one task");
  slurm->add_option("--max-running", opt->slurm.max_running,
                    "Array tasks running at once (sbatch --array=...%N)");
  slurm
      ->add_option("--sbatch-arg", opt->slurm.sbatch_args,
                   "Another sbatch argument, as given (repeat for several)")
      ->allow_extra_args(false);
  slurm->add_flag("--wait", opt->slurm.wait,
                  "Follow the jobs until the run is merged, then report (default: submit and "
                  "return; `pcanno batch status` follows them)");
  auto* group = cmd->add_option_group("operation options", "Passed to each sequence's command");
  group->add_option("--to", opt->to,
                    "convert, track, prelabel: output format (nuscenes, kitti-tracking, ...)");
  group->add_option("--from", opt->from, "Input label format, overriding detection");
  group->add_option("--class-map", opt->class_map, "convert: JSON class map");
  group->add_flag("--all-frames", opt->all_frames, "convert to nuScenes: every frame");
  group->add_option("--schema", opt->schema, "check: class schema file");
  group->add_option("--min-points", opt->min_points, "check: fewest LiDAR points in a box");
  group->add_flag("--no-points", opt->no_points, "check: do not read clouds");
  group
      ->add_option("--option", opt->extra,
                   "Any other option of the sequence's command: KEY=VALUE, or KEY for a flag "
                   "(repeat --option for several)")
      ->allow_extra_args(false);

  auto status_target = std::make_shared<std::string>();
  auto status_json = std::make_shared<bool>(false);
  CLI::App* status = cmd->add_subcommand(
      "status", "Per sequence: status, attempts, exit code, time and log of a run");
  status->add_option("run", *status_target, "Run directory (or its run file)")->required();
  status->add_flag("--json", *status_json, "Machine-readable output");
  status->callback([status_target, status_json, &action] {
    action = [status_target, status_json] {
      return batch::print_status(run_dir_of(*status_target), *status_json);
    };
  });

  auto cancel_target = std::make_shared<std::string>();
  CLI::App* cancel = cmd->add_subcommand(
      "cancel", "Stop a run: its engine and running tasks stop and record themselves cancelled");
  cancel->add_option("run", *cancel_target, "Run directory (or its run file)")->required();
  cancel->callback([cancel_target, &action] {
    action = [cancel_target] { return batch::cancel_run(run_dir_of(*cancel_target)); };
  });

  auto merge_target = std::make_shared<std::string>();
  CLI::App* merge = cmd->add_subcommand(
      "merge",
      "Merge the finished sequences of a run into its output root and write the summary (what "
      "an engine's finishing step runs; exit 1 while a sequence is not done)");
  merge->add_option("run", *merge_target, "Run directory (or its run file)")->required();
  merge->callback([merge_target, &global, &action] {
    action = [merge_target, &global] {
      return batch::merge_run(run_dir_of(*merge_target), global.quiet);
    };
  });

  auto finish_target = std::make_shared<std::string>();
  CLI::App* finish = cmd->add_subcommand(
      "finish",
      "The Slurm engine's finishing job: resubmit the failed tasks while retries remain, else "
      "merge and write the summary");
  finish->add_option("run", *finish_target, "Run directory")->required();
  finish->callback([finish_target, &global, &action] {
    action = [finish_target, &global] {
      return batch::finish_slurm(run_dir_of(*finish_target), global.quiet);
    };
  });

  cmd->callback([cmd, opt, &global, &action] {
    if (cmd->get_subcommands().empty()) {
      action = [opt, &global] { return run_batch(*opt, global); };
    }
  });
}

}  // namespace pcanno::app
