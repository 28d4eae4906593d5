#!/usr/bin/env python3
"""`pcanno` from numpy beside the same engine calls from C++, in one process (issue 21).

1. Reading a ~120k-point KITTI frame into numpy: pcanno.read_cloud() plus the zero-copy column
   views, against formats::read_cloud() timed in C++ (_pcanno_bench.read_cloud).
2. iou_3d over 1M upright pairs: pcanno.iou_3d(a, b) on (N, 7) float64 rows, against the C++ loop
   over std::vector<Cuboid> built from the same rows beforehand (_pcanno_bench.iou_3d_loop), and
   (for information) a C++ loop that builds each Cuboid from its row as it goes, as the binding
   must (_pcanno_bench.iou_3d_rows_loop).

Each measurement is the best of several repeats after one warm-up, the sides interleaved so that
all see the same machine load, in wall time and in the calling thread's CPU time (the steadier
figure on a loaded machine; the work runs on that thread on both sides). The read, about 0.5 ms,
is repeated five times as often as the IoU. Both sides must compute identical results (the
script exits 1 otherwise); --quick runs one small pass that checks only that (ctest
bench.python_smoke).

    PYTHONPATH=build/python:build/bench/python /usr/bin/python3 bench/python/python_bench.py
"""
import argparse
import gc
import os
import pathlib
import platform
import sys
import time

import numpy as np

import pcanno
import _pcanno_bench

SOURCE_DIR = pathlib.Path(__file__).resolve().parents[2]
FRAME = "kitti_tracking/training/velodyne/0000/000000.bin"


def best_of(repeats, *sides):
    """Interleaves the timed callables `sides` (each returns (seconds, result)) `repeats` times
    after one warm-up call each: the best (wall, CPU) seconds and the last result of each."""
    best = [[float("inf"), float("inf")] for _ in sides]
    results = [None] * len(sides)
    for side in sides:
        side()
    for _ in range(repeats):
        for k, side in enumerate(sides):
            gc.collect()
            wall, cpu, results[k] = side()
            best[k] = [min(best[k][0], wall), min(best[k][1], cpu)]
    return best, results


class Stopwatch:
    """Wall (perf_counter) and calling-thread CPU (thread_time) seconds of a block, GC off."""

    def __enter__(self):
        gc.disable()
        self.wall, self.cpu = time.perf_counter(), time.thread_time()
        return self

    def __exit__(self, *exc):
        self.wall = time.perf_counter() - self.wall
        self.cpu = time.thread_time() - self.cpu
        gc.enable()


def python_read(path):
    with Stopwatch() as watch:
        cloud = pcanno.read_cloud(path)
        columns = {name: cloud[name] for name in cloud.names}  # the zero-copy views
    return watch.wall, watch.cpu, columns


def python_read_rows(path):
    """Informational: the same read plus a row-major (N, 4) copy, what KITTI-style code expects."""
    with Stopwatch() as watch:
        rows = pcanno.read_cloud(path).to_array()
    return watch.wall, watch.cpu, rows


def python_iou(a, b):
    with Stopwatch() as watch:
        result = pcanno.iou_3d(a, b)
    return watch.wall, watch.cpu, result


def upright_pairs(n, seed=21):
    """Overlapping upright pairs: sizes 1-5 m, centre offsets up to 1 m, any yaw (as the C++
    geometry benchmark draws them)."""
    rng = np.random.default_rng(seed)
    a = np.empty((n, 7))
    a[:, :3] = rng.uniform(-50.0, 50.0, (n, 3))
    a[:, 3:6] = rng.uniform(1.0, 5.0, (n, 3))
    a[:, 6] = rng.uniform(-np.pi, np.pi, n)
    b = a.copy()
    b[:, :3] += rng.uniform(-1.0, 1.0, (n, 3))
    b[:, 3:6] = rng.uniform(1.0, 5.0, (n, 3))
    b[:, 6] = rng.uniform(-np.pi, np.pi, n)
    return a, b


def row(name, cpp, py, target):
    """A table row from (wall, CPU) seconds of the C++ side and the Python side."""
    cells = [name]
    for k in (0, 1):
        cells += [f"{cpp[k] * 1e3:.3f} ms", f"{py[k] * 1e3:.3f} ms", f"{py[k] / cpp[k]:.2f}x"]
    return "| " + " | ".join(cells + [target]) + " |"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="one small pass that checks results only (no meaningful timing)")
    parser.add_argument("--data", type=pathlib.Path,
                        default=pathlib.Path(os.environ.get("PCANNO_SHARED_DATA",
                                                            SOURCE_DIR.parent / "shared" / "data")))
    parser.add_argument("--repeats", type=int, default=9)
    parser.add_argument("--pairs", type=int, default=1_000_000)
    args = parser.parse_args()
    repeats = 1 if args.quick else args.repeats
    pairs = 2_000 if args.quick else args.pairs

    failures = []
    lines = ["| benchmark | C++ wall | Python wall | ratio | C++ CPU | Python CPU | ratio "
             "| target |",
             "|---|---|---|---|---|---|---|---|"]

    frame = args.data / FRAME
    if frame.exists():
        path = str(frame)
        (cpp_s, py_s, rows_s), (cpp_cols, py_cols, py_rows) = best_of(
            5 * repeats, lambda: _pcanno_bench.read_cloud(path), lambda: python_read(path),
            lambda: python_read_rows(path))
        n = len(cpp_cols["x"])
        if sorted(cpp_cols) != sorted(py_cols) or not all(
                np.array_equal(cpp_cols[k], py_cols[k]) for k in cpp_cols):
            failures.append("read_cloud: the Python columns differ from the C++ read")
        if not np.array_equal(py_rows, np.column_stack([cpp_cols[k] for k in py_cols])):
            failures.append("read_cloud: to_array() differs from the C++ columns")
        lines.append(row(f"read KITTI frame into numpy ({n} points, zero-copy views)", cpp_s,
                         py_s, "<= 1.2x"))
        lines.append(row("  same, plus a row-major (N, 4) copy (to_array)", cpp_s, rows_s, ""))
    else:
        message = f"read bench skipped: {frame} not found (see ../shared/data/README.md)"
        if os.environ.get("CI"):
            failures.append(message + "; CI requires it")
        print(message, file=sys.stderr)

    a, b = upright_pairs(pairs)
    (cpp_s, rows_s, py_s), (cpp_iou, rows_iou, py_iou) = best_of(
        repeats, lambda: _pcanno_bench.iou_3d_loop(a, b),
        lambda: _pcanno_bench.iou_3d_rows_loop(a, b), lambda: python_iou(a, b))
    for name, other in (("the C++ loop", cpp_iou), ("the C++ loop from rows", rows_iou)):
        if not np.array_equal(other, py_iou):
            worst = np.max(np.abs(other - py_iou))
            failures.append(f"iou_3d: Python and {name} differ (max |diff| {worst:g})")
    if not (np.all(py_iou >= 0.0) and np.all(py_iou <= 1.0) and np.mean(py_iou > 0.0) > 0.5):
        failures.append("iou_3d: the pairs do not overlap as drawn")
    lines.append(row(f"iou_3d, {pairs} upright pairs, (N, 7) float64", cpp_s, py_s, "<= 1.5x"))
    lines.append(row("  same, against a C++ loop that builds each Cuboid from the rows", rows_s,
                     py_s, ""))

    print(f"# pcanno {pcanno.__version__}, Python {platform.python_version()}, "
          f"numpy {np.__version__}; best of {5 * repeats} reads and {repeats} IoU runs after a "
          "warm-up"
          + (" (quick: results check only)" if args.quick else ""))
    print("\n".join(lines))
    for failure in failures:
        print("FAILED:", failure, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
