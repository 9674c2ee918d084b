"""Lunge rules (ALEX-GYM-1 criteria: heels width, head forward, 90 degree knee bend, arm swing,
feet aligned, back straight, back knee position)."""

from __future__ import annotations

import numpy as np

from gymcore.judging.rules.geometry import SIDES, ViewGeometry, leg_ahead, other, share_of_range
from gymcore.judging.rules.rule import Measurement, Rule, largest, smallest, typical_where
from gymcore.perception.angles import lean_from_vertical

_DOWN = np.array([0.0, 1.0])
# The bottom of the lunge: frames where the knees have made at least this share of their bend.
DEEP_SHARE = 0.7
# The lower half of the lunge: frames where the knees have made at least this share of their bend.
LOWER_HALF_SHARE = 0.5
# Standing: frames where the knees have made at most this share of their bend.
STANDING_SHARE = 0.2


def track_width(g: ViewGeometry) -> Measurement:
    """Frontal view: sideways spacing of the two lower legs (ankles and knees averaged) over the
    shoulder width, median over the deep frames. The ankles alone are MediaPipe's least steady
    landmarks in a lunge (the back heel is off the floor); the knees sit over them and share the
    track."""
    def spacing(joint: str) -> np.ndarray:
        return np.abs(g.joint(joint, "left")[:, 0] - g.joint(joint, "right")[:, 0])

    shoulders = np.abs(g.joint("shoulder", "left")[:, 0] - g.joint("shoulder", "right")[:, 0])
    ratio = (spacing("ankle") + spacing("knee")) / 2 / np.maximum(shoulders, 1e-6)
    return typical_where(ratio, deep_frames(g))


def head_drop(g: ViewGeometry) -> Measurement:
    """Ear-shoulder-hip angle (degrees; 180 = head in line with the trunk) at its smallest over the
    lower half of the lunge: dropping the gaze to the floor folds the head down in front of the
    chest. MediaPipe's eye and ear landmarks are a few pixels apart in a lateral view, too close for
    the ear-to-eye line to give the head's pitch reliably. The midpoints of the left and right
    landmarks are steadier than either side here.

    Read where the lunge is held, not while stepping in and out: on real footage the angle was
    smallest in the step on 10 of 14 repetitions labelled head-up, by up to 11.5 degrees (the
    real-clip benchmark's tuning half), while a gaze held on the floor shows most at the bottom."""
    return smallest(np.where(bend_share(g) >= LOWER_HALF_SHARE, g.head_trunk_angle(), np.nan))


def front_knee_angle(g: ViewGeometry) -> Measurement:
    """Inner angle of the front knee (degrees) at its most bent over the repetition."""
    return smallest(g.knee_angle(leg_ahead(g, g.deepest_knees_position())))


def arm_swing(g: ViewGeometry) -> Measurement:
    """Counter-swing of the arms: the range over the repetition of how far the left upper arm is
    ahead of the right one (degrees of shoulder flexion, each from its own trunk line).

    A swing carries one arm forward as the other goes back, so their separation changes by both
    arcs together. Arms held still, or raised and lowered together for balance, keep it nearly
    constant: on real footage arms lifted together in front of the chest changed one arm's angle by
    up to 80 degrees (the real-clip benchmark's tuning half) while their separation changed by at
    most 25. The far arm is hidden side-on, but MediaPipe still places it on the swing's side."""
    separation = shoulder_flexion(g, "left") - shoulder_flexion(g, "right")
    if not np.isfinite(separation).any():
        return Measurement(float("nan"), 0)
    return Measurement(float(np.nanmax(separation) - np.nanmin(separation)), int(np.nanargmax(np.abs(separation))))


def shoulder_flexion(g: ViewGeometry, side: str) -> np.ndarray:
    """Lateral view: the upper arm's angle (degrees) from the trunk's line down to the hip, positive
    with the elbow in front of the body and negative behind it."""
    forward = g.facing()
    trunk = g.joint("hip", side) - g.joint("shoulder", side)
    arm = g.joint("elbow", side) - g.joint("shoulder", side)
    turn = np.arctan2(trunk[:, 1], forward * trunk[:, 0]) - np.arctan2(arm[:, 1], forward * arm[:, 0])
    return np.degrees((turn + np.pi) % (2 * np.pi) - np.pi)


def standing_foot_angle(g: ViewGeometry) -> Measurement:
    """Frontal view: foot progression angle (degrees outward), both feet averaged, median over the
    frames with the knees nearly straight. In the lunge itself the back heel rises and the foot
    pitches onto its toes, which the landmarks' relative depth turns into a false outward angle."""
    angle = np.mean([g.foot_progression(side) for side in SIDES], axis=0)
    return typical_where(angle, bend_share(g) <= STANDING_SHARE)


def trunk_lean(g: ViewGeometry) -> Measurement:
    return largest(g.trunk_lean())


def back_thigh_angle(g: ViewGeometry) -> Measurement:
    """Back thigh (hip centre to back knee) from vertical, degrees, median over the lower half of
    the lunge: 0 = back knee straight under the hip. The hip centre is steadier than either hip in
    a lateral view, where the two overlap."""
    back = other(leg_ahead(g, g.deepest_knees_position()))
    angle = lean_from_vertical(g.joint("hip"), g.joint("knee", back), _DOWN)
    return typical_where(angle, bend_share(g) >= LOWER_HALF_SHARE)


def bend_share(g: ViewGeometry) -> np.ndarray:
    """How far the knees are bent together, per frame: 0 at their straightest, 1 at the bottom."""
    return share_of_range(-(g.knee_angle("left") + g.knee_angle("right")))


def deep_frames(g: ViewGeometry) -> np.ndarray:
    return bend_share(g) >= DEEP_SHARE


RULES: tuple[Rule, ...] = (
    Rule("heels_width", "frontal", ("shoulder", "knee", "ankle"), "lower-leg spacing over shoulder width", "ratio",
         lambda c: c.lunge_track_width_ratio, track_width),
    Rule("head_forward", "lateral", ("ear", "shoulder", "hip"), "ear-shoulder-hip angle in the lower half", "deg",
         lambda c: c.lunge_head_trunk_deg, head_drop, turned_ok=False),
    Rule("front_knee_90", "lateral", ("hip", "knee", "ankle"), "front knee angle at its most bent", "deg",
         lambda c: c.lunge_front_knee_deg, front_knee_angle),
    Rule("arm_swing", "lateral", ("hip", "shoulder", "elbow"), "range of the arms' separation", "deg",
         lambda c: c.lunge_arm_swing_deg, arm_swing),
    Rule("feet_aligned", "frontal", ("hip", "heel", "foot_index"), "foot progression angle while standing",
         "deg", lambda c: c.lunge_foot_angle_deg, standing_foot_angle),
    Rule("back_straight", "lateral", ("shoulder", "hip"), "trunk lean from vertical", "deg",
         lambda c: c.lunge_trunk_lean_deg, trunk_lean),
    Rule("back_knee", "lateral", ("hip", "knee", "ankle"), "back thigh from vertical at the bottom", "deg",
         lambda c: c.lunge_back_thigh_deg, back_thigh_angle),
)
