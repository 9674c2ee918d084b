"""Figures the papers publish, as their authors report them on their own data.

Kept apart from anything this project measures: every table carries the data it was measured on,
and pages show these beside our figures, never in the same column.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

PUBLISHED_DIR = Path(__file__).resolve().parents[1] / "published"
ALEX_GYM_1 = "ALEX-GYM-1 test split (published, ICINCO 2025, Tables 4 to 8)"


@dataclass(frozen=True)
class PublishedTable:
    title: str
    measured_on: str
    frame: pd.DataFrame


def table4_models() -> PublishedTable:
    """Hamming loss and F1 per model and exercise (paper Table 4)."""
    return PublishedTable("Table 4: models compared", ALEX_GYM_1, _read("alex_gym_1_table4_models.csv"))


def tables5to7_criteria() -> PublishedTable:
    """Hamming loss per criterion for the pose, vision and multi-modal models (Tables 5 to 7)."""
    return PublishedTable("Tables 5 to 7: Hamming loss per criterion", ALEX_GYM_1,
                          _read("alex_gym_1_tables5to7_criteria.csv"))


def table8_latency() -> PublishedTable:
    """Inference time per sample on a Raspberry Pi 4 (Table 8)."""
    return PublishedTable("Table 8: inference time per sample", ALEX_GYM_1 + ", timed on a Raspberry Pi 4",
                          _read("alex_gym_1_table8_latency.csv"))


def other_seeds() -> PublishedTable:
    """Headline figures of the other papers the product builds on, each on its authors' data."""
    frame = pd.DataFrame([
        {"work": "AI Gym Tracker", "method": "BiLSTM over 30-frame MediaPipe sequences",
         "task": "6 exercise classes", "figure": "99% test accuracy", "measured_on": "the authors' own recordings"},
        {"work": "Gym-gesture Transformer", "method": "Transformer over 3D pose, T = 60 frames",
         "task": "22 gym-gesture classes", "figure": "91.07% accuracy, 88.94% F1", "measured_on": "the authors' gesture dataset"},
        {"work": "EJUST-GYM-3", "method": "BiLSTM (256 units) over (30, 99) pose sequences",
         "task": "4 exercises; per-repetition correctness score", "figure": "99.9% cross-subject accuracy (1 error in 832)",
         "measured_on": "EJUST-GYM-3, cross-subject split"},
    ])
    return PublishedTable("Other papers' headline figures", "each paper's own data (see the column)", frame)


def _read(name: str) -> pd.DataFrame:
    path = PUBLISHED_DIR / name
    if not path.exists():
        raise FileNotFoundError(f"The published figures file {path} is missing: reinstall the project.")
    return pd.read_csv(path)
