"""pcanno.read_cloud: values against independent parses of the files, zero-copy views, copies."""
import gc
import struct

import numpy as np
import pytest

import pcanno


def kitti_points(path):
    """The KITTI .bin layout read independently: float32 x, y, z, reflectance per point."""
    return np.fromfile(path, dtype=np.float32).reshape(-1, 4)


def test_kitti_bin_matches_an_independent_parse(sample_data):
    path = sample_data / "kitti_tracking/training/velodyne/0000/000000.bin"
    expected = kitti_points(path)
    cloud = pcanno.read_cloud(path)
    assert cloud.format == "kitti-bin"
    assert len(cloud) == expected.shape[0] > 100000
    assert cloud.names == ["x", "y", "z", "intensity"]
    np.testing.assert_array_equal(cloud.x, expected[:, 0])
    np.testing.assert_array_equal(cloud.y, expected[:, 1])
    np.testing.assert_array_equal(cloud.z, expected[:, 2])
    np.testing.assert_array_equal(cloud["intensity"], expected[:, 3])
    np.testing.assert_array_equal(cloud.to_array(["x", "y", "z", "intensity"]), expected)
    np.testing.assert_array_equal(cloud.origin, [0.0, 0.0, 0.0])
    np.testing.assert_array_equal(cloud.T_lidar_cloud, np.eye(4))


def test_columns_are_views_of_the_engine_buffers(sample_data):
    cloud = pcanno.read_cloud(sample_data / "kitti_tracking/training/velodyne/0000/000001.bin")
    for name in cloud.names:
        column = cloud[name]
        assert column.dtype == np.float32 and column.ndim == 1
        assert column.ctypes.data == cloud._buffer_address(name), name
        assert not column.flags.owndata
    x = cloud.x
    assert x.ctypes.data == cloud.x.ctypes.data
    # Writing through one view shows in another: they share one buffer.
    before = float(x[0])
    x[0] = 1234.5
    assert cloud.x[0] == np.float32(1234.5)
    x[0] = before


def test_views_stay_valid_after_every_other_handle_is_gone(sample_data):
    path = sample_data / "kitti_tracking/training/velodyne/0000/000002.bin"
    expected = kitti_points(path)
    cloud = pcanno.read_cloud(path)
    x, intensity = cloud.x, cloud.attributes["intensity"]
    address = cloud._buffer_address("x")
    del cloud
    gc.collect()
    # Allocate and free a few clouds' worth of memory, which a freed buffer would be reused for.
    for _ in range(3):
        junk = pcanno.read_cloud(path)
        junk.x[:] = -1.0
        del junk
    assert x.ctypes.data == address
    np.testing.assert_array_equal(x, expected[:, 0])
    np.testing.assert_array_equal(intensity, expected[:, 3])


def test_ascii_pcd_matches_its_text(sample_data):
    path = sample_data / "pcd/bunny.pcd"
    lines = path.read_text().splitlines()
    data = lines[[i for i, line in enumerate(lines) if line.startswith("DATA")][0] + 1:]
    expected = np.array([[float(v) for v in line.split()] for line in data if line.strip()],
                        dtype=np.float32)
    cloud = pcanno.read_cloud(path)
    assert cloud.format == "pcd" and cloud.variant == "ascii"
    assert len(cloud) == 397 == expected.shape[0]
    np.testing.assert_array_equal(cloud.to_array(), expected)
    structured = cloud.to_structured()
    assert structured.dtype.names == ("x", "y", "z")
    np.testing.assert_array_equal(structured["y"], expected[:, 1])


def test_las_coordinates_in_double_match_the_records(shared_data):
    path = shared_data / "las/simple.las"
    raw = path.read_bytes()
    offset_to_points = struct.unpack_from("<I", raw, 96)[0]
    record_length = struct.unpack_from("<H", raw, 105)[0]
    count = struct.unpack_from("<I", raw, 107)[0]
    scale = np.array(struct.unpack_from("<3d", raw, 131))
    offset = np.array(struct.unpack_from("<3d", raw, 155))
    records = np.array([struct.unpack_from("<3i", raw, offset_to_points + i * record_length)
                        for i in range(count)], dtype=np.float64)
    expected = records * scale + offset

    cloud = pcanno.read_cloud(path)
    assert cloud.format == "las" and len(cloud) == count
    # The float32 columns are relative to a local origin: they keep the float32 step at the
    # largest local coordinate (sub-millimetre), where absolute float32 would keep 6 cm.
    local = expected - cloud.origin
    assert np.abs(local).max() < 4096.0
    tolerance = float(np.spacing(np.float32(np.abs(local).max())))
    assert tolerance < 1e-3
    np.testing.assert_allclose(cloud.xyz("lidar"), expected, rtol=0, atol=tolerance)
    np.testing.assert_allclose(cloud.xyz("cloud") + cloud.origin, expected, rtol=0, atol=tolerance)
    (lo, hi) = cloud.bounds
    np.testing.assert_allclose(lo, expected.min(axis=0), atol=tolerance)
    np.testing.assert_allclose(hi, expected.max(axis=0), atol=tolerance)
    assert "classification" in cloud and "intensity" in cloud


def test_a_format_can_be_forced_and_formats_are_listed(sample_data, tmp_path):
    ids = {f["id"] for f in pcanno.cloud_formats()}
    assert {"kitti-bin", "nuscenes-bin", "pcd", "ply", "las"} <= ids
    src = sample_data / "kitti_tracking/training/velodyne/0000/000003.bin"
    renamed = tmp_path / "scan.data"
    renamed.write_bytes(src.read_bytes())
    with pytest.raises(pcanno.UnknownFormatError):
        pcanno.read_cloud(renamed)
    cloud = pcanno.read_cloud(renamed, "kitti-bin")
    np.testing.assert_array_equal(cloud.z, kitti_points(src)[:, 2])


def test_progress_is_reported_and_can_cancel(sample_data):
    path = sample_data / "kitti_tracking/training/velodyne/0000/000004.bin"
    seen = []
    pcanno.read_cloud(path, progress=lambda f: seen.append(f))
    assert seen and seen[-1] == pytest.approx(1.0) and seen == sorted(seen)
    with pytest.raises(pcanno.CancelledError) as info:
        pcanno.read_cloud(path, progress=lambda f: False)
    assert info.value.code == "cancelled"

    class Stop(Exception):
        pass

    def raising(_):
        raise Stop()

    with pytest.raises(Stop):
        pcanno.read_cloud(path, progress=raising)
