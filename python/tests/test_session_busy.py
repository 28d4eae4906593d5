"""pcanno.Session under re-entry: close() from an observer, from refit_track's progress callback
or from another thread while save() runs is refused with BusyError (the engine session is in use);
refit_track and save run as jobs, so edits from their callbacks or other threads are refused too;
Session.annotations is a fresh copy on every access."""
import sys
import threading

import pytest

import pcanno

ROW = [20.0, -3.0, -1.0, 4.0, 1.8, 1.5, 0.25]


@pytest.fixture
def kitti(sample_data):
    root = sample_data / "kitti_tracking/training"
    session = pcanno.Session(sequence=root, labels=root / "label_02/0000.txt", journal=False)
    yield session
    session.close()


def unraisable(monkeypatch):
    seen = []
    monkeypatch.setattr(sys, "unraisablehook", lambda u: seen.append(u.exc_value))
    return seen


def test_close_from_an_observer_is_refused_and_the_session_goes_on(kitti, monkeypatch):
    seen = unraisable(monkeypatch)
    told = []
    closer = kitti.add_observer(lambda change: kitti.close())
    later = kitti.add_observer(lambda change: told.append(change["kind"]))
    tid = kitti.create_track(ROW, 1, label="Truck")
    closer.remove()
    later.remove()
    assert len(seen) == 1 and isinstance(seen[0], pcanno.BusyError)
    assert "under way" in str(seen[0])
    assert told == ["edit"]  # the observers after the refused close are still told
    assert kitti.annotations.track(tid).label == "Truck"
    kitti.close()  # outside any call: closes
    assert repr(kitti) == "<pcanno.Session closed>"
    with pytest.raises(ValueError, match="closed"):
        kitti.undo()


def test_close_from_refit_progress_is_refused(kitti):
    tid = kitti.annotations.tracks[0].id
    boxes = len(kitti.annotations.track(tid).frames)
    with pytest.raises(pcanno.BusyError, match="under way"):
        kitti.refit_track(tid, progress=lambda fraction: kitti.close())
    assert not kitti.dirty and "closed" not in repr(kitti)
    assert kitti.refit_track(tid)["refitted"] == boxes  # still usable


def test_refit_is_a_job_that_refuses_edits_from_its_progress_callback(kitti, tmp_path):
    tid = kitti.annotations.tracks[0].id
    boxes = len(kitti.annotations.track(tid).frames)
    tried, refused = [], []

    def progress(fraction):
        assert kitti.busy_job == "Refit track"
        for attempt in (lambda: kitti.delete_track(tid), kitti.undo,
                        lambda: kitti.save(tmp_path / "x.json")):
            tried.append(attempt)
            try:
                attempt()
            except pcanno.BusyError as e:
                refused.append(str(e))
        return True

    report = kitti.refit_track(tid, progress=progress)
    assert tried and len(refused) == len(tried)
    assert all("Refit track" in r for r in refused)
    assert report["refitted"] == boxes
    assert kitti.busy_job == "" and kitti.undo_name  # the refit is one undo step
    assert len(kitti.annotations.track(tid).frames) == boxes
    assert not (tmp_path / "x.json").exists()


def test_close_and_edits_from_another_thread_during_save_are_refused(kitti, tmp_path):
    # A 'saved' observer runs on the saving thread inside save(): it parks there (releasing the
    # GIL) until the main thread has tried to close and to edit.
    saving, go = threading.Event(), threading.Event()

    def park(change):
        if change["kind"] == "saved":
            saving.set()
            go.wait(30)

    sub = kitti.add_observer(park)
    errors = []

    def save():
        try:
            kitti.save_as(tmp_path / "doc.json")
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)

    thread = threading.Thread(target=save)
    thread.start()
    try:
        assert saving.wait(30)
        with pytest.raises(pcanno.BusyError, match="under way"):
            kitti.close()
        with pytest.raises(pcanno.BusyError, match="Save"):
            kitti.create_track(ROW, 1, label="Truck")
    finally:
        go.set()
        thread.join(30)
    sub.remove()
    assert not errors and not thread.is_alive()
    assert kitti.document_path == str(tmp_path / "doc.json") and not kitti.dirty
    kitti.create_track(ROW, 1, label="Truck")  # the job ended with the save
    kitti.close()


def test_annotations_is_a_fresh_copy_on_every_access(kitti):
    first = kitti.annotations
    tid = first.tracks[0].id
    count = first.box_count
    first.remove_track(tid)  # changing a copy changes neither the session nor the next copy
    again = kitti.annotations
    assert again is not first and again.box_count == count and again.track(tid) is not None
    assert again == kitti.annotations and again is not kitti.annotations
