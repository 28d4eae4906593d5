"""Progress callables: Python truth cancels, an exception cancels and is re-raised, and an
exception raised after the work was committed does not undo the result."""
import sys

import pytest

import pcanno

KITTI_LABELS = "kitti_tracking/training/label_02/0000.txt"


class Truth:
    """A callable whose answer has a chosen truth value, or none (its __bool__ raises)."""

    def __init__(self, value):
        self.value = value

    def __call__(self, fraction):
        return self.value


class NoTruth:
    def __bool__(self):
        raise ZeroDivisionError("no truth value")


@pytest.mark.parametrize("answer", [0, "", [], 0.0])
def test_a_false_answer_cancels(sample_data, answer):
    with pytest.raises(pcanno.CancelledError):
        pcanno.read_cloud(sample_data / "pcd/bunny.pcd", progress=Truth(answer))


@pytest.mark.parametrize("answer", [1, "yes", [0], 2.5, True])
def test_a_true_answer_goes_on(sample_data, answer):
    cloud = pcanno.read_cloud(sample_data / "pcd/bunny.pcd", progress=Truth(answer))
    assert len(cloud) == 397


def test_an_answer_without_a_truth_value_is_the_callables_error(sample_data):
    with pytest.raises(ZeroDivisionError, match="no truth value"):
        pcanno.read_cloud(sample_data / "pcd/bunny.pcd", progress=Truth(NoTruth()))


def test_keyboard_interrupt_after_the_commit_keeps_the_output(sample_data, tmp_path):
    # The native writer reports 1.0 after the document is in place: the call succeeded, so the
    # output stays and Ctrl+C arrives as it would after any finished call.
    out = tmp_path / "doc.json"
    seen = []

    def interrupt_at_end(fraction):
        seen.append(fraction)
        if fraction >= 1.0:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        pcanno.convert(sample_data / KITTI_LABELS, out, to="pcanno",
                       sequence=sample_data / "kitti_tracking/training",
                       progress=interrupt_at_end)
        for _ in range(10000):  # the interrupt is delivered at a bytecode boundary
            pass
    assert seen and seen[-1] >= 1.0
    assert out.exists() and pcanno.read_labels(out).box_count > 0


def test_other_exceptions_after_the_commit_go_to_the_unraisable_hook(sample_data, tmp_path,
                                                                     monkeypatch):
    out = tmp_path / "doc.json"
    caught = []
    monkeypatch.setattr(sys, "unraisablehook", caught.append)

    def fail_at_end(fraction):
        if fraction >= 1.0:
            raise LookupError("late")

    report = pcanno.convert(sample_data / KITTI_LABELS, out, to="pcanno",
                            sequence=sample_data / "kitti_tracking/training", progress=fail_at_end)
    assert out.exists() and report["boxes_written"] > 0
    assert len(caught) == 1 and isinstance(caught[0].exc_value, LookupError)


def test_an_exception_before_the_commit_cancels_and_writes_nothing(sample_data, tmp_path):
    out = tmp_path / "doc.json"

    def fail_at_start(fraction):
        raise LookupError("early")

    with pytest.raises(LookupError, match="early"):
        pcanno.convert(sample_data / KITTI_LABELS, out, to="pcanno",
                       sequence=sample_data / "kitti_tracking/training", progress=fail_at_start)
    assert not out.exists()
