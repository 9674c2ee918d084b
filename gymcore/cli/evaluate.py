"""``gymcore evaluate``: the models on a dataset's split (``gymcore.evaluation.engine``), or repetition
counting on demo clips (``gymcore.evaluation.repcount``)."""

from __future__ import annotations

import argparse

from gymcore.cli.parallel import add_parallel_options


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("evaluate", help="score the models on a dataset's test split (or all of it), or"
                                 " repetition counting on demo clips")
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--data", help="dataset folder in the ALEX-GYM-1 layout")
    source.add_argument("--demo-clips", nargs="+", metavar="DIR",
                        help="folders written by `synth --demo-clips`: count repetitions and recognise exercises")
    parser.add_argument("--split", choices=["test", "val", "train", "all"], default="test")
    parser.add_argument("--models", help="comma-separated names (default: rules and every model with weights)")
    parser.add_argument("--seed", type=int, default=0, help="the split's seed (as in training)")
    parser.add_argument("--weights-dir", help="default: weights/")
    parser.add_argument("--json", dest="json_out", required=True, metavar="OUT")
    add_parallel_options(parser, 1, "demo clips (or, with --data, the models on each exercise)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from gymcore.serialize import check_output_path

    check_output_path(args.json_out, "the evaluation", "evaluation.json")
    return _count_repetitions(args) if args.demo_clips else _evaluate(args)


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
    from gymcore.serialize import write_json

    torch.set_num_threads(2)
    models = [name.strip() for name in args.models.split(",")] if args.models else None
    report = evaluate(args.data, args.split, models, args.seed, args.weights_dir, workers=args.workers,
                      address=args.address)
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
