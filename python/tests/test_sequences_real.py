"""pcanno.open_sequence on the shared real data (../shared/data): KITTI tracking (with oxts poses),
KITTI object and raw, nuScenes with six cameras, Lyft. Expected values are parsed from the files.
"""
import datetime
import os

import numpy as np
import pytest

import pcanno
from conftest import require_shared
from seq_expected import (channel_of, jpeg_size, kitti_calib, kitti_points,
                          make_tracking_with_oxts, nuscenes_tables, nuscenes_transform,
                          oxts_poses, padded, png_size)


def test_kitti_tracking_twenty_frames(shared_data):
    root = shared_data / "kitti_tracking"
    files = sorted((root / "training/velodyne/0000").glob("*.bin"))
    assert len(files) == 20
    seq = pcanno.open_sequence(root, "0000")
    assert seq.cloud_paths == [str(f) for f in files]
    assert seq.labels == str(root / "training/label_02/0000.txt")
    # Labels and calibration exist for 21 sequences but clouds only for 0000.
    assert pcanno.list_sequences(root) == [
        {"layout": "kitti-tracking", "name": "0000", "frames": 20}]
    for i in (0, 7, 19):
        np.testing.assert_array_equal(seq[i].to_array(), kitti_points(files[i]))
    total = sum(len(cloud) for cloud in seq)
    assert total == sum(f.stat().st_size for f in files) // 16 == 2465573


def test_kitti_tracking_poses_follow_the_devkit(shared_data, tmp_path):
    root, records, calib = make_tracking_with_oxts(shared_data, tmp_path, 20)
    seq = pcanno.open_sequence(root)
    assert seq.has_poses and seq.has_pose.all()
    T_imu_lidar = np.linalg.inv(padded(calib["Tr_imu_velo"]))
    expected = np.stack([pose @ T_imu_lidar for pose in oxts_poses(records)])
    poses = seq.T_world_lidar
    assert poses.shape == (20, 4, 4) and poses.dtype == np.float64
    np.testing.assert_allclose(poses, expected, rtol=0, atol=1e-6)
    np.testing.assert_allclose(seq.pose(5), expected[5], rtol=0, atol=1e-6)
    np.testing.assert_allclose(seq.frame_info(19).T_world_lidar, expected[19], rtol=0, atol=1e-6)
    # The world frame is the first IMU pose: frame 0's LiDAR sits at the inverse of Tr_imu_velo
    # (the engine inverts it as a rigid transform, numpy in general: its rotation is not exactly
    # orthonormal, hence 1e-7 apart).
    np.testing.assert_allclose(poses[0], T_imu_lidar, atol=1e-6)
    # Points of a frame in the world frame, as the example script computes them.
    cloud = seq[3]
    world = cloud.xyz() @ poses[3][:3, :3].T + poses[3][:3, 3]
    points = kitti_points(seq.cloud_paths[3])[:, :3].astype(np.float64)
    np.testing.assert_allclose(world, points @ expected[3][:3, :3].T + expected[3][:3, 3],
                               atol=1e-5)


def test_kitti_tracking_short_oxts_leaves_later_frames_without_pose(shared_data, tmp_path):
    root, _, _ = make_tracking_with_oxts(shared_data, tmp_path, 12)
    seq = pcanno.open_sequence(root)
    assert not seq.has_poses
    np.testing.assert_array_equal(seq.has_pose, [True] * 12 + [False] * 8)
    assert np.isnan(seq.T_world_lidar[12:]).all() and not np.isnan(seq.T_world_lidar[:12]).any()
    assert seq.pose(12) is None
    assert any("12 oxts records for 20 frames" in w for w in seq.warnings)


def test_kitti_object_frames_calibrations_and_images(shared_data):
    root = shared_data / "kitti_object/training"
    seq = pcanno.open_sequence(shared_data / "kitti_object")
    assert seq.layout == "kitti-object" and len(seq) == 3
    assert seq.frame_names == ["000000", "000001", "000002"]
    assert not seq.has_timestamps and not seq.has_poses
    assert seq.cameras == ["image_2"] and seq.labels == str(root / "label_2")
    assert len(seq.calibrations) == 3
    for i, name in enumerate(seq.frame_names):
        calib = kitti_calib(root / f"calib/{name}.txt")
        assert seq.frame_info(i).calibration == i
        assert seq.calibration_of(i).source == str(root / f"calib/{name}.txt")
        np.testing.assert_array_equal(seq.calibration_of(i).kitti.P[2], calib["P2"].reshape(3, 4))
        camera = seq.camera_image("image_2", i)
        image_path = root / f"image_2/{name}.png"
        assert camera.path == str(image_path) and seq.image_paths("image_2")[i] == str(image_path)
        assert (camera.width, camera.height) == png_size(image_path)
        np.testing.assert_array_equal(camera.K, calib["P2"].reshape(3, 4)[:, :3])
        R0 = np.eye(4)
        R0[:3, :3] = calib["R0_rect"].reshape(3, 3)
        np.testing.assert_allclose(camera.P, calib["P2"].reshape(3, 4) @ R0, rtol=1e-15, atol=1e-12)
        np.testing.assert_array_equal(camera.T_cam_lidar, padded(calib["Tr_velo_to_cam"]))
        assert camera.T_ego_camera is None and camera.timestamp_us is None
        image = seq.image("image_2", i)
        assert image.dtype == np.uint8 and image.shape == (camera.height, camera.width, 3)
        np.testing.assert_array_equal(seq[i].to_array(),
                                      kitti_points(root / f"velodyne/{name}.bin"))
    sizes = [png_size(root / f"image_2/{n}.png") for n in seq.frame_names]
    assert sizes == [(1224, 370), (1242, 375), (1242, 375)]


def test_png_pixels_match_an_independent_decoder(shared_data):
    Image = pytest.importorskip("PIL.Image")
    path = shared_data / "kitti_object/training/image_2/000001.png"
    seq = pcanno.open_sequence(shared_data / "kitti_object")
    ours = seq.image("image_2", 1)
    theirs = np.asarray(Image.open(path).convert("RGB"))
    np.testing.assert_array_equal(ours, theirs)
    # A view of the decoder's buffer (not a numpy-owned copy), writable as nobody shares it.
    assert not ours.flags.owndata and ours.flags.writeable and ours.flags.c_contiguous
    np.testing.assert_array_equal(pcanno.read_image(path), theirs)


def raw_drive(shared_data):
    return shared_data / "kitti_raw/2011_09_26/2011_09_26_drive_unknown_sync"


def test_kitti_raw_drive(shared_data):
    drive = raw_drive(shared_data)
    calib_dir = drive.parent
    files = sorted((drive / "velodyne_points/data").glob("*.bin"))
    seq = pcanno.open_sequence(drive)
    assert seq.layout == "kitti-raw" and seq.name == drive.name
    assert seq.cloud_paths == [str(f) for f in files] and len(seq) == 16
    # No timestamps.txt and no oxts in this excerpt.
    assert not seq.has_timestamps and (seq.timestamps_us == -1).all() and not seq.has_poses
    assert seq.cameras == ["image_02"]
    cam = kitti_calib(calib_dir / "calib_cam_to_cam.txt")
    velo = kitti_calib(calib_dir / "calib_velo_to_cam.txt")
    Tr = np.hstack([velo["R"].reshape(3, 3), velo["T"].reshape(3, 1)])
    R0 = np.eye(4)
    R0[:3, :3] = cam["R_rect_00"].reshape(3, 3)
    P2 = cam["P_rect_02"].reshape(3, 4)
    for i in (0, 15):
        camera = seq.camera_image("image_02", i)
        path = drive / f"image_02/data/{files[i].stem}.png"
        assert camera.path == str(path)
        assert (camera.width, camera.height) == png_size(path) == (1242, 375)
        np.testing.assert_array_equal(camera.K, P2[:, :3])
        # The devkit's projection: P_rect_02 @ R_rect_00 @ [R|T].
        np.testing.assert_allclose(camera.P @ camera.T_cam_lidar, P2 @ R0 @ padded(Tr),
                                   rtol=1e-12, atol=1e-9)
        np.testing.assert_array_equal(seq[i].to_array(), kitti_points(files[i]))
    assert seq.image("image_02", 15).shape == (375, 1242, 3)


def test_kitti_raw_timestamps_file(shared_data, tmp_path):
    drive = raw_drive(shared_data)
    date = tmp_path / "2011_09_26"
    copy = date / "2011_09_26_drive_0001_sync"
    (copy / "velodyne_points").mkdir(parents=True)
    os.symlink(drive / "velodyne_points/data", copy / "velodyne_points/data")
    for name in ("calib_cam_to_cam.txt", "calib_velo_to_cam.txt"):
        (date / name).write_bytes((drive.parent / name).read_bytes())
    start = datetime.datetime(2011, 9, 26, 13, 2, 25, tzinfo=datetime.timezone.utc)
    stamps = [start + datetime.timedelta(microseconds=103_734 * i + 17) for i in range(16)]
    (copy / "velodyne_points/timestamps.txt").write_text(
        "".join(s.strftime("%Y-%m-%d %H:%M:%S.%f") + "123\n" for s in stamps))
    seq = pcanno.open_sequence(copy)
    expected = [int(round(s.timestamp() * 1e6)) for s in stamps]
    assert seq.has_timestamps
    np.testing.assert_array_equal(seq.timestamps_us, expected)


def test_nuscenes_six_cameras(shared_data):
    root = shared_data / "nuscenes_cameras/v1.0-mini-scene0061"
    tables = nuscenes_tables(root / "v1.0-mini")
    rows = {channel_of(tables, sd): sd for sd in tables["sample_data"].values()}
    seq = pcanno.open_sequence(root, "scene-0061")
    ring = ["CAM_FRONT_LEFT", "CAM_FRONT", "CAM_FRONT_RIGHT", "CAM_BACK_RIGHT", "CAM_BACK",
            "CAM_BACK_LEFT"]
    assert seq.cameras == ring
    lidar = rows["LIDAR_TOP"]
    mount = tables["calibrated_sensor"][lidar["calibrated_sensor_token"]]
    T_world_lidar = (nuscenes_transform(tables["ego_pose"][lidar["ego_pose_token"]])
                     @ nuscenes_transform(mount))
    np.testing.assert_allclose(seq.T_world_lidar[0], T_world_lidar, rtol=0, atol=1e-9)
    assert list(seq.frame_info(0).images) == ring
    for channel in ring:
        sd = rows[channel]
        sensor = tables["calibrated_sensor"][sd["calibrated_sensor_token"]]
        T_world_ego = nuscenes_transform(tables["ego_pose"][sd["ego_pose_token"]])
        T_ego_camera = nuscenes_transform(sensor)
        camera = seq.camera_image(channel, 0)
        assert camera.path == str(root / sd["filename"])
        assert camera.timestamp_us == sd["timestamp"]
        assert camera.sample_data_token == sd["token"]
        assert (camera.width, camera.height) == jpeg_size(root / sd["filename"]) == (1600, 900)
        np.testing.assert_allclose(camera.K, sensor["camera_intrinsic"], rtol=0, atol=1e-12)
        np.testing.assert_allclose(camera.P[:, 3], 0.0)
        np.testing.assert_allclose(camera.T_ego_camera, T_ego_camera, atol=1e-12)
        np.testing.assert_allclose(camera.T_world_ego, T_world_ego, atol=1e-9)
        # The camera's own ego pose at its time, not the LiDAR's.
        expected = np.linalg.inv(T_world_ego @ T_ego_camera) @ T_world_lidar
        np.testing.assert_allclose(camera.T_cam_lidar, expected, rtol=0, atol=1e-9)
        assert seq.image_paths(channel) == [str(root / sd["filename"])]


def test_nuscenes_images_from_the_cache_are_shared_and_read_only(shared_data):
    root = shared_data / "nuscenes_cameras/v1.0-mini-scene0061"
    seq = pcanno.open_sequence(root, images=["CAM_FRONT", "CAM_BACK"])
    front = seq.image("CAM_FRONT", 0)
    assert front.shape == (900, 1600, 3) and not front.flags.writeable
    assert seq.image("CAM_FRONT", 0).ctypes.data == front.ctypes.data  # one buffer, no copy
    assert seq.cache_stats()["loads"] == 1
    # A camera the cache does not decode is decoded on demand, into an array of its own.
    left = seq.image("CAM_FRONT_LEFT", 0)
    assert left.flags.writeable and left.ctypes.data != seq.image("CAM_FRONT_LEFT", 0).ctypes.data
    Image = pytest.importorskip("PIL.Image")
    theirs = np.asarray(Image.open(seq.camera_image("CAM_FRONT", 0).path).convert("RGB"))
    # Both use libjpeg, but the IDCT may differ by a level or two.
    assert np.abs(front.astype(np.int16) - theirs).mean() < 1.0
    del seq
    assert front.sum() > 0  # the view keeps the cache's frame alive


def test_lyft_tables_without_their_files(shared_data):
    dataroot = shared_data / "nuscenes/lyft-tiny/v1.01-train"
    tables = nuscenes_tables(dataroot / "v1.01-train")
    rows = {channel_of(tables, sd): sd for sd in tables["sample_data"].values()}
    seq = pcanno.open_sequence(dataroot)
    scene = next(iter(tables["scene"].values()))
    assert seq.layout == "nuscenes" and seq.name == scene["name"] and len(seq) == 1
    lidar = rows["LIDAR_TOP"]
    assert seq.cloud_paths == [str(dataroot / lidar["filename"])]
    # 1556675185903083.2 us: fractional times are rounded to whole microseconds.
    assert seq.timestamps_us[0] == round(lidar["timestamp"]) == 1556675185903083
    T = (nuscenes_transform(tables["ego_pose"][lidar["ego_pose_token"]])
         @ nuscenes_transform(tables["calibrated_sensor"][lidar["calibrated_sensor_token"]]))
    np.testing.assert_allclose(seq.T_world_lidar[0], T, rtol=0, atol=1e-9)
    cameras = sorted(c for c in rows if c.startswith("CAM_"))
    assert sorted(seq.cameras) == cameras and len(cameras) == 7
    front = seq.camera_image("CAM_FRONT", 0)
    assert (front.width, front.height) == (rows["CAM_FRONT"]["width"], rows["CAM_FRONT"]["height"])
    assert any("LiDAR files are missing" in w for w in seq.warnings)
    # The files the tables name are not in the excerpt: reading them says so.
    with pytest.raises(pcanno.NotFoundError) as caught:
        seq[0]
    assert caught.value.path == str(dataroot / lidar["filename"])
    with pytest.raises(pcanno.NotFoundError):
        seq.image("CAM_FRONT", 0)


def test_shared_layouts_are_detected(shared_data):
    assert pcanno.detect_layout(shared_data / "kitti_tracking") == "kitti-tracking"
    assert pcanno.detect_layout(shared_data / "kitti_object") == "kitti-object"
    assert pcanno.detect_layout(raw_drive(shared_data)) == "kitti-raw"
    assert pcanno.detect_layout(shared_data / "nuscenes/lyft-tiny/v1.01-train") == "nuscenes"
    assert pcanno.detect_layout(require_shared("las")) == "folder"
