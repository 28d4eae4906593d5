"""The C ABI through Python ctypes, as a host in another language uses it (stdlib only).

Usage: python3 test_c_api.py <path to libpcanno_c.so> <sample_data dir>
(or PCANNO_C_LIBRARY and PCANNO_SAMPLE_DATA in the environment).
"""
import ctypes
import math
import os
import subprocess
import sys
import tempfile
import unittest

LIBRARY = os.environ.get("PCANNO_C_LIBRARY", "")
SAMPLE_DATA = os.environ.get("PCANNO_SAMPLE_DATA", "")

OK, NOT_FOUND, INVALID_ARGUMENT, CONFLICT = 0, 1, 2, 14
PERMISSION, BUFFER_TOO_SMALL, RECOVERY_PENDING = 8, 11, 12
RECOVERY_RECOVER, RECOVERY_OFFER, RECOVERY_DISCARD = 0, 1, 2
JOURNAL_SYNC_DATA = 1
FRAME_LIDAR = 0
PROVENANCE_MANUAL, PROVENANCE_MODEL = 0, 5


class Box(ctypes.Structure):
    """pcanno_box."""
    _fields_ = [
        ("track_id", ctypes.c_int64),
        ("frame", ctypes.c_int64),
        ("center", ctypes.c_double * 3),
        ("size", ctypes.c_double * 3),
        ("rotation_wxyz", ctypes.c_double * 4),
        ("frame_of_reference", ctypes.c_int32),
        ("provenance", ctypes.c_int32),
        ("keyframe", ctypes.c_int32),
    ]

    def fields(self):
        """Every field, for exact comparison."""
        return (self.track_id, self.frame, tuple(self.center), tuple(self.size),
                tuple(self.rotation_wxyz), self.frame_of_reference, self.provenance,
                self.keyframe)


class OpenOptions(ctypes.Structure):
    """pcanno_open_options."""
    _fields_ = [
        ("struct_size", ctypes.c_size_t),
        ("sequence_path", ctypes.c_char_p),
        ("sequence_name", ctypes.c_char_p),
        ("document_path", ctypes.c_char_p),
        ("journal", ctypes.c_int32),
        ("journal_sync", ctypes.c_int32),
        ("load_plugins", ctypes.c_int32),
        ("recovery", ctypes.c_int32),
        ("recovery_folder", ctypes.c_char_p),
    ]


def load(path):
    lib = ctypes.CDLL(path)
    session_p = ctypes.c_void_p
    signatures = {
        "pcanno_version": (ctypes.c_char_p, []),
        "pcanno_last_error": (ctypes.c_char_p, []),
        "pcanno_session_open": (ctypes.c_int, [ctypes.c_char_p, ctypes.c_char_p,
                                               ctypes.POINTER(session_p)]),
        "pcanno_session_close": (None, [session_p]),
        "pcanno_open_options_init": (None, [ctypes.POINTER(OpenOptions)]),
        "pcanno_session_open_ex": (ctypes.c_int, [ctypes.POINTER(OpenOptions),
                                                  ctypes.POINTER(session_p)]),
        "pcanno_session_close_discarding": (ctypes.c_int, [session_p]),
        "pcanno_session_pending_recovery": (ctypes.c_int, [session_p,
                                                           ctypes.POINTER(ctypes.c_size_t),
                                                           ctypes.POINTER(ctypes.c_int64)]),
        "pcanno_session_recover": (ctypes.c_int, [session_p]),
        "pcanno_session_discard_recovery": (ctypes.c_int, [session_p]),
        "pcanno_session_journal_path": (ctypes.c_int, [session_p, ctypes.c_char_p,
                                                       ctypes.c_size_t,
                                                       ctypes.POINTER(ctypes.c_size_t)]),
        "pcanno_session_warnings": (ctypes.c_int, [session_p, ctypes.c_char_p, ctypes.c_size_t,
                                                   ctypes.POINTER(ctypes.c_size_t)]),
        "pcanno_session_is_dirty": (ctypes.c_int, [session_p]),
        "pcanno_session_frame_count": (ctypes.c_int, [session_p, ctypes.POINTER(ctypes.c_int64)]),
        "pcanno_session_track_ids": (ctypes.c_int, [session_p, ctypes.POINTER(ctypes.c_int64),
                                                    ctypes.c_size_t,
                                                    ctypes.POINTER(ctypes.c_size_t)]),
        "pcanno_session_track_label": (ctypes.c_int, [session_p, ctypes.c_int64, ctypes.c_char_p,
                                                      ctypes.c_size_t,
                                                      ctypes.POINTER(ctypes.c_size_t)]),
        "pcanno_session_get_box": (ctypes.c_int, [session_p, ctypes.c_int64, ctypes.c_int64,
                                                  ctypes.POINTER(Box)]),
        "pcanno_session_add_track": (ctypes.c_int, [session_p, ctypes.c_char_p,
                                                    ctypes.POINTER(Box),
                                                    ctypes.POINTER(ctypes.c_int64)]),
        "pcanno_session_modify_box": (ctypes.c_int, [session_p, ctypes.POINTER(Box)]),
        "pcanno_session_delete_box": (ctypes.c_int, [session_p, ctypes.c_int64, ctypes.c_int64]),
        "pcanno_session_undo": (ctypes.c_int, [session_p]),
        "pcanno_session_redo": (ctypes.c_int, [session_p]),
        "pcanno_session_can_undo": (ctypes.c_int, [session_p]),
        "pcanno_session_save": (ctypes.c_int, [session_p, ctypes.c_char_p]),
        "pcanno_session_export": (ctypes.c_int, [session_p, ctypes.c_char_p, ctypes.c_char_p,
                                                 ctypes.c_int]),
        "pcanno_last_export_summary": (ctypes.c_int, [ctypes.c_char_p, ctypes.c_size_t,
                                                      ctypes.POINTER(ctypes.c_size_t)]),
        "pcanno_session_polyline_count": (ctypes.c_int, [session_p,
                                                         ctypes.POINTER(ctypes.c_size_t)]),
        "pcanno_session_polyline_ids": (ctypes.c_int, [session_p, ctypes.POINTER(ctypes.c_int64),
                                                       ctypes.c_size_t,
                                                       ctypes.POINTER(ctypes.c_size_t)]),
        "pcanno_session_polyline_frames": (ctypes.c_int, [session_p, ctypes.c_int64,
                                                          ctypes.POINTER(ctypes.c_int64),
                                                          ctypes.c_size_t,
                                                          ctypes.POINTER(ctypes.c_size_t)]),
        "pcanno_session_polyline_label": (ctypes.c_int, [session_p, ctypes.c_int64,
                                                         ctypes.c_char_p, ctypes.c_size_t,
                                                         ctypes.POINTER(ctypes.c_size_t)]),
        "pcanno_session_get_polyline": (ctypes.c_int, [session_p, ctypes.c_int64, ctypes.c_int64,
                                                       ctypes.POINTER(ctypes.c_double),
                                                       ctypes.c_size_t,
                                                       ctypes.POINTER(ctypes.c_size_t),
                                                       ctypes.POINTER(ctypes.c_int32),
                                                       ctypes.POINTER(ctypes.c_int32)]),
        "pcanno_session_add_polyline": (ctypes.c_int, [session_p, ctypes.c_char_p, ctypes.c_int64,
                                                       ctypes.POINTER(ctypes.c_double),
                                                       ctypes.c_size_t, ctypes.c_int32,
                                                       ctypes.c_int32,
                                                       ctypes.POINTER(ctypes.c_int64)]),
        "pcanno_session_set_polyline_vertices": (ctypes.c_int, [session_p, ctypes.c_int64,
                                                                ctypes.c_int64,
                                                                ctypes.POINTER(ctypes.c_double),
                                                                ctypes.c_size_t, ctypes.c_int32]),
        "pcanno_session_delete_polyline": (ctypes.c_int, [session_p, ctypes.c_int64]),
        "pcanno_session_track_frames": (ctypes.c_int, [session_p, ctypes.c_int64,
                                                       ctypes.POINTER(ctypes.c_int64),
                                                       ctypes.c_size_t,
                                                       ctypes.POINTER(ctypes.c_size_t)]),
        "pcanno_session_add_box": (ctypes.c_int, [session_p, ctypes.POINTER(Box)]),
        "pcanno_session_merge_tracks": (ctypes.c_int, [session_p, ctypes.c_int64,
                                                       ctypes.c_int64]),
        "pcanno_session_split_track": (ctypes.c_int, [session_p, ctypes.c_int64, ctypes.c_int64,
                                                      ctypes.c_int64,
                                                      ctypes.POINTER(ctypes.c_int64)]),
        "pcanno_session_relink_box": (ctypes.c_int, [session_p, ctypes.c_int64, ctypes.c_int64,
                                                     ctypes.c_int64,
                                                     ctypes.POINTER(ctypes.c_int64)]),
    }
    for name, (restype, argtypes) in signatures.items():
        function = getattr(lib, name)
        function.restype = restype
        function.argtypes = argtypes
    return lib


class Session:
    """A thin Python wrapper: raises on any status but OK."""

    def __init__(self, lib, sequence, document, recovery=None, expect=OK):
        """Opens with pcanno_session_open, or with pcanno_session_open_ex and a recovery policy."""
        self.lib = lib
        self.handle = ctypes.c_void_p()
        if recovery is None:
            status = lib.pcanno_session_open(sequence.encode(), document.encode(),
                                             ctypes.byref(self.handle))
        else:
            options = OpenOptions()
            lib.pcanno_open_options_init(ctypes.byref(options))
            options.sequence_path = sequence.encode()
            options.document_path = document.encode()
            options.recovery = recovery
            status = lib.pcanno_session_open_ex(ctypes.byref(options), ctypes.byref(self.handle))
        self.assert_status(status, expect)

    def close(self):
        self.lib.pcanno_session_close(self.handle)
        self.handle = ctypes.c_void_p()

    def check(self, status):
        if status != OK:
            raise RuntimeError("status %d: %s" % (status, self.lib.pcanno_last_error().decode()))

    def box(self, track_id, frame):
        out = Box()
        self.check(self.lib.pcanno_session_get_box(self.handle, track_id, frame, ctypes.byref(out)))
        return out

    def track_ids(self):
        count = ctypes.c_size_t()
        status = self.lib.pcanno_session_track_ids(self.handle, None, 0, ctypes.byref(count))
        if status not in (OK, BUFFER_TOO_SMALL):
            self.check(status)
        ids = (ctypes.c_int64 * count.value)()
        self.check(self.lib.pcanno_session_track_ids(self.handle, ids, count.value,
                                                     ctypes.byref(count)))
        return list(ids)

    def label(self, track_id):
        required = ctypes.c_size_t()
        status = self.lib.pcanno_session_track_label(self.handle, track_id, None, 0,
                                                     ctypes.byref(required))
        self.assert_status(status, BUFFER_TOO_SMALL)
        buffer = ctypes.create_string_buffer(required.value)
        self.check(self.lib.pcanno_session_track_label(self.handle, track_id, buffer,
                                                       required.value, None))
        return buffer.value.decode()

    def text(self, function):
        """A string out of `function(handle, buffer, size, required)`."""
        required = ctypes.c_size_t()
        status = function(self.handle, None, 0, ctypes.byref(required))
        self.assert_status(status, BUFFER_TOO_SMALL)
        buffer = ctypes.create_string_buffer(required.value)
        self.check(function(self.handle, buffer, required.value, None))
        return buffer.value.decode()

    def pending(self):
        edits, modified = ctypes.c_size_t(), ctypes.c_int64()
        self.check(self.lib.pcanno_session_pending_recovery(self.handle, ctypes.byref(edits),
                                                            ctypes.byref(modified)))
        return edits.value, modified.value

    def add_track(self, label, box):
        track_id = ctypes.c_int64(-1)
        self.check(self.lib.pcanno_session_add_track(self.handle, label, ctypes.byref(box),
                                                     ctypes.byref(track_id)))
        return track_id.value

    def assert_status(self, status, expected):
        if status != expected:
            raise AssertionError("status %d, expected %d: %s" %
                                 (status, expected, self.lib.pcanno_last_error().decode()))


def make_box(frame, x, yaw):
    box = Box()
    box.track_id = -1
    box.frame = frame
    box.center[:] = [x, 3.25, -0.8]
    box.size[:] = [3.9, 1.7, 1.55]
    box.rotation_wxyz[:] = [math.cos(yaw / 2), 0.0, 0.0, math.sin(yaw / 2)]
    box.frame_of_reference = FRAME_LIDAR
    box.provenance = PROVENANCE_MODEL
    box.keyframe = 0
    return box


class CApiBase(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.lib = load(LIBRARY)
        cls.sequence = os.path.join(SAMPLE_DATA, "kitti_tracking")

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="pcanno_ctypes_")
        self.document = os.path.join(self.tmp.name, "doc.json")
        # Sessions without a document journal under $XDG_STATE_HOME; the library reads it at
        # each open, so each test gets its own.
        self.state = os.path.join(self.tmp.name, "state")
        os.environ["XDG_STATE_HOME"] = self.state

    def tearDown(self):
        self.tmp.cleanup()


class CApiTest(CApiBase):
    def test_open_add_get_undo_save_export(self):
        lib = self.lib
        s = Session(lib, self.sequence, self.document)
        frames = ctypes.c_int64()
        s.check(lib.pcanno_session_frame_count(s.handle, ctypes.byref(frames)))
        self.assertEqual(frames.value, 5)

        original = make_box(1, 12.375, -0.4)
        track_id = ctypes.c_int64(-1)
        s.check(lib.pcanno_session_add_track(s.handle, b"Pedestrian", ctypes.byref(original),
                                             ctypes.byref(track_id)))
        original.track_id = track_id.value
        self.assertEqual(s.track_ids(), [track_id.value])
        self.assertEqual(s.label(track_id.value), "Pedestrian")
        self.assertEqual(s.box(track_id.value, 1).fields(), original.fields())

        moved = s.box(track_id.value, 1)
        moved.center[0] += 0.75
        s.check(lib.pcanno_session_modify_box(s.handle, ctypes.byref(moved)))
        got = s.box(track_id.value, 1)
        self.assertEqual(tuple(got.center), tuple(moved.center))
        self.assertEqual((got.provenance, got.keyframe), (PROVENANCE_MANUAL, 1))
        s.check(lib.pcanno_session_undo(s.handle))
        self.assertEqual(s.box(track_id.value, 1).fields(), original.fields())
        s.check(lib.pcanno_session_redo(s.handle))
        self.assertEqual(tuple(s.box(track_id.value, 1).center), tuple(moved.center))

        s.assert_status(lib.pcanno_session_get_box(s.handle, 77, 1, ctypes.byref(got)), NOT_FOUND)
        self.assertIn("no track 77", lib.pcanno_last_error().decode())
        s.assert_status(lib.pcanno_session_get_box(None, 0, 1, ctypes.byref(got)),
                        INVALID_ARGUMENT)
        s.assert_status(lib.pcanno_session_modify_box(s.handle, None), INVALID_ARGUMENT)

        s.check(lib.pcanno_session_save(s.handle, None))
        self.assertEqual(lib.pcanno_last_error(), b"")
        out = os.path.join(self.tmp.name, "0000.txt")
        s.check(lib.pcanno_session_export(s.handle, b"kitti-tracking", out.encode(), 0))
        s.assert_status(lib.pcanno_session_export(s.handle, b"kitti-tracking", out.encode(), 0),
                        PERMISSION)
        s.assert_status(lib.pcanno_session_export(s.handle, b"csv", out.encode(), 1), NOT_FOUND)
        self.assertIn("kitti-tracking", lib.pcanno_last_error().decode())
        # The summary is the last successful export's: the one box added above, nothing dropped.
        summary = ctypes.create_string_buffer(256)
        s.check(lib.pcanno_last_export_summary(summary, len(summary), None))
        self.assertEqual(summary.value.decode(), "wrote 1 box")
        s.close()

        with open(out) as f:
            rows = f.read().splitlines()
        self.assertEqual(len(rows), 1)
        self.assertTrue(rows[0].startswith("1 %d Pedestrian " % track_id.value), rows[0])

        reopened = Session(lib, self.sequence, self.document)
        self.assertEqual(reopened.track_ids(), [track_id.value])
        self.assertEqual(tuple(reopened.box(track_id.value, 1).center), tuple(moved.center))
        self.assertEqual(lib.pcanno_session_can_undo(reopened.handle), 0)
        reopened.close()

    def test_polylines_add_read_modify_delete(self):
        lib = self.lib
        s = Session(lib, self.sequence, self.document)
        lane = [0.5, 1.0, -1.7, 10.25, 1.5, -1.7, 20.0, 2.25, -1.65]
        points = (ctypes.c_double * 9)(*lane)
        pid = ctypes.c_int64(-1)
        s.check(lib.pcanno_session_add_polyline(s.handle, None, 2, points, 3, 0, FRAME_LIDAR,
                                                ctypes.byref(pid)))
        count = ctypes.c_size_t()
        closed = ctypes.c_int32(-1)
        # Sized by a first call, then read bit for bit.
        s.assert_status(lib.pcanno_session_get_polyline(s.handle, pid.value, 2, None, 0,
                                                        ctypes.byref(count), ctypes.byref(closed),
                                                        None), BUFFER_TOO_SMALL)
        self.assertEqual((count.value, closed.value), (3, 0))
        out = (ctypes.c_double * (3 * count.value))()
        s.check(lib.pcanno_session_get_polyline(s.handle, pid.value, 2, out, count.value,
                                                ctypes.byref(count), None, None))
        self.assertEqual(list(out), lane)
        frames = (ctypes.c_int64 * 2)()
        s.check(lib.pcanno_session_polyline_frames(s.handle, pid.value, frames, 2,
                                                   ctypes.byref(count)))
        self.assertEqual((count.value, frames[0]), (1, 2))

        # Replaced at another frame as a closed area; one undo step takes it back.
        s.check(lib.pcanno_session_set_polyline_vertices(s.handle, pid.value, 3, points, 3, 1))
        s.check(lib.pcanno_session_get_polyline(s.handle, pid.value, 3, out, 3,
                                                ctypes.byref(count), ctypes.byref(closed), None))
        self.assertEqual(closed.value, 1)
        s.check(lib.pcanno_session_undo(s.handle))
        s.assert_status(lib.pcanno_session_get_polyline(s.handle, pid.value, 3, out, 3,
                                                        ctypes.byref(count), None, None),
                        NOT_FOUND)
        self.assertIn("no line in frame 3", lib.pcanno_last_error().decode())

        s.check(lib.pcanno_session_delete_polyline(s.handle, pid.value))
        s.check(lib.pcanno_session_polyline_count(s.handle, ctypes.byref(count)))
        self.assertEqual(count.value, 0)
        s.close()


CRASHING_HOST = r"""
import ctypes, os, signal, sys
sys.path.insert(0, os.path.dirname(sys.argv[1]))
import test_c_api as t
lib = t.load(sys.argv[2])
s = t.Session(lib, sys.argv[3], "")
box = t.make_box(2, 17.125, 0.3)
track = s.add_track(b"Cyclist", box)
print(track, flush=True)  # acknowledged: the C call returned
os.kill(os.getpid(), signal.SIGKILL)
"""


class RepairTest(CApiBase):
    """Merge, split and relink through ctypes, as a Python host fixes an ID switch."""

    def frames(self, s, track_id):
        out = (ctypes.c_int64 * 8)()
        count = ctypes.c_size_t()
        s.check(self.lib.pcanno_session_track_frames(s.handle, track_id, out, 8,
                                                     ctypes.byref(count)))
        return list(out[:count.value])

    def track_on(self, s, frames, x):
        track_id = s.add_track(b"Car", make_box(frames[0], x, 0.1))
        for f in frames[1:]:
            box = make_box(f, x + f, 0.1)
            box.track_id = track_id
            s.check(self.lib.pcanno_session_add_box(s.handle, ctypes.byref(box)))
        return track_id

    def test_merge_split_relink_and_the_refused_merge(self):
        lib = self.lib
        s = Session(lib, self.sequence, self.document)
        a = self.track_on(s, [0, 1, 2, 3], 10.0)
        b = self.track_on(s, [1, 3, 4], 20.0)
        # Refused, naming both shared frames; nothing changes.
        s.assert_status(lib.pcanno_session_merge_tracks(s.handle, a, b), CONFLICT)
        error = lib.pcanno_last_error().decode()
        self.assertIn("tracks %d and %d both have boxes at frames 1, 3" % (a, b), error)
        self.assertEqual(self.frames(s, b), [1, 3, 4])
        # Relink b's boxes at 1 and 3 to a new track, then the merge goes through.
        fresh = ctypes.c_int64(-1)
        s.check(lib.pcanno_session_relink_box(s.handle, b, 1, -1, ctypes.byref(fresh)))
        s.check(lib.pcanno_session_relink_box(s.handle, b, 3, fresh.value, None))
        self.assertEqual(self.frames(s, fresh.value), [1, 3])
        s.assert_status(lib.pcanno_session_relink_box(s.handle, a, 1, fresh.value, None),
                        CONFLICT)
        self.assertIn("at frame 1", lib.pcanno_last_error().decode())
        s.check(lib.pcanno_session_merge_tracks(s.handle, a, b))
        self.assertEqual(self.frames(s, a), [0, 1, 2, 3, 4])
        self.assertNotIn(b, s.track_ids())
        s.check(lib.pcanno_session_undo(s.handle))  # one step: b is back
        self.assertEqual(self.frames(s, b), [4])
        s.check(lib.pcanno_session_redo(s.handle))
        # Split at 3: frames 3 and 4 leave a.
        tail = ctypes.c_int64(-1)
        s.check(lib.pcanno_session_split_track(s.handle, a, 3, -1, ctypes.byref(tail)))
        self.assertEqual(self.frames(s, a), [0, 1, 2])
        self.assertEqual(self.frames(s, tail.value), [3, 4])
        self.assertEqual(s.label(tail.value), "Car")
        s.close()


class RecoveryTest(CApiBase):
    """No edit is lost when a host opens a sequence without a document."""

    def test_a_killed_host_without_document_is_offered_its_edits_back(self):
        child = subprocess.run([sys.executable, "-c", CRASHING_HOST, os.path.abspath(__file__),
                                LIBRARY, self.sequence], capture_output=True, text=True,
                               timeout=60, env=dict(os.environ))
        self.assertEqual(child.returncode, -9, child.stderr)  # killed, not exited
        track = int(child.stdout.strip())
        s = Session(self.lib, self.sequence, "", RECOVERY_OFFER, expect=RECOVERY_PENDING)
        self.assertIn("pcanno_session_recover", self.lib.pcanno_last_error().decode())
        edits, modified = s.pending()
        self.assertEqual(edits, 1)
        self.assertGreater(modified, 1700000000)
        journal = s.text(self.lib.pcanno_session_journal_path)
        self.assertTrue(journal.startswith(os.path.join(self.state, "pcanno", "recovery", "")),
                        journal)
        self.assertEqual(s.track_ids(), [])
        # Edits wait for the decision.
        s.assert_status(self.lib.pcanno_session_add_track(s.handle, b"Car",
                                                          ctypes.byref(make_box(0, 1.0, 0.0)),
                                                          None), CONFLICT)
        s.check(self.lib.pcanno_session_recover(s.handle))
        self.assertEqual(s.pending(), (0, 0))
        self.assertEqual(s.track_ids(), [track])
        self.assertEqual(s.label(track), "Cyclist")
        expected = make_box(2, 17.125, 0.3)
        expected.track_id, expected.provenance, expected.keyframe = track, PROVENANCE_MODEL, 0
        self.assertEqual(s.box(track, 2).fields(), expected.fields())
        self.assertEqual(self.lib.pcanno_session_is_dirty(s.handle), 1)
        s.close()
        # The default open replays them without asking.
        again = Session(self.lib, self.sequence, "")
        self.assertEqual(again.track_ids(), [track])
        self.assertIn("recovered 1 unsaved edit(s)",
                      again.text(self.lib.pcanno_session_warnings))
        again.close()

    def test_save_as_then_an_edit_then_closing_keeps_the_edit(self):
        s = Session(self.lib, self.sequence, "")
        first = s.add_track(b"Car", make_box(0, 10.0, 0.0))
        s.check(self.lib.pcanno_session_save(s.handle, self.document.encode()))
        self.assertEqual(self.lib.pcanno_session_is_dirty(s.handle), 0)
        second = s.add_track(b"Van", make_box(1, 20.0, 0.5))
        self.assertEqual(self.lib.pcanno_session_is_dirty(s.handle), 1)
        self.assertEqual(s.text(self.lib.pcanno_session_journal_path), self.document + ".journal")
        s.close()  # abandoned without saving
        reopened = Session(self.lib, self.sequence, self.document)
        self.assertEqual(sorted(reopened.track_ids()), sorted([first, second]))
        self.assertIn("recovered 1 unsaved edit(s)",
                      reopened.text(self.lib.pcanno_session_warnings))
        reopened.close()

    def test_discarding_leaves_nothing_to_recover(self):
        s = Session(self.lib, self.sequence, "")
        s.add_track(b"Car", make_box(0, 10.0, 0.0))
        s.check(self.lib.pcanno_session_close_discarding(s.handle))
        s.handle = ctypes.c_void_p()
        fresh = Session(self.lib, self.sequence, "", RECOVERY_OFFER)
        self.assertEqual(fresh.pending(), (0, 0))
        self.assertEqual(fresh.track_ids(), [])
        fresh.close()

    def test_discard_policy_opens_the_saved_state(self):
        s = Session(self.lib, self.sequence, "")
        s.add_track(b"Car", make_box(0, 10.0, 0.0))
        journal = s.text(self.lib.pcanno_session_journal_path)
        s.close()
        fresh = Session(self.lib, self.sequence, "", RECOVERY_DISCARD)
        self.assertEqual(fresh.track_ids(), [])
        self.assertTrue(os.path.exists(journal + ".discarded"))
        fresh.close()


def main():
    global LIBRARY, SAMPLE_DATA
    args = sys.argv[1:]
    if len(args) >= 2:
        LIBRARY, SAMPLE_DATA = args[0], args[1]
        args = args[2:]
    if not LIBRARY or not SAMPLE_DATA:
        sys.exit("usage: test_c_api.py <libpcanno_c.so> <sample_data dir> [unittest args]")
    unittest.main(argv=[sys.argv[0]] + args)


if __name__ == "__main__":
    main()
