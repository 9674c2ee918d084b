"""Metrics of SPEC.md step 8 and ``python -m gymcore evaluate``.

``f1_paper`` is the published figure: over all labels pooled, the mean of the F1 of the positive
class and the F1 of the negative class. ``f1_macro`` is the mean of the per-criterion F1 of the
positive class. A class absent from both truth and prediction counts as F1 = 1 (nothing to miss).
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from gymcore.errors import InputError
from gymcore.judging import Verdict


def f1_score(truth: np.ndarray, predicted: np.ndarray, positive: int = 1) -> float:
    truth_pos, pred_pos = truth == positive, predicted == positive
    true_pos = float(np.sum(truth_pos & pred_pos))
    denominator = float(np.sum(truth_pos) + np.sum(pred_pos))
    return 1.0 if denominator == 0 else 2.0 * true_pos / denominator


@dataclass
class CriterionMetrics:
    hamming_loss: float
    f1: float


@dataclass
class Metrics:
    hamming_loss: float
    f1_paper: float
    f1_macro: float
    exact_match: float
    n_samples: int
    per_criterion: dict[str, CriterionMetrics]

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def multilabel_metrics(truth: np.ndarray, predicted: np.ndarray, criterion_ids: list[str]) -> Metrics:
    """(N, L) 0/1 truth and predictions -> the paper's metrics and per-criterion ones."""
    truth = np.asarray(truth).astype(int)
    predicted = np.asarray(predicted).astype(int)
    wrong = truth != predicted
    per_criterion = {cid: CriterionMetrics(float(wrong[:, j].mean()) if len(truth) else 0.0,
                                           f1_score(truth[:, j], predicted[:, j]))
                     for j, cid in enumerate(criterion_ids)}
    return Metrics(
        hamming_loss=float(wrong.mean()) if truth.size else 0.0,
        f1_paper=(f1_score(truth, predicted, 1) + f1_score(truth, predicted, 0)) / 2.0,
        f1_macro=float(np.mean([m.f1 for m in per_criterion.values()])),
        exact_match=float((~wrong).all(axis=1).mean()) if len(truth) else 0.0,
        n_samples=int(len(truth)),
        per_criterion=per_criterion,
    )


NOT_ASSESSABLE_POLICY = "a criterion a model declines to judge counts as an error"
LEARNED_MODELS = ("pose", "pose_raw", "pose_distances", "pose_angles", "vision", "fusion")


def evaluate(data: str | Path, split: str = "test", models: list[str] | None = None, seed: int = 0,
             weights_dir: str | Path | None = None) -> dict[str, object]:
    """Every requested model (default: the rules model and every learned model) that has weights, on
    every exercise of the dataset, through the same CriteriaModel interface that ``assess`` uses."""
    from gymcore.dataset import dataset_info

    data = Path(data)
    results: dict[str, dict[str, object]] = {}
    for exercise in dataset_exercises(data):
        rows = split_rows(data, exercise, split, seed)
        results[exercise] = {}
        for name in available_models(exercise, models or ["rules", *LEARNED_MODELS], weights_dir):
            model = load_model(name, exercise, weights_dir)
            results[exercise][name] = evaluate_model(model, rows).to_dict() | {"weights": getattr(model, "weights_file", None)}
    info = dataset_info(data) | {"split": split, "split_seed": seed, "not_assessable": NOT_ASSESSABLE_POLICY}
    return {"dataset": info, "results": results}


def dataset_exercises(data: Path) -> list[str]:
    from gymcore.dataset import available_exercises

    exercises = available_exercises(data)
    if not exercises:
        raise InputError(f"{data} holds no exercise sheet (squat.xlsx, deadlift.xlsx, lunges.xlsx): point at the"
                         " folder of a dataset in the published layout.")
    return exercises


def split_rows(data: Path, exercise: str, split: str, seed: int):
    """The rows of one exercise in the split (``all`` for every row), never empty."""
    from gymcore.dataset import load_exercise, split_exercise

    rows = load_exercise(data, exercise)
    rows = rows if split == "all" else split_exercise(rows, seed)[split]
    if not len(rows):
        raise InputError(f"The {split} split of the {exercise} repetitions is empty: the dataset has too few"
                         " participants to split; choose the split 'all'.")
    return rows


def available_models(exercise: str, requested: list[str], weights_dir: str | Path | None = None) -> list[str]:
    """The requested names that can judge ``exercise``: rules always, learned models with weights."""
    from gymcore.models.weights import WEIGHTS_DIR, find_entry

    folder = Path(weights_dir or WEIGHTS_DIR)
    return [name for name in requested if name == "rules" or find_entry(name, exercise, folder) is not None]


def load_model(name: str, exercise: str, weights_dir: str | Path | None = None):
    """The rules model or a learned model (weights checked against the manifest)."""
    if name == "rules":
        from gymcore.rules import RulesModel

        return RulesModel()
    from gymcore.models.judge import load_criteria_model

    return load_criteria_model(name, exercise, weights_dir)


def judged_chunks(model, rows, chunk: int = 16) -> Iterator[list[dict[str, Verdict]]]:
    """The model's verdicts on the rows, ``chunk`` repetitions (one batch) at a time."""
    from gymcore.dataset import rep_samples

    image_size = model.image_size if getattr(model, "needs_images", False) else None
    for start in range(0, len(rows), chunk):
        part = rows.subset(np.arange(start, min(start + chunk, len(rows))))
        yield model.judge(rows.exercise, rep_samples(part, image_size))


def predictions(truth: np.ndarray, criterion_ids: list[str], verdicts: list[dict[str, Verdict]]) -> np.ndarray:
    """0/1 per repetition and criterion against the (N, L) 0/1 truth; a criterion the model
    declines to judge counts as an error."""
    truth = np.asarray(truth).astype(int)
    return np.array([[int(rep[cid].passed) if rep[cid].assessable else 1 - truth[i, j]
                      for j, cid in enumerate(criterion_ids)] for i, rep in enumerate(verdicts)],
                    dtype=int).reshape(len(truth), len(criterion_ids))


def evaluate_model(model, rows, chunk: int = 16) -> Metrics:
    """Judge the dataset rows in batches of ``chunk`` repetitions and score the verdicts."""
    verdicts = [rep for part in judged_chunks(model, rows, chunk) for rep in part]
    return multilabel_metrics(rows.labels, predictions(rows.labels, rows.criterion_ids, verdicts), rows.criterion_ids)


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
    parser.set_defaults(run=_run_evaluate)


def _run_repetition_count(args: argparse.Namespace) -> int:
    from gymcore.repcount import count_repetitions, describe
    from gymcore.serialize import write_json

    report = count_repetitions(args.demo_clips)
    write_json(args.json_out, report.to_dict())
    print(describe(report))
    print(f"wrote {args.json_out}")
    return 0


def _run_evaluate(args: argparse.Namespace) -> int:
    import torch

    from gymcore.serialize import write_json

    if args.demo_clips:
        return _run_repetition_count(args)
    torch.set_num_threads(2)
    models = [name.strip() for name in args.models.split(",")] if args.models else None
    report = evaluate(args.data, args.split, models, args.seed, args.weights_dir)
    write_json(args.json_out, report)
    for exercise, by_model in report["results"].items():
        for name, metrics in by_model.items():
            print(f"{exercise:<9} {name:<15} HL {metrics['hamming_loss']:.4f}  F1(paper) {metrics['f1_paper']:.4f}"
                  f"  exact {metrics['exact_match']:.3f}  n={metrics['n_samples']}")
    print(f"wrote {args.json_out}")
    return 0
