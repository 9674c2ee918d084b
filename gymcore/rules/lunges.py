"""Lunge rules (ALEX-GYM-1 criteria: heels width, head forward, 90 degree knee bend, arm swing,
feet aligned, back straight, back knee position)."""

from __future__ import annotations

import numpy as np

from gymcore.angles import angle_at, lean_from_vertical
from gymcore.rules.geometry import SIDES, ViewGeometry, leg_ahead, other
from gymcore.rules.rule import Measurement, Rule, at, largest, most_extreme, typical

_DOWN = np.array([0.0, 1.0])


def heel_width(g: ViewGeometry) -> Measurement:
    """Frontal view: horizontal heel spacing over shoulder width at the bottom."""
    heels = np.abs(g.joint("heel", "left")[:, 0] - g.joint("heel", "right")[:, 0])
    shoulders = np.abs(g.joint("shoulder", "left")[:, 0] - g.joint("shoulder", "right")[:, 0])
    return at(heels / np.maximum(shoulders, 1e-6), g.deepest_knees_position())


def head_pitch(g: ViewGeometry) -> Measurement:
    """Ear-to-eye line below horizontal (degrees; positive looks down), at its furthest."""
    side = g.near_side()
    ear, eye = g.joint("ear", side), g.joint("eye", side)
    pitch = np.degrees(np.arctan2(eye[:, 1] - ear[:, 1], g.facing() * (eye[:, 0] - ear[:, 0])))
    return most_extreme(pitch)


def front_knee_angle(g: ViewGeometry) -> Measurement:
    """Inner angle of the front knee at the bottom (degrees)."""
    bottom = g.deepest_knees_position()
    return at(g.knee_angle(leg_ahead(g, bottom)), bottom)


def arm_swing(g: ViewGeometry) -> Measurement:
    """Range of the shoulder angle (hip-shoulder-elbow) over the repetition, degrees."""
    side = g.near_side()
    angle = angle_at(g.joint("hip", side), g.joint("shoulder", side), g.joint("elbow", side))
    if not np.isfinite(angle).any():
        return Measurement(float("nan"), 0)
    return Measurement(float(np.nanmax(angle) - np.nanmin(angle)), int(np.nanargmax(angle)))


def worst_foot_angle(g: ViewGeometry) -> Measurement:
    """Frontal view: the foot pointing furthest from straight ahead (degrees, median over time)."""
    per_foot = [typical(np.abs(g.foot_progression(side))) for side in SIDES]
    return max(per_foot, key=lambda m: m.value if m.valid else -np.inf)


def trunk_lean(g: ViewGeometry) -> Measurement:
    return largest(g.trunk_lean())


def back_thigh_angle(g: ViewGeometry) -> Measurement:
    """Back thigh (hip to back knee) from vertical at the bottom, degrees: 0 = knee under the hip."""
    bottom = g.deepest_knees_position()
    back = other(leg_ahead(g, bottom))
    angle = lean_from_vertical(g.joint("hip", back), g.joint("knee", back), _DOWN)
    return at(angle, bottom)


RULES: tuple[Rule, ...] = (
    Rule("heels_width", "frontal", ("shoulder", "hip", "heel"), "heel spacing over shoulder width", "ratio",
         lambda c: c.lunge_heel_width_ratio, heel_width),
    Rule("head_forward", "lateral", ("ear", "eye"), "head pitch (ear-to-eye below horizontal)", "deg",
         lambda c: c.lunge_head_pitch_deg, head_pitch),
    Rule("front_knee_90", "lateral", ("hip", "knee", "ankle"), "front knee angle at the bottom", "deg",
         lambda c: c.lunge_front_knee_deg, front_knee_angle),
    Rule("arm_swing", "lateral", ("hip", "shoulder", "elbow"), "shoulder angle range", "deg",
         lambda c: c.lunge_arm_swing_deg, arm_swing),
    Rule("feet_aligned", "frontal", ("hip", "heel", "foot_index"), "foot progression angle of the worse foot",
         "deg", lambda c: c.lunge_foot_angle_deg, worst_foot_angle),
    Rule("back_straight", "lateral", ("shoulder", "hip"), "trunk lean from vertical", "deg",
         lambda c: c.lunge_trunk_lean_deg, trunk_lean),
    Rule("back_knee", "lateral", ("hip", "knee", "ankle"), "back thigh from vertical at the bottom", "deg",
         lambda c: c.lunge_back_thigh_deg, back_thigh_angle),
)
