"""pcanno.track: every method of `pcanno track` gives the CLI's output, as files and as the
returned Annotations; cancellation leaves nothing behind."""
import os
import re
import signal

import pytest

import pcanno
from pcanno_cli import cli


# The ego-motion cache is switched off in every call; this keeps a stray write out of ~.
pytestmark = pytest.mark.usefixtures("private_cache")


@pytest.fixture(scope="module")
def shared(shared_data):
    root = shared_data / "kitti_tracking/training"
    return root, root / "label_02/0000.txt"




def files(folder):
    return {p.relative_to(folder): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


# (CLI options, the same as keyword arguments): every method and keyframe selection.
CASES = [
    (["--method", "linear", "--keyframes-every", "4"], dict(method="linear", keyframes_every=4)),
    (["--method", "interpolate", "--keyframes-every", "4"],
     dict(method="interpolate", keyframes_every=4)),
    (["--method", "interpolate", "--keyframes-every", "4", "--refine"],
     dict(method="interpolate", keyframes_every=4, refine=True)),
    (["--method", "propagate", "--first-keyframe-only"],
     dict(method="propagate", first_keyframe_only=True)),
    (["--keyframes-every", "6"], dict(keyframes_every=6)),  # auto
]


@pytest.mark.parametrize("cli_args,kwargs", CASES, ids=[" ".join(c[0]) for c in CASES])
def test_track_equals_the_cli_on_shared_kitti(shared, tmp_path, cli_args, kwargs):
    root, labels = shared
    for to in ("kitti-tracking", "pcanno"):
        name = "0000.txt" if to == "kitti-tracking" else "0000.pcanno.json"
        done = cli("track", root, labels, "--out", tmp_path / "cli" / to / name, "--to", to,
                   "--no-cache", *cli_args)
        result, report = pcanno.track(str(root), str(labels), out=tmp_path / "py" / to / name,
                                      to=to, cache=False, with_report=True, **kwargs)
        assert files(tmp_path / "py" / to) == files(tmp_path / "cli" / to)
        assert report["written"]["format"] == to
        assert report["written"]["written"][0] == str(tmp_path / "py" / to / name)
    # The returned document is what was written.
    assert isinstance(result, pcanno.Annotations)
    pcanno.write_labels(result, tmp_path / "again.pcanno.json", "pcanno")
    assert (tmp_path / "again.pcanno.json").read_bytes() == \
        (tmp_path / "cli/pcanno/0000.pcanno.json").read_bytes()
    # The report holds the figures the CLI prints.
    line = done.stdout.splitlines()[0]
    m = re.match(r"read (\d+) keyframe boxes in (\d+) tracks; (\w+) added (\d+) boxes", line)
    assert m, line
    assert (report["keyframes"], report["tracks"], report["method"], report["boxes_added"]) == \
        (int(m[1]), int(m[2]), m[3], int(m[4]))
    to_review = re.search(r"\((\d+) to review.*, (\d+) of them coasted", line)
    assert (report["boxes_to_review"], report["boxes_coasted"]) == \
        ((int(to_review[1]), int(to_review[2])) if to_review else (0, 0))
    assert report["boxes_added"] > 0 and report["boxes_beyond_sequence"] == 0


def test_track_warns_of_boxes_beyond_the_clouds(sample, shared, tmp_path):
    # The shared labels cover frames 0-19 of sequence 0000; the sample has the clouds of 0-4.
    root, _ = sample
    _, labels = shared
    rows = [line.split() for line in labels.read_text().splitlines()]
    beyond = sum(1 for r in rows if int(r[0]) >= 5 and r[2] != "DontCare")
    done = cli("track", root, labels, "--out", tmp_path / "cli.txt", "--method", "linear",
               "--no-cache")
    assert f"warning: {beyond} input boxes lie beyond" in done.stderr
    with pytest.warns(UserWarning, match=f"{beyond} input boxes lie beyond the frames"):
        result, report = pcanno.track(root, labels, method="linear", cache=False,
                                      with_report=True, out=tmp_path / "py.txt")
    assert report["boxes_beyond_sequence"] == beyond > 0
    assert result.frame_count == 5
    assert (tmp_path / "py.txt").read_bytes() == (tmp_path / "cli.txt").read_bytes()


def test_track_takes_an_annotations_object_and_leaves_it_unchanged(sample, tmp_path):
    root, labels = sample
    keyframes = pcanno.read_labels(labels, sequence=root)
    before = keyframes.box_count
    from_object = pcanno.track(root, keyframes, method="linear", keyframes_every=2, cache=False,
                               out=tmp_path / "a.pcanno.json")
    from_path = pcanno.track(root, labels, method="linear", keyframes_every=2, cache=False,
                             out=tmp_path / "b.pcanno.json", to="pcanno")
    assert keyframes.box_count == before == 15
    assert from_object.box_count == from_path.box_count == 15
    assert (tmp_path / "a.pcanno.json").read_bytes() == (tmp_path / "b.pcanno.json").read_bytes()


def test_track_progress_is_reported_and_false_cancels_leaving_nothing(sample, tmp_path):
    root, labels = sample
    seen = []
    pcanno.track(root, labels, method="interpolate", keyframes_every=2, cache=False,
                 out=tmp_path / "ok" / "0000.txt", progress=lambda f: seen.append(f) or True)
    assert seen and seen[-1] > 0.95 and all(0 <= f <= 1 for f in seen)
    assert all(b >= a - 1e-9 for a, b in zip(seen, seen[1:])), "progress goes forward"
    for stop_at in (0.0, 0.5, 0.96):  # ego motion, completion, writing
        out = tmp_path / f"cancel{stop_at}" / "deep" / "0000.txt"
        with pytest.raises(pcanno.CancelledError):
            pcanno.track(root, labels, method="interpolate", keyframes_every=2, cache=False,
                         out=out, progress=lambda f, s=stop_at: f < s)
        assert not (tmp_path / f"cancel{stop_at}").exists(), "no output, no folders"


def test_track_keyboard_interrupt_in_the_callback_propagates(sample, tmp_path):
    root, labels = sample

    def interrupt(fraction):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        pcanno.track(root, labels, cache=False, out=tmp_path / "x" / "0000.txt",
                     progress=interrupt)
    assert not (tmp_path / "x").exists()


def test_track_ctrl_c_cancels_and_leaves_the_input_unchanged(sample, tmp_path):
    root, labels = sample
    keyframes = pcanno.read_labels(labels, sequence=root)
    before = keyframes.box_count
    sent = []

    def ctrl_c_midway(fraction):
        # SIGINT as Ctrl+C sends it, while the engine works without the GIL.
        if fraction > 0.3 and not sent:
            sent.append(fraction)
            os.kill(os.getpid(), signal.SIGINT)
        return True

    with pytest.raises(KeyboardInterrupt):
        pcanno.track(root, keyframes, method="interpolate", keyframes_every=2, cache=False,
                     out=tmp_path / "ctrl-c" / "0000.pcanno.json", progress=ctrl_c_midway)
    assert sent and not (tmp_path / "ctrl-c").exists()
    assert keyframes.box_count == before
    with pytest.raises(pcanno.CancelledError):
        pcanno.track(root, keyframes, method="interpolate", keyframes_every=2, cache=False,
                     progress=lambda f: f < 0.5)
    assert keyframes.box_count == before == 15


def test_track_refuses_existing_output_and_bad_options(sample, tmp_path):
    root, labels = sample
    out = tmp_path / "0000.txt"
    out.write_text("keep me\n")
    with pytest.raises(pcanno.PermissionDeniedError) as info:
        pcanno.track(root, labels, method="linear", out=out)
    assert info.value.path == str(out) and out.read_text() == "keep me\n"
    pcanno.track(root, labels, method="linear", out=out, force=True)
    assert out.read_text() != "keep me\n"
    with pytest.raises(pcanno.InvalidArgumentError, match="spline"):
        pcanno.track(root, labels, method="spline")
    with pytest.raises(pcanno.InvalidArgumentError, match="exclude"):
        pcanno.track(root, labels, keyframes_every=2, first_keyframe_only=True)
    with pytest.raises(pcanno.InvalidArgumentError, match="to"):
        pcanno.track(root, labels, to="pcanno")  # a format without an output
    missing = tmp_path / "none.txt"
    with pytest.raises(pcanno.Error) as info:
        pcanno.track(root, missing, format="kitti-tracking")
    assert isinstance(info.value, pcanno.NotFoundError) and info.value.path == str(missing)
    with pytest.raises(pcanno.NotFoundError) as info:
        pcanno.track(tmp_path / "no-dataset", labels)
    assert info.value.path == str(tmp_path / "no-dataset")
    with pytest.raises(TypeError, match="labels"):
        pcanno.track(root, 3.5)
