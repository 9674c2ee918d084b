"""Squat rules (ALEX-GYM-1 criteria: feet flat, hip/knee bend, hips backward, neutral back, hips
below knee, feet angled)."""

from __future__ import annotations

import numpy as np

from gymcore.rules.geometry import SIDES, ViewGeometry
from gymcore.rules.rule import Measurement, Rule, at, largest, typical

# Early descent: where hip and knee flexion together first reach this share of their bottom value.
EARLY_DESCENT_SHARE = 0.3


def heel_lift(g: ViewGeometry) -> Measurement:
    """Foot pitch (heel above toe) gained since the first frame, degrees, both feet averaged."""
    pitches = []
    for side in SIDES:
        heel, toe = g.joint("heel", side), g.joint("foot_index", side)
        pitch = np.degrees(np.arctan2(toe[:, 1] - heel[:, 1], np.abs(toe[:, 0] - heel[:, 0])))
        pitches.append(pitch - pitch[0])
    return largest(np.mean(pitches, axis=0))


def hip_knee_ratio(g: ViewGeometry) -> Measurement:
    """Hip flexion gained over knee flexion gained, early in the descent (1 = together)."""
    side = g.near_side()
    bottom = g.lowest_hip_position()
    hip = g.hip_angle(side)[0] - g.hip_angle(side)
    knee = g.knee_angle(side)[0] - g.knee_angle(side)
    total = hip + knee
    if bottom == 0 or not np.isfinite(total[bottom]) or total[bottom] <= 0:
        return Measurement(float("nan"), bottom)
    reached = np.flatnonzero(total[: bottom + 1] >= EARLY_DESCENT_SHARE * total[bottom])
    position = int(reached[0])
    return Measurement(float(hip[position] / max(knee[position], 1.0)), position)


def hip_behind_ankle(g: ViewGeometry) -> Measurement:
    """How far the hip is behind the ankle at the deepest frame, in thigh lengths."""
    behind = -g.facing() * (g.joint("hip")[:, 0] - g.joint("ankle")[:, 0])
    return at(behind / g.length("hip", "knee"), g.lowest_hip_position())


def back_curl(g: ViewGeometry) -> Measurement:
    """Ear-shoulder-hip angle lost since the first frame, degrees, at its worst."""
    return largest(g.back_curl(g.near_side()))


def hip_below_knee(g: ViewGeometry) -> Measurement:
    """Hip joint below the knee joint at the deepest frame, in thigh lengths (0 = parallel).

    Both sides are averaged: with the knees tracking out over the toes, the near knee comes toward
    a camera above knee height and looks lower than it is, the far knee higher, by about as much.
    """
    below = (g.joint("hip")[:, 1] - g.joint("knee")[:, 1]) / g.length("hip", "knee")
    return largest(below)


def foot_angle(g: ViewGeometry) -> Measurement:
    """Foot progression angle, both feet averaged, median over the repetition (degrees)."""
    return typical(np.mean([g.foot_progression(side) for side in SIDES], axis=0))


RULES: tuple[Rule, ...] = (
    Rule("feet_flat", "lateral", ("heel", "foot_index"), "heel lift", "deg",
         lambda c: c.squat_heel_lift_deg, heel_lift),
    Rule("hip_knee_bend", "lateral", ("shoulder", "hip", "knee", "ankle"),
         "hip flexion over knee flexion early in the descent", "ratio", lambda c: c.squat_hip_knee_ratio,
         hip_knee_ratio),
    Rule("hips_backward", "lateral", ("hip", "knee", "ankle", "heel", "foot_index"),
         "hip behind the ankle at the bottom", "thigh lengths", lambda c: c.squat_hip_behind_ankle,
         hip_behind_ankle),
    Rule("neutral_back", "lateral", ("ear", "shoulder", "hip"), "back curl (ear-shoulder-hip angle lost)",
         "deg", lambda c: c.squat_back_curl_deg, back_curl),
    Rule("hips_below_knee", "lateral", ("hip", "knee"), "hip below knee at the bottom", "thigh lengths",
         lambda c: c.squat_hip_below_knee, hip_below_knee),
    Rule("feet_angled", "frontal", ("hip", "heel", "foot_index"), "foot progression angle", "deg",
         lambda c: c.squat_foot_angle_deg, foot_angle),
)
