"""Calibrate RulesConfig.squat_heel_rise_lateral: the bound on the lateral feet_flat measure
(gymcore.judging.rules.squat.heel_rise_lateral) that best separates a SynthGym set's feet_flat
labels on its train+val split, and both feet_flat measures' error rates on its test split.

    PYTHONPATH=. python scripts/calibrate_heel_rise_lateral.py /work/data/synth2026

Every repetition of the split counts (a measure that cannot be taken counts as wrong); the
split is gymcore.data.dataset's participant split with seed 0.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from gymcore.data.dataset import load_exercise, rep_samples, split_exercise
from gymcore.judging.rules.config import DEFAULT_RULES
from gymcore.judging.rules.geometry import ViewGeometry
from gymcore.judging.rules.squat import heel_rise, heel_rise_lateral


def measured(rows, view, measure) -> np.ndarray:
    return np.array([measure(ViewGeometry.of(sample.views[view])).value for sample in rep_samples(rows)])


def wrong(values: np.ndarray, flat: np.ndarray, bound: float) -> float:
    return float(np.mean(~np.isfinite(values) | ((values <= bound) != flat)))


def main(root: str) -> None:
    data = load_exercise(Path(root), "squat")
    splits = split_exercise(data, 0)
    column = data.criterion_ids.index("feet_flat")
    flat = {name: rows.labels[:, column] > 0.5 for name, rows in splits.items()}
    for view, measure, limit in (("frontal", heel_rise, DEFAULT_RULES.squat_heel_rise),
                                 ("lateral", heel_rise_lateral, DEFAULT_RULES.squat_heel_rise_lateral)):
        values = {name: measured(splits[name], view, measure) for name in ("train", "val", "test")}
        fit, fit_flat = np.r_[values["train"], values["val"]], np.r_[flat["train"], flat["val"]]
        bounds = np.unique(np.round(fit[np.isfinite(fit)], 3))
        best = bounds[int(np.argmin([wrong(fit, fit_flat, b) for b in bounds]))]
        print(f"{view} {measure.__name__}: train+val n={len(fit)} best bound {best:.3f} "
              f"({wrong(fit, fit_flat, best):.3f} wrong); config bound {limit.high:g}: train+val "
              f"{wrong(fit, fit_flat, limit.high):.3f} wrong, test n={len(values['test'])} "
              f"{wrong(values['test'], flat['test'], limit.high):.3f} wrong")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "/work/data/synth2026")
