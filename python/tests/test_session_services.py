"""Session.run_service: the registry's automation services on a session, one undo step each."""
import numpy as np
import pytest

import pcanno


def box_of(session, track_id, frame):
    rows = session.boxes(frame, 7)
    hits = np.flatnonzero(rows.track_ids == track_id)
    return rows.boxes[hits[0]] if hits.size else None


def keep_only_ends(session, track_id, frames):
    """Frames 1-3 of the track removed, 0 and 4 its keyframes; returns the removed labels."""
    truth = {f: box_of(session, track_id, f) for f in frames}
    with session.transaction("thin out"):
        for f in frames:
            session.delete_box(track_id, f)
    return truth


def test_the_built_in_services_are_listed(kitti):
    ids = {s["id"] for s in kitti.services}
    assert {"fit", "propagate", "interpolate", "trace", "check"} <= ids


def test_interpolate_fills_the_gap_in_one_undo_step(kitti):
    track_id = kitti.annotations.tracks[0].id
    truth = keep_only_ends(kitti, track_id, [1, 2, 3])
    before = kitti.annotations.to_json()
    outcome = kitti.run_service("interpolate", {"track": track_id, "refine": False})
    assert outcome["track"] == track_id and outcome["boxes"] == 3
    for f, expected in truth.items():
        got = box_of(kitti, track_id, f)
        assert got is not None, f
        # The sample's van moves little over 0.4 s: interpolation lands on its labels.
        assert pcanno.iou_3d(got, expected) > 0.7, (f, got, expected)
    frame_boxes = kitti.annotations.track(track_id).box(2)
    assert frame_boxes.provenance == "interpolated"
    kitti.undo()
    assert kitti.annotations.to_json() == before


def test_a_cancelled_service_changes_nothing(kitti):
    track_id = kitti.annotations.tracks[0].id
    keep_only_ends(kitti, track_id, [1, 2, 3])
    before = kitti.annotations.to_json()
    with pytest.raises(pcanno.CancelledError):
        kitti.run_service("interpolate", {"track": track_id}, progress=lambda f: False)
    assert kitti.annotations.to_json() == before


def test_edits_from_the_progress_callback_are_refused(kitti):
    track_id = kitti.annotations.tracks[0].id
    keep_only_ends(kitti, track_id, [1, 2, 3])
    refused = []

    def meddle(fraction):
        try:
            kitti.delete_track(track_id)
        except pcanno.BusyError:
            refused.append(fraction)

    kitti.run_service("interpolate", {"track": track_id, "refine": False}, progress=meddle)
    assert refused and box_of(kitti, track_id, 2) is not None


def test_unknown_services_and_parameters_are_errors(kitti):
    with pytest.raises(pcanno.NotFoundError) as info:
        kitti.run_service("teleport")
    assert "interpolate" in info.value.message
    with pytest.raises(pcanno.Error) as info:
        kitti.run_service("interpolate", {"track": 0, "speed": 3})
    assert "speed" in str(info.value)
