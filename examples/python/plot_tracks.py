#!/usr/bin/env python3
"""Plot completed tracks: bird's-eye-view trajectories and the IoU of every frame, as a PNG.

Keyframes are kept from the ground truth of a KITTI tracking sequence (each track's first, every
K-th and last box), pcanno completes the other frames, and the figure shows
  left:  each track's box centres on the ground plane, ground truth against the completion, the
         keyframes marked (each box in the LiDAR frame of its own frame: KITTI tracking has no
         poses, so this is the object's path relative to the moving sensor);
  right: the 3D IoU of each completed box against the ground truth per frame, per track, and
         the mean over the frame's boxes.
It prints the mean 3D IoU of each frame (completed boxes only: keyframes are excluded).

matplotlib is Debian's (python3-matplotlib), with the Agg backend: no display is needed.

    PYTHONPATH=build/python python3 examples/python/plot_tracks.py --out tracks.png
"""
import argparse
import pathlib
import sys

import matplotlib

matplotlib.use("Agg")  # before pyplot: render to files only
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

import pcanno  # noqa: E402

SAMPLE = pathlib.Path(__file__).resolve().parents[2] / "sample_data/kitti_tracking/training"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dataset", nargs="?", default=str(SAMPLE),
                        help="KITTI tracking training/ folder (default: the sample data)")
    parser.add_argument("--sequence-name", default="0000")
    parser.add_argument("--keyframes-every", type=int, default=2)
    parser.add_argument("--method", default="interpolate",
                        choices=["linear", "interpolate", "propagate", "auto"])
    parser.add_argument("--out", default="tracks.png", help="PNG to write")
    args = parser.parse_args(argv)
    dataset = pathlib.Path(args.dataset)
    labels = dataset / "label_02" / f"{args.sequence_name}.txt"

    truth = pcanno.read_labels(labels, sequence=dataset, sequence_name=args.sequence_name)
    completed = pcanno.track(dataset, labels, sequence_name=args.sequence_name,
                             method=args.method, keyframes_every=args.keyframes_every)
    score = pcanno.eval(completed, truth, sequence=dataset, sequence_name=args.sequence_name,
                        exclude_keyframes=True)

    fig, (bev, iou) = plt.subplots(1, 2, figsize=(12, 5))
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for i, track in enumerate(truth.tracks):
        colour = colours[i % len(colours)]
        _, gt_rows = track.boxes_array(columns=7)  # x y z l w h yaw, LiDAR frame of each frame
        bev.plot(gt_rows[:, 0], gt_rows[:, 1], "-", color=colour, alpha=0.4, linewidth=4,
                 label=f"{track.label} {track.id} truth")
        done = completed.track(track.id)
        _, rows = done.boxes_array(columns=7)
        keys = [box.keyframe for box in done.boxes]
        bev.plot(rows[:, 0], rows[:, 1], ".--", color=colour, label=f"{track.label} {track.id}")
        bev.plot(rows[keys, 0], rows[keys, 1], "s", color=colour, markerfacecolor="none")
        boxes = [b for b in score["boxes"] if b["track"] == track.id]
        if boxes:
            iou.plot([b["frame"] for b in boxes], [b["iou_3d"] for b in boxes], "o-",
                     color=colour, alpha=0.6, label=f"{track.label} {track.id}")
    frames = [f["frame"] for f in score["frame_results"]]
    means = [f["iou"]["mean_iou_3d"] for f in score["frame_results"]]
    iou.plot(frames, means, "k-", linewidth=2, label="mean")
    bev.set(title="box centres (squares: keyframes)", xlabel="x [m, LiDAR]",
            ylabel="y [m, LiDAR]", aspect="equal")
    bev.legend(fontsize="small")
    iou.set(title=f"{args.method}, keyframes every {args.keyframes_every}: completed boxes",
            xlabel="frame", ylabel="3D IoU with the ground truth", ylim=(0, 1.02))
    iou.xaxis.set_major_locator(MaxNLocator(integer=True))
    iou.legend(fontsize="small")
    fig.tight_layout()
    fig.savefig(args.out)

    print(f"wrote {args.out}: {len(truth.tracks)} tracks, {score['overall']['boxes']} completed "
          f"boxes scored")
    for frame, mean in zip(frames, means):
        print(f"frame {frame}: mean 3D IoU {mean:.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
