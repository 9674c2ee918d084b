"""This project's measured figures, from the model cards of the shipped weights or from an
evaluation report (``python -m gymcore evaluate --json``), in one shape the Compare page draws."""

from __future__ import annotations

import json
import os
import platform
import statistics
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from gymcore.criteria import EXERCISE_NAMES, VIEWS, criteria_for
from gymcore.errors import InputError
from gymcore.judging.registry import model_label, model_title
from gymcore.models.calibration import CriterionCalibration

if TYPE_CHECKING:
    from gymcore.models.weights import ManifestEntry

# Which column of the published Tables 5 to 7 each of our models corresponds to.
PUBLISHED_COLUMN = {"pose": "pose_hl", "vision": "vision_hl", "fusion": "multi_hl"}


@dataclass(frozen=True)
class MeasuredFigures:
    """One model on one exercise, with the data it was measured on."""

    model: str
    exercise: str
    hamming_loss: float
    f1_paper: float
    exact_match: float
    n_samples: int
    per_criterion: dict[str, float]  # criterion id -> Hamming loss
    measured_on: str


def card_figures(weights_dir: Path | None = None) -> list[MeasuredFigures]:
    """The test-split figures written into the model cards of weights/manifest.json, of the models
    reading both views: those the papers' two-view models compare with (a one-view model's card is
    beside its weights, and its real-clip figures on the Compare page)."""
    from gymcore.models.weights import WEIGHTS_DIR, read_manifest

    out = []
    for entry in read_manifest(weights_dir or WEIGHTS_DIR):
        metrics = entry.card.get("test_metrics", {})
        if entry.exercise not in EXERCISE_NAMES or "hamming_loss" not in metrics or tuple(entry.views) != VIEWS:
            continue
        out.append(_figures(entry.model, entry.exercise, metrics, card_test_split(entry)))
    return out


def card_test_split(entry: ManifestEntry) -> str:
    """What a card's test figures were measured on, e.g. "SynthGym 1.0 (seed 12000, noise-model
    landmarks), test split (seed 0), model card of pose_squat_compact.safetensors"."""
    data = entry.card.get("training_data", {})
    where = f"{data.get('name', 'unnamed data')} {data.get('version') or ''}".strip()
    details = [f"seed {data['seed']}"] if data.get("seed") is not None else []
    details += [f"{data['landmarks']} landmarks"] if data.get("landmarks") else []
    where += f" ({', '.join(details)})" if details else ""
    return f"{where}, test split (seed {entry.card.get('split', {}).get('seed', '?')}), model card of {entry.file}"


@dataclass(frozen=True)
class CalibrationFigures:
    """A calibrated model's per-criterion temperature and test-split reliability, from its card."""

    model: str
    exercise: str
    views: tuple[str, ...]
    criteria: dict[str, CriterionCalibration]
    measured_on: str

    @property
    def label(self) -> str:
        """"Pose", or "Pose (lateral view alone)" for one-view weights."""
        return model_label(self.model) + ("" if self.views == VIEWS else f" ({self.views[0]} view alone)")


def card_calibrations(weights_dir: Path | None = None) -> list[CalibrationFigures]:
    """The calibration recorded in each criteria model's card (uncalibrated models are left out)."""
    from gymcore.models.weights import WEIGHTS_DIR, read_manifest

    return [CalibrationFigures(entry.model, entry.exercise, tuple(entry.views),
                               {cid: CriterionCalibration.from_dict(item)
                                for cid, item in entry.card["calibration"]["criteria"].items()},
                               card_test_split(entry))
            for entry in read_manifest(weights_dir or WEIGHTS_DIR)
            if entry.exercise in EXERCISE_NAMES and entry.card.get("calibration")]


def calibration_frame(figures: CalibrationFigures) -> pd.DataFrame:
    """One row per criterion: its temperature and the test split's ECE before and after."""
    names = {criterion.id: criterion.name for criterion in criteria_for(figures.exercise)}
    return pd.DataFrame([{"Criterion": names.get(cid, cid), "Temperature": round(item.temperature, 3),
                          "ECE before": round(item.before.ece, 3), "ECE after": round(item.after.ece, 3),
                          "n": item.after.n} for cid, item in figures.criteria.items()])


def evaluation_figures(report: dict[str, Any]) -> list[MeasuredFigures]:
    """The figures of an evaluation report (the JSON of ``python -m gymcore evaluate``)."""
    if "results" not in report or "dataset" not in report:
        raise InputError("This JSON is not an evaluation report: it lacks 'dataset' and 'results'; make one with"
                         " `python -m gymcore evaluate --data FOLDER --json OUT` or on the Evaluate page.")
    data = report["dataset"]
    where = (f"{data.get('name', 'dataset')} {data.get('version') or ''}".strip()
             + f", {data.get('split', '?')} split (seed {data.get('split_seed', '?')}), evaluation report"
             + (f", learned models reading {data['learned_models_read']}" if data.get("learned_models_read") else ""))
    return [_figures(model, exercise, metrics, where)
            for exercise, by_model in report["results"].items() for model, metrics in by_model.items()]


def read_evaluation(data: bytes) -> dict[str, Any]:
    try:
        return json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise InputError("That file is not JSON: upload the report written by `python -m gymcore evaluate --json`.") from None


def _figures(model: str, exercise: str, metrics: dict[str, Any], measured_on: str) -> MeasuredFigures:
    return MeasuredFigures(
        model=model, exercise=exercise, hamming_loss=float(metrics["hamming_loss"]),
        f1_paper=float(metrics["f1_paper"]), exact_match=float(metrics.get("exact_match", float("nan"))),
        n_samples=int(metrics.get("n_samples", 0)),
        per_criterion={cid: float(v["hamming_loss"]) for cid, v in metrics.get("per_criterion", {}).items()},
        measured_on=measured_on,
    )


def figures_table(figures: list[MeasuredFigures]) -> pd.DataFrame:
    """Table 4's shape (model down, exercise HL and F1 across) for our figures."""
    rows: dict[str, dict[str, Any]] = {}
    for item in figures:
        row = rows.setdefault(item.model, {"model": model_title(item.model)})
        row[f"{item.exercise}_hl"] = round(item.hamming_loss, 4)
        row[f"{item.exercise}_f1"] = round(item.f1_paper, 4)
        row[f"{item.exercise}_n"] = item.n_samples
    return pd.DataFrame(list(rows.values()))


def criterion_frame(figures: list[MeasuredFigures], exercise: str) -> pd.DataFrame:
    """Criterion names down, our models across: Hamming loss."""
    names = {item.id: item.name for item in criteria_for(exercise)}
    frame = pd.DataFrame({model_title(f.model): {names.get(cid, cid): hl for cid, hl in f.per_criterion.items()}
                          for f in figures if f.exercise == exercise})
    return frame.reindex([item.name for item in criteria_for(exercise)])


def hardware_name() -> str:
    """The CPU this process runs on, as a reader would name it."""
    model = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return f"{model}, {os.cpu_count()} logical cores, {platform.system()}"


def model_latency(exercise: str = "squat", variant: str = "compact", runs: int = 3, threads: int = 2) -> pd.DataFrame:
    """Seconds per sample (batch 1, median of ``runs`` after a warm-up) of the pose, vision and
    fusion networks, with random weights: the time does not depend on what the weights hold."""
    import torch

    from gymcore.models.net import VARIANTS
    from gymcore.models.registry import build_model

    torch.set_num_threads(threads)
    size = VARIANTS[variant].image_size
    generator = torch.Generator().manual_seed(0)
    rows = []
    for name in ("pose", "vision", "fusion"):
        net = build_model(name, exercise, variant).eval()
        inputs = {}
        for view in ("frontal", "lateral"):
            if "video" in net.input_kinds:
                inputs[f"video_{view}"] = torch.rand(1, 3, 16, size, size, generator=generator)
            if "features" in net.input_kinds:
                inputs[f"features_{view}"] = torch.rand(1, 16, 5984, generator=generator)
        with torch.inference_mode():
            net(inputs)
            times = []
            for _ in range(runs):
                started = time.perf_counter()
                net(inputs)
                times.append(time.perf_counter() - started)
        rows.append({"model": model_title(name), "inference_s": round(statistics.median(times), 4),
                     "variant": f"{variant} ({size} x {size})", "threads": threads})
    return pd.DataFrame(rows)
