"""Single-leg Romanian deadlift rules (ALEX-GYM-1 criteria: balance, straight back, leg extension,
controlled reversal, support knee bent)."""

from __future__ import annotations

import numpy as np

from gymcore.angles import angle_at
from gymcore.rules.geometry import ViewGeometry, leg_raised, nanargmax, other
from gymcore.rules.rule import Measurement, Rule, at, largest

# Frames either side of the turn over which the trunk's speed is read.
TURN_HALF_WINDOW = 2


def bottom(g: ViewGeometry) -> int:
    """The deepest frame of a hinge: where the trunk leans furthest."""
    return nanargmax(g.trunk_lean())


def hip_sway(g: ViewGeometry) -> Measurement:
    """Frontal view: horizontal range of the hip centre over the repetition, in torso lengths."""
    x = g.joint("hip")[:, 0]
    if not np.isfinite(x).any():
        return Measurement(float("nan"), 0)
    median = np.nanmedian(x)
    return Measurement(float((np.nanmax(x) - np.nanmin(x)) / g.torso_length()),
                       int(np.nanargmax(np.abs(x - median))))


def back_curl(g: ViewGeometry) -> Measurement:
    return largest(g.back_curl(g.near_side()))


def free_leg_line(g: ViewGeometry) -> Measurement:
    """Deviation (degrees) from a straight line shoulder - hip - free ankle at the bottom."""
    turn = bottom(g)
    free = leg_raised(g, turn)
    angle = angle_at(g.joint("shoulder"), g.joint("hip", free), g.joint("ankle", free))
    return at(180.0 - angle, turn)


def turn_speed(g: ViewGeometry) -> Measurement:
    """Peak trunk angular speed (deg/s) in the frames around the turn."""
    lean = g.trunk_lean()
    speed = np.abs(np.diff(lean)) / np.maximum(np.diff(g.time_s), 1e-6)
    turn = bottom(g)
    window = np.full(len(speed), np.nan)
    low, high = max(turn - TURN_HALF_WINDOW, 0), min(turn + TURN_HALF_WINDOW, len(speed))
    window[low:high] = speed[low:high]
    return largest(window)


def support_knee_flexion(g: ViewGeometry) -> Measurement:
    """Flexion (degrees from straight) of the standing knee at the bottom."""
    turn = bottom(g)
    support = other(leg_raised(g, turn))
    return at(180.0 - g.knee_angle(support), turn)


RULES: tuple[Rule, ...] = (
    Rule("balance", "frontal", ("shoulder", "hip"), "sideways sway of the hip centre", "torso lengths",
         lambda c: c.deadlift_hip_sway, hip_sway),
    Rule("straight_back", "lateral", ("ear", "shoulder", "hip"), "back curl (ear-shoulder-hip angle lost)",
         "deg", lambda c: c.deadlift_back_curl_deg, back_curl),
    Rule("leg_extension", "lateral", ("shoulder", "hip", "ankle"), "free leg off the torso line", "deg",
         lambda c: c.deadlift_leg_line_deg, free_leg_line),
    Rule("control_reverse", "lateral", ("shoulder", "hip"), "peak trunk speed at the turn", "deg/s",
         lambda c: c.deadlift_turn_speed_dps, turn_speed),
    Rule("knee_bent", "lateral", ("hip", "knee", "ankle"), "standing knee flexion at the bottom", "deg",
         lambda c: c.deadlift_support_knee_flexion_deg, support_knee_flexion),
)
