"""Evaluation as the Evaluate page runs it: step by step (so a progress bar can follow) and keeping
each model's verdicts, so that the samples where models disagree can be browsed. Every piece of the
work is gymcore.evaluation's; this only adds the bookkeeping a page needs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from gymcore.dataset import ExerciseSet, dataset_info
from gymcore.evaluation import (LEARNED_MODELS, NOT_ASSESSABLE_POLICY, available_models, dataset_exercises,
                                judged_chunks, load_model, multilabel_metrics, predictions, split_rows)
from gymcore.judging import Verdict

CHUNK = 16


@dataclass
class ExerciseRun:
    """One exercise's rows and, per model, every verdict (rows x criteria)."""

    rows: ExerciseSet
    verdicts: dict[str, list[dict[str, Verdict]]] = field(default_factory=dict)

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
    report: dict[str, object]  # the shape of gymcore.evaluation.evaluate
    runs: dict[str, ExerciseRun]


def run_evaluation(data: Path, split: str, requested: list[str], seed: int = 0,
                   progress: Callable[[float, str], object] | None = None) -> EvaluationRun:
    """Judge the chosen split of every exercise of ``data`` with each available model."""
    data = Path(data)
    plan = [(exercise, split_rows(data, exercise, split, seed), available_models(exercise, requested))
            for exercise in dataset_exercises(data)]
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
            for part in judged_chunks(model, rows, CHUNK):
                run.verdicts[name] += part
                done += 1
                if progress:
                    progress(done / steps, f"{exercise}: {name} model, {len(run.verdicts[name])} of {len(rows)} repetitions")
            metrics = multilabel_metrics(rows.labels, run.predictions(name), rows.criterion_ids)
            results[exercise][name] = metrics.to_dict() | {"weights": getattr(model, "weights_file", None)}
    info = dataset_info(data) | {"split": split, "split_seed": seed, "not_assessable": NOT_ASSESSABLE_POLICY}
    return EvaluationRun({"dataset": info, "results": results}, runs)


MODEL_CHOICES = ("rules", *LEARNED_MODELS)
