#!/usr/bin/env python3
"""End to end: a click on a box projected into a camera of `pcanno view` selects it in the 3D views.

On the real nuScenes scene-0061 keyframe with its six cameras (the shared data): the window's
layout report lists the camera views on the screen and, for each box projected into one, a
screen point inside its outline. The real pointer (xdotool) clicks such a box in CAM_FRONT; the
report must then list that track as drawn selected by the main (3D) view, which it reads from the
view's scene, and no other. Exit 77 (skipped) without a display, xdotool or the data (under CI
missing data fails).

usage: e2e_camera_xdotool.py PCANNO_BINARY NUSCENES_CAMERAS_DATAROOT
"""
import os
import sys
import tempfile
import time

import xdo_support as x


def in_ci():
    return os.environ.get("CI", "") not in ("", "0", "false")


def main():
    args = x.script_args(sys.argv, __doc__)
    if isinstance(args, int):
        return args
    binary, root = args
    if not os.path.isdir(os.path.join(root, "samples", "CAM_FRONT")):
        print(f"test data not found: {root}")
        return 1 if in_ci() else 77
    tmp = tempfile.mkdtemp(prefix="pcanno_e2e_camera_")
    env = dict(os.environ, XDG_STATE_HOME=os.path.join(tmp, "state"))
    view = x.View(binary, [root], tmp, env)

    def cameras():
        view.reload_layout()
        return {c["channel"]: c for c in view.layout.get("cameras", [])}

    def scenario():
        view.wait_for_window()
        x.wait_for(lambda: len(cameras()) == 6 and cameras()["CAM_FRONT"]["boxes"],
                   "six cameras with boxes projected into CAM_FRONT")
        front = cameras()["CAM_FRONT"]
        assert view.layout["selected_in_main_view"] == [], view.layout["selected_in_main_view"]
        box = front["boxes"][-1]  # the nearest: drawn last, on top
        inside = (front["x"] <= box["x"] < front["x"] + front["width"] and
                  front["y"] <= box["y"] < front["y"] + front["height"])
        assert inside, f"{box} is outside the CAM_FRONT view {front}"
        x.xdo("mousemove", box["x"], box["y"])
        time.sleep(0.2)
        x.xdo("click", 1)
        x.wait_for(lambda: (view.reload_layout() or
                            view.layout["selected_in_main_view"] == [box["id"]]),
                   f"track {box['id']} drawn selected in the main view")
        return f"track {box['id']} selected from CAM_FRONT at ({box['x']}, {box['y']})"

    return x.run_with_view(view, tmp, scenario)


if __name__ == "__main__":
    sys.exit(main())
