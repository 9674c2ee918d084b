"""``gymcore bench``: the pipeline's stages and the models timed, as tables (``gymcore.evaluation.bench``)."""

from __future__ import annotations

import argparse
from pathlib import Path

from gymcore.errors import InputError


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("bench", help="time the pipeline's stages and print a table")
    parser.add_argument("--front", help="frontal clip (default: a rendered 5 s 720p clip)")
    parser.add_argument("--side", help="lateral clip (default: a rendered 5 s 720p clip)")
    parser.add_argument("--runs", type=int, default=5, help="runs per measurement; the median is shown")
    parser.add_argument("--only", choices=("perception", "models", "targets"), help="run one of the tables")
    parser.add_argument("--bf16", action="store_true", help="also time bfloat16 autocast (slow without AVX-512 BF16)")
    parser.add_argument("--compile", action="store_true", help="also time torch.compile (minutes to compile)")
    parser.add_argument("--data", help="SynthGym folder: also time the fusion model quantised to int8 (NNCF), calibrated"
                        " on its squat training repetitions and checked on its test repetitions")
    parser.add_argument("--phone", help="targets: a long portrait phone clip to time instead of the rendered 52 s one")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from gymcore.evaluation.bench import run_bench
    from gymcore.evaluation.bench_models import Int8Settings, run_model_bench, run_shipped_bench
    from gymcore.evaluation.bench_targets import run_target_bench

    if args.runs < 1:
        raise InputError(f"Time each measurement at least once (--runs 1 or more), not {args.runs}.")
    if args.only in (None, "perception"):
        print(run_bench(front=args.front, side=args.side, runs=args.runs).to_markdown() + "\n", flush=True)
    if args.only in (None, "models"):
        int8 = Int8Settings(Path(args.data)) if args.data else None
        print(run_model_bench(runs=args.runs, with_bf16=args.bf16, with_compile=args.compile, int8=int8).to_markdown()
              + "\n", flush=True)
        print(run_shipped_bench(runs=args.runs).to_markdown() + "\n", flush=True)
    if args.only in (None, "targets"):
        print(run_target_bench(runs=args.runs, phone=args.phone).to_markdown() + "\n", flush=True)
    return 0
