"""Every model gymcore can build, with the weights file serving it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from gymcore.criteria import EXERCISES, VIEWS


@dataclass
class ModelInfo:
    model: str
    exercise: str
    variant: str
    parameters: int
    weights: str | None
    views: tuple[str, ...] = VIEWS


def list_models(weights_dir: Path | None = None) -> list[ModelInfo]:
    """One row per (model, exercise, variant) buildable, reading both views, and one per one-view
    model the manifest lists; ``weights`` names the file that serves it."""
    import torch

    from gymcore.models.classifier import ExerciseClassifier
    from gymcore.models.names import CLASSIFIER
    from gymcore.models.net import VARIANTS
    from gymcore.models.registry import CRITERIA_MODELS, build_model, count_parameters
    from gymcore.models.weights import WEIGHTS_DIR, read_manifest

    weights_dir = weights_dir or WEIGHTS_DIR
    entries = read_manifest(weights_dir)
    served = {(entry.model, entry.exercise, entry.variant): entry.file for entry in entries if tuple(entry.views) == VIEWS}
    one_view = [entry for entry in entries if tuple(entry.views) != VIEWS and entry.model in CRITERIA_MODELS]
    with torch.device("meta"):  # shapes only: counting needs no memory and no initialisation
        rows = [ModelInfo(name, exercise, variant, count_parameters(build_model(name, exercise, variant)),
                          served.get((name, exercise, variant)))
                for name in CRITERIA_MODELS for exercise in EXERCISES for variant in VARIANTS]
        rows += [ModelInfo(entry.model, entry.exercise, entry.variant,
                           count_parameters(build_model(entry.model, entry.exercise, entry.variant, tuple(entry.views))),
                           entry.file, tuple(entry.views)) for entry in one_view]
        rows.append(ModelInfo(CLASSIFIER, "all", "compact", count_parameters(ExerciseClassifier()),
                              served.get((CLASSIFIER, "all", "compact"))))
    return rows
