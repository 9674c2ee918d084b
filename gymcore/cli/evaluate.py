"""``gymcore evaluate``: the models on a dataset's split (``gymcore.evaluation.engine``), repetition
counting on demo clips (``gymcore.evaluation.repcount``), or the product on labelled clips
(``gymcore.evaluation.clips``)."""

from __future__ import annotations

import argparse

from gymcore.cli.parallel import add_parallel_options
from gymcore.cli.train import views_list
from gymcore.criteria import VIEWS
from gymcore.errors import InputError

DATA_SPLITS = ("test", "val", "train", "all")
CLIP_SPLITS = ("tuning", "held_out", "all")


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("evaluate", help="score the models on a dataset's test split (or all of it),"
                                 " repetition counting on demo clips, or the product on labelled clips")
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--data", help="dataset folder in the ALEX-GYM-1 layout")
    source.add_argument("--demo-clips", nargs="+", metavar="DIR",
                        help="folders written by `synth --demo-clips`: count repetitions and recognise exercises")
    source.add_argument("--clips", metavar="MANIFEST",
                        help="a labelled-clips manifest (benchmarks/real/clips.json, docs/real-benchmark.md): assess"
                             " each clip and compare with its labels")
    parser.add_argument("--root", metavar="DIR", help="with --clips: the folder benchmarks/real/stage.py staged the"
                        " clips in")
    parser.add_argument("--split", choices=sorted({*DATA_SPLITS, *CLIP_SPLITS}),
                        help="with --data: test (default), val, train or all; with --clips: tuning (default),"
                             " held_out (each run is counted in the manifest) or all")
    parser.add_argument("--models", help="comma-separated names (default: rules and every model with weights; with"
                        " --clips: rules)")
    parser.add_argument("--seed", type=int, default=0, help="the split's seed (as in training)")
    parser.add_argument("--weights-dir", help="default: weights/")
    parser.add_argument("--views", type=views_list, default=VIEWS, metavar="VIEWS",
                        help="with --data: the learned models' weights to judge with, those reading frontal,lateral"
                             " (default) or one view alone (train --views); the rules are unchanged")
    parser.add_argument("--json", dest="json_out", required=True, metavar="OUT")
    add_parallel_options(parser, 1, "clips (or, with --data, the models on each exercise)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from gymcore.serialize import check_output_path

    check_output_path(args.json_out, "the evaluation", "evaluation.json")
    if args.views != VIEWS and not args.data:
        raise InputError("--views picks the learned models' weights for --data; with clips, the views they show pick"
                         " them: leave it out.")
    if args.clips:
        return _evaluate_clips(args)
    if args.root:
        raise InputError("--root is where the clips of --clips are staged: leave it out with --data or --demo-clips.")
    return _count_repetitions(args) if args.demo_clips else _evaluate(args)


def _evaluate_clips(args: argparse.Namespace) -> int:
    from gymcore.cli.assess import parse_models
    from gymcore.evaluation.clips import describe, evaluate_clips
    from gymcore.serialize import write_json

    split = args.split or CLIP_SPLITS[0]
    if split not in CLIP_SPLITS:
        raise InputError(f"A labelled-clips manifest is split into tuning and held_out, not {split}: give --split"
                         f" {', '.join(CLIP_SPLITS)}.")
    report = evaluate_clips(args.clips, args.root, models=parse_models(args.models or "rules"), split=split,
                            workers=args.workers, address=args.address, progress="clips")
    write_json(args.json_out, report.to_dict())
    print(describe(report))
    print(f"wrote {args.json_out}")
    return 0


def _count_repetitions(args: argparse.Namespace) -> int:
    from gymcore.evaluation.repcount import count_repetitions, describe
    from gymcore.serialize import write_json

    report = count_repetitions(args.demo_clips, workers=args.workers, address=args.address, progress="demo clips")
    write_json(args.json_out, report.to_dict())
    print(describe(report))
    print(f"wrote {args.json_out}")
    return 0


def _evaluate(args: argparse.Namespace) -> int:
    import torch

    from gymcore.evaluation.engine import evaluate
    from gymcore.models.net import check_views
    from gymcore.serialize import write_json

    split = args.split or DATA_SPLITS[0]
    if split not in DATA_SPLITS:
        raise InputError(f"A dataset is split into {', '.join(DATA_SPLITS[:3])}, not {split}: give --split"
                         f" {', '.join(DATA_SPLITS)}.")
    torch.set_num_threads(2)
    models = [name.strip() for name in args.models.split(",")] if args.models else None
    report = evaluate(args.data, split, models, args.seed, args.weights_dir, workers=args.workers,
                      address=args.address, views=check_views(args.views))
    write_json(args.json_out, report)
    for exercise, by_model in report["results"].items():
        for name, metrics in by_model.items():
            print(f"{exercise:<9} {name:<15} HL {metrics['hamming_loss']:.4f}  F1(paper) {metrics['f1_paper']:.4f}"
                  f"  exact {metrics['exact_match']:.3f}  n={metrics['n_samples']}")
    for exercise, reasons in report["not_available"].items():
        for name, reason in reasons.items():
            print(f"{exercise:<9} {name:<15} not available: {reason}")
    print(f"wrote {args.json_out}")
    return 0
