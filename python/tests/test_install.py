"""`cmake --install` puts the package where Debian's python3 finds it, complete and importable."""
import os
import pathlib
import subprocess
import sys

import pytest

BUILD_DIR = os.environ.get("PCANNO_BUILD_DIR")
INSTALL_DIR = os.environ.get("PCANNO_PYTHON_INSTALL_DIR")
needs_build = pytest.mark.skipif(not BUILD_DIR or not INSTALL_DIR,
                                 reason="run through ctest (PCANNO_BUILD_DIR is not set)")


@needs_build
def test_the_default_install_folder_is_on_debians_python_path():
    # The default prefix is /usr/local; Debian's python3 searches
    # /usr/local/lib/python3.X/dist-packages, the folder the package goes to.
    default = pathlib.Path("/usr/local") / INSTALL_DIR
    assert str(default) in sys.path, (default, sys.path)


@needs_build
def test_installed_package_imports_and_reads_a_cloud(tmp_path, sample_data):
    prefix = tmp_path / "prefix"
    subprocess.run(["cmake", "--install", BUILD_DIR, "--component", "python", "--prefix",
                    str(prefix)], check=True, capture_output=True)
    site = prefix / INSTALL_DIR
    package = site / "pcanno"
    names = {p.name for p in package.iterdir()}
    assert {"__init__.py", "errors.py", "__init__.pyi", "py.typed"} <= names
    assert any(n.startswith("_pcanno.") and n.endswith(".so") for n in names), names

    script = ("import pcanno, sys; c = pcanno.read_cloud(sys.argv[1]); "
              "print(pcanno.__file__); print(len(c))")
    cloud = sample_data / "kitti_tracking/training/velodyne/0000/000000.bin"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["PYTHONPATH"] = str(site)
    # From a neutral folder: ctest runs in build/python, whose pcanno/ would shadow the install.
    out = subprocess.run([sys.executable, "-c", script, str(cloud)], env=env, cwd=tmp_path,
                         check=True, capture_output=True, text=True).stdout.split()
    assert pathlib.Path(out[0]).resolve().is_relative_to(site.resolve())
    assert int(out[1]) == cloud.stat().st_size // 16
