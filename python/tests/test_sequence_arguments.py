"""A pcanno.Sequence given to labels I/O, Session and the automation is used as it was opened, not
opened again from its root: here the dataset's calibration file is broken after opening, so that
opening it again fails while the Sequence in hand still holds the good calibration."""
import shutil

import numpy as np
import pytest

import pcanno


@pytest.fixture
def opened(sample_data, tmp_path):
    """(a Sequence of a copy of the KITTI tracking sample whose calib/0000.txt was then broken,
    the copy's label file, the untouched sample root)."""
    sample = sample_data / "kitti_tracking/training"
    root = tmp_path / "training"
    shutil.copytree(sample, root)
    seq = pcanno.open_sequence(root, "0000")
    (root / "calib/0000.txt").write_text("P0: not numbers\n")
    with pytest.raises(pcanno.Error):
        pcanno.open_sequence(root, "0000")  # what reopening the Sequence would meet
    return seq, root / "label_02/0000.txt", sample


def test_read_labels_and_session_use_the_sequence_as_opened(opened):
    seq, labels, sample = opened
    doc = pcanno.read_labels(labels, sequence=seq)
    expected = pcanno.read_labels(sample / "label_02/0000.txt", sequence=sample)
    assert doc.box_count == expected.box_count > 0
    assert np.allclose(doc.boxes(0).boxes, expected.boxes(0).boxes)
    session = pcanno.Session.create(doc, sequence=seq)
    assert session.has_sequence and session.frame_count == len(seq) == 5


def test_check_and_eval_use_the_sequence_as_opened(opened):
    seq, labels, sample = opened
    sample_labels = sample / "label_02/0000.txt"
    got = pcanno.check(labels, sequence=seq)
    expected = pcanno.check(sample_labels, sequence=sample)
    assert got["findings"] == expected["findings"]
    scored = pcanno.eval(labels, labels, sequence=seq)
    assert scored["overall"] == pcanno.eval(sample_labels, sample_labels,
                                            sequence=sample)["overall"]


def test_fit_and_track_use_the_sequence_as_opened(opened):
    seq, labels, sample = opened
    seed = (13.70, 4.57, -0.74)  # the van of frame 0 (test_automation_fit.py)
    assert pcanno.fit(seq, 0, seed, label="Van") == pcanno.fit(sample, 0, seed, label="Van")
    got = pcanno.track(seq, labels, method="linear", keyframes_every=2, cache=False)
    expected = pcanno.track(sample, sample / "label_02/0000.txt", method="linear",
                            keyframes_every=2, cache=False)
    assert got.box_count == expected.box_count > 0


def test_a_sequence_name_other_than_the_sequences_own_is_refused(opened):
    seq, labels, _ = opened
    with pytest.raises(pcanno.InvalidArgumentError, match="sequence_name"):
        pcanno.check(labels, sequence=seq, sequence_name="0001")
    with pytest.raises(pcanno.InvalidArgumentError, match="sequence_name"):
        pcanno.read_labels(labels, sequence=seq, sequence_name="0001")
    assert pcanno.check(labels, sequence=seq, sequence_name="0000")["findings"] is not None
