"""The README's Python example runs as written, from the repository root."""
import os
import re
import subprocess
import sys

from conftest import SOURCE_DIR


def test_the_readme_python_example_runs():
    readme = (SOURCE_DIR / "README.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", readme, flags=re.S)
    assert len(blocks) == 1, "README.md should hold one ```python example"
    script = blocks[0] + "\nprint('boxes', frame0.boxes.shape[0])\n"
    result = subprocess.run([sys.executable, "-c", script], cwd=SOURCE_DIR, env=os.environ,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    # Frame 0's boxes are the label file's frame-0 rows but DontCare; the completion of frames 1-3
    # between keyframes 0 and 4 measured 0.94 mean 3D IoU.
    frame0_rows = [row for row in (SOURCE_DIR / "sample_data/kitti_tracking/training/label_02/"
                                   "0000.txt").read_text().splitlines()
                   if row.split()[0] == "0" and row.split()[2] != "DontCare"]
    assert lines[-1] == f"boxes {len(frame0_rows)}"
    assert lines[-2].startswith("mean 3D IoU ") and float(lines[-2].split()[-1]) > 0.8
