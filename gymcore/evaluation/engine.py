"""Dataset evaluation: every requested model on a dataset's split, through the same CriteriaModel
interface that ``assess`` uses, keeping each model's verdicts so that the repetitions where models
disagree can be browsed. Each model on each exercise is one item for the parallel engine
(gymcore.parallel.engine), so several can be judged at once; a progress bar follows the items.

``python -m gymcore evaluate --data`` and the Evaluate page both run ``run_evaluation``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import ClassVar

import numpy as np

from gymcore.criteria import VIEWS
from gymcore.data.dataset import (
    ExerciseSet,
    available_exercises,
    dataset_info,
    load_exercise,
    rep_samples,
    split_exercise,
)
from gymcore.errors import GymError, InputError
from gymcore.evaluation.metrics import NOT_ASSESSABLE_POLICY, Metrics, multilabel_metrics, predictions
from gymcore.judging.gate import judge_gated, refusals
from gymcore.judging.registry import CRITERIA_MODELS, check_model_name, load_model
from gymcore.judging.types import CriteriaModel, Verdict
from gymcore.parallel.engine import run_jobs

CHUNK = 16  # repetitions judged as one batch
Progress = Callable[[float, str], object]


@dataclass
class ExerciseRun:
    """One exercise's rows and, per model, every verdict (rows x criteria) and the metrics."""

    rows: ExerciseSet
    verdicts: dict[str, list[dict[str, Verdict]]] = field(default_factory=dict)
    metrics: dict[str, Metrics] = field(default_factory=dict)
    weights: dict[str, str | None] = field(default_factory=dict)  # model -> weights file
    unavailable: dict[str, str] = field(default_factory=dict)  # model -> why it could not judge

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
        """The JSON of ``python -m gymcore evaluate --data``: the metrics of every model that
        judged, and apart, so that readers of ``results`` find metrics only, why each requested
        model that could not judge did not."""
        return {"dataset": self.dataset,
                "results": {exercise: {name: metrics.to_dict() | {"weights": run.weights[name]}
                                       for name, metrics in run.metrics.items()}
                            for exercise, run in self.runs.items()},
                "not_available": {exercise: dict(run.unavailable) for exercise, run in self.runs.items()
                                  if run.unavailable}}


@dataclass(frozen=True)
class ModelJob:
    """One model on one exercise's rows."""

    rows: ExerciseSet
    model: str


@dataclass(frozen=True)
class ModelRun:
    """A model's verdicts on the rows and their metrics, or why the model could not be loaded."""

    verdicts: list[dict[str, Verdict]] = field(default_factory=list)
    metrics: Metrics | None = None
    weights: str | None = None  # the weights file
    unavailable: str | None = None


@dataclass(frozen=True)
class JudgeTask:
    """Loads and runs one model on one exercise per call (the models differ per exercise, so there
    is nothing to set up per worker)."""

    cpus: ClassVar[int] = 1

    weights_dir: str | Path | None
    views: tuple[str, ...] = VIEWS  # the views the learned models' weights read

    def setup(self) -> None:
        pass

    def run(self, job: ModelJob) -> ModelRun:
        try:
            model = load_model(job.model, job.rows.exercise, weights_dir=self.weights_dir, views=self.views)
        except GymError as error:  # reported as not available; the other models go on
            return ModelRun(unavailable=str(error))
        return evaluate_model(model, job.rows)

    def label(self, job: ModelJob) -> str:
        return f"the {job.model} model on the {job.rows.exercise} repetitions"


def run_evaluation(data: str | Path, split: str = "test", models: list[str] | None = None, seed: int = 0,
                   weights_dir: str | Path | None = None, progress: Progress | None = None, *,
                   workers: int | None = 1, address: str | None = None,
                   views: tuple[str, ...] = VIEWS) -> EvaluationRun:
    """Judge the chosen split of every exercise of ``data`` with each requested model (default: the
    rules and every learned model the manifest lists for the exercise), each model on each exercise
    one item for ``workers`` workers (one: in this process) or the Ray cluster at ``address``;
    ``progress(share, text)`` is told of each item done. ``views`` names the learned models' weights
    to judge with: both views (the paper's models), or the one-view weights of one view, which read
    that view of every repetition and judge every criterion, as their card's test figures do.

    An unknown model name, or a ``weights_dir`` that is not a folder holding manifest.json, is an
    InputError; a requested model that cannot be loaded (no weights listed, a broken entry or
    file) is reported not available with the sentence saying why, and the others go on."""
    data = Path(data)
    requested = [check_model_name(name) for name in dict.fromkeys(models or [])]
    check_weights_dir(weights_dir)
    plan = [(exercise, split_rows(data, exercise, split, seed)) for exercise in dataset_exercises(data)]
    # Absolute paths: a Ray worker does not start in this process's folder.
    jobs = [ModelJob(replace(rows, root=Path(os.path.abspath(rows.root))), name) for exercise, rows in plan
            for name in requested or default_models(exercise, weights_dir, views)]
    task = JudgeTask(os.path.abspath(weights_dir) if weights_dir is not None else None, views)
    done = []
    for outcome in run_jobs(task, jobs, workers=workers, address=address):
        done.append(outcome)
        if progress:
            job = jobs[outcome.index]
            progress(len(done) / len(jobs), f"{job.rows.exercise}: {job.model} model, {len(done)} of {len(jobs)}"
                                            " models judged")
    failed = [outcome.error for outcome in done if not outcome.ok]
    if failed:
        raise GymError(failed[0])
    runs = {exercise: ExerciseRun(rows) for exercise, rows in plan}
    for outcome in sorted(done, key=lambda outcome: outcome.index):  # in the order asked for
        job, result = jobs[outcome.index], outcome.result
        run = runs[job.rows.exercise]
        if result.unavailable is not None:
            run.unavailable[job.model] = result.unavailable
            continue
        run.verdicts[job.model], run.metrics[job.model], run.weights[job.model] = (
            result.verdicts, result.metrics, result.weights)
    info = dataset_info(data) | {"split": split, "split_seed": seed, "not_assessable": NOT_ASSESSABLE_POLICY}
    if views != VIEWS:
        info["learned_models_read"] = f"the {' and '.join(views)} view alone"
    return EvaluationRun(info, runs)


def check_weights_dir(weights_dir: str | Path | None) -> None:
    """A weights folder given by name must exist and hold a manifest: without this check a typo
    would quietly evaluate the rules alone."""
    if weights_dir is None:
        return
    from gymcore.models.weights import MANIFEST_NAME

    folder = Path(weights_dir)
    if not folder.is_dir():
        raise InputError(f"The weights folder {folder} does not exist or is not a folder; give the folder holding"
                         f" the {MANIFEST_NAME} of trained models, or leave it out to use weights/.")
    if not (folder / MANIFEST_NAME).exists():
        raise InputError(f"The weights folder {folder} holds no {MANIFEST_NAME}; give the folder that training"
                         f" wrote (`python -m gymcore train --weights-dir`), or leave it out to use weights/.")


def default_models(exercise: str, weights_dir: str | Path | None, views: tuple[str, ...] = VIEWS) -> list[str]:
    """The rules and each learned model that the manifest lists for ``exercise`` and ``views``. An
    entry or a manifest that cannot be read counts as listed, so that the model is reported not
    available with the reason rather than silently left out."""
    return [name for name in CRITERIA_MODELS
            if name == "rules" or _listed_or_broken(name, exercise, weights_dir, views)]


def _listed_or_broken(name: str, exercise: str, weights_dir: str | Path | None, views: tuple[str, ...]) -> bool:
    from gymcore.models.weights import WEIGHTS_DIR, WeightsError, find_entry

    try:
        return find_entry(name, exercise, Path(weights_dir or WEIGHTS_DIR), views) is not None
    except WeightsError:
        return True


def evaluate(data: str | Path, split: str = "test", models: list[str] | None = None, seed: int = 0,
             weights_dir: str | Path | None = None, *, workers: int | None = 1,
             address: str | None = None, views: tuple[str, ...] = VIEWS) -> dict[str, object]:
    """``run_evaluation``'s report: the dataset and every model's metrics per exercise."""
    return run_evaluation(data, split, models, seed, weights_dir, workers=workers, address=address,
                          views=views).report()


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


def evaluate_model(model: CriteriaModel, rows: ExerciseSet, chunk: int = CHUNK) -> ModelRun:
    """Judge the dataset rows in batches of ``chunk`` repetitions and score the verdicts."""
    verdicts = [rep for part in judged_chunks(model, rows, chunk) for rep in part]
    metrics = multilabel_metrics(rows.labels, predictions(rows.labels, rows.criterion_ids, verdicts), rows.criterion_ids)
    return ModelRun(verdicts, metrics, model.weights.file)
