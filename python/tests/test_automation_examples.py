"""examples/python/complete_and_score.py and plot_tracks.py run on sample_data: their printed
figures equal the CLI's for the same completion, and the plot is a valid PNG."""
import json
import os
import pathlib
import re
import struct
import sys

import pytest
from pcanno_cli import cli, run

SOURCE_DIR = pathlib.Path(os.environ.get("PCANNO_SOURCE_DIR",
                                         pathlib.Path(__file__).resolve().parents[2]))
EXAMPLES = SOURCE_DIR / "examples" / "python"


@pytest.fixture
def env(tmp_path):
    environment = dict(os.environ, XDG_CACHE_HOME=str(tmp_path / "cache"), MPLBACKEND="Agg")
    return environment


def cli_score(root, tmp_path, method, every):
    """`pcanno track` then `pcanno eval --json --exclude-keyframes`: what the examples compute."""
    labels = root / "label_02/0000.txt"
    pred = tmp_path / f"cli-{method}-{every}.pcanno.json"
    cli("track", root, labels, "--out", pred, "--to", "pcanno", "--method", method,
        "--keyframes-every", every, "--no-cache")
    return json.loads(cli("eval", pred, labels, "--sequence", root, "--exclude-keyframes",
                          "--json").stdout)


@pytest.mark.parametrize("method", ["interpolate", "linear"])
def test_complete_and_score_prints_the_cli_figures(sample_data, tmp_path, env, method):
    root = sample_data / "kitti_tracking/training"
    out = run([sys.executable, EXAMPLES / "complete_and_score.py", root, "--method", method],
              env=env).stdout
    expected = cli_score(root, tmp_path, method, 2)
    rows = {}
    for line in out.splitlines():
        m = re.match(r"(\S+)\s+(\d+)\s+(\d+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)%\s+([\d.]+)%$",
                     line)
        if m:
            rows[m[1]] = [float(v) for v in m.groups()[1:]]
    summaries = {c["label"]: c["iou"] for c in expected["classes"]}
    summaries["overall"] = expected["overall"]
    assert set(rows) == set(summaries)
    for name, s in summaries.items():
        boxes, missed, mean3, mean_bev, f50, f70 = rows[name]
        assert (boxes, missed) == (s["boxes"], s["missed"])
        assert mean3 == pytest.approx(s["mean_iou_3d"], abs=5e-4)
        assert mean_bev == pytest.approx(s["mean_iou_bev"], abs=5e-4)
        assert f50 == pytest.approx(100 * s["fraction_3d_50"], abs=0.05)
        assert f70 == pytest.approx(100 * s["fraction_3d_70"], abs=0.05)
    assert expected["overall"]["boxes"] == 6  # frames 1 and 3 of three tracks
    assert re.search(rf"^{method}: 9 keyframe boxes in 3 tracks, 6 boxes added$", out, re.M)


def test_plot_tracks_writes_a_png_and_prints_the_cli_figures(sample_data, tmp_path, env):
    pytest.importorskip("matplotlib")
    root = sample_data / "kitti_tracking/training"
    png = tmp_path / "plots" / "tracks.png"
    png.parent.mkdir()
    out = run([sys.executable, EXAMPLES / "plot_tracks.py", root, "--out", png], env=env).stdout
    data = png.read_bytes()
    assert len(data) > 1000 and data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    assert width > 100 and height > 100
    assert data[-8:-4] == b"IEND"
    expected = cli_score(root, tmp_path, "interpolate", 2)["frame_results"]
    printed = {int(m[1]): float(m[2])
               for m in re.finditer(r"^frame (\d+): mean 3D IoU ([\d.]+)$", out, re.M)}
    assert printed.keys() == {f["frame"] for f in expected} == {1, 3}
    for f in expected:
        assert printed[f["frame"]] == pytest.approx(f["iou"]["mean_iou_3d"], abs=5e-5)
