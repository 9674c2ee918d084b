"""A rule: which view and joints a criterion needs, and how it is measured there (with, for some
criteria, a measure in another view to fall back on)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from gymcore.judging.rules.config import Limit, RulesConfig
from gymcore.judging.rules.geometry import ViewGeometry


@dataclass(frozen=True)
class Measurement:
    """A value measured on one repetition and the frame (position among the view's 16) where it
    was decided."""

    value: float
    position: int

    @property
    def valid(self) -> bool:
        return bool(np.isfinite(self.value))


@dataclass(frozen=True)
class Rule:
    criterion_id: str
    view: str  # the view it is measured in
    joints: tuple[str, ...]  # landmark names without side ("knee") that must be visible
    quantity: str  # what is measured, for the evidence
    unit: str
    limit: Callable[[RulesConfig], Limit]
    measure: Callable[[ViewGeometry], Measurement]
    # The same criterion measured in another view, used when this rule's view is not given or
    # fails the view gate (gymcore.judging.gate picks the first that passes).
    otherwise: Rule | None = None
    # Whether it is judged from a clip's 3D landmarks turned to its view (an oblique clip, or a lateral
    # one that reads frontal: gymcore.perception.turned). Not the measures that rest on the depth of
    # the feet, the arms, the head or the free leg, which MediaPipe guesses worst from one camera. On
    # the real-clip benchmark's tuning half (docs/real-benchmark.md), judging turned views raised the
    # false alarms of squat feet_flat (3% to 18%), hip_knee_bend (32% to 44%) and neutral_back (4% to
    # 15%), lunge head_forward (23% to 32%) and single-leg RDL leg_extension (25% to 50%) and
    # straight_back (0% to 33%); every other criterion gained agreement (depth 0.50 to 0.91, front
    # knee 0.64 to 1.00) with its false alarms unchanged, lunge back_straight apart (41% to 45%).
    turned_ok: bool = True

    def in_order(self) -> tuple[Rule, ...]:
        """This rule, then its fallbacks, in order of preference."""
        return (self, *(self.otherwise.in_order() if self.otherwise else ()))


def at(values: np.ndarray, position: int) -> Measurement:
    return Measurement(float(values[position]), position)


def largest(values: np.ndarray) -> Measurement:
    """The largest finite value and where it occurred."""
    if not np.isfinite(values).any():
        return Measurement(float("nan"), 0)
    position = int(np.nanargmax(values))
    return Measurement(float(values[position]), position)


def smallest(values: np.ndarray) -> Measurement:
    """The smallest finite value and where it occurred."""
    if not np.isfinite(values).any():
        return Measurement(float("nan"), 0)
    position = int(np.nanargmin(values))
    return Measurement(float(values[position]), position)


def typical_where(values: np.ndarray, frames: np.ndarray) -> Measurement:
    """The median over the chosen frames (a boolean mask), shown on the chosen frame closest to it."""
    chosen = np.where(frames, values, np.nan)
    return typical(chosen)


def largest_where(values: np.ndarray, frames: np.ndarray) -> Measurement:
    """The largest value over the chosen frames (a boolean mask) and where it occurred."""
    return largest(np.where(frames, values, np.nan))


def typical(values: np.ndarray) -> Measurement:
    """The median, shown on the frame closest to it."""
    if not np.isfinite(values).any():
        return Measurement(float("nan"), 0)
    median = float(np.nanmedian(values))
    return Measurement(median, int(np.nanargmin(np.abs(values - median))))
