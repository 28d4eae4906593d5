#!/usr/bin/env python3
"""End to end: `pcanno view` on sample_data/ under X, driven with xdotool as a person would.

Class hotkey 2 (Van), N, a drag in the top view around the van ahead on the left, Ctrl+S to the
document given by --document; then the document on disk must hold that box, sized as the drag
spans on the screen. The window reports where its views are (--layout-report) so the drag can be
aimed; everything else goes through the X server. Exit 77 (skipped) without a display or xdotool.

usage: e2e_xdotool.py PCANNO_BINARY SAMPLE_DATA_DIR
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

TIMEOUT = 40.0  # [s] for the window, the report and the save


def xdo(*args, timeout=10.0):
    return subprocess.run(["xdotool", *map(str, args)], check=True, timeout=timeout,
                          capture_output=True, text=True).stdout


def wait_for(predicate, what, timeout=TIMEOUT):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return
        time.sleep(0.1)
    raise TimeoutError(f"timed out waiting for {what}")


def main():
    if len(sys.argv) != 3:
        print(__doc__)
        return 2
    binary, sample = sys.argv[1], sys.argv[2]
    if not os.environ.get("DISPLAY") or not shutil.which("xdotool"):
        print("no X display or no xdotool: skipped")
        return 77
    tmp = tempfile.mkdtemp(prefix="pcanno_e2e_")
    doc = os.path.join(tmp, "e2e.pcanno.json")
    layout_path = os.path.join(tmp, "layout.json")
    log = open(os.path.join(tmp, "view.log"), "w")
    app = subprocess.Popen([binary, "view", sample, "--document", doc, "--layout-report",
                            layout_path], stdout=log, stderr=subprocess.STDOUT)
    try:
        # The window, found by its title as a person would see it.
        wid = xdo("search", "--sync", "--onlyvisible", "--name", "pcanno view",
                  timeout=TIMEOUT).split()[0]
        wait_for(lambda: os.path.exists(layout_path) and os.path.getsize(layout_path) > 0,
                 "the layout report")
        time.sleep(0.3)
        layout = json.load(open(layout_path))
        main_view, top = layout["main"], layout["top"]
        # Keys go where the X focus is: focus the window with the pointer over the main view.
        xdo("mousemove", main_view["x"] + main_view["width"] // 2,
            main_view["y"] + main_view["height"] // 2)
        xdo("windowfocus", "--sync", wid)
        time.sleep(0.3)

        def screen(wx, wy):
            """Screen pixel of world (wx, wy) in the north-up top view."""
            mpp, (fx, fy, _) = top["meters_per_pixel"], top["focus"]
            return (round(top["x"] + top["width"] / 2 + (wx - fx) / mpp),
                    round(top["y"] + top["height"] / 2 - (wy - fy) / mpp))

        def world(px, py):
            mpp, (fx, fy, _) = top["meters_per_pixel"], top["focus"]
            return (fx + (px - top["x"] - top["width"] / 2) * mpp,
                    fy - (py - top["y"] - top["height"] / 2) * mpp)

        xdo("key", "2")  # class 2 of an empty document's palette: Van
        xdo("key", "n")  # new box
        time.sleep(0.2)
        (x0, y0), (x1, y1) = screen(11.5, 6.3), screen(15.9, 2.9)
        xdo("mousemove", x0, y0)
        time.sleep(0.1)
        xdo("mousedown", 1)
        for i in range(1, 9):
            xdo("mousemove", x0 + (x1 - x0) * i // 8, y0 + (y1 - y0) * i // 8)
            time.sleep(0.03)
        xdo("mouseup", 1)
        time.sleep(0.3)
        xdo("key", "ctrl+s")
        wait_for(lambda: os.path.exists(doc), "the saved document")
        time.sleep(0.2)

        saved = json.load(open(doc))
        tracks = saved["tracks"]
        assert len(tracks) == 1, f"expected one track, got {len(tracks)}"
        assert tracks[0]["label"] == "Van", tracks[0]["label"]
        box = tracks[0]["boxes"][0]
        (wx0, wy0), (wx1, wy1) = world(x0, y0), world(x1, y1)
        tol = 1.5 * top["meters_per_pixel"]
        expect = {"length": abs(wx1 - wx0), "width": abs(wy1 - wy0),
                  "x": (wx0 + wx1) / 2, "y": (wy0 + wy1) / 2}
        got = {"length": box["size"][0], "width": box["size"][1],
               "x": box["center"][0], "y": box["center"][1]}
        for k in expect:
            assert abs(got[k] - expect[k]) <= tol, f"{k}: got {got[k]:.3f}, expected {expect[k]:.3f}"
        assert box["frame"] == 0 and box["keyframe"], box
        print(f"ok: {got}")
        return 0
    except Exception as e:  # report, show the app's log, and fail
        log.flush()
        print(f"FAILED: {e}\n--- pcanno view log ---\n{open(log.name).read()}")
        return 1
    finally:
        app.terminate()
        try:
            app.wait(timeout=5)
        except subprocess.TimeoutExpired:
            app.kill()
            app.wait()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
