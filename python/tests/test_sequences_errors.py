"""pcanno.open_sequence and Sequence on bad input: each failure raises its pcanno.Error subclass
naming the file (and the line of a text file).
"""
import shutil

import pytest

import pcanno
from conftest import require_shared


def copy_tracking(sample_data, tmp_path):
    """A writable copy of the sample KITTI tracking sequence (calib, labels, five clouds)."""
    root = tmp_path / "kitti_tracking"
    shutil.copytree(sample_data / "kitti_tracking", root)
    return root


def test_missing_folder_is_not_found(tmp_path):
    missing = tmp_path / "no_such_dataset"
    with pytest.raises(pcanno.NotFoundError) as caught:
        pcanno.open_sequence(missing)
    assert caught.value.path == str(missing)
    assert isinstance(caught.value, FileNotFoundError)
    with pytest.raises(pcanno.NotFoundError):
        pcanno.list_sequences(missing)


def test_a_file_or_an_empty_folder_is_no_sequence(sample_data, tmp_path):
    with pytest.raises(pcanno.UnsupportedError, match="folder"):
        pcanno.open_sequence(sample_data / "README.md")
    with pytest.raises(pcanno.UnknownFormatError, match="no dataset layout") as caught:
        pcanno.open_sequence(tmp_path)
    assert caught.value.path == str(tmp_path)


def test_unknown_names_and_layouts(sample_data):
    tracking = sample_data / "kitti_tracking"
    with pytest.raises(pcanno.NotFoundError, match=r"'0007' \(available: 0000\)"):
        pcanno.open_sequence(tracking, "0007")
    with pytest.raises(pcanno.NotFoundError, match="scene-0001"):
        pcanno.open_sequence(sample_data / "nuscenes/v1.0-mini-scene0061", "scene-0001")
    with pytest.raises(pcanno.UnsupportedError, match="unknown layout 'waymo'"):
        pcanno.open_sequence(tracking, layout="waymo")


def test_broken_calibration_names_file_and_line(sample_data, tmp_path):
    root = copy_tracking(sample_data, tmp_path)
    calib = root / "training/calib/0000.txt"
    lines = calib.read_text().splitlines()
    assert lines[2].startswith("P2:")
    lines[2] = " ".join(lines[2].split()[:-1])  # 11 numbers instead of 12
    calib.write_text("\n".join(lines) + "\n")
    with pytest.raises(pcanno.MalformedError) as caught:
        pcanno.open_sequence(root)
    assert caught.value.path == str(calib)
    assert caught.value.line == 3
    assert str(caught.value).startswith(f"{calib}:3:")
    with pytest.raises(pcanno.MalformedError) as direct:
        pcanno.read_kitti_calib(calib)
    assert direct.value.line == 3


def test_a_calibration_value_that_is_not_a_number(sample_data, tmp_path):
    root = copy_tracking(sample_data, tmp_path)
    calib = root / "training/calib/0000.txt"
    lines = calib.read_text().splitlines()
    assert lines[4].startswith("R_rect")
    lines[4] = lines[4].replace("9.999239000000e-01", "nine", 1)
    calib.write_text("\n".join(lines) + "\n")
    with pytest.raises(pcanno.MalformedError) as caught:
        pcanno.open_sequence(root)
    assert (caught.value.path, caught.value.line) == (str(calib), 5)


def test_missing_calibration_is_a_warning_not_an_error(sample_data, tmp_path):
    root = copy_tracking(sample_data, tmp_path)
    (root / "training/calib/0000.txt").unlink()
    seq = pcanno.open_sequence(root)
    assert not seq.has_calibration and seq.calibration_of(0) is None
    assert any("no calibration" in w for w in seq.warnings)


def test_a_frame_whose_file_vanished_raises_on_read(sample_data, tmp_path):
    root = copy_tracking(sample_data, tmp_path)
    seq = pcanno.open_sequence(root, threads=0)
    victim = root / "training/velodyne/0000/000003.bin"
    victim.unlink()
    with pytest.raises(pcanno.NotFoundError) as caught:
        seq[3]
    assert caught.value.path == str(victim)
    # The error is not cached, and the other frames still read.
    assert len(seq[2]) > 0
    with pytest.raises(pcanno.NotFoundError):
        list(seq)


def test_a_truncated_frame_names_its_offset(sample_data, tmp_path):
    root = copy_tracking(sample_data, tmp_path)
    victim = root / "training/velodyne/0000/000001.bin"
    data = victim.read_bytes()
    victim.write_bytes(data[:-6])  # not a whole number of 16-byte points
    seq = pcanno.open_sequence(root, threads=0)
    with pytest.raises(pcanno.TruncatedError) as caught:
        seq[1]
    assert caught.value.path == str(victim)


def test_damaged_images_raise(tmp_path):
    png = tmp_path / "cut.png"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 10)
    with pytest.raises((pcanno.MalformedError, pcanno.TruncatedError)) as caught:
        pcanno.read_image(png)
    assert caught.value.path == str(png)
    text = tmp_path / "not_an_image.png"
    text.write_text("hello")
    with pytest.raises(pcanno.MalformedError):
        pcanno.read_image(text)
    with pytest.raises(pcanno.NotFoundError):
        pcanno.read_image(tmp_path / "missing.png")


def test_a_damaged_camera_image_raises_but_its_frame_reads(tmp_path):
    from conftest import require_shared
    source = require_shared("kitti_object/training")
    root = tmp_path / "training"
    shutil.copytree(source, root)
    victim = root / "image_2/000001.png"
    victim.write_bytes(victim.read_bytes()[:5000])  # a PNG cut short
    for images in (False, True):  # decoded on demand, or by the cache with the cloud
        seq = pcanno.open_sequence(tmp_path, images=images)
        with pytest.raises((pcanno.MalformedError, pcanno.TruncatedError)) as caught:
            seq.image("image_2", 1)
        assert caught.value.path == str(victim)
        assert len(seq[1]) == 120268  # the cloud is not hidden by its image
        assert seq.image("image_2", 2).shape == (375, 1242, 3)


def test_sweeps_of_a_layout_without_sweeps(sample_data):
    with pytest.raises(pcanno.InvalidArgumentError, match="kitti-tracking dataset"):
        pcanno.open_sequence(sample_data / "kitti_tracking", sweeps=True)
    # The nuScenes sample has no sweeps beyond its keyframe, but asking is valid.
    seq = pcanno.open_sequence(sample_data / "nuscenes/v1.0-mini-scene0061", sweeps=True)
    assert len(seq) == 1 and seq.frame_info(0).is_keyframe


def make_raw_drive(tmp_path):
    """A KITTI raw date folder with the shared drive's clouds linked and its calibration copied."""
    import os
    from conftest import require_shared
    source = require_shared("kitti_raw/2011_09_26")
    date = tmp_path / "2011_09_26"
    drive = date / "2011_09_26_drive_0001_sync"
    (drive / "velodyne_points").mkdir(parents=True)
    os.symlink(source / "2011_09_26_drive_unknown_sync/velodyne_points/data",
               drive / "velodyne_points/data")
    for name in ("calib_cam_to_cam.txt", "calib_velo_to_cam.txt"):
        (date / name).write_bytes((source / name).read_bytes())
    return date, drive


def test_raw_drive_calibration_errors_name_the_file(tmp_path):
    date, drive = make_raw_drive(tmp_path)
    assert pcanno.open_sequence(drive).has_calibration
    velo = date / "calib_velo_to_cam.txt"
    velo.write_text("\n".join(l for l in velo.read_text().splitlines()
                              if not l.startswith("T:")) + "\n")
    with pytest.raises(pcanno.MalformedError, match="'T:' with 3 numbers") as caught:
        pcanno.open_sequence(drive)
    assert caught.value.path == str(velo)
    velo.unlink()  # no calibration at all: tolerated, with a warning
    seq = pcanno.open_sequence(drive)
    assert not seq.has_calibration and any("no calibration" in w for w in seq.warnings)


def test_raw_drive_bad_timestamp_names_its_line(tmp_path):
    _, drive = make_raw_drive(tmp_path)
    stamps = drive / "velodyne_points/timestamps.txt"
    stamps.write_text("2011-09-26 13:02:25.964389445\nyesterday at noon\n")
    with pytest.raises(pcanno.MalformedError) as caught:
        pcanno.open_sequence(drive)
    assert (caught.value.path, caught.value.line) == (str(stamps), 2)


def test_images_name_channels_the_sequence_has():
    root = require_shared("kitti_object/training")
    seq = pcanno.open_sequence(root, images="image_2")  # one channel as a plain str
    assert seq.cameras == ["image_2"] and seq.image("image_2", 0).ndim == 3
    with pytest.raises(pcanno.InvalidArgumentError) as info:
        pcanno.open_sequence(root, images=["image_2", "CAM_NOPE"])
    assert "CAM_NOPE" in info.value.message and "image_2" in info.value.message
    with pytest.raises(TypeError, match="images"):
        pcanno.open_sequence(root, images=3)
