#!/usr/bin/env python3
"""End to end: a lane polyline drawn, edited, propagated and saved in `pcanno view` under X.

On sample_data/ (KITTI tracking): L, four clicks in the top view, Return (a 4-vertex line of the
default polyline class); Ctrl+S; one vertex dragged up in the side view (Shift: no snapping), which
follows the selected vertex; P (the "propagate" service with polyline=<id>, forward from frame 0);
Ctrl+S. The document on disk must then hold the 4-vertex line at frame 0 with the dragged vertex
raised, and a line of that polyline at every frame of the sequence. Exit 77 (skipped) without a
display or xdotool.

usage: e2e_polyline_xdotool.py PCANNO_BINARY SAMPLE_DATA_DIR
"""
import json
import os
import sys
import tempfile
import time

import xdo_support as x

# World points [m] ahead of the car, a lane's width to its right, for the four clicks.
VERTICES = [(9.0, -3.0), (13.0, -3.1), (17.0, -3.2), (21.0, -3.3)]
RISE_PIXELS = 15  # the side-view drag


def frame_count(sample):
    return sum(1 for _, _, files in os.walk(os.path.join(sample, "kitti_tracking"))
               for f in files if f.endswith(".bin"))


def click(px, py):
    x.xdo("mousemove", px, py)
    time.sleep(0.15)
    x.xdo("click", 1)
    time.sleep(0.3)


def saved_polylines(doc):
    try:
        return json.load(open(doc)).get("polylines", [])
    except (OSError, ValueError):
        return None


def save_until(doc, done, what, timeout=60.0):
    """Ctrl+S until the saved document satisfies `done` (a job may still hold the session: the
    save action is closed meanwhile). Returns the polylines saved last."""
    end = time.monotonic() + timeout
    last = None
    while time.monotonic() < end:
        x.xdo("key", "ctrl+s")
        time.sleep(1.0)
        last = saved_polylines(doc)
        if last is not None and done(last):
            return last
    raise TimeoutError(f"timed out waiting for {what}; last saved polylines: {last}")


def main():
    args = x.script_args(sys.argv, __doc__)
    if isinstance(args, int):
        return args
    binary, sample = args
    frames = frame_count(sample)
    assert frames >= 2, f"sample_data has {frames} KITTI frames"
    tmp = tempfile.mkdtemp(prefix="pcanno_e2e_polyline_")
    env = dict(os.environ, XDG_STATE_HOME=os.path.join(tmp, "state"))
    doc = os.path.join(tmp, "e2e.pcanno.json")
    view = x.View(binary, [sample, "--document", doc], tmp, env)

    def scenario():
        view.wait_for_window()
        x.xdo("key", "l")
        time.sleep(0.3)
        view.reload_layout()
        top = view.layout["top"]
        for wx, wy in VERTICES:
            px, py = view.screen(wx, wy)
            assert top["x"] < px < top["x"] + top["width"] and \
                top["y"] < py < top["y"] + top["height"], f"({wx}, {wy}) is outside the top view"
            click(px, py)
        x.xdo("key", "Return")
        time.sleep(0.3)
        drawn = save_until(doc, lambda p: len(p) == 1, "the drawn polyline")
        state = drawn[0]["states"][0]
        assert len(state["vertices"]) == 4, f"expected 4 vertices, got {state}"
        assert state["frame"] == 0 and not state["closed"], state

        # The line is selected with its last vertex: the side view looks at that vertex.
        time.sleep(0.6)  # the layout report follows the views every 250 ms
        view.reload_layout()
        side = view.layout["side"]
        px, py = side["x"] + side["width"] // 2, side["y"] + side["height"] // 2
        x.xdo("mousemove", px, py)
        time.sleep(0.2)
        x.xdo("keydown", "shift")
        x.xdo("mousedown", 1)
        for i in range(1, 9):
            x.xdo("mousemove", px, py - RISE_PIXELS * i // 8)
            time.sleep(0.03)
        x.xdo("mouseup", 1)
        x.xdo("keyup", "shift")
        time.sleep(0.3)
        rise = RISE_PIXELS * side["meters_per_pixel"]

        def raised(p):
            v = p[0]["states"][0]["vertices"]
            return len(v) == 4 and v[3][2] - state["vertices"][3][2] > 0.5 * rise

        save_until(doc, raised, "the dragged vertex")

        x.xdo("key", "p")  # propagate the selected polyline forward
        every = set(range(frames))
        final = save_until(doc, lambda p: {s["frame"] for s in p[0]["states"]} >= every,
                           f"lines at every frame 0-{frames - 1}")
        assert len(final) == 1, final
        states = {s["frame"]: s for s in final[0]["states"]}
        first = states[0]["vertices"]
        assert len(first) == 4 and first[3][2] - state["vertices"][3][2] > 0.5 * rise, first
        for f in range(1, frames):
            assert len(states[f]["vertices"]) >= 2, f"frame {f}: {states[f]}"
            assert not states[f]["keyframe"], f"frame {f} is a keyframe: {states[f]}"
        return f"polyline {final[0]['id']} ({final[0]['label']}) at frames {sorted(states)}"

    return x.run_with_view(view, tmp, scenario)


if __name__ == "__main__":
    sys.exit(main())
