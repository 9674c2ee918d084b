"""``python -m gymcore``: the library's functions as commands, word for word.

Every command turns a gymcore error into one sentence on stderr and exit status 2.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence

from gymcore.assess import register as _assess
from gymcore.errors import GymError
from gymcore.synth.command import register as _synth
from gymcore.evaluation import register as _evaluate
from gymcore.models.catalogue import register as _models
from gymcore.training import register as _train


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except GymError as error:
        print(str(error), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("Stopped.", file=sys.stderr)
        return 130


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m gymcore", description="Exercise form assessment from paired-view clips.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for register in COMMANDS:
        register(commands)
    return parser


def _criteria(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("criteria", help="list the criteria of each exercise")
    parser.add_argument("--json", action="store_true", help="print the catalogue as JSON")
    parser.set_defaults(run=_run_criteria)


def _run_criteria(args: argparse.Namespace) -> int:
    from gymcore.criteria import catalogue_dict

    catalogue = catalogue_dict()
    if args.json:
        print(json.dumps(catalogue, indent=1, ensure_ascii=False))
        return 0
    for exercise, items in catalogue.items():
        print(exercise)
        for item in items:
            print(f"  {item['id']:<18} {item['name']:<16} [{item['view']}] {item['cue']}")
    return 0


def _pose(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("pose", help="poses, sampled frames and angle timelines of one or two clips")
    parser.add_argument("--front", help="frontal clip")
    parser.add_argument("--side", help="lateral clip")
    parser.add_argument("--json", dest="json_out", required=True, metavar="OUT", help="where to write the result")
    parser.set_defaults(run=_run_pose)


def _run_pose(args: argparse.Namespace) -> int:
    from gymcore.perception import analyse_clips
    from gymcore.serialize import write_json

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


def _bench(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("bench", help="time the pipeline's stages and print a table")
    parser.add_argument("--front", help="frontal clip (default: a rendered 5 s 720p clip)")
    parser.add_argument("--side", help="lateral clip (default: a rendered 5 s 720p clip)")
    parser.add_argument("--runs", type=int, default=5, help="runs per measurement; the median is shown")
    parser.add_argument("--only", choices=("perception", "models"), help="run one of the two tables")
    parser.add_argument("--bf16", action="store_true", help="also time bfloat16 autocast (slow without AVX-512 BF16)")
    parser.add_argument("--compile", action="store_true", help="also time torch.compile (minutes to compile)")
    parser.set_defaults(run=_run_bench)


def _run_bench(args: argparse.Namespace) -> int:
    from gymcore.bench import run_bench
    from gymcore.bench_models import run_model_bench, run_shipped_bench

    if args.only != "models":
        print(run_bench(front=args.front, side=args.side, runs=args.runs).to_markdown(), flush=True)
    if args.only != "perception":
        print()
        print(run_model_bench(runs=args.runs, with_bf16=args.bf16, with_compile=args.compile).to_markdown())
        print()
        print(run_shipped_bench(runs=args.runs).to_markdown())
    return 0


# One registrar per line: each adds its sub-command (keep heavy imports inside the commands).
COMMANDS: list[Callable[[argparse._SubParsersAction], None]] = [
    _criteria,
    _pose,
    _bench,
    _assess,
    _train,
    _evaluate,
    _models,
    _synth,
]
