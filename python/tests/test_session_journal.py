"""The crash journal from Python: an edit acknowledged by a Session survives SIGKILL of the process
(docs/journal.md), and reopening recovers, offers or discards it."""
import os
import signal
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import pcanno

ROW = [31.5, -7.25, -0.75, 4.1, 1.7, 1.45, 0.375]


def edit_and_die(tmp_path, open_args):
    """Runs a child that opens a session with `open_args`, creates one box, prints its track id
    and kills itself with SIGKILL (no destructor, no save); returns that id."""
    script = textwrap.dedent(f"""
        import os, signal, sys, pcanno
        s = pcanno.Session({open_args})
        tid = s.create_track({ROW!r}, 1, label="Truck")
        print(tid, s.journal_path, flush=True)
        os.kill(os.getpid(), signal.SIGKILL)
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          cwd=tmp_path)
    assert done.returncode == -signal.SIGKILL, done.stderr
    tid, journal = done.stdout.split()
    assert os.path.exists(journal), "the journal must hold the edit the session acknowledged"
    return int(tid)


def test_an_edit_survives_sigkill_with_a_document(sample_data, tmp_path):
    root = sample_data / "kitti_tracking/training"
    doc = tmp_path / "doc.json"
    start = pcanno.Session(sequence=root, labels=root / "label_02/0000.txt", journal=False)
    start.save_as(doc)
    saved_boxes = start.annotations.box_count
    start.close()
    tid = edit_and_die(tmp_path, f"document={str(doc)!r}, sequence={str(root)!r}")

    with pcanno.Session(document=doc, sequence=root) as s:
        assert s.dirty and any("recovered" in w for w in s.warnings)
        box = s.annotations.track(tid).box(1)
        assert box is not None and s.annotations.track(tid).label == "Truck"
        np.testing.assert_array_equal(box.to_array(), ROW)
        assert s.annotations.box_count == saved_boxes + 1
        s.delete_track(tid)
        assert s.annotations.box_count == saved_boxes
        s.save()
    assert pcanno.read_labels(doc).box_count == saved_boxes


def test_an_edit_survives_sigkill_in_a_recovery_journal(sample_data, tmp_path):
    root = sample_data / "kitti_tracking/training"
    labels = root / "label_02/0000.txt"
    folder = tmp_path / "recovery"
    args = f"sequence={str(root)!r}, labels={str(labels)!r}, recovery_folder={str(folder)!r}"
    tid = edit_and_die(tmp_path, args)
    assert list(folder.glob("*.journal"))

    # offered first: the saved state, edits refused until the host decides
    s = pcanno.Session(sequence=root, labels=labels, recovery_folder=folder, recovery="offer")
    pending = s.pending_recovery
    assert pending is not None and pending["edits"] == 1
    assert str(folder) in pending["journal"]
    with pytest.raises(KeyError):
        s.annotations.track(tid)
    with pytest.raises(pcanno.Error):
        s.delete_track(s.annotations.tracks[0].id)
    s.recover()
    assert s.pending_recovery is None
    np.testing.assert_array_equal(s.annotations.track(tid).box(1).to_array(), ROW)
    s.close()

    # the journal is still there (closing keeps it); discarding sets it aside
    s = pcanno.Session(sequence=root, labels=labels, recovery_folder=folder, recovery="discard")
    with pytest.raises(KeyError):
        s.annotations.track(tid)
    assert list(folder.glob("*.discarded*"))
    s.close()


def test_abandon_removes_the_journal(sample_data, tmp_path):
    root = sample_data / "kitti_tracking/training"
    labels = root / "label_02/0000.txt"
    folder = tmp_path / "recovery"
    s = pcanno.Session(sequence=root, labels=labels, recovery_folder=folder)
    tid = s.create_track(ROW, 0)
    journal = s.journal_path
    assert os.path.exists(journal)
    s.abandon()
    assert not os.path.exists(journal)
    s.close()
    with pcanno.Session(sequence=root, labels=labels, recovery_folder=folder) as again:
        with pytest.raises(KeyError):
            again.annotations.track(tid)


def test_a_second_session_on_the_same_document_is_refused(sample_data, tmp_path):
    root = sample_data / "kitti_tracking/training"
    doc = tmp_path / "doc.json"
    first = pcanno.Session(sequence=root, labels=root / "label_02/0000.txt", journal=False)
    first.save_as(doc)
    first.close()
    with pcanno.Session(document=doc, sequence=root) as s:
        s.create_track(ROW, 0)
        with pytest.raises(pcanno.PermissionDeniedError, match="another"):
            pcanno.Session(document=doc, sequence=root)
