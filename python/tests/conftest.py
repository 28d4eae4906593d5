"""Fixtures of the Python suite: where the data is, and how a missing shared folder is reported.

ctest sets PCANNO_SOURCE_DIR, PCANNO_SHARED_DATA and PYTHONPATH (python/CMakeLists.txt). As in the
C++ suites, tests on ../shared/data skip with a message in a user's clone and fail when CI is set.
"""
import os
import pathlib

import pytest

import pcanno

SOURCE_DIR = pathlib.Path(os.environ.get("PCANNO_SOURCE_DIR",
                                         pathlib.Path(__file__).resolve().parents[2]))


@pytest.fixture(scope="session")
def sample_data():
    return SOURCE_DIR / "sample_data"


def skip_or_fail(message):
    """Skips with `message` in a user's clone; fails under CI, where everything must be there."""
    if os.environ.get("CI"):
        pytest.fail(message + "; CI requires it")
    pytest.skip(message)


def require_shared(relative=""):
    """The shared real-data folder (or a path inside it); skips, or fails under CI, when absent."""
    root = pathlib.Path(os.environ.get("PCANNO_SHARED_DATA", SOURCE_DIR.parent / "shared" / "data"))
    path = root / relative
    if not path.exists():
        skip_or_fail(f"shared real data not found at {path} (see ../shared/data/README.md)")
    return path


@pytest.fixture(scope="session")
def shared_data():
    return require_shared()


@pytest.fixture(scope="session")
def sample(sample_data):
    """(root, labels) of the KITTI tracking sample: training/ and its label_02/0000.txt."""
    root = sample_data / "kitti_tracking/training"
    return root, root / "label_02/0000.txt"


@pytest.fixture
def private_cache(tmp_path, monkeypatch):
    """XDG_CACHE_HOME in the test's folder: a cache write (ego motion, ...) stays out of ~."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))


@pytest.fixture
def kitti(sample_data, tmp_path):
    """A Session on the sample KITTI tracking sequence and its labels (closed afterwards)."""
    root = sample_data / "kitti_tracking/training"
    session = pcanno.Session(sequence=root, labels=root / "label_02/0000.txt",
                             recovery_folder=tmp_path / "recovery")
    yield session
    session.close()
