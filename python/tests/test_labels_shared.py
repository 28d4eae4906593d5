"""write_labels() releases the GIL while writing an Annotations shared with Python: it must write
the document as it was when called, whatever its progress callback (or another thread) does to
the object meanwhile."""
import pytest

import pcanno


@pytest.mark.parametrize("fmt,name", [("kitti-tracking", "0000.txt"), ("openlabel", "ol.json"),
                                      ("kitti-object", "object/")])
def test_write_labels_writes_the_document_as_it_was_called(sample_data, tmp_path, fmt, name):
    root = sample_data / "kitti_tracking/training"
    labels = root / "label_02/0000.txt"
    untouched = pcanno.read_labels(labels, sequence=root)
    expected = pcanno.write_labels(untouched, tmp_path / "expected" / name, fmt, sequence=root)
    assert expected["boxes_written"] > 0

    doc = pcanno.read_labels(labels, sequence=root)
    calls = []

    def vandal(fraction):
        # Empties the document being written and grows its frames, from the writer's own thread.
        calls.append(fraction)
        for track in doc.tracks:
            doc.remove_track(track.id)
        for _ in range(50):
            doc.add_frame("x")
        return True

    got = pcanno.write_labels(doc, tmp_path / "got" / name, fmt, sequence=root, progress=vandal)
    assert calls, "the writer never reported progress: the test would not exercise the race"
    assert len(doc.tracks) == 0  # the callback did change the caller's object
    assert got["boxes_written"] == expected["boxes_written"]
    assert got["summary"] == expected["summary"]
    want = sorted(p.relative_to(tmp_path / "expected") for p in (tmp_path / "expected").rglob("*")
                  if p.is_file())
    have = sorted(p.relative_to(tmp_path / "got") for p in (tmp_path / "got").rglob("*")
                  if p.is_file())
    assert have == want
    for rel in want:
        assert (tmp_path / "got" / rel).read_bytes() == (tmp_path / "expected" / rel).read_bytes()
