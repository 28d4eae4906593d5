"""pcanno.open_sequence on sample_data: frames, times, calibration and clouds against independent
parses of the files; iteration and prefetch through the frame cache; zero-copy frames.
"""
import gc
import time

import numpy as np
import pytest

import pcanno
from seq_expected import (channel_of, kitti_calib, kitti_points, nuscenes_tables,
                          nuscenes_transform, padded)


@pytest.fixture
def tracking(sample_data):
    return sample_data / "kitti_tracking"


def velodyne_files(tracking):
    return sorted((tracking / "training/velodyne/0000").glob("*.bin"))


def wait_until(condition, seconds=60.0):
    """Polls `condition` (a background load); the bound only keeps a broken cache from hanging."""
    end = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < end, "the background load never finished"
        time.sleep(0.01)


def test_kitti_tracking_lists_frames_times_and_labels(tracking):
    files = velodyne_files(tracking)
    seq = pcanno.open_sequence(tracking)
    assert seq.layout == "kitti-tracking" and seq.name == "0000"
    assert len(seq) == len(files) == 5
    assert seq.frame_names == [f.stem for f in files]
    assert seq.cloud_paths == [str(f) for f in files]
    # Tracking data has no times: frame numbers at the Velodyne's 10 Hz.
    assert seq.timestamps_us.dtype == np.int64
    np.testing.assert_array_equal(seq.timestamps_us, [int(f.stem) * 100000 for f in files])
    assert seq.has_timestamps
    assert any("nominal 10 Hz" in w for w in seq.warnings)
    assert seq.labels == str(tracking / "training/label_02/0000.txt")
    # No oxts/0000.txt: no poses, and the stacked poses say so with NaN.
    assert not seq.has_poses
    assert seq.T_world_lidar.shape == (5, 4, 4) and np.isnan(seq.T_world_lidar).all()
    assert not seq.has_pose.any() and seq.pose(0) is None
    assert seq.cameras == [] and seq.image_paths("image_02") == [None] * 5
    info = seq.frame_info(-1)
    assert (info.index, info.name, info.format) == (4, files[-1].stem, "kitti-bin")
    assert info.cloud_path == str(files[-1]) and info.timestamp_us == 400000
    assert info.T_world_lidar is None and info.images == {} and info.calibration == 0


def test_kitti_tracking_calibration_matches_the_file(tracking):
    calib_path = tracking / "training/calib/0000.txt"
    expected = kitti_calib(calib_path)
    seq = pcanno.open_sequence(tracking, "0")  # short numbers are zero-padded, as in the CLI
    assert seq.name == "0000" and seq.has_calibration
    assert len(seq.calibrations) == 1
    calibration = seq.calibration_of(3)
    assert calibration.source == str(calib_path)
    kitti = calibration.kitti
    assert kitti.has_P == [True] * 4
    for i in range(4):
        np.testing.assert_array_equal(kitti.P[i], expected[f"P{i}"].reshape(3, 4))
    np.testing.assert_array_equal(kitti.R0_rect, expected["R_rect"].reshape(3, 3))
    np.testing.assert_array_equal(kitti.Tr_velo_to_cam, expected["Tr_velo_cam"].reshape(3, 4))
    np.testing.assert_array_equal(kitti.Tr_imu_to_velo, expected["Tr_imu_velo"].reshape(3, 4))
    np.testing.assert_array_equal(kitti.T_cam_lidar, padded(expected["Tr_velo_cam"]))
    rect = np.eye(4)
    rect[:3, :3] = expected["R_rect"].reshape(3, 3)
    np.testing.assert_allclose(kitti.T_rect_velo, rect @ padded(expected["Tr_velo_cam"]),
                               rtol=0, atol=1e-15)
    # KITTI: the IMU frame is the body, so T_ego_lidar is Tr_imu_velo inverted.
    np.testing.assert_allclose(calibration.T_ego_lidar,
                               np.linalg.inv(padded(expected["Tr_imu_velo"])), atol=1e-6)
    # The same numbers from the standalone reader.
    np.testing.assert_array_equal(pcanno.read_kitti_calib(calib_path).P, kitti.P)


def test_frames_equal_the_files_and_iterate_in_order(tracking):
    files = velodyne_files(tracking)
    seq = pcanno.open_sequence(tracking)
    seen = []
    for cloud in seq:
        seen.append(cloud)
    assert [c.path for c in seen] == [str(f) for f in files]
    for cloud, path in zip(seen, files):
        expected = kitti_points(path)
        assert cloud.format == "kitti-bin" and cloud.names == ["x", "y", "z", "intensity"]
        np.testing.assert_array_equal(cloud.to_array(), expected)
    backwards = [c.path for c in reversed(seq)]
    assert backwards == [str(f) for f in reversed(files)]
    np.testing.assert_array_equal(seq[-1].x, kitti_points(files[-1])[:, 0])
    np.testing.assert_array_equal(seq.frame(2)["intensity"], kitti_points(files[2])[:, 3])
    # Each frame was read from disk once: the second pass and seq[i] came from the cache.
    stats = seq.cache_stats()
    assert stats["loads"] == 5 and stats["evictions"] == 0
    assert stats["hits"] + stats["misses"] == 5 + 5 + 2
    assert stats["hits"] >= 7


def test_frames_are_zero_copy_read_only_and_outlive_the_sequence(tracking):
    files = velodyne_files(tracking)
    seq = pcanno.open_sequence(tracking)
    cloud = seq[1]
    for name in cloud.names:
        column = cloud[name]
        assert column.ctypes.data == cloud._buffer_address(name)
        assert not column.flags.owndata and not column.flags.writeable
    # The cache hands the same buffer to every caller: no copy per call.
    assert seq[1]._buffer_address("x") == cloud._buffer_address("x")
    with pytest.raises(ValueError):
        cloud.x[0] = 1.0
    x, intensity = cloud.x, cloud["intensity"]
    del cloud, seq
    gc.collect()
    for _ in range(3):
        junk = pcanno.read_cloud(files[0])
        junk.x[:] = -1.0
        del junk
    expected = kitti_points(files[1])
    np.testing.assert_array_equal(x, expected[:, 0])
    np.testing.assert_array_equal(intensity, expected[:, 3])


def test_frames_stay_valid_after_the_cache_evicts_them(tracking):
    files = velodyne_files(tracking)
    # Room for about one frame (each is ~2 MB of columns): every step evicts the one before.
    seq = pcanno.open_sequence(tracking, cache_bytes=2_500_000, threads=0)
    kept = [(cloud.x, cloud["intensity"]) for cloud in seq]
    assert seq.cache_stats()["evictions"] >= 3
    assert not seq.cached(0)
    gc.collect()
    for (x, intensity), path in zip(kept, files):
        expected = kitti_points(path)
        np.testing.assert_array_equal(x, expected[:, 0])
        np.testing.assert_array_equal(intensity, expected[:, 3])


def test_prefetch_follows_the_direction_of_travel(tracking):
    seq = pcanno.open_sequence(tracking, prefetch_ahead=2, prefetch_behind=0, threads=1)
    seq.frame(0)
    wait_until(lambda: seq.cached(1) and seq.cached(2))
    assert not seq.cached(3)
    before = seq.cache_stats()
    seq.frame(1)
    after = seq.cache_stats()
    assert after["hits"] == before["hits"] + 1
    assert after["prefetch_hits"] == before["prefetch_hits"] + 1

    backward = pcanno.open_sequence(tracking, prefetch_ahead=2, prefetch_behind=0, threads=1)
    backward.frame(4)
    backward.frame(3)  # moving down: frames 2 and 1 are next
    wait_until(lambda: backward.cached(2) and backward.cached(1))
    assert not backward.cached(0)


def test_no_prefetch_without_threads(tracking):
    seq = pcanno.open_sequence(tracking, threads=0)
    seq.frame(0)
    assert not seq.cached(1)
    stats = seq.cache_stats()
    assert stats["loads"] == 1 and stats["misses"] == 1 and stats["max_bytes"] == 1 << 30


def test_nuscenes_scene_matches_the_tables(sample_data):
    root = sample_data / "nuscenes/v1.0-mini-scene0061"
    tables = nuscenes_tables(root / "v1.0-mini")
    lidar = [sd for sd in tables["sample_data"].values()
             if channel_of(tables, sd) == "LIDAR_TOP" and sd["is_key_frame"]]
    lidar.sort(key=lambda sd: sd["timestamp"])
    scene = next(iter(tables["scene"].values()))
    seq = pcanno.open_sequence(root)
    assert seq.layout == "nuscenes" and seq.name == scene["name"] == "scene-0061"
    assert len(seq) == len(lidar) == 1
    assert seq.frame_names == [sd["token"] for sd in lidar]
    assert seq.cloud_paths == [str(root / sd["filename"]) for sd in lidar]
    np.testing.assert_array_equal(seq.timestamps_us, [sd["timestamp"] for sd in lidar])
    assert seq.has_poses and seq.has_pose.all()
    for i, sd in enumerate(lidar):
        mount = nuscenes_transform(tables["calibrated_sensor"][sd["calibrated_sensor_token"]])
        expected = nuscenes_transform(tables["ego_pose"][sd["ego_pose_token"]]) @ mount
        np.testing.assert_allclose(seq.T_world_lidar[i], expected, rtol=0, atol=1e-9)
        np.testing.assert_allclose(seq.pose(i), expected, rtol=0, atol=1e-9)
        assert seq.frame_info(i).sample_token == sd["sample_token"]
        assert seq.frame_info(i).is_keyframe
        np.testing.assert_allclose(seq.calibration_of(i).T_ego_lidar, mount, atol=1e-12)
        assert seq.calibration_of(i).kitti is None
    # nuScenes clouds are 5 float32 per point: x y z intensity ring.
    raw = np.fromfile(root / lidar[0]["filename"], dtype=np.float32).reshape(-1, 5)
    cloud = seq[0]
    assert cloud.format == "nuscenes-bin" and len(cloud) == raw.shape[0] == 34688
    np.testing.assert_array_equal(cloud.x, raw[:, 0])
    np.testing.assert_array_equal(cloud.z, raw[:, 2])
    assert seq.labels == str(root / "v1.0-mini")


def test_list_sequences_and_detect_layout(sample_data, tracking):
    assert pcanno.list_sequences(tracking) == [
        {"layout": "kitti-tracking", "name": "0000", "frames": 5}]
    assert pcanno.list_sequences(sample_data / "nuscenes/v1.0-mini-scene0061") == [
        {"layout": "nuscenes", "name": "scene-0061", "frames": 1}]
    assert pcanno.detect_layout(tracking) == "kitti-tracking"
    assert pcanno.detect_layout(sample_data / "nuscenes/v1.0-mini-scene0061") == "nuscenes"
    assert pcanno.detect_layout(sample_data / "pcd") == "folder"
    assert pcanno.detect_layout(sample_data / "README.md") is None


def test_a_folder_of_clouds_is_a_sequence(sample_data):
    folder = sample_data / "pcd"
    files = sorted(folder.glob("*.pcd"))
    seq = pcanno.open_sequence(folder)
    assert seq.layout == "folder" and seq.name == "pcd"
    assert seq.cloud_paths == [str(f) for f in files]
    assert not seq.has_timestamps and (seq.timestamps_us == -1).all()
    assert not seq.has_calibration and seq.calibration_of(0) is None
    cloud = seq[0]
    direct = pcanno.read_cloud(files[0])
    np.testing.assert_array_equal(cloud.xyz(), direct.xyz())


def test_indices_out_of_range_raise_index_error(tracking):
    seq = pcanno.open_sequence(tracking)
    for bad in (5, -6):
        with pytest.raises(IndexError):
            seq[bad]
        with pytest.raises(IndexError):
            seq.frame_info(bad)
    with pytest.raises(KeyError, match="image_02"):
        seq.image("image_02", 0)


SEQUENCE_NAMES = ["open_sequence", "list_sequences", "detect_layout", "read_kitti_calib",
                  "read_image", "Sequence", "FrameIterator", "FrameInfo", "CameraImage",
                  "Calibration", "KittiCalib"]


def test_every_sequence_name_has_a_stub_and_a_docstring():
    import ast
    import pathlib
    stub = pathlib.Path(pcanno.__file__).with_name("__init__.pyi")
    tree = ast.parse(stub.read_text())
    stubbed = {node.name: node for node in tree.body
               if isinstance(node, (ast.ClassDef, ast.FunctionDef))}
    for name in SEQUENCE_NAMES:
        assert name in stubbed, name
        assert (getattr(pcanno, name).__doc__ or "").strip(), name
    for cls in ("Sequence", "FrameInfo", "CameraImage", "Calibration", "KittiCalib"):
        members = {n.name if isinstance(n, ast.FunctionDef) else n.target.id
                   for n in stubbed[cls].body if isinstance(n, (ast.FunctionDef, ast.AnnAssign))}
        public = {n for n in dir(getattr(pcanno, cls)) if not n.startswith("_")}
        assert public <= members, (cls, public - members)
        for member in public:
            assert (getattr(getattr(pcanno, cls), member).__doc__ or "").strip(), (cls, member)


def test_name_selects_one_of_several_sequences(tracking, tmp_path):
    import os
    root = tmp_path / "training"
    (root / "velodyne/0002").mkdir(parents=True)
    (root / "calib").mkdir()
    os.symlink(tracking / "training/velodyne/0000", root / "velodyne/0000")
    files = velodyne_files(tracking)
    for f in files[:2]:
        os.symlink(f, root / "velodyne/0002" / f.name)
    text = (tracking / "training/calib/0000.txt").read_text()
    (root / "calib/0000.txt").write_text(text)
    (root / "calib/0002.txt").write_text(text.replace("P2: 7.215377000000e+02", "P2: 7.0e+02"))
    assert pcanno.list_sequences(tmp_path) == [
        {"layout": "kitti-tracking", "name": "0000", "frames": 5},
        {"layout": "kitti-tracking", "name": "0002", "frames": 2}]
    assert pcanno.open_sequence(tmp_path).name == "0000"  # the first by default
    assert pcanno.open_sequence(tmp_path, 2).name == "0002"  # an int works too
    seq = pcanno.open_sequence(tmp_path, "2")
    assert (seq.name, len(seq)) == ("0002", 2)
    assert seq.calibrations[0].source == str(root / "calib/0002.txt")
    assert seq.calibrations[0].kitti.P[2][0, 0] == 700.0
    assert seq.labels is None
    np.testing.assert_array_equal(seq[1].to_array(), kitti_points(files[1]))
