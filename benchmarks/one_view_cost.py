"""What judging a repetition costs with the pose models' one-view weights, against the two-view
weights measured in the same run (the baseline): features plus network plus calibration, a batch of
repetitions of a SynthGym set, each model timed in turn so that load falls on both alike.

    python benchmarks/one_view_cost.py --data DIR [--exercise squat] [--reps 16] [--runs 20]
"""

from __future__ import annotations

import argparse
import statistics
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import torch

from gymcore.criteria import VIEWS
from gymcore.data.dataset import load_exercise, rep_samples
from gymcore.judging.learned import load_criteria_model
from gymcore.judging.types import RepSample


def one_view(reps: list[RepSample], view: str) -> list[RepSample]:
    """The repetitions as a clip filmed from ``view`` alone gives them."""
    return [replace(rep, views={view: rep.views[view]}) for rep in reps]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True, help="a SynthGym set (both views of each repetition)")
    parser.add_argument("--exercise", default="squat")
    parser.add_argument("--reps", type=int, default=16, help="repetitions judged as one batch")
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    torch.set_num_threads(2)
    reps = rep_samples(load_exercise(args.data, args.exercise).subset(np.arange(args.reps)))
    cases = {"two-view weights, both views (baseline)": (load_criteria_model("pose", args.exercise), reps)}
    for view in VIEWS:
        model = load_criteria_model("pose", args.exercise, views=(view,))
        if model.net.views == (view,):
            cases[f"{view} weights, {view} view alone"] = (model, one_view(reps, view))
    times: dict[str, list[float]] = {name: [] for name in cases}
    for model, batch in cases.values():  # warm-up
        model.judge(args.exercise, batch)
    for _ in range(args.runs):
        for name, (model, batch) in cases.items():
            started = time.perf_counter()
            model.judge(args.exercise, batch)
            times[name].append(time.perf_counter() - started)
    baseline = statistics.median(next(iter(times.values())))
    print(f"pose model of {args.exercise}, batch of {len(reps)} repetitions, median of {args.runs} runs, 2 threads")
    print(f"{'weights':<42}{'ms a repetition':>16}{'ratio':>8}")
    for name, seconds in times.items():
        median = statistics.median(seconds)
        print(f"{name:<42}{1000 * median / len(reps):>16.2f}{median / baseline:>8.2f}")


if __name__ == "__main__":
    main()
