#!/usr/bin/env python3
"""End to end: a project store task through `pcanno view` under X, driven with xdotool.

make_task_store makes a SQLite store with one task for alice. Alice opens it (--db --task), draws
a box (class 2, N, a drag) and submits (Ctrl+Shift+Return); rita opens it for review, comments
(Ctrl+Shift+C) and rejects it with a reason (Ctrl+Shift+R); alice opens it again and the title
says "1 open comment". The store file is then read (read-only) with Python's sqlite3: the task is
in progress again, her box was committed, and rita's comment is stored. Exit 77 (skipped)
without a display or xdotool.

usage: e2e_task_review_xdotool.py PCANNO_BINARY SAMPLE_DATA_DIR MAKE_TASK_STORE_BINARY
"""
import os
import sqlite3
import subprocess
import sys
import tempfile
import time

import xdo_support as x

COMMENT = "rear of the van cut off"
REASON = "box too short"


def query(db, sql, *args):
    """Rows of `sql` on the store, opened read-only."""
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10)
    try:
        return con.execute(sql, args).fetchall()
    finally:
        con.close()


def state(db, task):
    return query(db, "SELECT state FROM tasks WHERE id = ?", int(task))[0][0]


def title(wid):
    return x.xdo("getwindowname", wid).strip()


def close(view, wid):
    """Ctrl+Q, as a person quits; the process must end by itself (it lets go of the lease)."""
    x.xdo("windowfocus", "--sync", wid)
    x.xdo("key", "ctrl+q")
    view.process.wait(timeout=30)


def type_into(dialog_title, text):
    wid = x.find_window(dialog_title)
    x.xdo("windowfocus", "--sync", wid)
    time.sleep(0.3)
    x.xdo("type", "--delay", "5", text)
    time.sleep(0.2)
    x.xdo("key", "Return")
    x.wait_for(lambda: not x.window_exists(dialog_title), f"the {dialog_title} dialog to close")


def main():
    if len(sys.argv) != 4:
        print(__doc__)
        return 2
    args = x.script_args(sys.argv[:3], __doc__)
    if isinstance(args, int):
        return args
    binary, sample = args
    make_store = sys.argv[3]
    tmp = tempfile.mkdtemp(prefix="pcanno_e2e_task_")
    env = dict(os.environ, XDG_STATE_HOME=os.path.join(tmp, "state"))
    env.pop("PCANNO_DB", None)
    db = os.path.join(tmp, "project.db")
    task = subprocess.run([make_store, db, os.path.join(sample, "kitti_tracking")], check=True,
                          capture_output=True, text=True, timeout=60).stdout.strip()
    task_id = int(task)
    url = f"sqlite:{db}"
    named = f"task {task} "

    alice = x.View(binary, ["--db", url, "--user", "alice", "--task", task], tmp, env, "alice")

    def scenario():
        wid = alice.wait_for_window(named)
        assert "lease alice until" in title(wid), title(wid)
        x.xdo("key", "2")  # class 2 of an empty document's palette: Van
        alice.draw_box((11.5, 6.3), (15.9, 2.9))
        x.wait_for(lambda: query(db, "SELECT COUNT(*) FROM label_commits WHERE task_id = ?",
                                 task_id)[0][0] >= 1, "the box in the store")
        x.xdo("key", "ctrl+shift+Return")
        x.wait_for(lambda: state(db, task) == "submitted", "the task submitted")
        close(alice, wid)

        rita = x.View(binary, ["--db", url, "--user", "rita", "--task", task, "--review"], tmp,
                      env, "rita")
        try:
            wid = rita.wait_for_window(named)
            assert state(db, task) == "in_review", state(db, task)
            x.xdo("key", "ctrl+shift+c")
            type_into("^Comment$", COMMENT)
            x.wait_for(lambda: query(db, "SELECT COUNT(*) FROM comments")[0][0] == 1,
                       "the comment in the store")
            x.xdo("windowfocus", "--sync", wid)
            x.xdo("key", "ctrl+shift+r")
            type_into("^Reject$", REASON)
            x.wait_for(lambda: state(db, task) == "rejected", "the task rejected")
            close(rita, wid)
        except Exception:
            print(f"--- rita's log ---\n{rita.log_text()}")
            raise
        finally:
            rita.stop()

        again = x.View(binary, ["--db", url, "--user", "alice", "--task", task], tmp, env,
                       "alice-again")
        try:
            wid = again.wait_for_window(named)
            x.wait_for(lambda: "1 open comment" in title(wid), "'1 open comment' in the title")
            seen = title(wid)
            close(again, wid)
        except Exception:
            print(f"--- alice's second log ---\n{again.log_text()}")
            raise
        finally:
            again.stop()

        assert state(db, task) == "in_progress", state(db, task)
        commits = query(db, "SELECT COUNT(*) FROM label_commits WHERE task_id = ?",
                        task_id)[0][0]
        assert commits >= 1, commits
        comments = query(db, "SELECT author, text FROM comments WHERE task_id = ?", task_id)
        assert comments == [("rita", COMMENT)], comments
        reasons = query(db, "SELECT who, reason FROM task_events WHERE task_id = ? AND "
                            "to_state = 'rejected'", task_id)
        assert reasons == [("rita", REASON)], reasons
        return f"title '{seen}', {commits} commits, comment {comments[0]}"

    return x.run_with_view(alice, tmp, scenario)


if __name__ == "__main__":
    sys.exit(main())
