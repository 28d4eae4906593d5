#!/usr/bin/env python3
"""Load a KITTI tracking sequence into numpy: per-frame point arrays, times and poses, and every
point in the world frame through T_world_lidar.

    PYTHONPATH=build/python python3 examples/python/load_kitti_sequence.py [DATASET]
        [--sequence 0000] [--save points.npz]

DATASET is a folder with training/velodyne/SSSS/ (default: the repository's sample_data). Frames are
read through pcanno's frame cache, which loads the next frames in the background while this script
works on the current one; each cloud's columns are numpy views of the engine's buffers (no copy).

Without oxts/SSSS.txt a tracking sequence has no poses: the points then stay in each frame's own
LiDAR frame, and the summary says so.
"""
import argparse
import os
import pathlib
import sys
import tempfile

import numpy as np

import pcanno

DEFAULT_DATASET = pathlib.Path(__file__).resolve().parents[2] / "sample_data" / "kitti_tracking"


def load(dataset, name=None):
    """The sequence as numpy arrays: per-frame (N, 4) float32 x y z intensity in the LiDAR frame,
    (N, 3) float64 points in the world frame, int64 timestamps [us] and (F, 4, 4) poses."""
    seq = pcanno.open_sequence(dataset, name)
    if seq.layout != "kitti-tracking":
        raise SystemExit(f"{dataset}: a {seq.layout} dataset, not KITTI tracking")
    # Frames without a pose keep their LiDAR frame (identity), as the summary reports.
    poses = np.where(seq.has_pose[:, None, None], np.nan_to_num(seq.T_world_lidar), np.eye(4))
    frames_lidar, frames_world = [], []
    for i, cloud in enumerate(seq):  # the cache prefetches frame i + 1.. meanwhile
        frames_lidar.append(cloud.to_array(["x", "y", "z", "intensity"]))
        xyz = cloud.xyz("lidar")  # float64 (N, 3) in the LiDAR frame
        frames_world.append(xyz @ poses[i, :3, :3].T + poses[i, :3, 3])
    return seq, frames_lidar, frames_world, seq.timestamps_us, poses


def save_npz(path, frames_lidar, frames_world, timestamps, poses):
    """Writes the arrays to `path` through a temporary file renamed into place."""
    path = pathlib.Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp.npz")
    os.close(fd)
    try:
        np.savez(tmp,
                 points_world=np.concatenate(frames_world),
                 intensity=np.concatenate([f[:, 3] for f in frames_lidar]),
                 frame=np.concatenate([np.full(len(f), i, np.int32)
                                       for i, f in enumerate(frames_lidar)]),
                 timestamps_us=timestamps, T_world_lidar=poses)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dataset", nargs="?", default=str(DEFAULT_DATASET),
                        help="KITTI tracking folder (default: sample_data/kitti_tracking)")
    parser.add_argument("--sequence", default=None,
                        help="sequence number, e.g. 0000 (default: the first)")
    parser.add_argument("--save", default=None, help="write the arrays to this .npz file")
    args = parser.parse_args(argv)

    try:
        seq, frames_lidar, frames_world, timestamps, poses = load(args.dataset, args.sequence)
    except pcanno.Error as error:
        print(f"error: {error}", file=sys.stderr)
        return 1

    print(f"sequence: {seq.name} ({seq.layout}), {len(seq)} frames")
    print(f"poses: {'yes' if seq.has_poses else 'no (points stay in each LiDAR frame)'}")
    for i, (name, points) in enumerate(zip(seq.frame_names, frames_lidar)):
        print(f"frame {name}: {len(points)} points, t = {timestamps[i] * 1e-6:.3f} s, "
              f"lidar at ({poses[i, 0, 3]:.3f}, {poses[i, 1, 3]:.3f}, {poses[i, 2, 3]:.3f}) m")
    world = np.concatenate(frames_world)
    intensity = np.concatenate([f[:, 3] for f in frames_lidar])
    print(f"total points: {len(world)}")
    lo, hi = world.min(axis=0), world.max(axis=0)
    print(f"world bounds: x [{lo[0]:.3f}, {hi[0]:.3f}] y [{lo[1]:.3f}, {hi[1]:.3f}] "
          f"z [{lo[2]:.3f}, {hi[2]:.3f}] m")
    centroid = world.mean(axis=0)
    print(f"world centroid: ({centroid[0]:.3f}, {centroid[1]:.3f}, {centroid[2]:.3f}) m")
    print(f"mean intensity: {intensity.mean():.4f}")
    stats = seq.cache_stats()
    print(f"frame cache: {stats['loads']} loads, {stats['hits']} hits, "
          f"{stats['prefetch_hits']} prefetched")
    if args.save:
        save_npz(args.save, frames_lidar, frames_world, timestamps, poses)
        print(f"saved: {args.save}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
