#!/usr/bin/env bash
# `pcanno batch` scaling on this machine: the 21 KITTI tracking label files converted to one nuScenes
# dataset by the local engine with 1 and with 2 workers, REPEATS fresh runs each (nothing up to date),
# wall time of the whole command (planning, tasks, merge, summary). Prints one JSON line per worker
# count, one for the baseline (`pcanno convert` of the whole set in one process, no batch machinery),
# and a last line with the speedup and the parallel efficiency T1 / (2 T2) of the medians.
#
# usage: bench/batch_scaling.sh BUILD_DIR [TRAINING_DIR] [REPEATS]
#        (defaults: ../shared/data/kitti_tracking/training beside the repository, 5 repeats)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:?usage: $0 BUILD_DIR [TRAINING_DIR] [REPEATS]}
training=${2:-$here/../../shared/data/kitti_tracking/training}
repeats=${3:-5}
pcanno="$build/app/pcanno"

work=$(mktemp -d /tmp/pcanno-batch-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT

median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

declare -A med
for jobs in 1 2; do
  times=()
  for ((r = 0; r < repeats; ++r)); do
    rm -rf "$work/out" "$work/out.batch"
    start=$(date +%s.%N)
    "$pcanno" --quiet batch --op convert --to nuscenes "$training" --out "$work/out" -j "$jobs"
    end=$(date +%s.%N)
    times+=("$(echo "$end - $start" | bc -l)")
  done
  med[$jobs]=$(printf '%s\n' "${times[@]}" | median)
  printf '{"workers": %d, "sequences": 21, "runs_s": [%s], "median_s": %.3f}\n' "$jobs" \
    "$(IFS=,; echo "${times[*]}" | sed 's/,/, /g')" "${med[$jobs]}"
done
times=()
for ((r = 0; r < repeats; ++r)); do
  rm -rf "$work/direct"
  start=$(date +%s.%N)
  "$pcanno" --quiet convert "$training" --to nuscenes --out "$work/direct"
  end=$(date +%s.%N)
  times+=("$(echo "$end - $start" | bc -l)")
done
printf '{"baseline": "pcanno convert, one process", "runs_s": [%s], "median_s": %.3f}\n' \
  "$(IFS=,; echo "${times[*]}" | sed 's/,/, /g')" "$(printf '%s\n' "${times[@]}" | median)"
speedup=$(echo "${med[1]} / ${med[2]}" | bc -l)
efficiency=$(echo "$speedup / 2" | bc -l)
printf '{"speedup_2_workers": %.2f, "efficiency_2_workers": %.2f}\n' "$speedup" "$efficiency"
