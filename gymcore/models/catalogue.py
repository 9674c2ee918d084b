"""``python -m gymcore models``: every model gymcore can build, with the weights file serving it."""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict, dataclass
from pathlib import Path

from gymcore.criteria import EXERCISES


@dataclass
class ModelInfo:
    model: str
    exercise: str
    variant: str
    parameters: int
    weights: str | None


def list_models(weights_dir: Path | None = None) -> list[ModelInfo]:
    """One row per (model, exercise, variant) buildable; ``weights`` names the file that serves it."""
    import torch

    from gymcore.models.classifier import ExerciseClassifier
    from gymcore.models.net import VARIANTS
    from gymcore.models.registry import CLASSIFIER, CRITERIA_MODELS, build_model, count_parameters
    from gymcore.models.weights import WEIGHTS_DIR, read_manifest

    weights_dir = weights_dir or WEIGHTS_DIR
    served = {(entry.model, entry.exercise, entry.variant): entry.file for entry in read_manifest(weights_dir)}
    with torch.device("meta"):  # shapes only: counting needs no memory and no initialisation
        rows = [ModelInfo(name, exercise, variant, count_parameters(build_model(name, exercise, variant)),
                          served.get((name, exercise, variant)))
                for name in CRITERIA_MODELS for exercise in EXERCISES for variant in VARIANTS]
        rows.append(ModelInfo(CLASSIFIER, "all", "compact", count_parameters(ExerciseClassifier()),
                              served.get((CLASSIFIER, "all", "compact"))))
    return rows


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("models", help="list the models gymcore can build and the weights it ships")
    parser.add_argument("--json", action="store_true", help="print the list as JSON")
    parser.set_defaults(run=_run_models)


def _run_models(args: argparse.Namespace) -> int:
    import torch

    torch.set_num_threads(1)
    rows = list_models()
    if args.json:
        print(json.dumps([asdict(row) for row in rows], indent=1))
        return 0
    for row in rows:
        print(f"{row.model:<15} {row.exercise:<9} {row.variant:<8} {row.parameters:>12,}  {row.weights or '-'}")
    return 0
