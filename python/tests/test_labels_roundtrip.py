"""write_labels / convert through every codec (KITTI object and tracking, nuScenes, OpenLABEL, the
native document, a plugin's), compared with independent parses of the written files."""
import csv
import json
import os
import pathlib
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import pcanno
from conftest import skip_or_fail

BUILTIN = ["kitti-object", "kitti-tracking", "nuscenes", "openlabel", "pcanno"]


def kitti_tracking_table(path):
    """{(frame, track id, type): [15 numbers after the type]} and the DontCare rows of a label_02
    file, parsed here."""
    rows, dontcare = {}, []
    for line in pathlib.Path(path).read_text().splitlines():
        f = line.split()
        if not f:
            continue
        values = [float(v) for v in f[3:]]
        if f[2] == "DontCare":
            dontcare.append((int(f[0]), values[3:7]))
        else:
            rows[(int(f[0]), int(f[1]), f[2])] = values
    return rows, sorted(dontcare)


def boxes_by_frame(doc, frames, **kw):
    """{frame: (sorted track ids, boxes in that order)}."""
    out = {}
    for f in frames:
        got = doc.boxes(f, **kw)
        order = np.argsort(got.track_ids)
        out[f] = (got.track_ids[order], got.boxes[order], got.labels[order])
    return out


def test_label_formats_lists_every_builtin_codec():
    formats = {f["id"]: f for f in pcanno.label_formats()}
    assert set(BUILTIN) <= set(formats)
    assert all(formats[i]["read"] and formats[i]["write"] for i in BUILTIN)


def test_kitti_tracking_round_trip_reproduces_every_column(shared_data, tmp_path):
    root = shared_data / "kitti_tracking/training"
    src = root / "label_02/0000.txt"
    doc = pcanno.read_labels(src, "kitti-tracking", sequence=root)
    out = tmp_path / "label_02/0000.txt"
    report = pcanno.write_labels(doc, out, "kitti-tracking", sequence=root)
    rows, dontcare = kitti_tracking_table(src)
    assert report["boxes_written"] == len(rows) and report["ignore_regions_written"] == len(dontcare)
    assert str(out) in report["written"] and report["dropped"] == {}
    assert report["format"] == "kitti-tracking" and "wrote" in report["summary"]
    again, dontcare_again = kitti_tracking_table(out)
    assert again.keys() == rows.keys()
    for key, values in rows.items():
        np.testing.assert_allclose(again[key], values, atol=1e-6, err_msg=str(key))
    assert len(dontcare_again) == len(dontcare)
    np.testing.assert_allclose([d[1] for d in dontcare_again], [d[1] for d in dontcare], atol=1e-6)


def test_kitti_object_round_trip_reproduces_every_column(shared_data, tmp_path):
    root = shared_data / "kitti_object/training"
    report = pcanno.convert(root / "label_2", tmp_path / "label_2", to="kitti-object",
                            sequence=root)
    files = sorted((root / "label_2").glob("*.txt"))
    total = sum(1 for p in files for line in p.read_text().splitlines()
                if line.split() and line.split()[0] != "DontCare")
    assert report["read_format"] == "kitti-object" and report["boxes_read"] == total
    assert report["boxes_written"] == total
    for path in files:
        want = sorted(line.split() for line in path.read_text().splitlines() if line.strip())
        got = sorted(line.split() for line in (tmp_path / "label_2" / path.name)
                     .read_text().splitlines() if line.strip())
        assert [r[0] for r in got] == [r[0] for r in want]
        np.testing.assert_allclose(np.array([r[1:] for r in got], float),
                                   np.array([r[1:] for r in want], float), atol=1e-6)


@pytest.mark.parametrize("to,out,reread", [
    ("pcanno", "doc.json", {}),
    ("openlabel", "labels.json", {}),
    ("kitti-object", "label_2", {"sequence": "seq"}),
    ("kitti-tracking", "label_02/0000.txt", {"sequence": "seq"}),
    ("nuscenes", "nu", {}),
])
def test_every_codec_round_trips_the_boxes(sample_data, tmp_path, to, out, reread):
    root = sample_data / "kitti_tracking/training"
    doc = pcanno.read_labels(root / "label_02/0000.txt", sequence=root)
    report = pcanno.write_labels(doc, tmp_path / out, to, sequence=root)
    assert report["boxes_written"] == doc.box_count
    # every ignore region is either written or dropped with a reason
    assert report["ignore_regions_written"] + sum(
        n for reason, n in report["dropped"].items() if reason.startswith("ignore regions")
    ) == len(doc.ignore_regions)
    kw = {"sequence": root} if reread.get("sequence") else {}
    back = pcanno.read_labels(tmp_path / out, to, **kw)
    assert back.box_count == doc.box_count
    frames = range(doc.frame_count)
    a = boxes_by_frame(doc, frames)
    # nuScenes stores world boxes: its own dataroot gives the poses back to the LiDAR frame
    b = boxes_by_frame(back, frames, sequence=tmp_path / out) if to == "nuscenes" else \
        boxes_by_frame(back, frames)
    # KITTI object label files hold two decimals (the devkit's %.2f); the others keep doubles
    atol = 0.01 if to == "kitti-object" else 1e-5
    for f in frames:
        assert list(a[f][2]) == list(b[f][2]) or to == "nuscenes"  # nuScenes maps the classes
        np.testing.assert_allclose(b[f][1][:, :6], a[f][1][:, :6], atol=atol)
        d = (b[f][1][:, 6] - a[f][1][:, 6] + np.pi) % (2 * np.pi) - np.pi
        assert np.abs(d).max() < atol


def test_nuscenes_round_trip_keeps_the_tables(shared_data, tmp_path):
    root = shared_data / "nuscenes/v1.0-mini-scene0061"
    report = pcanno.convert(root, tmp_path / "nu", to="nuscenes")
    assert report["boxes_read"] == report["boxes_written"] == 68
    tables = [p for p in (tmp_path / "nu").iterdir() if p.name.startswith("v1.0")]
    assert len(tables) == 1
    want = {a["token"]: a for a in json.loads(
        (root / "v1.0-mini/sample_annotation.json").read_text())}
    got = {a["token"]: a for a in json.loads((tables[0] / "sample_annotation.json").read_text())}
    assert got.keys() == want.keys()
    for token, a in want.items():
        np.testing.assert_allclose(got[token]["translation"], a["translation"], atol=1e-9)
        np.testing.assert_allclose(got[token]["size"], a["size"], atol=1e-9)
        q, p = np.array(got[token]["rotation"]), np.array(a["rotation"])
        assert min(np.abs(q - p).max(), np.abs(q + p).max()) < 1e-9
        assert got[token]["num_lidar_pts"] == a["num_lidar_pts"]


def test_openlabel_reports_the_dropped_ignore_regions(sample_data, tmp_path):
    root = sample_data / "kitti_tracking/training"
    rows, dontcare = kitti_tracking_table(root / "label_02/0000.txt")
    report = pcanno.convert(root / "label_02/0000.txt", tmp_path / "o.json", to="openlabel",
                            sequence=root)
    assert sum(report["dropped"].values()) == len(dontcare) > 0
    assert report["ignore_regions_written"] == 0 and report["boxes_written"] == len(rows)
    doc = json.loads((tmp_path / "o.json").read_text())
    assert "openlabel" in doc


def test_write_refuses_to_replace_without_overwrite(tmp_path):
    doc = pcanno.Annotations()
    doc.add_track("Car").set_box(0, [1, 2, 0, 4, 2, 1.5, 0])
    out = tmp_path / "doc.json"
    pcanno.write_labels(doc, out, "pcanno")
    before = out.read_bytes()
    with pytest.raises(pcanno.Error) as info:
        pcanno.write_labels(doc, out, "pcanno")
    assert info.value.path == str(out)
    doc.track(0).set_box(0, [9, 9, 0, 4, 2, 1.5, 0])
    assert out.read_bytes() == before
    pcanno.write_labels(doc, out, "pcanno", overwrite=True)
    assert pcanno.read_labels(out).track(0).box(0).center[0] == 9


def test_missing_folders_of_the_output_are_made(tmp_path):
    doc = pcanno.Annotations()
    doc.add_track("Car").set_box(0, [1, 2, 0, 4, 2, 1.5, 0])
    out = tmp_path / "a/b/doc.json"
    pcanno.write_labels(doc, out, "pcanno")
    assert out.is_file()


def test_progress_is_called_and_can_cancel(sample_data, tmp_path):
    root = sample_data / "kitti_tracking/training"
    seen = []
    pcanno.convert(root / "label_02/0000.txt", tmp_path / "d.json", to="pcanno", sequence=root,
                   progress=seen.append)
    assert seen and max(seen) <= 1.0 and seen == sorted(seen)
    with pytest.raises(pcanno.CancelledError):
        pcanno.read_labels(root / "label_02/0000.txt", sequence=root, progress=lambda f: False)
    with pytest.raises(ZeroDivisionError):
        pcanno.read_labels(root / "label_02/0000.txt", sequence=root, progress=lambda f: 1 / 0)


# ---- bad input ----------------------------------------------------------------------------------

def test_a_bad_kitti_line_is_malformed_with_path_and_line(sample_data, tmp_path):
    root = sample_data / "kitti_tracking/training"
    lines = (root / "label_02/0000.txt").read_text().splitlines()
    lines[4] = lines[4].rsplit(" ", 3)[0]  # three columns short
    bad = tmp_path / "0000.txt"
    bad.write_text("\n".join(lines) + "\n")
    with pytest.raises(pcanno.MalformedError) as info:
        pcanno.read_labels(bad, "kitti-tracking", sequence=root)
    assert info.value.path == str(bad) and info.value.line == 5, str(info.value)


def test_a_bad_native_document_names_the_line(tmp_path):
    bad = tmp_path / "doc.json"
    bad.write_text('{\n  "format": "pcanno",\n  "tracks": [\n    {"id": }\n  ]\n}\n')
    with pytest.raises(pcanno.Error) as info:
        pcanno.read_labels(bad, "pcanno")
    assert info.value.path == str(bad)
    assert info.value.line == 4, str(info.value)


def test_unknown_and_missing_inputs(tmp_path):
    with pytest.raises(pcanno.NotFoundError):
        pcanno.read_labels(tmp_path / "nope.txt", "kitti-tracking")
    with pytest.raises(pcanno.UnsupportedError, match="kitti-tracking"):
        pcanno.read_labels(tmp_path / "x.txt", "yaml-boxes")
    with pytest.raises(pcanno.UnsupportedError, match="output formats"):
        pcanno.write_labels(pcanno.Annotations(), tmp_path / "x", "yaml-boxes")
    odd = tmp_path / "thing.xyz"
    odd.write_text("hello\n")
    with pytest.raises(pcanno.UnknownFormatError):
        pcanno.read_labels(odd)


def test_kitti_without_calibration_says_which_option_supplies_it(tmp_path, sample_data):
    src = sample_data / "kitti_tracking/training/label_02/0000.txt"
    lonely = tmp_path / "0000.txt"
    lonely.write_bytes(src.read_bytes())
    with pytest.raises(pcanno.Error, match="sequence"):
        pcanno.read_labels(lonely, "kitti-tracking")


# ---- a plugin codec -----------------------------------------------------------------------------

def csv_exporter_plugin():
    """The example csv-boxes exporter plugin of the build (skips when it is not built)."""
    build = pathlib.Path(os.environ.get("PCANNO_BUILD_DIR", pcanno.__file__)).resolve()
    plugin = build / "plugins/pcanno_csv_exporter.so"
    if not plugin.is_file():
        skip_or_fail(f"the example plugin is not built ({plugin}; PCANNO_BUILD_EXAMPLES=ON)")
    return plugin


def test_a_plugin_codec_from_pcanno_plugin_path(sample_data, tmp_path):
    plugin = csv_exporter_plugin()
    root = sample_data / "kitti_tracking/training"
    out = tmp_path / "boxes.csv"
    # In a fresh process, as a user sets PCANNO_PLUGIN_PATH before starting Python.
    script = textwrap.dedent(f"""
        import json, pcanno
        ids = [f["id"] for f in pcanno.label_formats()]
        r = pcanno.convert({str(root / "label_02/0000.txt")!r}, {str(out)!r}, to="csv-boxes",
                           sequence={str(root)!r})
        back = pcanno.read_labels({str(out)!r})
        print(json.dumps({{"ids": ids, "written": r["boxes_written"], "back": back.box_count}}))
    """)
    env = dict(os.environ, PCANNO_PLUGIN_PATH=str(plugin.parent))
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True,
                          text=True, check=True)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert "csv-boxes" in result["ids"]
    doc = pcanno.read_labels(root / "label_02/0000.txt", sequence=root)
    assert result["written"] == result["back"] == doc.box_count
    with out.open() as f:
        rows = list(csv.reader(f))
    header, rows = rows[0], rows[1:]
    assert len(rows) == doc.box_count
    for row in rows:
        track, frame = int(row[0]), int(row[2])
        np.testing.assert_allclose([float(v) for v in row[4:14]],
                                   doc.track(track).box(frame).to_array(10), atol=1e-12)


def test_a_folder_of_several_tracking_sequences_asks_for_one(shared_data, tmp_path):
    root = shared_data / "kitti_tracking/training"
    count = len(list((root / "label_02").glob("*.txt")))
    assert count > 1
    with pytest.raises(pcanno.InvalidArgumentError, match=f"holds {count} KITTI tracking"):
        pcanno.convert(root / "label_02", tmp_path / "x.json", to="pcanno")
    doc = pcanno.read_labels(root, sequence_name="0000")
    rows, _ = kitti_tracking_table(root / "label_02/0000.txt")
    assert doc.box_count == len(rows) and doc.sequence["name"] == "0000"


@pytest.mark.parametrize("to", ["pcanno", "openlabel"])
def test_polylines_round_trip(tmp_path, to):
    doc = pcanno.Annotations()
    doc.add_frame("000000", 0)
    doc.add_frame("000001", 100_000)
    lane = np.array([[0.0, 1.5, -1.7], [10.25, 1.5, -1.7], [20.5, 1.75, -1.65]])
    area = np.array([[5.0, -2.0, -1.7], [7.0, -2.0, -1.7], [7.0, 2.0, -1.7], [5.0, 2.0, -1.7]])
    first = doc.add_polyline("lane_marking", 0, lane)
    doc.add_polyline("lane_marking", 1, lane + [1.0, 0, 0], id=first.id)
    doc.add_polyline("crosswalk", 1, area, closed=True)
    report = pcanno.write_labels(doc, tmp_path / "doc.json", to)
    assert report["polyline_states_written"] == 3 and report["dropped"] == {}
    back = pcanno.read_labels(tmp_path / "doc.json", to)
    lines = {(p.label, s.frame): s for p in back.polylines for s in p.states}
    assert sorted(lines) == [("crosswalk", 1), ("lane_marking", 0), ("lane_marking", 1)]
    np.testing.assert_allclose(lines[("lane_marking", 0)].vertices, lane, atol=1e-9)
    np.testing.assert_allclose(lines[("lane_marking", 1)].vertices, lane + [1.0, 0, 0], atol=1e-9)
    np.testing.assert_allclose(lines[("crosswalk", 1)].vertices, area, atol=1e-9)
    assert lines[("crosswalk", 1)].closed and not lines[("lane_marking", 0)].closed


def test_kitti_drops_polylines_and_says_so(sample_data, tmp_path):
    root = sample_data / "kitti_tracking/training"
    doc = pcanno.read_labels(root / "label_02/0000.txt", sequence=root)
    doc.add_polyline("curb", 0, [[0, 0, -1.7], [1, 0, -1.7]])
    report = pcanno.write_labels(doc, tmp_path / "label_02/0000.txt", "kitti-tracking",
                                 sequence=root)
    assert report["polyline_states_written"] == 0
    assert sum(n for r, n in report["dropped"].items() if r.startswith("polyline")) == 1


def test_labels_and_automation_share_one_registry_that_follows_the_variable(
        sample_data, tmp_path, monkeypatch):
    """Label I/O and the automation see the same plugins, and both follow PCANNO_PLUGIN_PATH when
    it changes inside the process."""
    plugin = csv_exporter_plugin()
    root = sample_data / "kitti_tracking/training"
    labels = root / "label_02/0000.txt"
    monkeypatch.delenv("PCANNO_PLUGIN_PATH", raising=False)
    assert "csv-boxes" not in [f["id"] for f in pcanno.label_formats()]
    with pytest.raises(pcanno.Error, match="csv-boxes"):
        pcanno.track(root, labels, out=tmp_path / "before.csv", to="csv-boxes",
                     sequence_name="0000")

    monkeypatch.setenv("PCANNO_PLUGIN_PATH", str(plugin.parent))
    assert "csv-boxes" in [f["id"] for f in pcanno.label_formats()]
    report = pcanno.track(root, labels, out=tmp_path / "after.csv", to="csv-boxes",
                          sequence_name="0000", with_report=True)[1]
    with (tmp_path / "after.csv").open() as f:
        rows = list(csv.reader(f))[1:]
    assert report["written"]["boxes_written"] == len(rows) > 0

    monkeypatch.delenv("PCANNO_PLUGIN_PATH")
    assert "csv-boxes" not in [f["id"] for f in pcanno.label_formats()]
