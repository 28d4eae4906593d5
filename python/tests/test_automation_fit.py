"""pcanno.fit: the box `pcanno fit --json` fits, on the sample and shared KITTI tracking frames."""

import numpy as np
import pytest

import pcanno
from pcanno_cli import cli_json


# Seeds at the centres of the official frame-0 boxes (van, cyclist, pedestrian) in the LiDAR frame.
@pytest.mark.parametrize("seed,label", [((13.70, 4.57, -0.74), "Van"),
                                        ((13.70, 4.57, -0.74), None),
                                        ((6.07, -1.62, -0.84), "Cyclist"),
                                        ((8.75, -6.29, -0.85), "Pedestrian")])
def test_fit_equals_the_cli_on_sample_data(sample_data, seed, label):
    root = sample_data / "kitti_tracking/training"
    args = ["fit", root, "--frame", 0, "--seed", ",".join(map(str, seed))]
    if label:
        args += ["--class", label]
    expected = cli_json(*args)
    got = pcanno.fit(str(root), 0, np.array(seed), label=label)
    assert got == expected
    assert got["frame_of_reference"] == "lidar" and got["points"] > 0
    if label == "Van":
        # The van of the official labels (frame 0, track 0) is 4.43 x 1.82 m.
        assert abs(got["size"][0] - 4.43) < 0.5 and abs(got["size"][1] - 1.82) < 0.3


def test_fit_with_heading_and_other_frames_equals_the_cli(shared_data):
    root = shared_data / "kitti_tracking/training"
    for frame in (5, 19):
        expected = cli_json("fit", root, "--frame", frame, "--seed", "14.5,5.0,-0.6",
                            "--heading", "0.6", "--class", "Van")
        assert pcanno.fit(root, frame, (14.5, 5.0, -0.6), heading=0.6, label="Van") == expected


def test_fit_takes_an_object_naming_the_sequence(sample_data):
    class Opened:  # what pcanno.Sequence offers: where it was opened, and which sequence
        path = sample_data / "kitti_tracking/training"
        name = "0000"

    seed = (13.70, 4.57, -0.74)
    assert pcanno.fit(Opened(), 0, seed) == pcanno.fit(Opened.path, 0, seed)


def test_fit_bad_inputs(sample_data, tmp_path):
    root = sample_data / "kitti_tracking/training"
    with pytest.raises(pcanno.InvalidArgumentError) as info:
        pcanno.fit(root, 5, (13.7, 4.57, -0.74))
    assert info.value.path == str(root) and "0..4" in info.value.message
    with pytest.raises(pcanno.InvalidArgumentError, match="no object"):
        pcanno.fit(root, 0, (300.0, 300.0, 0.0))  # beyond the sensor's range
    with pytest.raises(pcanno.InvalidArgumentError, match="seed"):
        pcanno.fit(root, 0, (1.0, 2.0))
    with pytest.raises(TypeError, match="sequence"):
        pcanno.fit(3, 0, (1.0, 2.0, 0.0))
    missing = tmp_path / "nowhere"
    with pytest.raises(pcanno.NotFoundError) as info:
        pcanno.fit(missing, 0, (1.0, 2.0, 0.0))
    assert info.value.path == str(missing)
