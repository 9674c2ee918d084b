"""Dataset evaluation: every requested model on a dataset's split, through the same CriteriaModel
interface that ``assess`` uses, step by step so that a progress bar can follow, keeping each
model's verdicts so that the repetitions where models disagree can be browsed.

``python -m gymcore evaluate --data`` and the Evaluate page both run ``run_evaluation``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from gymcore.data.dataset import ExerciseSet, available_exercises, dataset_info, load_exercise, rep_samples, split_exercise
from gymcore.errors import InputError
from gymcore.evaluation.metrics import NOT_ASSESSABLE_POLICY, Metrics, multilabel_metrics, predictions
from gymcore.judging.gate import judge_gated, refusals
from gymcore.judging.registry import CRITERIA_MODELS, has_weights, load_model
from gymcore.judging.types import CriteriaModel, Verdict

CHUNK = 16  # repetitions judged as one batch
Progress = Callable[[float, str], object]


@dataclass
class ExerciseRun:
    """One exercise's rows and, per model, every verdict (rows x criteria) and the metrics."""

    rows: ExerciseSet
    verdicts: dict[str, list[dict[str, Verdict]]] = field(default_factory=dict)
    metrics: dict[str, Metrics] = field(default_factory=dict)
    weights: dict[str, str | None] = field(default_factory=dict)  # model -> weights file

    def predictions(self, model: str) -> np.ndarray:
        return predictions(self.rows.labels, self.rows.criterion_ids, self.verdicts[model])

    def disagreements(self) -> list[int]:
        """Rows where the models' decisions differ, or (one model) where it differs from the truth."""
        decisions = [self._decisions(model) for model in self.verdicts]
        if len(decisions) == 1:
            return [i for i in range(len(self.rows)) if not np.array_equal(decisions[0][i], self.rows.labels[i].astype(int))]
        return [i for i in range(len(self.rows)) if any(not np.array_equal(d[i], decisions[0][i]) for d in decisions[1:])]

    def _decisions(self, model: str) -> np.ndarray:
        """-1 where not assessable, else 0/1."""
        return np.array([[int(v.passed) if v.assessable else -1 for v in rep.values()] for rep in self.verdicts[model]])


@dataclass
class EvaluationRun:
    dataset: dict[str, object]  # gymcore.data.dataset.dataset_info, the split and the policy
    runs: dict[str, ExerciseRun]

    def report(self) -> dict[str, object]:
        """The JSON of ``python -m gymcore evaluate --data``."""
        return {"dataset": self.dataset,
                "results": {exercise: {name: metrics.to_dict() | {"weights": run.weights[name]}
                                       for name, metrics in run.metrics.items()}
                            for exercise, run in self.runs.items()}}


def run_evaluation(data: str | Path, split: str = "test", models: list[str] | None = None, seed: int = 0,
                   weights_dir: str | Path | None = None, progress: Progress | None = None) -> EvaluationRun:
    """Judge the chosen split of every exercise of ``data`` with each requested model (default: the
    rules and every learned model) that can judge it here."""
    data = Path(data)
    requested = models or list(CRITERIA_MODELS)
    plan = [(exercise, split_rows(data, exercise, split, seed),
             [name for name in requested if has_weights(name, exercise, weights_dir)])
            for exercise in dataset_exercises(data)]
    steps = sum(len(names) * max(1, -(-len(rows) // CHUNK)) for _, rows, names in plan) or 1
    done = 0
    runs: dict[str, ExerciseRun] = {}
    for exercise, rows, names in plan:
        run = runs[exercise] = ExerciseRun(rows)
        for name in names:
            model = load_model(name, exercise, weights_dir=weights_dir)
            run.verdicts[name] = []
            for part in judged_chunks(model, rows):
                run.verdicts[name] += part
                done += 1
                if progress:
                    progress(done / steps, f"{exercise}: {name} model, {len(run.verdicts[name])} of {len(rows)} repetitions")
            run.metrics[name] = multilabel_metrics(rows.labels, run.predictions(name), rows.criterion_ids)
            run.weights[name] = model.weights.file
    info = dataset_info(data) | {"split": split, "split_seed": seed, "not_assessable": NOT_ASSESSABLE_POLICY}
    return EvaluationRun(info, runs)


def evaluate(data: str | Path, split: str = "test", models: list[str] | None = None, seed: int = 0,
             weights_dir: str | Path | None = None) -> dict[str, object]:
    """``run_evaluation``'s report: the dataset and every model's metrics per exercise."""
    return run_evaluation(data, split, models, seed, weights_dir).report()


def dataset_exercises(data: Path) -> list[str]:
    exercises = available_exercises(data)
    if not exercises:
        raise InputError(f"{data} holds no exercise sheet (squat.xlsx, deadlift.xlsx, lunges.xlsx): point at the"
                         " folder of a dataset in the published layout.")
    return exercises


def split_rows(data: Path, exercise: str, split: str, seed: int) -> ExerciseSet:
    """The rows of one exercise in the split (``all`` for every row), never empty."""
    rows = load_exercise(data, exercise)
    rows = rows if split == "all" else split_exercise(rows, seed)[split]
    if not len(rows):
        raise InputError(f"The {split} split of the {exercise} repetitions is empty: the dataset has too few"
                         " participants to split; choose the split 'all'.")
    return rows


def judged_chunks(model: CriteriaModel, rows: ExerciseSet, chunk: int = CHUNK) -> Iterator[list[dict[str, Verdict]]]:
    """The model's verdicts on the rows, ``chunk`` repetitions (one batch) at a time."""
    image_size = model.image_size if model.needs_images else None
    for start in range(0, len(rows), chunk):
        part = rows.subset(np.arange(start, min(start + chunk, len(rows))))
        samples = rep_samples(part, image_size)
        yield judge_gated(model, rows.exercise, samples, [refusals(rows.exercise, sample) for sample in samples])


def evaluate_model(model: CriteriaModel, rows: ExerciseSet, chunk: int = CHUNK) -> Metrics:
    """Judge the dataset rows in batches of ``chunk`` repetitions and score the verdicts."""
    verdicts = [rep for part in judged_chunks(model, rows, chunk) for rep in part]
    return multilabel_metrics(rows.labels, predictions(rows.labels, rows.criterion_ids, verdicts), rows.criterion_ids)
