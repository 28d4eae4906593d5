"""pcanno.points_in_boxes against a numpy point-in-box test: arrays of every dtype, clouds with and
without an origin, tilted boxes, margins, the three outputs, and bad input."""
import numpy as np
import pytest

import pcanno
from conftest import require_shared


def quaternion_matrix(q):
    w, x, y, z = np.asarray(q, dtype=float) / np.linalg.norm(q)
    return np.array([[1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y)],
                     [2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x)],
                     [2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y)]])


def box_frame(points, box):
    """Float64 coordinates of `points` in the box's own frame, and its half sizes."""
    box = np.asarray(box, dtype=float)
    if box.size == 7:
        c, s = np.cos(box[6]), np.sin(box[6])
        R = np.array([[c, -s, 0], [s, c, 0], [0, 0, 1]])
    else:
        R = quaternion_matrix(box[6:])
    return (np.asarray(points, dtype=float)[:, :3] - box[:3]) @ R, box[3:6] / 2


def reference_mask(points, boxes, margin=0.0):
    """(M, N) bool, and (M, N) True where a point lies within 1e-5 m of a face (rounding may go
    either way there)."""
    inside, near = [], []
    for box in boxes:
        local, half = box_frame(points, box)
        slack = np.abs(np.abs(local) - (half + margin))
        inside.append(np.all(np.abs(local) <= half + margin, axis=1))
        near.append(np.any(slack < 1e-5, axis=1))
    n = len(points)
    return np.array(inside).reshape(-1, n), np.array(near).reshape(-1, n)


def assert_outputs_match(points, boxes, expected, near, margin=0.0):
    """All three outputs agree with the reference (away from faces) and with each other."""
    index = pcanno.points_in_boxes(points, boxes, margin=margin)
    mask = pcanno.points_in_boxes(points, boxes, output="mask", margin=margin)
    lists = pcanno.points_in_boxes(points, boxes, output="indices", margin=margin)
    n = expected.shape[1]
    assert index.dtype == np.int32 and index.shape == (n,)
    assert mask.dtype == np.bool_ and mask.shape == expected.shape
    assert len(lists) == len(boxes) and all(i.dtype == np.int64 for i in lists)
    clear = ~near.any(axis=0) if len(boxes) else np.ones(n, bool)
    np.testing.assert_array_equal(mask[:, clear], expected[:, clear])
    for b, ids in enumerate(lists):
        np.testing.assert_array_equal(ids, np.flatnonzero(mask[b]))
    first = np.where(mask.any(axis=0), mask.argmax(axis=0), -1)
    np.testing.assert_array_equal(index, first)
    return index, mask


def random_scene(rng, n_points=20_000, n_boxes=25):
    points = np.column_stack([rng.uniform(-30, 30, (n_points, 2)), rng.uniform(-2, 3, n_points),
                              rng.uniform(0, 1, n_points)]).astype(np.float32)
    boxes = np.column_stack([points[rng.choice(n_points, n_boxes), :3].astype(float),
                             rng.uniform(1, 6, (n_boxes, 3)), rng.uniform(-np.pi, np.pi, n_boxes)])
    return points, boxes


def test_float32_points_against_numpy():
    rng = np.random.default_rng(11)
    points, boxes = random_scene(rng)
    expected, near = reference_mask(points, boxes)
    assert expected.sum(axis=1).min() > 0 and (expected.sum(axis=0) > 1).any()  # overlaps exist
    assert_outputs_match(points, boxes, expected, near)
    assert_outputs_match(points[:, :3], boxes, expected, near)  # (N, 3) as well as (N, 4)
    # Non-contiguous float32 rows are copied once and give the same answer.
    wide = np.column_stack([np.zeros(len(points), np.float32), points])
    np.testing.assert_array_equal(pcanno.points_in_boxes(wide[:, 1:], boxes),
                                  pcanno.points_in_boxes(points, boxes))


def test_tilted_boxes_and_margins_against_numpy():
    rng = np.random.default_rng(12)
    points, boxes7 = random_scene(rng)
    quats = rng.normal(size=(len(boxes7), 4))
    boxes10 = np.column_stack([boxes7[:, :6], quats])
    for margin in (0.0, 0.3, -0.2):
        expected, near = reference_mask(points, boxes10, margin)
        assert_outputs_match(points, boxes10, expected, near, margin=margin)
    grown = pcanno.points_in_boxes(points, boxes10, output="mask", margin=0.3)
    plain = pcanno.points_in_boxes(points, boxes10, output="mask")
    assert np.all(grown[plain]) and grown.sum() > plain.sum()


def test_float64_world_points_keep_their_precision():
    rng = np.random.default_rng(13)
    local, boxes = random_scene(rng)
    offset = np.array([651_234.0, 5_800_000.0, 45.0])  # a UTM-like world frame
    world = local[:, :3].astype(float) + offset
    world_boxes = boxes.copy()
    world_boxes[:, :3] += offset
    expected, near = reference_mask(world, world_boxes)
    assert_outputs_match(world, world_boxes, expected, near)
    # Integers are points too.
    axis = np.arange(-3, 4)
    grid = np.stack(np.meshgrid(axis, axis, axis), -1).reshape(-1, 3)
    cube = np.array([0.5, 0.5, 0.5, 2.2, 2.2, 2.2, 0.0])
    inside = pcanno.points_in_boxes(grid, cube, output="indices")[0]
    corners = [(x, y, z) for x in (0, 1) for y in (0, 1) for z in (0, 1)]
    assert sorted(map(tuple, grid[inside])) == corners


def test_cloud_with_an_origin_tests_in_the_lidar_frame():
    cloud = pcanno.read_cloud(require_shared("las/simple.las"))
    assert np.any(cloud.origin != 0)  # georeferenced: columns are relative to the origin
    xyz = cloud.xyz("lidar")
    rng = np.random.default_rng(14)
    boxes = np.column_stack([xyz[rng.choice(len(xyz), 12)], rng.uniform(100, 900, (12, 2)),
                             rng.uniform(20, 200, 12), rng.uniform(-np.pi, np.pi, 12)])
    expected, near = reference_mask(xyz, boxes)
    assert expected.any(axis=1).all()
    index, _ = assert_outputs_match(cloud, boxes, expected, near)
    np.testing.assert_array_equal(index, pcanno.points_in_boxes(xyz, boxes))


def test_kitti_cloud_and_its_raw_rows_agree(sample_data):
    path = sample_data / "kitti_tracking/training/velodyne/0000/000000.bin"
    cloud = pcanno.read_cloud(path)
    raw = np.fromfile(path, dtype=np.float32).reshape(-1, 4)
    rng = np.random.default_rng(15)
    boxes = np.column_stack([raw[rng.choice(len(raw), 30), :3].astype(float),
                             np.tile([4.4, 1.8, 1.6], (30, 1)), rng.uniform(-np.pi, np.pi, 30)])
    expected, near = reference_mask(raw, boxes)
    index, _ = assert_outputs_match(cloud, boxes, expected, near)
    np.testing.assert_array_equal(index, pcanno.points_in_boxes(raw, boxes))


def test_no_boxes_and_no_points():
    points = np.zeros((5, 3), np.float32)
    np.testing.assert_array_equal(pcanno.points_in_boxes(points, np.empty((0, 7))), [-1] * 5)
    assert pcanno.points_in_boxes(points, np.empty((0, 7)), output="mask").shape == (0, 5)
    assert pcanno.points_in_boxes(points, np.empty((0, 10)), output="indices") == []
    assert pcanno.points_in_boxes(np.empty((0, 3)), np.ones((2, 7)), output="mask").shape == (2, 0)


def test_bad_input_raises_clear_errors():
    box = np.array([[0, 0, 0, 1, 1, 1, 0.0]])
    with pytest.raises(ValueError,
                       match=r"points must have shape \(N, 3\) or \(N, k >= 3\).*not \(4, 2\)"):
        pcanno.points_in_boxes(np.zeros((4, 2)), box)
    with pytest.raises(ValueError, match=r"not \(12,\)"):
        pcanno.points_in_boxes(np.zeros(12), box)
    with pytest.raises(TypeError, match="points must be a pcanno.Cloud or a numeric array"):
        pcanno.points_in_boxes("cloud.bin", box)
    with pytest.raises(ValueError, match=r"boxes must have shape \(N, 7\).*not \(1, 6\)"):
        pcanno.points_in_boxes(np.zeros((4, 3)), np.zeros((1, 6)))
    with pytest.raises(ValueError, match="boxes row 0: length, width and height must be > 0"):
        pcanno.points_in_boxes(np.zeros((4, 3)), np.zeros((1, 7)))
    with pytest.raises(ValueError, match="output must be 'index'"):
        pcanno.points_in_boxes(np.zeros((4, 3)), box, output="masks")
    with pytest.raises(ValueError, match="margin must be finite"):
        pcanno.points_in_boxes(np.zeros((4, 3)), box, margin=float("nan"))
