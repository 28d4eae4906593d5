"""pcanno.iou_3d / iou_bev and their *_matrix forms: properties, an independent polygon-clipping
reference for upright boxes, Monte Carlo for tilted ones, pairing rules and bad input."""
import math

import numpy as np
import pytest

import pcanno


# ---- independent references ---------------------------------------------------------------------

def footprint(box):
    """Counter-clockwise corners of an upright (N, 7) row's footprint."""
    x, y, _, l, w, _, yaw = box
    c, s = math.cos(yaw), math.sin(yaw)
    local = [(l / 2, w / 2), (-l / 2, w / 2), (-l / 2, -w / 2), (l / 2, -w / 2)]
    return [(x + c * u - s * v, y + s * u + c * v) for u, v in local]


def clip(subject, clipper):
    """Sutherland-Hodgman: the part of convex `subject` inside convex, counter-clockwise
    `clipper`."""
    out = subject
    for (ax, ay), (bx, by) in zip(clipper, clipper[1:] + clipper[:1]):
        side = lambda p: (bx - ax) * (p[1] - ay) - (by - ay) * (p[0] - ax)  # noqa: E731
        points, out = out, []
        for p, q in zip(points, points[1:] + points[:1]):
            sp, sq = side(p), side(q)
            if sp >= 0:
                out.append(p)
            if (sp >= 0) != (sq >= 0):
                t = sp / (sp - sq)
                out.append((p[0] + t * (q[0] - p[0]), p[1] + t * (q[1] - p[1])))
        if not out:
            return []
    return out


def area(poly):
    pairs = zip(poly, poly[1:] + poly[:1])
    return 0.5 * sum(p[0] * q[1] - q[0] * p[1] for p, q in pairs) if poly else 0.0


def reference_ious(a, b):
    """(3D IoU, BEV IoU) of two upright rows, computed here."""
    inter_area = area(clip(footprint(a), footprint(b)))
    bev = inter_area / (a[3] * a[4] + b[3] * b[4] - inter_area)
    dz = min(a[2] + a[5] / 2, b[2] + b[5] / 2) - max(a[2] - a[5] / 2, b[2] - b[5] / 2)
    inter = inter_area * max(dz, 0.0)
    va, vb = a[3] * a[4] * a[5], b[3] * b[4] * b[5]
    return inter / (va + vb - inter), bev


def quaternion_matrix(q):
    w, x, y, z = np.asarray(q) / np.linalg.norm(q)
    return np.array([[1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y)],
                     [2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x)],
                     [2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y)]])


def matrix_quaternion(R):
    """(w, x, y, z) of a rotation matrix (Shepperd), for moving 10-column rows."""
    t = np.trace(R)
    if t > 0:
        s = 2 * math.sqrt(1 + t)
        return np.array([s / 4, (R[2, 1] - R[1, 2]) / s, (R[0, 2] - R[2, 0]) / s,
                         (R[1, 0] - R[0, 1]) / s])
    i = int(np.argmax(np.diag(R)))
    j, k = (i + 1) % 3, (i + 2) % 3
    s = 2 * math.sqrt(1 + R[i, i] - R[j, j] - R[k, k])
    q = np.empty(4)
    q[0] = (R[k, j] - R[j, k]) / s
    q[1 + i] = s / 4
    q[1 + j] = (R[j, i] + R[i, j]) / s
    q[1 + k] = (R[k, i] + R[i, k]) / s
    return q


def monte_carlo_iou(a, b, rng, n=400_000):
    """IoU of two (10,) rows by sampling box a uniformly and testing the samples against b."""
    Ra, Rb = quaternion_matrix(a[6:]), quaternion_matrix(b[6:])
    local = rng.uniform(-0.5, 0.5, (n, 3)) * a[3:6]
    world = local @ Ra.T + a[:3]
    in_b = np.all(np.abs((world - b[:3]) @ Rb) <= b[3:6] / 2, axis=1)
    va, vb = np.prod(a[3:6]), np.prod(b[3:6])
    inter = va * in_b.mean()
    return inter / (va + vb - inter)


def random_upright(rng, n, spread=1.0):
    a = np.column_stack([rng.uniform(-20, 20, (n, 3)), rng.uniform(0.5, 5, (n, 3)),
                         rng.uniform(-np.pi, np.pi, n)])
    b = a.copy()
    b[:, :3] += rng.uniform(-spread, spread, (n, 3))
    b[:, 3:6] = rng.uniform(0.5, 5, (n, 3))
    b[:, 6] = rng.uniform(-np.pi, np.pi, n)
    return a, b


def as_ten(rows7):
    """The same upright boxes as (N, 10) rows: the yaw quaternion."""
    yaw = rows7[:, 6]
    return np.column_stack([rows7[:, :6], np.cos(yaw / 2), 0 * yaw, 0 * yaw, np.sin(yaw / 2)])


def random_rotation(rng):
    q = rng.normal(size=4)
    return quaternion_matrix(q)


# ---- tests -----------------------------------------------------------------------------------

def test_upright_pairs_match_an_independent_polygon_clipping():
    rng = np.random.default_rng(1)
    a, b = random_upright(rng, 300)
    iou3, bev = pcanno.iou_3d(a, b), pcanno.iou_bev(a, b)
    assert iou3.shape == bev.shape == (300,) and iou3.dtype == np.float64
    expected = np.array([reference_ious(p, q) for p, q in zip(a, b)])
    assert np.mean(expected[:, 0] > 0.05) > 0.5  # the draw really overlaps
    np.testing.assert_allclose(iou3, expected[:, 0], rtol=0, atol=1e-9)
    np.testing.assert_allclose(bev, expected[:, 1], rtol=0, atol=1e-9)


def test_tilted_pairs_match_monte_carlo():
    rng = np.random.default_rng(2)
    for _ in range(4):
        a = np.concatenate([[0, 0, 0], rng.uniform(1.5, 4, 3),
                            matrix_quaternion(random_rotation(rng))])
        b = np.concatenate([rng.uniform(-0.7, 0.7, 3), rng.uniform(1.5, 4, 3),
                            matrix_quaternion(random_rotation(rng))])
        expected = monte_carlo_iou(a, b, rng)
        assert expected > 0.05
        assert pcanno.iou_3d(a, b) == pytest.approx(expected, abs=0.01)


def test_self_one_disjoint_zero_and_symmetric():
    rng = np.random.default_rng(3)
    a, b = random_upright(rng, 200)
    np.testing.assert_allclose(pcanno.iou_3d(a, a), 1.0, rtol=0, atol=1e-12)
    np.testing.assert_allclose(pcanno.iou_bev(a, a), 1.0, rtol=0, atol=1e-12)
    np.testing.assert_allclose(pcanno.iou_3d(as_ten(a), as_ten(a)), 1.0, rtol=0, atol=1e-12)
    np.testing.assert_allclose(pcanno.iou_3d(a, b), pcanno.iou_3d(b, a), rtol=0, atol=1e-12)
    np.testing.assert_allclose(pcanno.iou_bev(a, b), pcanno.iou_bev(b, a), rtol=0, atol=1e-12)
    far = b.copy()
    far[:, 0] += 100.0
    assert np.all(pcanno.iou_3d(a, far) == 0.0) and np.all(pcanno.iou_bev(a, far) == 0.0)
    # Stacked: the footprints coincide, the volumes do not meet.
    above = a.copy()
    above[:, 2] += a[:, 5] + 0.01
    assert np.all(pcanno.iou_3d(a, above) == 0.0)
    np.testing.assert_allclose(pcanno.iou_bev(a, above), 1.0, atol=1e-12)


def test_invariant_under_a_common_rigid_transform():
    rng = np.random.default_rng(4)
    a, b = random_upright(rng, 100)
    expected = pcanno.iou_3d(a, b)
    # About z: upright rows stay upright (7 columns).
    angle, shift = 0.7, np.array([13.0, -4.0, 2.5])
    c, s = math.cos(angle), math.sin(angle)
    Rz = np.array([[c, -s, 0], [s, c, 0], [0, 0, 1]])

    def moved7(rows):
        out = rows.copy()
        out[:, :3] = rows[:, :3] @ Rz.T + shift
        out[:, 6] = rows[:, 6] + angle
        return out
    np.testing.assert_allclose(pcanno.iou_3d(moved7(a), moved7(b)), expected, rtol=0, atol=1e-9)
    np.testing.assert_allclose(pcanno.iou_bev(moved7(a), moved7(b)), pcanno.iou_bev(a, b),
                               rtol=0, atol=1e-9)
    # Any rotation: the boxes tilt (10 columns, polyhedron clipping), the IoU stays.
    R = random_rotation(rng)

    def moved10(rows):
        ten = as_ten(rows)
        out = ten.copy()
        out[:, :3] = ten[:, :3] @ R.T + shift
        out[:, 6:] = [matrix_quaternion(R @ quaternion_matrix(q)) for q in ten[:, 6:]]
        return out
    np.testing.assert_allclose(pcanno.iou_3d(moved10(a), moved10(b)), expected, rtol=0, atol=1e-9)


def test_seven_and_ten_columns_agree_for_upright_boxes():
    rng = np.random.default_rng(5)
    a, b = random_upright(rng, 200)
    expected = pcanno.iou_3d(a, b)
    np.testing.assert_allclose(pcanno.iou_3d(as_ten(a), as_ten(b)), expected, rtol=0, atol=1e-12)
    np.testing.assert_allclose(pcanno.iou_3d(as_ten(a), b), expected, rtol=0, atol=1e-12)
    np.testing.assert_allclose(pcanno.iou_bev(a, as_ten(b)), pcanno.iou_bev(a, b),
                               rtol=0, atol=1e-12)
    # A quaternion need not be normalised (box_from_row's rule too).
    scaled = as_ten(a)
    scaled[:, 6:] *= 3.0
    np.testing.assert_allclose(pcanno.iou_3d(scaled, b), expected, rtol=0, atol=1e-12)


def test_pairing_broadcasting_and_the_matrix():
    rng = np.random.default_rng(6)
    a, b = random_upright(rng, 5)
    c = b[:3]
    matrix = pcanno.iou_3d_matrix(a, c)
    assert matrix.shape == (5, 3)
    for i in range(5):
        for j in range(3):
            assert matrix[i, j] == pcanno.iou_3d(a[i], c[j])
    np.testing.assert_array_equal(pcanno.iou_bev_matrix(a, c)[:, 1], pcanno.iou_bev(a, c[1]))
    # One box against N rows, either side, 1-D or (1, k); two 1-D boxes give a float.
    np.testing.assert_array_equal(pcanno.iou_3d(a, c[1]), matrix[:, 1])
    np.testing.assert_array_equal(pcanno.iou_3d(c[1:2], a), pcanno.iou_3d_matrix(c, a)[1])
    single = pcanno.iou_3d(a[0], c[0])
    assert isinstance(single, float) and single == matrix[0, 0]
    # float32 and integer rows are accepted (converted once).
    a32, b32 = a.astype(np.float32), b.astype(np.float32)
    np.testing.assert_array_equal(pcanno.iou_3d(a32, b32),
                                  pcanno.iou_3d(a32.astype(float), b32.astype(float)))
    half_overlap = pcanno.iou_3d(np.array([0, 0, 0, 2, 2, 2, 0]), np.array([1, 0, 0, 2, 2, 2, 0]))
    assert half_overlap == pytest.approx(1 / 3)
    assert pcanno.iou_3d(np.empty((0, 7)), np.empty((0, 10))).shape == (0,)
    assert pcanno.iou_3d_matrix(np.empty((0, 7)), b).shape == (0, 5)
    # Non-contiguous rows (a column slice of a wider table) read the same values.
    table = np.column_stack([np.arange(5.0), a])
    np.testing.assert_array_equal(pcanno.iou_3d(table[:, 1:], b), pcanno.iou_3d(a, b))


def test_bad_input_raises_clear_errors():
    box = np.array([0, 0, 0, 1, 1, 1, 0.0])
    with pytest.raises(ValueError,
                       match=r"a must have shape \(N, 7\) .* or \(N, 10\) .*not \(3, 5\)"):
        pcanno.iou_3d(np.zeros((3, 5)), box)
    with pytest.raises(ValueError, match=r"b must have shape .*not \(2, 2, 7\)"):
        pcanno.iou_bev(box, np.zeros((2, 2, 7)))
    with pytest.raises(ValueError, match=r"a has 3 rows and b 2; use iou_3d_matrix\(a, b\)"):
        pcanno.iou_3d(np.tile(box, (3, 1)), np.tile(box, (2, 1)))
    bad = np.tile(box, (4, 1))
    bad[2, 1] = np.nan
    with pytest.raises(ValueError, match="b row 2: a value is not finite"):
        pcanno.iou_3d(np.tile(box, (4, 1)), bad)
    with pytest.raises(ValueError, match="a row 2: a value is not finite"):
        pcanno.iou_3d_matrix(bad, box)
    flat = np.tile(box, (2, 1))
    flat[1, 4] = 0.0
    with pytest.raises(ValueError, match="a row 1: length, width and height must be > 0"):
        pcanno.iou_bev(flat, box)
    zero_q = np.array([0, 0, 0, 1, 1, 1, 0, 0, 0, 0.0])
    with pytest.raises(ValueError, match="a row 0: the quaternion is zero"):
        pcanno.iou_3d(zero_q, box)
    with pytest.raises(TypeError, match="a must be a numeric array"):
        pcanno.iou_3d(["not", "boxes"], box)
