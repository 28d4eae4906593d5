"""examples/python/load_kitti_sequence.py, run as a user would: its printed summary against numpy
computed here from the files (and, with poses, from the oxts records by the devkit formula).
"""
import re
import subprocess
import sys

import numpy as np

from conftest import SOURCE_DIR
from seq_expected import kitti_points, make_tracking_with_oxts, oxts_poses, padded

SCRIPT = SOURCE_DIR / "examples/python/load_kitti_sequence.py"


def run_example(*args):
    # The child inherits PYTHONPATH (ctest points it at build/python), so it imports this pcanno.
    result = subprocess.run([sys.executable, str(SCRIPT), *map(str, args)],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    return result.stdout


def numbers(line):
    return [float(v) for v in re.findall(r"-?\d+(?:\.\d+)?", line)]


def line_of(output, prefix):
    return next(line for line in output.splitlines() if line.startswith(prefix))


def check_summary(output, files, poses):
    """The script's lines against the same quantities computed here."""
    clouds = [kitti_points(f) for f in files]
    world = np.concatenate([c[:, :3].astype(np.float64) @ T[:3, :3].T + T[:3, 3]
                            for c, T in zip(clouds, poses)])
    for i, (path, cloud) in enumerate(zip(files, clouds)):
        values = numbers(line_of(output, f"frame {path.stem}:"))
        assert values[1] == len(cloud)
        assert abs(values[2] - int(path.stem) * 0.1) < 1e-9
        np.testing.assert_allclose(values[3:6], poses[i][:3, 3], atol=1e-3)
    assert numbers(line_of(output, "total points:")) == [len(world)]
    bounds = numbers(line_of(output, "world bounds:"))
    expected = [world[:, 0].min(), world[:, 0].max(), world[:, 1].min(), world[:, 1].max(),
                world[:, 2].min(), world[:, 2].max()]
    np.testing.assert_allclose(bounds, expected, atol=1e-3)
    np.testing.assert_allclose(numbers(line_of(output, "world centroid:")), world.mean(axis=0),
                               atol=1e-3)
    intensity = np.concatenate([c[:, 3] for c in clouds]).astype(np.float64).mean()
    assert abs(numbers(line_of(output, "mean intensity:"))[0] - intensity) < 1e-4
    assert numbers(line_of(output, "frame cache:"))[0] == len(files)  # each frame read once


def test_example_on_sample_data(sample_data, tmp_path):
    files = sorted((sample_data / "kitti_tracking/training/velodyne/0000").glob("*.bin"))
    out = tmp_path / "points.npz"
    output = run_example("--save", out)  # no dataset argument: sample_data is the default
    assert line_of(output, "sequence:") == "sequence: 0000 (kitti-tracking), 5 frames"
    assert line_of(output, "poses:").startswith("poses: no")
    check_summary(output, files, [np.eye(4)] * len(files))
    saved = np.load(out)
    clouds = [kitti_points(f) for f in files]
    np.testing.assert_array_equal(saved["points_world"],
                                  np.concatenate([c[:, :3] for c in clouds]).astype(np.float64))
    np.testing.assert_array_equal(saved["frame"],
                                  np.repeat(np.arange(len(files)), [len(c) for c in clouds]))
    np.testing.assert_array_equal(saved["timestamps_us"], [int(f.stem) * 100000 for f in files])
    assert [p.name for p in tmp_path.iterdir()] == ["points.npz"]  # no temporary left behind


def test_example_puts_points_in_the_world_frame(shared_data, tmp_path):
    root, records, calib = make_tracking_with_oxts(shared_data, tmp_path, 20)
    files = sorted((root / "training/velodyne/0000").glob("*.bin"))
    T_imu_lidar = np.linalg.inv(padded(calib["Tr_imu_velo"]))
    poses = [pose @ T_imu_lidar for pose in oxts_poses(records)]
    output = run_example(root, "--sequence", "0")
    assert line_of(output, "poses:") == "poses: yes"
    check_summary(output, files, poses)


def test_example_reports_a_missing_dataset(tmp_path):
    result = subprocess.run([sys.executable, str(SCRIPT), str(tmp_path / "nothing")],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert "no such file or directory" in result.stderr
