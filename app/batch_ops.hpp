#pragma once
#include <filesystem>
#include <string>
#include <vector>

#include "batch_run.hpp"
#include "pcanno/formats/support/expected.hpp"

// The operations `pcanno batch` runs, one small adapter each: the single-sequence command a task
// runs (the existing `pcanno convert`, `pcanno check`), where its output goes in the task's
// staging folder, whether it succeeded, and what it counted. Adding an operation means adding a
// case here and, when its outputs form one dataset, a merge in batch_merge.cpp.

namespace pcanno::app::batch {

/// The operations a run file may name.
const std::vector<std::string>& operation_ids();

/// Checks the spec before anything runs: a known operation, its required options, no option the
/// adapter sets itself. kInvalidArgument naming the problem.
formats::Status check_spec(const RunSpec& spec);

/// The label format the operation writes: option "to", else the command's default (track: the
/// input's, prelabel: pcanno); empty for check.
std::string output_format(const RunSpec& spec);

/// The codec that reads the spec's dataset for listing sequences ("kitti-tracking" when unsure).
std::string listing_codec(const RunSpec& spec);

/// eval: the ground truth of `task`, the file of its predictions' name in option "gt"'s folder.
std::filesystem::path eval_truth(const RunSpec& spec, const Task& task);

/// The command line (after the program name) of task `task`, writing into `staging`.
struct TaskCommand {
  std::vector<std::string> args;
  std::filesystem::path stdout_file;  ///< where stdout goes; empty: the log
};
TaskCommand task_command(const Plan& plan, const Task& task, const std::filesystem::path& staging);

/// Whether exit code `code` of the command is a finished task (`pcanno check` exits 1 when it
/// found errors: the task still did its work when the report was written).
bool task_succeeded(const Plan& plan, int code, const std::filesystem::path& staging,
                    const Task& task);

/// Fills `state.counts` and `state.warnings` from this attempt's log text and the outputs.
void collect_counts(const Plan& plan, const std::string& log_text,
                    const std::filesystem::path& part, TaskState& state);

}  // namespace pcanno::app::batch
