"""The C ABI through Python ctypes, as a host in another language uses it (stdlib only).

Usage: python3 test_c_api.py <path to libpcanno_c.so> <sample_data dir>
(or PCANNO_C_LIBRARY and PCANNO_SAMPLE_DATA in the environment).
"""
import ctypes
import math
import os
import sys
import tempfile
import unittest

LIBRARY = os.environ.get("PCANNO_C_LIBRARY", "")
SAMPLE_DATA = os.environ.get("PCANNO_SAMPLE_DATA", "")

OK, NOT_FOUND, INVALID_ARGUMENT, MALFORMED = 0, 1, 2, 3
PERMISSION, BUFFER_TOO_SMALL = 8, 11
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


def load(path):
    lib = ctypes.CDLL(path)
    session_p = ctypes.c_void_p
    signatures = {
        "pcanno_version": (ctypes.c_char_p, []),
        "pcanno_last_error": (ctypes.c_char_p, []),
        "pcanno_session_open": (ctypes.c_int, [ctypes.c_char_p, ctypes.c_char_p,
                                               ctypes.POINTER(session_p)]),
        "pcanno_session_close": (None, [session_p]),
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
    }
    for name, (restype, argtypes) in signatures.items():
        function = getattr(lib, name)
        function.restype = restype
        function.argtypes = argtypes
    return lib


class Session:
    """A thin Python wrapper: raises on any status but OK."""

    def __init__(self, lib, sequence, document):
        self.lib = lib
        self.handle = ctypes.c_void_p()
        self.check(lib.pcanno_session_open(sequence.encode(), document.encode(),
                                           ctypes.byref(self.handle)))

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


class CApiTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.lib = load(LIBRARY)
        cls.sequence = os.path.join(SAMPLE_DATA, "kitti_tracking")

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="pcanno_ctypes_")
        self.document = os.path.join(self.tmp.name, "doc.json")

    def tearDown(self):
        self.tmp.cleanup()

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
