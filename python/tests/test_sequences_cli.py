"""pcanno.open_sequence against `pcanno info --json` on every layout of the shared data: the Python
binding and the CLI must describe a dataset alike (same sequence chosen, frames, times, cameras).
"""
import json
import os
import subprocess

import pytest

import pcanno
from conftest import require_shared

LAYOUTS = [
    ("kitti_tracking", None),
    ("kitti_object", None),
    ("kitti_raw/2011_09_26/2011_09_26_drive_unknown_sync", None),
    ("nuscenes_cameras/v1.0-mini-scene0061", "scene-0061"),
    ("nuscenes/lyft-tiny/v1.01-train", None),
]


def cli_info(path, name):
    cli = os.environ.get("PCANNO_CLI")
    if not cli:
        pytest.skip("PCANNO_CLI is not set (ctest sets it when the pcanno CLI is built)")
    command = [cli, "info", "--json", str(path)] + (["--sequence", name] if name else [])
    result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.parametrize("relative,name", LAYOUTS)
def test_open_sequence_agrees_with_pcanno_info(relative, name):
    path = require_shared(relative)
    info = cli_info(path, name)
    seq = pcanno.open_sequence(path, name)
    assert (seq.layout, seq.name, len(seq)) == (info["layout"], info["name"], info["frames"])
    assert seq.has_calibration == info["calibration"]
    assert seq.has_poses == info["poses"]
    assert seq.labels == info["labels"]
    assert seq.warnings == info["warnings"]
    if info["timestamps"] is None:
        assert not seq.has_timestamps
    else:
        assert seq.timestamps_us[0] == info["timestamps"]["first_us"]
        assert seq.timestamps_us[-1] == info["timestamps"]["last_us"]
    assert seq.cameras == [c["channel"] for c in info["cameras"]]
    for camera in info["cameras"]:
        images = [seq.camera_image(camera["channel"], i) for i in range(len(seq))]
        images = [image for image in images if image is not None]
        assert len(images) == camera["frames_with_image"]
        sizes = []
        for image in images:
            size = {"width": image.width, "height": image.height}
            if image.width > 0 and size not in sizes:
                sizes.append(size)
        assert sizes == camera["sizes"]
        assert sum(not os.path.exists(image.path) for image in images) == camera["missing_files"]
    listed = pcanno.list_sequences(path)
    assert [{"name": s["name"], "frames": s["frames"]} for s in listed] == info["sequences"]
