"""What the xdotool end-to-end tests share: driving `pcanno view` under X as a person would.

The window reports where its views are (--layout-report) so that drags can be aimed; everything
else goes through the X server: keys, the pointer, the dialogs found by their titles.
"""
import json
import os
import shutil
import subprocess
import time

TIMEOUT = 40.0  # [s] for windows, reports and files to appear


def available():
    """True with an X display and xdotool; the tests exit 77 (skipped) otherwise."""
    return bool(os.environ.get("DISPLAY")) and shutil.which("xdotool") is not None


def script_args(argv, usage):
    """(binary, sample) from a script's argv, or its exit code: 2 (usage) or 77 (skipped) when
    there is no X display or no xdotool."""
    if len(argv) != 3:
        print(usage)
        return 2
    if not available():
        print("no X display or no xdotool: skipped")
        return 77
    return argv[1], argv[2]


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


def visible_windows(title, pid=None):
    """Ids of the visible X windows whose title contains `title` (of process `pid` if given).
    xdotool fails when a window it inspects is destroyed meanwhile (the previous test's window
    closing): that counts as none found, and the callers poll."""
    args = ["xdotool", "search", "--onlyvisible", "--name", title]
    if pid is not None:
        # --all: xdotool's default (--any) would match any window of `pid` or any window titled so.
        args[2:2] = ["--all", "--pid", str(pid)]
    result = subprocess.run(args, capture_output=True, text=True, timeout=10)
    return result.stdout.split() if result.returncode == 0 else []


def find_window(title, timeout=TIMEOUT, pid=None):
    """The X window whose title contains `title`, once it is visible."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        found = visible_windows(title, pid)
        if found:
            return found[0]
        time.sleep(0.1)
    raise TimeoutError(f"timed out waiting for a visible window titled '{title}'")


def window_exists(title):
    return bool(visible_windows(title))


class View:
    """A running `pcanno view`, its log, and its views' screen geometry."""

    def __init__(self, binary, args, workdir, env=None, name="view"):
        self.layout_path = os.path.join(workdir, f"{name}-layout.json")
        self.log_path = os.path.join(workdir, f"{name}.log")
        self.log = open(self.log_path, "w")
        self.process = subprocess.Popen(
            [binary, "view", *args, "--layout-report", self.layout_path],
            stdout=self.log, stderr=subprocess.STDOUT, env=env)
        self.layout = None

    def wait_for_window(self, title="pcanno view"):
        """Waits for the main window (titled `title`) and its layout report; focuses it over the
        main view."""
        wid = find_window(title, pid=self.process.pid)
        wait_for(lambda: os.path.exists(self.layout_path) and
                 os.path.getsize(self.layout_path) > 0, "the layout report")
        time.sleep(0.3)
        self.layout = json.load(open(self.layout_path))
        main_view = self.layout["main"]
        # Keys go where the X focus is: focus the window with the pointer over the main view.
        xdo("mousemove", main_view["x"] + main_view["width"] // 2,
            main_view["y"] + main_view["height"] // 2)
        xdo("windowfocus", "--sync", wid)
        time.sleep(0.3)
        return wid

    def reload_layout(self):
        """The views as they are now (the window rewrites the report when they change)."""
        self.layout = json.load(open(self.layout_path))

    def screen(self, wx, wy):
        """Screen pixel of world (wx, wy) in the top view."""
        top = self.layout["top"]
        mpp, (fx, fy, _) = top["meters_per_pixel"], top["focus"]
        (rx, ry, _), (ux, uy, _) = top["right"], top["up"]
        dx, dy = wx - fx, wy - fy
        return (round(top["x"] + top["width"] / 2 + (dx * rx + dy * ry) / mpp),
                round(top["y"] + top["height"] / 2 - (dx * ux + dy * uy) / mpp))

    def world(self, px, py):
        top = self.layout["top"]
        mpp, (fx, fy, _) = top["meters_per_pixel"], top["focus"]
        (rx, ry, _), (ux, uy, _) = top["right"], top["up"]
        sx = (px - top["x"] - top["width"] / 2) * mpp
        sy = -(py - top["y"] - top["height"] / 2) * mpp
        return (fx + sx * rx + sy * ux, fy + sx * ry + sy * uy)

    def draw_box(self, corner_a, corner_b):
        """N, then a drag in the top view from world corner_a to corner_b (x, y). Returns the
        footprint the drag spans on the screen, in the world (length, width, x, y), and the
        tolerance [m] that a pixel or so of aiming error amounts to."""
        xdo("key", "n")
        time.sleep(0.3)
        self.reload_layout()
        (x0, y0), (x1, y1) = self.screen(*corner_a), self.screen(*corner_b)
        top = self.layout["top"]
        for px, py in ((x0, y0), (x1, y1)):
            inside = (top["x"] < px < top["x"] + top["width"] and
                      top["y"] < py < top["y"] + top["height"])
            assert inside, f"({px}, {py}) of {corner_a} - {corner_b} is outside the top view {top}"
        xdo("mousemove", x0, y0)
        time.sleep(0.1)
        xdo("mousedown", 1)
        for i in range(1, 9):
            xdo("mousemove", x0 + (x1 - x0) * i // 8, y0 + (y1 - y0) * i // 8)
            time.sleep(0.03)
        xdo("mouseup", 1)
        time.sleep(0.3)
        # A new box lies along the screen: its length across, its width up the screen.
        mpp = self.layout["top"]["meters_per_pixel"]
        cx, cy = self.world((x0 + x1) / 2, (y0 + y1) / 2)
        return {"length": abs(x1 - x0) * mpp, "width": abs(y1 - y0) * mpp, "x": cx, "y": cy,
                "tolerance": 1.5 * mpp}

    def log_text(self):
        self.log.flush()
        return open(self.log_path).read()

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


def answer_dialog(title, keys):
    """Focuses the dialog titled `title` and types `keys` (xdotool key names) into it."""
    wid = find_window(title)
    xdo("windowfocus", "--sync", wid)
    time.sleep(0.3)
    for k in keys:
        xdo("key", k)
        time.sleep(0.1)


def save_as(path):
    """In the open "Save document" dialog: the file name replaced by `path`, then Return (again
    while the dialog is still up: its file model may not have caught up with the typed folder)."""
    wid = find_window("Save document")
    xdo("windowfocus", "--sync", wid)
    time.sleep(0.4)
    xdo("key", "ctrl+a")
    xdo("type", "--delay", "5", path)
    time.sleep(0.5)
    for _ in range(5):
        xdo("key", "Return")
        end = time.monotonic() + 2.0
        while time.monotonic() < end and window_exists("Save document"):
            time.sleep(0.1)
        if not window_exists("Save document"):
            return
    raise TimeoutError("the Save document dialog did not take the file name")


def assert_box(box, expect):
    """`box` (a document's box) is the footprint `expect` that draw_box() returned."""
    got = {"length": box["size"][0], "width": box["size"][1],
           "x": box["center"][0], "y": box["center"][1]}
    for k in got:
        assert abs(got[k] - expect[k]) <= expect["tolerance"], \
            f"{k}: got {got[k]:.3f}, expected {expect[k]:.3f}"
    return got


def run_with_view(view, tmp, scenario):
    """Runs scenario() against the started `view` and prints "ok: " and what it returns; on an
    exception prints FAILED with the app's log. Stops the app and removes `tmp` either way.
    Returns the exit status."""
    try:
        print(f"ok: {scenario()}")
        return 0
    except Exception as e:  # report, show the app's log, and fail
        print(f"FAILED: {e}\n--- pcanno view log ---\n{view.log_text()}")
        return 1
    finally:
        view.stop()
        shutil.rmtree(tmp, ignore_errors=True)
