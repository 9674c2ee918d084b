"""``gymcore pose``: poses, sampled frames and angle timelines of one or two clips
(``gymcore.analyse_clips``)."""

from __future__ import annotations

import argparse


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("pose", help="poses, sampled frames and angle timelines of one or two clips")
    parser.add_argument("--front", help="frontal clip")
    parser.add_argument("--side", help="lateral clip")
    parser.add_argument("--json", dest="json_out", required=True, metavar="OUT", help="where to write the result")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from gymcore.perception.analysis import analyse_clips
    from gymcore.serialize import check_output_path, write_json

    check_output_path(args.json_out, "the poses", "poses.json")
    perception = analyse_clips(front=args.front, side=args.side)
    write_json(args.json_out, perception.to_dict())
    for view in perception.views().values():
        source = view.source
        print(f"{view.view}: {source.frame_count} frames, {source.duration_s:.1f} s at {source.fps:.1f} fps,"
              f" person found in {view.quality.detection_rate:.0%} of frames")
        for flag in view.quality.flags:
            print(f"  warning: {flag.message}")
    for flag in perception.flags:
        print(f"warning: {flag.message}")
    print(f"wrote {args.json_out}")
    return 0
