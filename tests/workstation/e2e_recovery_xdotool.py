#!/usr/bin/env python3
"""End to end under X with xdotool: no edit is lost in a session opened without a document.

The sample's own labels (KITTI label_02) open with it, so the new boxes come on top of those.
1. Crash: `pcanno view SAMPLE` (no --document), N and a drag in the top view; once
   the recovery journal holds the edit, SIGKILL. Reopening the same dataset shows the "Recover
   unsaved edits" dialog; Return (Recover) restores the box, and Save As writes it to a file
   that must hold the box the drag drew.
2. Quit after Save As: a box, Save As, a second box, Ctrl+Q. The window must ask ("Unsaved
   edits"); Return (Save) saves to the file chosen before and closes; the file holds both boxes.

Exit 77 (skipped) without a display or xdotool.
usage: e2e_recovery_xdotool.py PCANNO_BINARY SAMPLE_DATA_DIR
"""
import glob
import json
import os
import shutil
import signal
import sys
import tempfile
import time

import xdo_support as x

VAN = ((11.5, 6.3), (15.9, 2.9))         # the parked van ahead on the left, as e2e_xdotool.py
# Beside the first: once it is selected, the top view zooms to about 12 m around it.
SECOND = ((16.5, 2.2), (19.0, 0.8))


def labelled_tracks(sample):
    """Track ids of the sample's own labels (DontCare rows have id -1)."""
    path = os.path.join(sample, "kitti_tracking", "training", "label_02", "0000.txt")
    with open(path) as f:
        return {int(row.split()[1]) for row in f if row.split() and row.split()[1] != "-1"}


def find_box(tracks, expect):
    """The first box of the one track drawn as `expect`; fails unless exactly one matches."""
    matches = []
    for t in tracks:
        try:
            x.assert_box(t["boxes"][0], expect)
            matches.append(t)
        except AssertionError:
            pass
    assert len(matches) == 1, f"{len(matches)} tracks match {expect}; the new ones: " + \
        str([t["boxes"][0] for t in tracks if t["boxes"][0]["keyframe"] and
             t["boxes"][0]["provenance"] == "manual"])
    return matches[0]["boxes"][0]


def journal_entries(state):
    """Entries in the recovery journals under `state` (the header line is not one)."""
    total = 0
    for path in glob.glob(os.path.join(state, "pcanno", "recovery", "*.journal")):
        with open(path) as f:
            total += max(0, len(f.read().splitlines()) - 1)
    return total


def crash_and_recover(binary, sample, tmp):
    state = os.path.join(tmp, "state")
    env = dict(os.environ, XDG_STATE_HOME=state)
    first = x.View(binary, [sample], tmp, env, "crash")
    try:
        first.wait_for_window()
        expect = first.draw_box(*VAN)
        x.wait_for(lambda: journal_entries(state) >= 1, "the edit in the recovery journal")
        first.process.send_signal(signal.SIGKILL)
        first.process.wait(timeout=10)
    finally:
        first.stop()
    assert first.process.returncode == -signal.SIGKILL, first.process.returncode

    second = x.View(binary, [sample], tmp, env, "reopen")
    try:
        x.answer_dialog("Recover unsaved edits", ["Return"])  # Recover is the default
        second.wait_for_window()
        x.wait_for(lambda: "recovered 1 unsaved edit(s)" in second.log_text(), "the recovery")
        saved = os.path.join(tmp, "recovered.pcanno.json")
        x.xdo("key", "ctrl+s")  # no document yet: Save As
        x.save_as(saved)
        x.wait_for(lambda: os.path.exists(saved), "the saved document")
        tracks = json.load(open(saved))["tracks"]
        own = labelled_tracks(sample)
        assert len(tracks) == len(own) + 1, f"{len(tracks)} tracks, expected {len(own)} + 1"
        got = find_box(tracks, expect)
        # Saving moved the journal beside the document: nothing is left to recover.
        x.wait_for(lambda: journal_entries(state) == 0, "the recovery journal to go")
        print(f"crash: ok, recovered {got}")
    except Exception:
        print(f"--- pcanno view log (reopen) ---\n{second.log_text()}")
        raise
    finally:
        second.stop()


def quit_after_save_as(binary, sample, tmp):
    env = dict(os.environ, XDG_STATE_HOME=os.path.join(tmp, "state-quit"))
    view = x.View(binary, [sample], tmp, env, "quit")
    doc = os.path.join(tmp, "quit.pcanno.json")
    try:
        view.wait_for_window()
        first = view.draw_box(*VAN)
        x.xdo("key", "ctrl+shift+s")
        x.save_as(doc)
        x.wait_for(lambda: os.path.exists(doc), "the saved document")
        time.sleep(0.3)
        view.wait_for_window()  # focus back on the main window
        second = view.draw_box(*SECOND)
        x.xdo("key", "ctrl+q")
        x.answer_dialog("Unsaved edits", ["Return"])  # Save is the default
        view.process.wait(timeout=x.TIMEOUT)
        assert view.process.returncode == 0, view.process.returncode
        tracks = json.load(open(doc))["tracks"]
        own = labelled_tracks(sample)
        assert len(tracks) == len(own) + 2, f"{len(tracks)} tracks, expected {len(own)} + 2"
        find_box(tracks, first)
        find_box(tracks, second)
        assert not os.path.exists(doc + ".journal"), "saved, so no journal should remain"
        print("quit: ok, the window asked and saved both boxes")
    except Exception:
        print(f"--- pcanno view log (quit) ---\n{view.log_text()}")
        raise
    finally:
        view.stop()


def main():
    args = x.script_args(sys.argv, __doc__)
    if isinstance(args, int):
        return args
    binary, sample = args
    tmp = tempfile.mkdtemp(prefix="pcanno_e2e_recovery_")
    try:
        crash_and_recover(binary, sample, tmp)
        quit_after_save_as(binary, sample, tmp)
        return 0
    except Exception as e:
        print(f"FAILED: {e}")
        return 1
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
