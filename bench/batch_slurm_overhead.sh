#!/usr/bin/env bash
# What the Slurm engine costs per task on this machine (root only: a throw-away single-node cluster,
# tests/batch/slurm_cluster.sh, scheduling every 2 s). REPEATS fresh runs of each, wall time to the
# merged output: the 21 KITTI tracking label files converted to one nuScenes dataset by
# `--engine slurm --wait` and by the local engine with 2 workers; and a bare array of 21 tasks that
# run /bin/true plus an afterany job, which is the scheduler alone. One JSON line each, and a last
# line with the per-task overhead of the engine over the local one.
#
# usage: bench/batch_slurm_overhead.sh BUILD_DIR [TRAINING_DIR] [REPEATS]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:?usage: $0 BUILD_DIR [TRAINING_DIR] [REPEATS]}
training=${2:-$here/../../shared/data/kitti_tracking/training}
repeats=${3:-3}
pcanno="$build/app/pcanno"

work=$(mktemp -d /tmp/pcanno-slurm-bench.XXXXXX)
trap '"$here/../tests/batch/slurm_cluster.sh" down "$work/cluster" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
exports=$("$here/../tests/batch/slurm_cluster.sh" up "$work/cluster")
eval "$exports"

median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
now() { date +%s.%N; }

# time_runs NAME COMMAND...: REPEATS runs from a clean output; prints the JSON line, sets $median.
time_runs() {
  local name=$1 times=() start
  shift
  for ((r = 0; r < repeats; ++r)); do
    rm -rf "$work/out" "$work/out.batch"
    start=$(now)
    "$@" >/dev/null
    times+=("$(echo "$(now) - $start" | bc -l)")
  done
  median=$(printf '%s\n' "${times[@]}" | median)
  printf '{"run": "%s", "tasks": 21, "runs_s": [%s], "median_s": %.3f}\n' "$name" \
    "$(IFS=,; echo "${times[*]}" | sed 's/,/, /g')" "$median"
}

bare_array() {
  local array finish
  array=$(sbatch --parsable --array=0-20 -o /dev/null --wrap /bin/true)
  finish=$(sbatch --parsable --dependency=afterany:"$array" -o /dev/null --wrap /bin/true)
  while squeue -h -j "$array,$finish" 2>/dev/null | grep -q .; do sleep 0.05; done
}

time_runs "slurm engine" "$pcanno" --quiet batch --op convert --to nuscenes "$training" \
  --out "$work/out" --engine slurm --wait
slurm=$median
time_runs "local engine, 2 workers" "$pcanno" --quiet batch --op convert --to nuscenes \
  "$training" --out "$work/out" -j 2
local_run=$median
time_runs "bare sbatch array of /bin/true and an afterany job" bare_array
printf '{"slurm_overhead_per_task_s": %.3f, "scheduler_alone_per_task_s": %.3f}\n' \
  "$(echo "($slurm - $local_run) / 21" | bc -l)" "$(echo "$median / 21" | bc -l)"
