#!/usr/bin/env python3
"""Convert a label set between formats with pcanno, and print what was written and dropped.

    python3 examples/python/convert_labels.py INPUT OUT --to FORMAT [--sequence DATASET]

For example, KITTI tracking labels to OpenLABEL (KITTI needs its calibration, from the dataset):

    python3 examples/python/convert_labels.py \
        sample_data/kitti_tracking/training/label_02/0000.txt /tmp/0000.json \
        --to openlabel --sequence sample_data/kitti_tracking/training

The formats are those of `pcanno.label_formats()` (KITTI object, KITTI tracking, nuScenes,
OpenLABEL, the native pcanno document, and any plugin's on PCANNO_PLUGIN_PATH). Run with
PYTHONPATH=build/python from a build tree, or after `cmake --install`.
"""
import argparse
import sys

import pcanno


def main(argv=None):
    formats = [f["id"] for f in pcanno.label_formats() if f["write"]]
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("input", help="label file, label folder or dataset root")
    parser.add_argument("out", help="output file or folder")
    parser.add_argument("--to", required=True, choices=formats, help="output format")
    parser.add_argument("--from", dest="from_format", default="",
                        help="input format (default: detected)")
    parser.add_argument("--sequence", help="dataset giving calibration and poses")
    parser.add_argument("--sequence-name", default="", help="sequence or scene inside it")
    parser.add_argument("-f", "--force", action="store_true", help="replace existing output")
    args = parser.parse_args(argv)

    try:
        report = pcanno.convert(args.input, args.out, to=args.to, from_format=args.from_format,
                                sequence=args.sequence, sequence_name=args.sequence_name,
                                overwrite=args.force)
    except pcanno.Error as error:  # carries the path and line of what was wrong
        print(f"error: {error}", file=sys.stderr)
        return 1

    print(f"read {report['boxes_read']} boxes in {report['tracks_read']} tracks, "
          f"{report['ignore_regions_read']} ignore regions ({report['read_format']})")
    print(f"wrote {report['boxes_written']} boxes, {report['ignore_regions_written']} ignore "
          f"regions, {report['polyline_states_written']} polyline states ({report['format']})")
    for path in report["written"]:
        print(f"  {path}")
    for reason, count in sorted(report["dropped"].items()):
        print(f"dropped {count} {reason}")
    for reason, count in sorted(report["warnings"].items()):
        print(f"warning: {count} {reason}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
