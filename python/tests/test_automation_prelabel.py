"""pcanno.prelabel: the built-in classical detector and an external-process detector give the
CLI's pre-labels; ranges, scores, parameters, cancellation and errors."""
import os
import pathlib
import re
import shutil

import pytest

import pcanno
from pcanno_cli import cli

SOURCE_DIR = pathlib.Path(os.environ.get("PCANNO_SOURCE_DIR",
                                         pathlib.Path(__file__).resolve().parents[2]))
DETECTORS = SOURCE_DIR / "examples" / "detectors"


pytestmark = pytest.mark.usefixtures("private_cache")


@pytest.fixture(scope="module")
def root(sample_data):
    # A str, given the same to the CLI and to Python: the document records it as the sequence.
    return str(sample_data / "kitti_tracking/training")


# (CLI options, the same as keyword arguments)
CASES = [
    ([], {}),
    (["--frames", "1-3", "--min-score", "0.3", "--min-hits", "2"],
     dict(frames="1-3", min_score=0.3, min_hits=2)),
    (["--frames", "2"], dict(frames=(2, 2))),
]


@pytest.mark.parametrize("cli_args,kwargs", CASES, ids=[" ".join(c[0]) or "all" for c in CASES])
def test_classical_prelabel_equals_the_cli(root, tmp_path, cli_args, kwargs):
    done = cli("prelabel", root, "--out", tmp_path / "cli.pcanno.json", "--no-cache", *cli_args)
    result, report = pcanno.prelabel(root, out=tmp_path / "py.pcanno.json", cache=False,
                                     with_report=True, **kwargs)
    assert (tmp_path / "py.pcanno.json").read_bytes() == \
        (tmp_path / "cli.pcanno.json").read_bytes()
    pcanno.write_labels(result, tmp_path / "again.pcanno.json", "pcanno")
    assert (tmp_path / "again.pcanno.json").read_bytes() == \
        (tmp_path / "cli.pcanno.json").read_bytes()
    m = re.match(r"detector classical found (\d+) objects in frames (\d+)-(\d+)"
                 r"(?: \((\d+) below --min-score\))?; (\d+) tracks, (\d+) boxes",
                 done.stdout.splitlines()[0])
    assert m, done.stdout
    assert (report["found"], report["first_frame"], report["last_frame"],
            report["below_min_score"], report["tracks"], report["boxes"]) == \
        (int(m[1]), int(m[2]), int(m[3]), int(m[4] or 0), int(m[5]), int(m[6]))
    assert report["boxes"] == result.box_count > 0
    scores = [box.score for track in result.tracks for box in track.boxes]
    assert all(s is not None and s >= kwargs.get("min_score", 0.0) for s in scores)


def test_prelabel_as_kitti_tracking_equals_the_cli(root, tmp_path):
    cli("prelabel", root, "--out", tmp_path / "cli" / "0000.txt", "--to", "kitti-tracking",
        "--frames", "0-2", "--no-cache")
    pcanno.prelabel(root, out=tmp_path / "py" / "0000.txt", to="kitti-tracking", frames="0-2",
                    cache=False)
    names = sorted(p.name for p in (tmp_path / "cli").iterdir())
    assert names == sorted(p.name for p in (tmp_path / "py").iterdir())
    for name in names:
        assert (tmp_path / "py" / name).read_bytes() == (tmp_path / "cli" / name).read_bytes()


@pytest.fixture
def numpy_detector(monkeypatch):
    """The example external-process detector (examples/detectors) on PCANNO_PLUGIN_PATH, its
    `python3` the Debian one that has numpy."""
    if not (DETECTORS / "numpy.detector.json").exists():
        pytest.skip("examples/detectors is missing")
    python_dir = str(pathlib.Path("/usr/bin"))
    if shutil.which("python3", path=python_dir) is None:
        pytest.skip("no /usr/bin/python3 for the example detector")
    monkeypatch.setenv("PCANNO_PLUGIN_PATH", str(DETECTORS))
    monkeypatch.setenv("PATH", python_dir + os.pathsep + os.environ.get("PATH", ""))


def test_external_process_detector_by_id_equals_the_cli(root, tmp_path, numpy_detector):
    args = ["--detector", "numpy-example", "--frames", "0-1", "--min-hits", "1",
            "--detector-param", "min_points=20"]
    cli("prelabel", root, "--out", tmp_path / "cli.pcanno.json", "--no-cache", *args)
    result = pcanno.prelabel(root, detector="numpy-example", frames="0-1", min_hits=1,
                             detector_params={"min_points": 20}, cache=False,
                             out=tmp_path / "py.pcanno.json")
    assert (tmp_path / "py.pcanno.json").read_bytes() == \
        (tmp_path / "cli.pcanno.json").read_bytes()
    assert result.box_count > 0
    assert {t.label for t in result.tracks} <= {"Car", "Van", "Pedestrian", "Cyclist"}
    with pytest.raises(pcanno.Error, match="numpy-example") as info:
        pcanno.prelabel(root, detector="numpy-example", frames=0,
                        detector_params={"camera": "P7"}, cache=False)
    assert not isinstance(info.value, pcanno.CancelledError)


def test_prelabel_cancel_leaves_nothing(root, tmp_path):
    seen = []
    pcanno.prelabel(root, frames="0-2", cache=False, progress=lambda f: seen.append(f) or True)
    assert seen and seen[-1] > 0.9 and all(0 <= f <= 1 for f in seen)
    for stop_at in (0.0, 0.5, 0.95):  # ego motion, detection, before writing
        out = tmp_path / f"c{stop_at}" / "pre.pcanno.json"
        with pytest.raises(pcanno.CancelledError):
            pcanno.prelabel(root, frames="0-2", cache=False, out=out,
                            progress=lambda f, s=stop_at: f < s)
        assert not (tmp_path / f"c{stop_at}").exists()

    def interrupt(fraction):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        pcanno.prelabel(root, frames=0, cache=False, progress=interrupt,
                        out=tmp_path / "k" / "pre.pcanno.json")
    assert not (tmp_path / "k").exists()


def test_prelabel_bad_inputs(root, tmp_path):
    with pytest.raises(pcanno.InvalidArgumentError, match="classical") as info:
        pcanno.prelabel(root, detector="no-such-detector")
    assert "no-such-detector" in info.value.message
    with pytest.raises(pcanno.InvalidArgumentError, match="frames") as info:
        pcanno.prelabel(root, frames="3-9")
    assert info.value.path == root
    with pytest.raises(pcanno.InvalidArgumentError, match="frames"):
        pcanno.prelabel(root, frames="x-y")
    with pytest.raises(pcanno.InvalidArgumentError, match="min_score"):
        pcanno.prelabel(root, min_score=1.5)
    with pytest.raises(TypeError, match="detector_params"):
        pcanno.prelabel(root, detector_params=["min_points=3"])
    with pytest.raises(pcanno.InvalidArgumentError, match="kitti-object|to"):
        pcanno.prelabel(root, out=tmp_path / "x.json", to="no-format")
    existing = tmp_path / "there.pcanno.json"
    existing.write_text("{}")
    with pytest.raises(pcanno.PermissionDeniedError) as info:
        pcanno.prelabel(root, out=existing)
    assert info.value.path == str(existing) and existing.read_text() == "{}"
    with pytest.raises(pcanno.NotFoundError) as info:
        pcanno.prelabel(tmp_path / "nothing-here")
    assert info.value.path == str(tmp_path / "nothing-here")
