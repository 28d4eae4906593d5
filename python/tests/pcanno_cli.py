"""The `pcanno` command line for the tests that compare the module with it (test_automation_*):
where it is, running it, and its --json output."""
import json
import os
import pathlib
import subprocess

import pytest


def cli_executable():
    """PCANNO_CLI (ctest sets it), else build/app/pcanno; skips when the CLI is not built."""
    exe = os.environ.get("PCANNO_CLI")
    if not exe:
        exe = pathlib.Path(os.environ.get("PCANNO_BUILD_DIR", "build")) / "app" / "pcanno"
        if not exe.exists():
            pytest.skip("the pcanno CLI is not built (PCANNO_CLI unset)")
    return exe


def run(args, env=None, check=True):
    """Runs `args` (str() of each) and returns the completed process; `check`: it must exit 0."""
    done = subprocess.run([str(a) for a in args], capture_output=True, text=True, env=env)
    if check:
        assert done.returncode == 0, done.stdout + done.stderr
    return done


def cli(*args, exit_codes=(0,)):
    """`pcanno ARGS...`, which must exit with one of `exit_codes`."""
    done = run([cli_executable(), *args], check=False)
    assert done.returncode in exit_codes, done.stderr
    return done


def cli_json(*args, exit_codes=(0,)):
    """`pcanno ARGS... --json`, parsed."""
    return json.loads(cli(*args, "--json", exit_codes=exit_codes).stdout)
