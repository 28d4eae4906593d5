"""pcanno.check and pcanno.eval: the same dicts as `pcanno check --json` / `pcanno eval --json`,
and eval's figures against an independent numpy matching on a small hand-made case."""
import json

import numpy as np
import pytest

import pcanno
import pcanno_cli
from pcanno_cli import cli


def cli_json(*args):
    """`pcanno ... --json`; check exits 1 when it finds errors, and still prints its report."""
    return pcanno_cli.cli_json(*args, exit_codes=(0, 1))


# ---- check -----------------------------------------------------------------------------------

def test_check_equals_the_cli_on_sample_data(sample):
    root, labels = sample
    expected = cli_json("check", labels, "--sequence", root)
    got = pcanno.check(str(labels), sequence=str(root))
    assert got == expected
    assert got["summary"]["clouds_read"] == 5 and got["summary"]["boxes"] == 15


def test_check_options_equal_the_cli_on_shared_kitti(shared_data):
    root = shared_data / "kitti_tracking/training"
    labels = root / "label_02/0000.txt"
    expected = cli_json("check", labels, "--sequence", root, "--min-points", "50")
    got = pcanno.check(labels, sequence=root, min_points=50)
    assert got["findings"], "the official labels have sparse boxes at 50 points"
    assert got == json.loads(json.dumps(got)) and got["labels"] == str(labels)
    assert got == expected
    without_points = pcanno.check(labels, sequence=root, points=False)
    assert without_points == cli_json("check", labels, "--sequence", root, "--no-points")
    assert without_points["summary"]["clouds_read"] == 0


def test_check_progress_reaches_the_end_and_false_cancels(sample):
    root, labels = sample
    seen = []
    pcanno.check(labels, sequence=root, progress=lambda f: seen.append(f) or True)
    assert seen and max(seen) == pytest.approx(1.0) and all(0 <= f <= 1 for f in seen)
    with pytest.raises(pcanno.CancelledError):
        pcanno.check(labels, sequence=root, progress=lambda f: False)


def test_check_keyboard_interrupt_in_the_callback_propagates(sample):
    root, labels = sample

    def interrupt(fraction):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        pcanno.check(labels, sequence=root, progress=interrupt)


def test_check_bad_inputs_raise_the_error_class_naming_the_file(sample, tmp_path):
    root, labels = sample
    missing = tmp_path / "nope.txt"
    with pytest.raises(pcanno.UnknownFormatError) as info:
        pcanno.check(missing)  # nothing there to detect a format from
    assert info.value.path == str(missing)
    with pytest.raises(pcanno.NotFoundError) as info:
        pcanno.check(missing, format="kitti-tracking")
    assert info.value.path == str(missing)
    bad = tmp_path / "0000.txt"
    bad.write_text("0 0 Car 0 0 -1.5 1 2 3 4 1.5 1.6 3.9 2.0 1.5\n")  # 15 of 17 columns
    with pytest.raises(pcanno.MalformedError) as info:
        pcanno.check(bad, format="kitti-tracking")
    assert info.value.path == str(bad) and info.value.line == 1
    with pytest.raises(pcanno.InvalidArgumentError, match="nope-format"):
        pcanno.check(labels, format="nope-format")
    with pytest.raises(TypeError, match="labels"):
        pcanno.check(42)


# ---- eval: the same dicts as the CLI ---------------------------------------------------------

@pytest.fixture(scope="module")
def linear_pred(shared_data, tmp_path_factory):
    """Tracks of shared KITTI 0000 completed linearly from every 4th box, by the CLI."""
    root = shared_data / "kitti_tracking/training"
    out = tmp_path_factory.mktemp("pred") / "pred.pcanno.json"  # keeps the keyframe flags
    done = cli("track", root, root / "label_02/0000.txt", "--out", out, "--to", "pcanno", "--method", "linear",
               "--keyframes-every", "4", "--no-cache")
    assert done.returncode == 0, done.stderr
    return root, out


def test_eval_tracking_equals_the_cli(linear_pred):
    root, pred = linear_pred
    gt = root / "label_02/0000.txt"
    expected = cli_json("eval", pred, gt, "--sequence", root, "--frames", "0-19",
                        "--exclude-keyframes")
    got = pcanno.eval(pred, gt, sequence=root, frames="0-19", exclude_keyframes=True)
    assert got == expected and got["plot"] is None
    assert got["excluded_keyframes"] > 0 and 0 < got["overall"]["mean_iou_3d"] < 1
    listed = pcanno.eval(str(pred), str(gt), sequence=str(root), frames=range(0, 20),
                         exclude_keyframes=True, exclude_derived_gt=True)
    derived = cli_json("eval", pred, gt, "--sequence", root, "--frames", "0-19",
                       "--exclude-keyframes", "--exclude-derived-gt")
    assert listed["frames"] == list(range(20))
    listed["frames"] = derived["frames"]
    assert listed == derived


def test_eval_detection_equals_the_cli(linear_pred):
    root, pred = linear_pred
    gt = root / "label_02/0000.txt"
    args = ["--detection", "--sequence", root, "--frames", "0-19"]
    assert pcanno.eval(pred, gt, sequence=root, frames="0-19", detection=True) == \
        cli_json("eval", pred, gt, *args)
    expected = cli_json("eval", pred, gt, *args, "--classes", "Car,Cyclist", "--max-range", "30",
                        "--min-points", "20", "--no-dont-care", "--min-score", "0.5")
    got = pcanno.eval(pred, gt, sequence=root, frames="0-19", detection=True,
                      classes=["Car", "Cyclist"], max_range=30, min_points=20, dont_care=False,
                      min_score=0.5)
    assert got == expected and got["mode"] == "detection"


def test_eval_refuses_options_that_do_not_apply(sample):
    _, labels = sample
    with pytest.raises(pcanno.InvalidArgumentError, match="min_score"):
        pcanno.eval(labels, labels, min_score=0.5)
    with pytest.raises(pcanno.InvalidArgumentError, match="exclude_keyframes"):
        pcanno.eval(labels, labels, detection=True, exclude_keyframes=True)
    with pytest.raises(pcanno.InvalidArgumentError, match="frames"):
        pcanno.eval(labels, labels, frames="4-2")
    with pytest.raises(pcanno.InvalidArgumentError, match="dont_care"):
        pcanno.eval(labels, labels, dont_care=False)
    with pytest.raises(pcanno.InvalidArgumentError, match="max_range"):
        pcanno.eval(labels, labels, detection=True, max_range=-1.0)
    with pytest.raises(pcanno.InvalidArgumentError, match="classes"):
        pcanno.eval(labels, labels, detection=True, classes=[1, 2])


def test_check_and_eval_take_annotations_objects(sample):
    root, labels = sample
    doc = pcanno.read_labels(labels, sequence=root)
    before = doc.box_count
    by_path = pcanno.check(labels, sequence=root)
    by_object = pcanno.check(doc, sequence=root)
    assert by_object["labels"] is None
    by_object["labels"] = by_path["labels"]
    assert by_object == by_path
    scored = pcanno.eval(doc, labels, sequence=root)
    assert scored["pred"] is None and scored["gt"] == str(labels)
    assert scored["overall"]["boxes"] == before and scored["overall"]["mean_iou_3d"] > 0.999
    assert doc.box_count == before
    with pytest.raises(pcanno.InvalidArgumentError, match="format"):
        pcanno.check(doc, format="kitti-tracking")


def test_eval_cancel_and_missing_file(sample, tmp_path):
    root, labels = sample
    with pytest.raises(pcanno.CancelledError):
        pcanno.eval(labels, labels, progress=lambda f: False)
    missing = tmp_path / "missing.txt"
    with pytest.raises(pcanno.Error) as info:
        pcanno.eval(missing, labels, pred_format="kitti-tracking")
    assert isinstance(info.value, pcanno.NotFoundError) and info.value.path == str(missing)


# ---- eval against numpy on a small hand-made case --------------------------------------------

# (frame, track, centre x y z, size l w h, score): axis-aligned boxes in the LiDAR frame.
GT = [(0, 1, (10.0, 0.0, -1.0), (4.0, 2.0, 1.5), None),
      (0, 2, (20.0, 5.0, -1.0), (4.0, 2.0, 1.5), None),
      (1, 1, (11.0, 0.0, -1.0), (4.0, 2.0, 1.5), None),
      (1, 2, (20.0, 6.0, -1.0), (4.0, 2.0, 1.5), None),
      (1, 3, (30.0, -4.0, -1.0), (4.0, 2.0, 1.5), None)]
PRED = [(0, 1, (10.3, 0.1, -1.0), (4.0, 2.0, 1.5), 0.9),   # IoU ~0.83
        (0, 2, (21.0, 5.5, -0.8), (4.2, 2.0, 1.5), 0.6),   # IoU ~0.45
        (0, 7, (40.0, 10.0, -1.0), (4.0, 2.0, 1.5), 0.95),  # a false positive
        (1, 1, (11.6, 0.2, -1.1), (4.0, 2.1, 1.5), 0.8),   # IoU ~0.67
        (1, 2, (20.2, 6.1, -1.0), (3.8, 2.0, 1.4), 0.7)]   # IoU ~0.85; track 3 missed


def write_doc(path, template, rows, provenance):
    doc = dict(template)
    doc["ignore_regions"] = []
    tracks = {}
    for frame, track, centre, size, score in rows:
        box = {"frame": frame, "frame_of_reference": "lidar", "center": list(centre),
               "size": list(size), "rotation_wxyz": [1.0, 0.0, 0.0, 0.0],
               "provenance": provenance, "keyframe": provenance == "imported"}
        if score is not None:
            box["score"] = score
        tracks.setdefault(track, []).append(box)
    doc["tracks"] = [{"id": t, "label": "Car", "boxes": boxes} for t, boxes in tracks.items()]
    path.write_text(json.dumps(doc))
    return path


def aligned_iou(a, b):
    """3D and BEV IoU of two axis-aligned boxes (centre, size)."""
    (ca, sa), (cb, sb) = (np.array(a[0]), np.array(a[1])), (np.array(b[0]), np.array(b[1]))
    overlap = np.clip(np.minimum(ca + sa / 2, cb + sb / 2) - np.maximum(ca - sa / 2, cb - sb / 2),
                      0, None)
    inter3, inter2 = overlap.prod(), overlap[:2].prod()
    return (inter3 / (sa.prod() + sb.prod() - inter3),
            inter2 / (sa[:2].prod() + sb[:2].prod() - inter2))


def numpy_detection(kind, threshold):
    """Greedy matching by descending score per frame: TP, FP, precision, recall, AP R40."""
    hits = []  # (score, true positive)
    for frame in {r[0] for r in GT + PRED}:
        gts = [r for r in GT if r[0] == frame]
        taken = set()
        for p in sorted((r for r in PRED if r[0] == frame), key=lambda r: -r[4]):
            ious = [aligned_iou((p[2], p[3]), (g[2], g[3]))[0 if kind == "3d" else 1]
                    for g in gts]
            best = max((i for i in range(len(gts)) if i not in taken), key=lambda i: ious[i],
                       default=None)
            ok = best is not None and ious[best] >= threshold
            if ok:
                taken.add(best)
            hits.append((p[4], ok))
    hits.sort(key=lambda h: -h[0])
    tp = np.cumsum([h[1] for h in hits])
    precision_curve = tp / np.arange(1, len(hits) + 1)
    recall_curve = tp / len(GT)
    ap = np.mean([max([p for p, r in zip(precision_curve, recall_curve) if r >= level - 1e-12],
                      default=0.0) for level in np.arange(1, 41) / 40])
    return int(tp[-1]), len(hits) - int(tp[-1]), tp[-1] / len(hits), tp[-1] / len(GT), ap


@pytest.fixture(scope="module")
def hand_made(sample, tmp_path_factory):
    _, labels = sample
    folder = tmp_path_factory.mktemp("hand")
    done = cli("convert", labels, "--to", "pcanno", "--out", folder / "template.pcanno.json")
    assert done.returncode == 0, done.stderr
    template = json.loads((folder / "template.pcanno.json").read_text())
    return (write_doc(folder / "pred.pcanno.json", template, PRED, "model"),
            write_doc(folder / "gt.pcanno.json", template, GT, "imported"))


def test_eval_detection_figures_equal_numpy(hand_made):
    pred, gt = hand_made
    got = pcanno.eval(pred, gt, detection=True)
    (car,) = got["classes"]
    assert car["label"] == "Car" and car["ground_truth"] == len(GT)
    assert car["predictions"] == len(PRED)
    for metric in car["metrics"]:
        tp, fp, precision, recall, ap = numpy_detection(metric["kind"], metric["iou"])
        assert (metric["true_positives"], metric["false_positives"]) == (tp, fp), metric
        assert metric["precision"] == pytest.approx(precision, abs=1e-12)
        assert metric["recall"] == pytest.approx(recall, abs=1e-12)
        assert metric["ap_r40"] == pytest.approx(ap, abs=1e-12)
    assert len({m["true_positives"] for m in car["metrics"]}) > 1, "thresholds must matter"


def test_eval_tracking_ious_equal_numpy(hand_made):
    pred, gt = hand_made
    got = pcanno.eval(pred, gt)
    by_key = {(b["track"], b["frame"]): b for b in got["boxes"]}
    assert len(by_key) == len(GT)
    for frame, track, centre, size, _ in GT:
        match = [p for p in PRED if p[0] == frame and p[1] == track]
        box = by_key[(track, frame)]
        if not match:
            assert not box["predicted"] and box["iou_3d"] == 0.0
            continue
        iou3, iou2 = aligned_iou((match[0][2], match[0][3]), (centre, size))
        assert box["iou_3d"] == pytest.approx(iou3, abs=1e-9)
        assert box["iou_bev"] == pytest.approx(iou2, abs=1e-9)
    assert got["overall"]["missed"] == 1
    assert got["unmatched_predictions"] == [{"track": 7, "frame": 0, "label": "Car"}]
    assert got == cli_json("eval", pred, gt)
