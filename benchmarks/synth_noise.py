"""Does the landmark noise model stand in for MediaPipe where it matters: the verdicts?

On a SynthGym set tracked by MediaPipe that the bundled noise model was not fitted on, the rules
model (and the shipped pose model) judge every repetition three ways: from MediaPipe's landmarks,
from the noise model's draws around the true joints (several draws), and from the true joints
without any error. Printed per exercise: the Hamming loss against the labels, and the share of
verdicts that agree with those made on MediaPipe's landmarks. A good stand-in gives a Hamming loss
near MediaPipe's and agrees with MediaPipe about as often as two draws of MediaPipe's own errors would.

    python benchmarks/synth_noise.py --data DIR [--draws 3] [--models rules,pose]
"""

from __future__ import annotations

import argparse
from dataclasses import replace
from pathlib import Path

import numpy as np

from gymcore.data.dataset import ExerciseSet, available_exercises, load_exercise
from gymcore.evaluation.engine import evaluate_model
from gymcore.evaluation.metrics import predictions
from gymcore.judging.registry import load_model
from gymcore.judging.types import CriteriaModel
from gymcore.synth.noise import LandmarkNoise, tracked_exercise


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--draws", type=int, default=3)
    parser.add_argument("--models", default="rules,pose")
    args = parser.parse_args()
    noise = LandmarkNoise.load()
    print(f"{args.data}: Hamming loss | agreement with the verdicts on MediaPipe's landmarks"
          f" (noise model: mean of {args.draws} draws)")
    print(f"{'exercise':<10}{'model':<7}{'reps':>5}{'MediaPipe':>11}{'noise model':>20}{'true joints':>20}")
    for exercise in available_exercises(args.data):
        rows = load_exercise(args.data, exercise)
        tracked = tracked_exercise(rows)
        rng = np.random.default_rng(0)
        drawn = [{view: noise.sample_reps(reps, view, rng) for view, reps in tracked.items()} for _ in range(args.draws)]
        truth = {view: reps.truth for view, reps in tracked.items()}
        for name in args.models.split(","):
            model = load_model(name, exercise)
            reference = _judged(model, rows)
            noisy = [_judged(model, replace(rows, landmarks=draw)) for draw in drawn]
            exact = _judged(model, replace(rows, landmarks=truth))
            loss = [np.mean(r != rows.labels) for r in noisy]
            agree = [np.mean(r == reference) for r in noisy]
            print(f"{exercise:<10}{name:<7}{len(rows):>5}{np.mean(reference != rows.labels):>11.3f}"
                  f"{np.mean(loss):>11.3f} | {np.mean(agree):.3f}"
                  f"{np.mean(exact != rows.labels):>11.3f} | {np.mean(exact == reference):.3f}")


def _judged(model: CriteriaModel, rows: ExerciseSet) -> np.ndarray:
    """(N, criteria) 0/1 predictions, as the evaluation scores them (a declined verdict is wrong)."""
    return predictions(rows.labels, rows.criterion_ids, evaluate_model(model, rows).verdicts)


if __name__ == "__main__":
    main()
