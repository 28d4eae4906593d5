#!/usr/bin/env python3
"""End to end: `pcanno view` on sample_data/ under X, driven with xdotool as a person would.

Class hotkey 2 (Van), N, a drag in the top view around the van ahead on the left, Ctrl+S to the
document given by --document; then the document on disk must hold that box, sized as the drag
spans on the screen. Exit 77 (skipped) without a display or xdotool.

usage: e2e_xdotool.py PCANNO_BINARY SAMPLE_DATA_DIR
"""
import json
import os
import sys
import tempfile

import xdo_support as x


def main():
    args = x.script_args(sys.argv, __doc__)
    if isinstance(args, int):
        return args
    binary, sample = args
    tmp = tempfile.mkdtemp(prefix="pcanno_e2e_")
    env = dict(os.environ, XDG_STATE_HOME=os.path.join(tmp, "state"))
    doc = os.path.join(tmp, "e2e.pcanno.json")
    view = x.View(binary, [sample, "--document", doc], tmp, env)

    def scenario():
        view.wait_for_window()
        x.xdo("key", "2")  # class 2 of an empty document's palette: Van
        expect = view.draw_box((11.5, 6.3), (15.9, 2.9))
        x.xdo("key", "ctrl+s")
        x.wait_for(lambda: os.path.exists(doc), "the saved document")
        saved = json.load(open(doc))
        tracks = saved["tracks"]
        assert len(tracks) == 1, f"expected one track, got {len(tracks)}"
        assert tracks[0]["label"] == "Van", tracks[0]["label"]
        box = tracks[0]["boxes"][0]
        got = x.assert_box(box, expect)
        assert box["frame"] == 0 and box["keyframe"], box
        return f"{got}"

    return x.run_with_view(view, tmp, scenario)


if __name__ == "__main__":
    sys.exit(main())
