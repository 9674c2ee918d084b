"""Calibrate a criterion's lateral (side-on) fallback measure: the bound that best separates a
SynthGym set's labels on its train+val split, against guessing the majority label, and each
measure's error rate on the test split at its config bound (or, for a candidate with no config
bound yet, at the best train+val bound).

    PYTHONPATH=. python scripts/calibrate_lateral.py /work/data/synth2026 squat feet_flat
    PYTHONPATH=. python scripts/calibrate_lateral.py /work/data/synth2026 deadlift balance

Every repetition of the split counts (a measure that cannot be taken counts as wrong); a
repetition passes when the measure is at or below the bound. The split is gymcore.data.dataset's
participant split with seed 0.

Measured so far (synth2026):
- squat feet_flat: lateral heel_rise_lateral, bound 0.09, is RulesConfig.squat_heel_rise_lateral.
- deadlift balance: no lateral candidate below separates the labels better than guessing the
  majority (pass, about 45% wrong on train+val): SynthGym's balance fault is a sideways sway
  (pelvis roll about a fixed standing foot), which a side-on camera sees only as movement toward
  it. So deadlift balance stays frontal-only.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np

from gymcore.data.dataset import load_exercise, rep_samples, split_exercise
from gymcore.judging.rules.config import DEFAULT_RULES, Limit, RulesConfig
from gymcore.judging.rules.deadlift import bottom, hip_sway
from gymcore.judging.rules.geometry import ViewGeometry, leg_raised, other
from gymcore.judging.rules.rule import Measurement
from gymcore.judging.rules.squat import heel_rise, heel_rise_lateral


def standing_foot_shift(g: ViewGeometry) -> Measurement:
    """Candidate, lateral: horizontal range of the standing foot (ankle and heel averaged) over the
    repetition, in torso lengths; a hop or shuffle moves it."""
    support = other(leg_raised(g, bottom(g)))
    x = (g.joint("ankle", support)[:, 0] + g.joint("heel", support)[:, 0]) / 2
    return Measurement(float((np.nanmax(x) - np.nanmin(x)) / g.torso_length()), int(np.nanargmax(x)))


def hip_fore_aft_sway(g: ViewGeometry) -> Measurement:
    """Candidate, lateral: range of the hip centre's forward position over the standing ankle
    beyond what the hinge itself explains (residual of a straight-line fit on trunk lean), in
    torso lengths."""
    support = other(leg_raised(g, bottom(g)))
    x = g.joint("hip")[:, 0] - g.joint("ankle", support)[:, 0]
    lean = g.trunk_lean()
    ok = np.isfinite(x) & np.isfinite(lean)
    if ok.sum() < 3:
        return Measurement(float("nan"), 0)
    fit = np.c_[lean[ok], np.ones(ok.sum())]
    residual = x[ok] - fit @ np.linalg.lstsq(fit, x[ok], rcond=None)[0]
    return Measurement(float(np.ptp(residual) / g.torso_length()), int(np.flatnonzero(ok)[np.argmax(np.abs(residual))]))


Candidate = tuple[str, Callable[[ViewGeometry], Measurement], Callable[[RulesConfig], Limit] | None]
MEASURES: dict[tuple[str, str], tuple[Candidate, ...]] = {
    ("squat", "feet_flat"): (("frontal", heel_rise, lambda c: c.squat_heel_rise),
                             ("lateral", heel_rise_lateral, lambda c: c.squat_heel_rise_lateral)),
    ("deadlift", "balance"): (("frontal", hip_sway, lambda c: c.deadlift_hip_sway),
                              ("lateral", standing_foot_shift, None),
                              ("lateral", hip_fore_aft_sway, None)),
}


def measured(rows, view, measure) -> np.ndarray:
    return np.array([measure(ViewGeometry.of(sample.views[view])).value for sample in rep_samples(rows)])


def wrong(values: np.ndarray, passed: np.ndarray, bound: float) -> float:
    return float(np.mean(~np.isfinite(values) | ((values <= bound) != passed)))


def main(root: str, exercise: str, criterion: str) -> None:
    data = load_exercise(Path(root), exercise)
    splits = split_exercise(data, 0)
    column = data.criterion_ids.index(criterion)
    passed = {name: rows.labels[:, column] > 0.5 for name, rows in splits.items()}
    fit_passed = np.r_[passed["train"], passed["val"]]
    majority = fit_passed.mean() >= 0.5
    print(f"{exercise} {criterion}: guessing the majority ({'pass' if majority else 'fail'}) is "
          f"{np.mean(fit_passed != majority):.3f} wrong on train+val, {np.mean(passed['test'] != majority):.3f} on test")
    for view, measure, limit in MEASURES[(exercise, criterion)]:
        values = {name: measured(splits[name], view, measure) for name in ("train", "val", "test")}
        fit = np.r_[values["train"], values["val"]]
        bounds = np.unique(np.round(fit[np.isfinite(fit)], 3))
        best = bounds[int(np.argmin([wrong(fit, fit_passed, b) for b in bounds]))]
        bound, source = (limit(DEFAULT_RULES).high, "config") if limit else (best, "best")
        print(f"{view} {measure.__name__}: train+val n={len(fit)} best bound {best:.3f} "
              f"({wrong(fit, fit_passed, best):.3f} wrong); {source} bound {bound:g}: train+val "
              f"{wrong(fit, fit_passed, bound):.3f} wrong, test n={len(values['test'])} "
              f"{wrong(values['test'], passed['test'], bound):.3f} wrong")


if __name__ == "__main__":
    arguments = sys.argv[1:] + ["/work/data/synth2026", "squat", "feet_flat"][len(sys.argv) - 1:]
    main(*arguments[:3])
