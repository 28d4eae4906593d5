"""pcanno.Session: every command, undo restoring the document bit for bit (saved files compared),
transactions, observers and the errors of refused edits."""
import json
import math
import sys

import numpy as np
import pytest

import pcanno


def saved(session, path):
    """The bytes of the document saved to `path` (Save As, so the session moves there)."""
    session.save_as(path)
    return path.read_bytes()


def first_track(session):
    doc = session.annotations
    return doc.tracks[0]


def yaw_diff(a, b):
    return abs((a - b + math.pi) % (2 * math.pi) - math.pi)


def test_every_command_then_undo_restores_the_document_bit_for_bit(kitti, tmp_path):
    before = saved(kitti, tmp_path / "before.json")
    assert not kitti.dirty
    doc = kitti.annotations
    a, b = doc.tracks[0].id, doc.tracks[1].id
    frames_a = list(doc.track(a).frames)

    new = kitti.create_track([20, -3, -1, 4.0, 1.8, 1.5, 0.25], 1, label="Truck")
    assert kitti.dirty and kitti.undo_name
    kitti.add_box(new, 2, [21, -3, -1, 4.0, 1.8, 1.5, 0.25], provenance="tracked", keyframe=False,
                  score=0.4, attributes={"moving": "true"})
    kitti.modify_box(new, 2, [22, -3, -1, 4.5, 1.9, 1.6, 0.5])
    kitti.set_class(new, "Car")
    kitti.set_track_attribute(new, "note", "parked")
    kitti.set_box_attribute(new, 1, "occlusion", "partly")
    kitti.set_keyframe(new, 1, False)
    kitti.apply_size(new, 2)
    kitti.flip_heading(new, 1, 2)
    late = kitti.split_track(new, 2)
    kitti.merge_tracks(new, late)
    moved = kitti.relink_box(new, 2)
    kitti.delete_frames(moved, 2, 2)
    kitti.delete_box(a, frames_a[-1])
    kitti.delete_track(b)
    kitti.set_tag("weather", "rain")
    kitti.add_class("Tram")
    kitti.set_free_tilt(new, True)
    line = kitti.create_polyline("lane_marking", 0, [[0, 0, -1.7], [10, 0, -1.7]])
    kitti.insert_vertex(line, 0, 2, (20, 1, -1.7))
    kitti.move_vertex(line, 0, 0, (-1, 0, -1.7))
    kitti.delete_vertex(line, 0, 1)
    kitti.set_closed(line, 0, True)
    kitti.set_polyline(line, 1, [[0, 0, -1.7], [5, 5, -1.7]])
    kitti.delete_polyline_state(line, 1)
    kitti.set_polyline_class(line, "curb")
    kitti.set_polyline_attribute(line, "height", "0.15")
    gone = kitti.create_polyline("lane_marking", 3, [[1, 1, -1.7], [2, 2, -1.7]])
    kitti.delete_polyline(gone)

    # the edits did what they say (read back from the document, not from the commands)
    now = kitti.annotations
    t = now.track(new)
    assert t.label == "Car" and t.attributes == {"note": "parked"} and t.free_tilt
    assert list(t.frames) == [1]  # frame 2 was split off, merged back, relinked, then deleted
    box = t.box(1)
    assert box.attributes == {"occlusion": "partly"} and not box.keyframe
    np.testing.assert_allclose(box.size, [4.5, 1.9, 1.6])  # apply_size from frame 2
    assert yaw_diff(box.yaw, 0.25 + math.pi) < 1e-9  # flipped
    assert list(now.track(a).frames) == frames_a[:-1]
    with pytest.raises(KeyError):
        now.track(b)
    assert now.attributes.get("weather") == "rain" and "Tram" in now.classes
    p = now.polyline(line)
    assert p.label == "curb" and p.attributes == {"height": "0.15"} and list(p.frames) == [0]
    np.testing.assert_array_equal(p.state(0).vertices, [[-1, 0, -1.7], [20, 1, -1.7]])
    assert p.state(0).closed
    with pytest.raises(KeyError):
        now.polyline(gone)
    after = saved(kitti, tmp_path / "after.json")

    steps = 0
    while kitti.can_undo:
        kitti.undo()
        steps += 1
    assert steps == 29  # one per command above
    assert saved(kitti, tmp_path / "undone.json") == before
    while kitti.can_redo:
        kitti.redo()
    assert saved(kitti, tmp_path / "redone.json") == after


def test_a_transaction_is_one_step_and_rolls_back_on_an_exception(kitti, tmp_path):
    before = saved(kitti, tmp_path / "before.json")
    ids = [t.id for t in kitti.annotations.tracks]
    name = kitti.undo_name
    with pytest.raises(RuntimeError, match="boom"):
        with kitti.transaction("Clean up"):
            kitti.delete_track(ids[0])
            kitti.set_class(ids[1], "Car")
            assert kitti.in_transaction
            raise RuntimeError("boom")
    assert not kitti.in_transaction and kitti.undo_name == name
    assert saved(kitti, tmp_path / "rolled_back.json") == before
    with kitti.transaction("Clean up") as s:
        assert s is kitti
        kitti.delete_track(ids[0])
        kitti.set_class(ids[1], "Car")
    assert kitti.undo_name == "Clean up"
    doc = kitti.annotations
    assert ids[0] not in [t.id for t in doc.tracks] and doc.track(ids[1]).label == "Car"
    kitti.undo()  # both commands at once
    assert saved(kitti, tmp_path / "undone.json") == before


def test_a_refused_command_inside_a_transaction_rolls_back_the_block(kitti, tmp_path):
    before = saved(kitti, tmp_path / "before.json")
    ids = [t.id for t in kitti.annotations.tracks]
    with pytest.raises(pcanno.NotFoundError):
        with kitti.transaction("Two edits"):
            kitti.set_class(ids[0], "Car")
            kitti.delete_track(9999)
    assert saved(kitti, tmp_path / "after.json") == before


def test_observers_see_each_change_until_removed(kitti, tmp_path):
    seen = []
    sub = kitti.add_observer(seen.append)
    assert sub.active
    tid = kitti.create_track([5, 5, -1, 4, 1.8, 1.5, 0], 0, label="Car")
    assert seen[-1] == {"kind": "edit", "name": kitti.undo_name, "tracks": [tid],
                        "polylines": []}
    kitti.undo()
    assert seen[-1]["kind"] == "undo" and seen[-1]["tracks"] == [tid]
    kitti.redo()
    assert seen[-1]["kind"] == "redo"
    line = kitti.create_polyline("lane_marking", 0, [[0, 0, 0], [1, 0, 0]])
    assert seen[-1]["polylines"] == [line] and seen[-1]["tracks"] == []
    kitti.frame = 2
    assert seen[-1]["kind"] == "frame" and kitti.frame == 2
    kitti.save_as(tmp_path / "doc.json")
    assert seen[-1]["kind"] == "saved"
    count = len(seen)
    sub.remove()
    assert not sub.active
    kitti.undo()
    assert len(seen) == count
    with kitti.add_observer(seen.append):
        kitti.redo()
    kitti.undo()
    assert len(seen) == count + 1


def test_an_observer_that_raises_goes_to_the_unraisable_hook(kitti, monkeypatch):
    caught = []
    monkeypatch.setattr(sys, "unraisablehook", caught.append)

    def bad(change):
        raise ValueError("observer failed")

    kitti.add_observer(bad)
    tid = kitti.create_track([5, 5, -1, 4, 1.8, 1.5, 0], 0)
    assert tid in [t.id for t in kitti.annotations.tracks]  # the edit happened
    assert len(caught) == 1 and isinstance(caught[0].exc_value, ValueError)


def test_refusals_raise_the_matching_error(kitti):
    doc = kitti.annotations
    a, b = doc.tracks[0].id, doc.tracks[1].id
    with pytest.raises(pcanno.ConflictError, match="frame"):
        kitti.merge_tracks(a, b)  # both have a box in frame 0
    with pytest.raises(pcanno.NotFoundError):
        kitti.delete_track(12345)
    with pytest.raises(pcanno.NotFoundError):
        kitti.modify_box(a, 999, [0, 0, 0, 1, 1, 1, 0])
    while kitti.can_undo:
        kitti.undo()
    with pytest.raises(pcanno.ConflictError):
        kitti.undo()
    # an upright class refuses a tilted box until the track is freed
    tilted = [*doc.track(a).box(0).center, *doc.track(a).box(0).size,
              math.cos(0.1), math.sin(0.1), 0, 0]
    with pytest.raises(pcanno.ConflictError, match="upright"):
        kitti.modify_box(a, 0, tilted)
    kitti.set_free_tilt(a)
    kitti.modify_box(a, 0, tilted)
    np.testing.assert_allclose(kitti.annotations.track(a).box(0).rotation, tilted[6:], atol=1e-12)
    kitti.begin_job("propagation")
    try:
        assert kitti.busy_job == "propagation"
        with pytest.raises(pcanno.BusyError, match="propagation"):
            kitti.delete_track(a)
        with pytest.raises(pcanno.BusyError):
            kitti.undo()
    finally:
        kitti.end_job()
    kitti.delete_track(a)


def test_annotations_is_a_snapshot(kitti):
    snap = kitti.annotations
    count = snap.box_count
    kitti.delete_track(snap.tracks[0].id)
    assert snap.box_count == count and kitti.annotations.box_count < count
    assert kitti.annotations is not kitti.annotations  # a new copy on every access


def test_modify_box_converts_from_the_lidar_frame(shared_data):
    root = shared_data / "nuscenes/v1.0-mini-scene0061"
    devkit = json.loads((root / "gt_boxes_lidar_frame.json").read_text())
    T_world_lidar = np.array(devkit["ego2global"]) @ np.array(devkit["lidar2ego"])
    with pcanno.Session(sequence=root, labels=root, journal=False) as s:
        np.testing.assert_allclose(s.T_world_lidar(0), T_world_lidar, atol=1e-6)
        track = s.annotations.tracks[0]
        assert track.box(0).frame_of_reference == "world"
        # ten columns: the LiDAR is not level, so the box tilts a little in its frame; the exact
        # rotation goes back through the full pose (seven-column rows: test_session_frames.py)
        lidar = s.boxes(0, 10, "lidar")
        assert lidar.frame_of_reference == "lidar" and len(lidar) == 68
        world = np.array([[*b.center, 1.0] for b in (s.annotations.track(i).box(0)
                                                    for i in lidar.track_ids)])
        np.testing.assert_allclose(lidar.boxes[:, :3],
                                   (np.linalg.inv(T_world_lidar) @ world.T).T[:, :3], atol=1e-5)
        row = lidar.boxes[list(lidar.track_ids).index(track.id)].copy()
        row[0] += 1.0
        s.modify_box(track.id, 0, row, frame_of_reference="lidar")
        box = s.annotations.track(track.id).box(0)
        assert box.frame_of_reference == "world"
        np.testing.assert_allclose(box.center, (T_world_lidar @ [*row[:3], 1])[:3], atol=1e-5)


def test_an_in_memory_session_needs_a_path_to_save(tmp_path):
    doc = pcanno.Annotations()
    doc.add_frame("0")
    doc.add_track("Car").set_box(0, [1, 2, 0, 4, 2, 1.5, 0])
    s = pcanno.Session.create(doc)
    assert s.journal_path == "" and s.frame_count == 1
    s.set_class(0, "Van")
    assert doc.track(0).label == "Car"  # the session edits its own copy
    with pytest.raises(pcanno.Error):
        s.save()
    s.save(tmp_path / "doc.json")
    assert pcanno.read_labels(tmp_path / "doc.json").track(0).label == "Van"
    s.close()
    with pytest.raises(ValueError, match="closed"):
        s.undo()


def test_bad_arguments_are_value_errors(kitti):
    with pytest.raises(ValueError):
        kitti.create_track([0, 0, 0, 1, 1], 0)
    with pytest.raises(ValueError):
        kitti.create_polyline("curb", 0, [[0, 0], [1, 1]])
    with pytest.raises(ValueError):
        kitti.create_track([0, 0, 0, 1, 1, 1, 0], 0, provenance="guessed")
    with pytest.raises(ValueError, match="recovery"):
        pcanno.Session(recovery="maybe")


def test_opening_bad_labels_names_the_file_and_line(sample_data, tmp_path):
    root = sample_data / "kitti_tracking/training"
    lines = (root / "label_02/0000.txt").read_text().splitlines()
    lines[2] = lines[2].replace(" 2.000000 ", " two ", 1)  # the height is not a number
    bad = tmp_path / "0000.txt"
    bad.write_text("\n".join(lines) + "\n")
    with pytest.raises(pcanno.MalformedError) as info:
        pcanno.Session(sequence=root, labels=bad, journal=False)
    assert info.value.path == str(bad) and info.value.line == 3, str(info.value)


def test_track_overlap_lists_the_frames_merge_refuses(kitti, sample_data):
    labels = sample_data / "kitti_tracking/training/label_02/0000.txt"
    frames = {}
    for line in labels.read_text().splitlines():
        f = line.split()
        if f[2] != "DontCare":
            frames.setdefault(int(f[1]), set()).add(int(f[0]))
    a, b = sorted(frames)[:2]
    overlap = kitti.track_overlap(a, b)
    assert overlap["overlaps"] == sorted(frames[a] & frames[b])
    with pytest.raises(pcanno.ConflictError):
        kitti.merge_tracks(a, b)
    late = kitti.split_track(b, 3)
    kitti.delete_frames(a, 3, max(frames[a]))
    assert kitti.track_overlap(a, late)["overlaps"] == []
    kitti.merge_tracks(a, late)
    merged = {f for f in frames[a] if f < 3} | {f for f in frames[b] if f >= 3}
    assert set(kitti.annotations.track(a).frames) == merged
    with pytest.raises(pcanno.NotFoundError):
        kitti.track_overlap(a, 999)


def test_selection_and_model_score_are_views_not_edits(kitti):
    seen = []
    kitti.add_observer(seen.append)
    tid = kitti.annotations.tracks[0].id
    kitti.selection = {"track": tid}
    assert kitti.selection == {"track": tid, "polyline": None, "vertex": None}
    assert seen[-1]["kind"] == "selection"
    kitti.min_model_score = 1.5
    assert kitti.min_model_score == 1.0  # clamped
    assert not kitti.dirty and not kitti.can_undo
    with pytest.raises(KeyError):
        kitti.selection = {"box": 1}


def test_bad_box_rows_are_refused_before_any_edit(kitti):
    before = kitti.annotations.to_json()
    good = [10.0, 2.0, -1.0, 4.0, 1.8, 1.5, 0.3]
    with pytest.raises(ValueError, match="box row 0: a value is not finite"):
        kitti.create_track(good[:6] + [float("nan")], 0, label="Car")
    with pytest.raises(ValueError, match="box row 0: length, width and height must be > 0"):
        kitti.create_track(good[:3] + [4.0, 0.0, 1.5, 0.3], 0, label="Car")
    with pytest.raises(ValueError, match=r"expected one box row, \(7,\) or \(10,\), not \(2, 7\)"):
        kitti.create_track([good, good], 0, label="Car")
    with pytest.raises(ValueError, match=r"box must have shape .* not \(5,\)"):
        kitti.create_track(good[:5], 0, label="Car")
    assert kitti.annotations.to_json() == before
    track = kitti.annotations.add_track("Car")
    with pytest.raises(ValueError, match="the quaternion is zero"):
        track.set_box(0, good[:6] + [0.0, 0.0, 0.0, 0.0])
