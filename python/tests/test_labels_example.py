"""examples/python/convert_labels.py on sample_data: it converts, and its report is true."""
import json
import subprocess
import sys

import pcanno
from conftest import SOURCE_DIR

EXAMPLE = SOURCE_DIR / "examples/python/convert_labels.py"


def run(*args):
    return subprocess.run([sys.executable, str(EXAMPLE), *map(str, args)], capture_output=True,
                          text=True)


def test_kitti_tracking_to_openlabel(sample_data, tmp_path):
    root = sample_data / "kitti_tracking/training"
    labels = root / "label_02/0000.txt"
    out = tmp_path / "0000.json"
    done = run(labels, out, "--to", "openlabel", "--sequence", root)
    assert done.returncode == 0, done.stderr
    lines = labels.read_text().splitlines()
    boxes = sum(1 for line in lines if line.split()[2] != "DontCare")
    dontcare = len(lines) - boxes
    assert f"read {boxes} boxes" in done.stdout
    assert f"wrote {boxes} boxes, 0 ignore regions" in done.stdout
    assert f"dropped {dontcare} ignore regions" in done.stdout
    assert str(out) in done.stdout
    assert "openlabel" in json.loads(out.read_text())
    assert pcanno.read_labels(out).box_count == boxes


def test_nuscenes_to_native_and_a_refusal_to_replace(sample_data, tmp_path):
    root = sample_data / "nuscenes/v1.0-mini-scene0061"
    out = tmp_path / "doc.json"
    done = run(root, out, "--to", "pcanno")
    assert done.returncode == 0, done.stderr
    count = len(json.loads((root / "v1.0-mini/sample_annotation.json").read_text()))
    assert f"wrote {count} boxes" in done.stdout and "dropped" not in done.stdout
    again = run(root, out, "--to", "pcanno")
    assert again.returncode == 1 and again.stderr.startswith(f"error: {out}")
    assert run(root, out, "--to", "pcanno", "--force").returncode == 0
