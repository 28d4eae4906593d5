#!/usr/bin/env python3
"""Complete tracks from keyframes and score them against the full ground truth.

The ground-truth labels of a KITTI tracking sequence are thinned to keyframes (each track's first,
every K-th and last box), pcanno completes the frames in between, and the completed boxes -- not
the keyframes, which were given -- are scored against the labels they replaced: 3D and BEV IoU,
matched by track id and frame. The same as

    pcanno track DATASET LABELS --keyframes-every K --method M --to pcanno --out pred.pcanno.json
    pcanno eval pred.pcanno.json LABELS --sequence DATASET --exclude-keyframes

Run from the repository root (defaults to the sample data):

    PYTHONPATH=build/python python3 examples/python/complete_and_score.py
    PYTHONPATH=build/python python3 examples/python/complete_and_score.py \\
        ../shared/data/kitti_tracking/training --keyframes-every 5 --method auto
"""
import argparse
import pathlib
import sys

import pcanno

SAMPLE = pathlib.Path(__file__).resolve().parents[2] / "sample_data/kitti_tracking/training"


def figures(name, summary):
    """One line of the table: the figures of an IouSummary dict of pcanno.eval()."""
    return (f"{name:<12} {summary['boxes']:>5} {summary['missed']:>6} "
            f"{summary['mean_iou_3d']:>8.3f} {summary['mean_iou_bev']:>8.3f} "
            f"{100 * summary['fraction_3d_50']:>6.1f}% {100 * summary['fraction_3d_70']:>6.1f}%")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dataset", nargs="?", default=str(SAMPLE),
                        help="KITTI tracking training/ folder (default: the sample data)")
    parser.add_argument("--labels", help="ground truth (default: DATASET/label_02/SEQUENCE.txt)")
    parser.add_argument("--sequence-name", default="0000", help="sequence inside the dataset")
    parser.add_argument("--keyframes-every", type=int, default=2, help="keep every K-th box")
    parser.add_argument("--method", default="interpolate",
                        choices=["linear", "interpolate", "propagate", "auto"])
    args = parser.parse_args(argv)
    dataset = pathlib.Path(args.dataset)
    labels = pathlib.Path(args.labels or dataset / "label_02" / f"{args.sequence_name}.txt")

    shown = [-1]

    def progress(fraction):
        # Called often and from the engine's thread with the GIL taken: keep it cheap. Returning
        # False (or raising, or Ctrl+C) would cancel the completion.
        if sys.stderr.isatty() and int(20 * fraction) != shown[0]:
            shown[0] = int(20 * fraction)
            print(f"\rcompleting tracks {100 * fraction:3.0f}%", end="", file=sys.stderr)
        return True

    completed, report = pcanno.track(dataset, labels, sequence_name=args.sequence_name,
                                     method=args.method, keyframes_every=args.keyframes_every,
                                     progress=progress, with_report=True)
    if shown[0] >= 0:
        print(file=sys.stderr)
    score = pcanno.eval(completed, labels, sequence=dataset, sequence_name=args.sequence_name,
                        exclude_keyframes=True)
    print(f"{report['method']}: {report['keyframes']} keyframe boxes in {report['tracks']} tracks, "
          f"{report['boxes_added']} boxes added")
    print(f"{'class':<12} {'boxes':>5} {'missed':>6} {'mean 3D':>8} {'mean BEV':>8} "
          f"{'3D>=.5':>7} {'3D>=.7':>7}")
    for cls in score["classes"]:
        print(figures(cls["label"], cls["iou"]))
    print(figures("overall", score["overall"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
