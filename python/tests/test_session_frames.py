"""Session.modify_box in the LiDAR frame on world-stored boxes of an upright class (nuScenes): a
seven-column row (what boxes() and the devkit give) keeps the box upright in the world, its centre
moved through the full pose and its heading the one whose LiDAR-frame yaw is the row's; expected
values from the devkit's own export and numpy."""
import json
import math

import numpy as np
import pytest

import pcanno


def yaw_of(R):
    """Heading of a rotation matrix's +x seen from above (ZYX yaw)."""
    return math.atan2(R[1, 0], R[0, 0])


def rot(q):
    w, x, y, z = q / np.linalg.norm(q)
    return np.array([[1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w)],
                     [2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w)],
                     [2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)]])


def rz(yaw):
    c, s = math.cos(yaw), math.sin(yaw)
    return np.array([[c, -s, 0], [s, c, 0], [0, 0, 1]])


def angle_diff(a, b):
    return abs((a - b + math.pi) % (2 * math.pi) - math.pi)


@pytest.fixture
def scene(shared_data):
    root = shared_data / "nuscenes/v1.0-mini-scene0061"
    devkit = json.loads((root / "gt_boxes_lidar_frame.json").read_text())
    T = np.array(devkit["ego2global"]) @ np.array(devkit["lidar2ego"])
    s = pcanno.Session(sequence=root, labels=root, journal=False)
    yield s, devkit, T
    s.close()


def world_rows(s, frame):
    w = s.boxes(frame, 10, "world")
    return {int(i): row for i, row in zip(w.track_ids, w.boxes)}


def test_seven_column_lidar_rows_submitted_unchanged_change_nothing(scene):
    s, devkit, T = scene
    before = world_rows(s, 0)
    lidar = s.boxes(0, 7, "lidar")
    assert len(lidar) == 68  # the devkit export has one more, outside the tables (README)
    # the rows agree with the devkit's LiDAR-frame export (matched by centre)
    exported = np.array([d["center_xyz"] + d["size_lwh"] + [d["yaw"]] for d in devkit["boxes"]])
    for row in lidar.boxes:
        d = exported[int(np.argmin(np.linalg.norm(exported[:, :3] - row[:3], axis=1)))]
        np.testing.assert_allclose(row[:6], d[:6], atol=1e-4)
        # the export's yaw is not exactly the ZYX yaw of the tilted box (7e-4 rad apart at most
        # here, second order in the ego's 2 degrees of tilt)
        assert angle_diff(row[6], d[6]) < 1e-3
    with s.transaction("Resubmit"):
        for tid, row in zip(lidar.track_ids, lidar.boxes):
            s.modify_box(int(tid), 0, row, frame_of_reference="lidar")
    after = world_rows(s, 0)
    for tid, row in before.items():
        np.testing.assert_allclose(after[tid][:6], row[:6], atol=1e-6)
        q = after[tid][6:] * np.sign(after[tid][6] * row[6] + np.dot(after[tid][7:], row[7:]))
        np.testing.assert_allclose(q, row[6:], atol=1e-9)


def test_a_moved_seven_column_row_stays_upright_in_the_world(scene):
    s, devkit, T = scene
    track = next(t for t in s.annotations.tracks if 0 in t.frames)
    assert s.annotations.schema.get(track.label).upright and not track.free_tilt
    before = world_rows(s, 0)[track.id]
    lidar = s.boxes(0, 7, "lidar")
    row = lidar.boxes[list(lidar.track_ids).index(track.id)].copy()
    row[0] += 0.5  # half a metre along the LiDAR's +x
    s.modify_box(track.id, 0, row, frame_of_reference="lidar")
    box = s.annotations.track(track.id).box(0)
    assert box.frame_of_reference == "world"
    np.testing.assert_allclose(box.center, (T @ [*row[:3], 1.0])[:3], atol=1e-6)
    np.testing.assert_allclose(box.size, row[3:6], atol=1e-12)
    R_world = rot(np.asarray(box.rotation))
    assert abs(R_world[2, 2] - 1.0) < 1e-12  # upright: +z stays the world's +z
    assert angle_diff(yaw_of(R_world), yaw_of(rot(before[6:]))) < 1e-9  # heading unchanged
    # seen from the LiDAR through the full pose, the stored box has the submitted yaw
    assert angle_diff(yaw_of(T[:3, :3].T @ R_world), row[6]) < 1e-6  # T: float32 precision


def test_a_free_tilt_track_takes_the_full_pose(scene):
    s, devkit, T = scene
    track = next(t for t in s.annotations.tracks if 0 in t.frames)
    s.set_free_tilt(track.id)
    lidar = s.boxes(0, 7, "lidar")
    row = lidar.boxes[list(lidar.track_ids).index(track.id)].copy()
    row[1] += 0.5
    s.modify_box(track.id, 0, row, frame_of_reference="lidar")
    box = s.annotations.track(track.id).box(0)
    np.testing.assert_allclose(box.center, (T @ [*row[:3], 1.0])[:3], atol=1e-6)
    expected = T[:3, :3] @ rz(row[6])  # the LiDAR-upright box, tilted by the ego's pitch and roll
    np.testing.assert_allclose(rot(np.asarray(box.rotation)), expected, atol=1e-9)
    assert abs(expected[2, 2] - 1.0) > 1e-6  # so the tilt is really there
