"""Evaluation as the Evaluate page runs it: step by step (so a progress bar can follow) and keeping
each model's verdicts, so that the samples where models disagree can be browsed.

The metrics and the report's shape are gymcore.evaluation's; this only adds the bookkeeping a
page needs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from gymcore.dataset import (ExerciseSet, available_exercises, dataset_info, load_exercise, rep_samples,
                             split_exercise)
from gymcore.errors import InputError
from gymcore.evaluation import LEARNED_MODELS, NOT_ASSESSABLE_POLICY, multilabel_metrics
from gymcore.judging import CriteriaModel, Verdict

CHUNK = 16


@dataclass
class ExerciseRun:
    """One exercise's rows and, per model, every verdict (rows x criteria)."""

    rows: ExerciseSet
    verdicts: dict[str, list[dict[str, Verdict]]] = field(default_factory=dict)

    def predictions(self, model: str) -> np.ndarray:
        """0/1 per row and criterion; a verdict the model declines counts as an error (as in gymcore.evaluation)."""
        ids = self.rows.criterion_ids
        truth = self.rows.labels.astype(int)
        return np.array([[int(rep[cid].passed) if rep[cid].assessable else 1 - truth[i, j]
                          for j, cid in enumerate(ids)] for i, rep in enumerate(self.verdicts[model])],
                        dtype=int).reshape(len(self.rows), len(ids))

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
    report: dict[str, object]  # the shape of gymcore.evaluation.evaluate
    runs: dict[str, ExerciseRun]


def available_models(exercise: str, requested: list[str]) -> list[str]:
    """The requested names that can judge ``exercise``: rules always, learned models with weights."""
    from gymcore.models.weights import find_entry

    return [name for name in requested if name == "rules" or find_entry(name, exercise) is not None]


def load_model(name: str, exercise: str) -> CriteriaModel:
    if name == "rules":
        from gymcore.rules import RulesModel

        return RulesModel()
    from gymcore.models import load_criteria_model

    return load_criteria_model(name, exercise)


def run_evaluation(data: Path, split: str, requested: list[str], seed: int = 0,
                   progress: Callable[[float, str], object] | None = None) -> EvaluationRun:
    """Judge the chosen split of every exercise of ``data`` with each available model."""
    data = Path(data)
    exercises = available_exercises(data)
    if not exercises:
        raise InputError(f"{data} holds no exercise sheet (squat.xlsx, deadlift.xlsx, lunges.xlsx): point at the"
                         " folder of a dataset in the published layout.")
    plan = [(exercise, _rows(data, exercise, split, seed), available_models(exercise, requested)) for exercise in exercises]
    steps = sum(len(models) * max(1, -(-len(rows) // CHUNK)) for _, rows, models in plan) or 1
    done = 0
    runs: dict[str, ExerciseRun] = {}
    results: dict[str, dict[str, object]] = {}
    for exercise, rows, models in plan:
        run = runs[exercise] = ExerciseRun(rows)
        results[exercise] = {}
        for name in models:
            model = load_model(name, exercise)
            run.verdicts[name] = []
            for part in _chunks(rows, model):
                run.verdicts[name] += model.judge(exercise, part)
                done += 1
                if progress:
                    progress(done / steps, f"{exercise}: {name} model, {len(run.verdicts[name])} of {len(rows)} repetitions")
            metrics = multilabel_metrics(rows.labels, run.predictions(name), rows.criterion_ids)
            results[exercise][name] = metrics.to_dict() | {"weights": getattr(model, "weights_file", None)}
    info = dataset_info(data) | {"split": split, "split_seed": seed, "not_assessable": NOT_ASSESSABLE_POLICY}
    return EvaluationRun({"dataset": info, "results": results}, runs)


def _rows(data: Path, exercise: str, split: str, seed: int) -> ExerciseSet:
    rows = load_exercise(data, exercise)
    rows = rows if split == "all" else split_exercise(rows, seed)[split]
    if not len(rows):
        raise InputError(f"The {split} split of the {exercise} repetitions is empty: the dataset has too few"
                         " participants to split; choose the split 'all'.")
    return rows


def _chunks(rows: ExerciseSet, model: CriteriaModel) -> Iterator[list]:
    image_size = model.image_size if getattr(model, "needs_images", False) else None
    for start in range(0, len(rows), CHUNK):
        yield rep_samples(rows.subset(np.arange(start, min(start + CHUNK, len(rows)))), image_size)


MODEL_CHOICES = ("rules", *LEARNED_MODELS)
