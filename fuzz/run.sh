#!/usr/bin/env bash
# Builds the libFuzzer harnesses with clang and runs each one for a while on seeds from sample_data/ and,
# when present, ../shared/data. Usage: fuzz/run.sh [seconds per target, default 60] [build dir]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
build="${2:-build-fuzz}"
launcher=()
if command -v ccache >/dev/null 2>&1; then
  launcher=(-DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
fi
CC=clang CXX=clang++ cmake -S fuzz -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  "${launcher[@]}" >/dev/null
cmake --build "$build" --parallel "$(nproc)" >/dev/null

shared=../shared/data
seed() {  # seed TARGET FILES...: a fresh corpus folder per run, so seeds are never modified
  local dir="$build/corpus/$1"
  shift
  rm -rf "$dir"
  mkdir -p "$dir"
  for f in "$@"; do
    if [ -f "$f" ]; then head -c 200000 "$f" >"$dir/$(basename "$f")"; fi
  done
  echo "$dir"
}
declare -A corpus
corpus[raw_bin]=$(seed raw_bin sample_data/kitti_tracking/training/velodyne/0000/000000.bin)
corpus[pcd]=$(seed pcd sample_data/pcd/*.pcd $shared/pcd/*.pcd)
corpus[ply]=$(seed ply sample_data/ply/*.ply $shared/ply/cube_pcl_test.ply $shared/ply/bunny_ascii_from_pcl.ply)
corpus[las]=$(seed las $shared/las/*.las)
corpus[kitti_calib]=$(seed kitti_calib sample_data/kitti_tracking/training/calib/*.txt $shared/kitti_object/training/calib/*.txt)
corpus[kitti_labels]=$(seed kitti_labels sample_data/kitti_tracking/training/label_02/*.txt $shared/kitti_object/training/label_2/*.txt)
corpus[oxts]=$(seed oxts $shared/oxts/*.txt)
corpus[pcanno_document]=$(seed pcanno_document fuzz/seeds/pcanno_document/*)
corpus[image]=$(seed image fuzz/seeds/image/* $shared/kitti_raw/2011_09_26/*/image_02/data/0000000000.png)

status=0
for target in raw_bin pcd ply las kitti_calib kitti_labels oxts pcanno_document image; do
  echo "fuzz: $target for ${seconds}s"
  if ! "$build/fuzz_$target" -max_total_time="$seconds" -rss_limit_mb=2048 -max_len=262144 \
      -print_final_stats=0 "${corpus[$target]}" >"$build/fuzz_$target.log" 2>&1; then
    echo "fuzz: $target FAILED, see $build/fuzz_$target.log" >&2
    tail -30 "$build/fuzz_$target.log" >&2
    status=1
  fi
done
exit $status
