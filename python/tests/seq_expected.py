"""Independent parses for the sequence tests: what a file says, computed with numpy and struct alone
(never with pcanno), so that the tests compare the engine against the data.
"""
import json
import math
import os
import struct

import numpy as np


def kitti_points(path):
    """A KITTI .bin: float32 x, y, z, reflectance per point."""
    return np.fromfile(path, dtype=np.float32).reshape(-1, 4)


def kitti_calib(path):
    """A KITTI calibration file as {key without colon: float64 numbers} (both key spellings)."""
    out = {}
    for line in open(path, encoding="ascii").read().splitlines():
        parts = line.split()
        if not parts:
            continue
        try:
            out[parts[0].rstrip(":")] = np.array([float(v) for v in parts[1:]])
        except ValueError:
            continue  # raw calib_time: 09-Jan-2012 13:57:47
    return out


def padded(rows_3x4):
    """A 3x4 [R|t] given as 12 row-major numbers, as a 4x4 homogeneous matrix."""
    out = np.eye(4)
    out[:3, :] = np.asarray(rows_3x4, dtype=np.float64).reshape(3, 4)
    return out


def oxts_poses(records):
    """T_world_imu per oxts record by the KITTI devkit (convertOxtsToPose.m): Mercator position with
    the scale of the first latitude, R = Rz(yaw) Ry(pitch) Rx(roll), relative to the first pose."""
    earth_radius = 6378137.0
    scale = math.cos(records[0][0] * math.pi / 180.0)
    poses = []
    for lat, lon, alt, roll, pitch, yaw in (r[:6] for r in records):
        tx = scale * lon * math.pi * earth_radius / 180.0
        ty = scale * earth_radius * math.log(math.tan((90.0 + lat) * math.pi / 360.0))
        rx = np.array([[1, 0, 0], [0, math.cos(roll), -math.sin(roll)],
                       [0, math.sin(roll), math.cos(roll)]])
        ry = np.array([[math.cos(pitch), 0, math.sin(pitch)], [0, 1, 0],
                       [-math.sin(pitch), 0, math.cos(pitch)]])
        rz = np.array([[math.cos(yaw), -math.sin(yaw), 0], [math.sin(yaw), math.cos(yaw), 0],
                       [0, 0, 1]])
        pose = np.eye(4)
        pose[:3, :3] = rz @ ry @ rx
        pose[:3, 3] = [tx, ty, alt]
        poses.append(pose)
    first_inverse = np.linalg.inv(poses[0])
    return [first_inverse @ p for p in poses]


def quaternion_matrix(wxyz):
    """Rotation matrix of a nuScenes quaternion (w, x, y, z), normalised."""
    w, x, y, z = np.asarray(wxyz, dtype=np.float64) / np.linalg.norm(wxyz)
    return np.array([
        [1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w)],
        [2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w)],
        [2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)]])


def nuscenes_transform(record):
    """4x4 of a calibrated_sensor or ego_pose row (rotation w x y z, translation [m])."""
    out = np.eye(4)
    out[:3, :3] = quaternion_matrix(record["rotation"])
    out[:3, 3] = record["translation"]
    return out


def nuscenes_tables(table_dir):
    """{table name: {token: row}} of the tables a sequence needs."""
    out = {}
    for name in ("sample_data", "calibrated_sensor", "ego_pose", "sensor", "sample", "scene"):
        rows = json.load(open(table_dir / f"{name}.json", encoding="utf-8"))
        out[name] = {row["token"]: row for row in rows}
    return out


def channel_of(tables, sample_data):
    calibrated = tables["calibrated_sensor"][sample_data["calibrated_sensor_token"]]
    return tables["sensor"][calibrated["sensor_token"]]["channel"]


def png_size(path):
    """(width, height) from a PNG's IHDR chunk."""
    head = open(path, "rb").read(24)
    assert head[:8] == b"\x89PNG\r\n\x1a\n" and head[12:16] == b"IHDR", path
    return struct.unpack(">II", head[16:24])


def jpeg_size(path):
    """(width, height) from a JPEG's first start-of-frame marker."""
    data = open(path, "rb").read()
    assert data[:2] == b"\xff\xd8", path
    at = 2
    while at < len(data):
        assert data[at] == 0xFF, (path, at)
        marker = data[at + 1]
        length = struct.unpack(">H", data[at + 2:at + 4])[0]
        if marker in (0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE,
                      0xCF):
            height, width = struct.unpack(">HH", data[at + 5:at + 9])
            return width, height
        at += 2 + length
    raise AssertionError(f"{path}: no start-of-frame marker")


def make_tracking_with_oxts(shared_data, tmp_path, frames):
    """Tracking 0000 (clouds linked, calibration copied) plus an oxts/0000.txt: the one real oxts
    record of the shared data, then the car driving on at ~10 m/s and turning slowly."""
    root = tmp_path / "tracking"
    (root / "training/velodyne").mkdir(parents=True)
    (root / "training/calib").mkdir()
    (root / "training/oxts").mkdir()
    os.symlink(shared_data / "kitti_tracking/training/velodyne/0000",
               root / "training/velodyne/0000")
    calib = root / "training/calib/0000.txt"
    calib.write_bytes((shared_data / "kitti_tracking/training/calib/0000.txt").read_bytes())
    first = (shared_data / "oxts/2011_09_26_drive_0048_oxts_0000000000.txt").read_text().split()
    assert len(first) == 30
    lines, records = [], []
    for i in range(frames):
        values = [float(v) for v in first]
        values[0] += 8.0e-6 * i   # lat [deg]: ~0.9 m north per frame
        values[1] += 6.0e-6 * i   # lon [deg]: ~0.4 m east
        values[2] += 0.01 * i     # alt [m]
        values[3] += 0.001 * i    # roll [rad]
        values[4] -= 0.0005 * i   # pitch
        values[5] += 0.02 * i     # yaw
        records.append(values)
        lines.append(" ".join(repr(v) for v in values[:25]) + " " + " ".join(first[25:]))
    (root / "training/oxts/0000.txt").write_text("\n".join(lines) + "\n")
    return root, records, kitti_calib(calib)
