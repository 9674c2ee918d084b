"""Squat rules (ALEX-GYM-1 criteria: feet flat, hip/knee bend, hips backward, neutral back, hips
below knee, feet angled)."""

from __future__ import annotations

import numpy as np

from gymcore.judging.rules.geometry import SIDES, ViewGeometry, nanargmax, share_of_range, share_of_travel
from gymcore.judging.rules.rule import Measurement, Rule, largest, largest_where, typical, typical_where
from gymcore.perception.angles import angle_at

# Frames at each end of the repetition taken as standing.
STANDING_FRAMES = 2
# The deep part of the squat: frames where the hip has made at least this share of its descent.
DEEP_SHARE = 0.5
# The bottom of the squat: frames where the hip has made at least this share of its descent.
BOTTOM_SHARE = 0.7


def heel_rise(g: ViewGeometry) -> Measurement:
    """Frontal view: how far the heels and ankles rise above their standing height in the deep half
    of the squat, in torso lengths (both feet, heel and ankle averaged; median over those frames).

    A heel coming off the floor pivots the foot on the toes and lifts heel and ankle with it. On
    SynthGym's MediaPipe landmarks the frontal view separates lifted from flat heels far better than
    the lateral one (about 5% against 17% wrong on train), and there the torso keeps its length
    through the squat, so it is a steady scale.
    """
    feet_y = (g.joint("ankle")[:, 1] + g.joint("heel")[:, 1]) / 2
    standing = float(np.nanmedian(np.r_[feet_y[:STANDING_FRAMES], feet_y[-STANDING_FRAMES:]]))
    rise = (standing - feet_y) / g.torso_length()
    return typical_where(rise, share_of_range(g.joint("hip")[:, 1]) >= DEEP_SHARE)


def heel_rise_lateral(g: ViewGeometry) -> Measurement:
    """Lateral view: how far the heels rise above their standing height in the deep half of the
    squat, in torso lengths (both heels averaged; median over those frames).

    Side-on, a heel coming off the floor shows as the heel landmark lifting while the toes stay
    down. On SynthGym's MediaPipe landmarks the heels' own rise separates lifted from flat heels
    better than their rise relative to the toes (foot_index), which MediaPipe moves with the
    heel: about 16% against 25-28% wrong on train+val (RulesConfig.squat_heel_rise_lateral). The
    frontal measure (heel_rise) is better still and is preferred when both views are given.
    """
    heel_y = g.joint("heel")[:, 1]
    standing = float(np.nanmedian(np.r_[heel_y[:STANDING_FRAMES], heel_y[-STANDING_FRAMES:]]))
    rise = (standing - heel_y) / g.torso_length()
    return typical_where(rise, share_of_range(g.joint("hip")[:, 1]) >= DEEP_SHARE)


def knee_lead(g: ViewGeometry) -> Measurement:
    """How far the knees run ahead of the hip bend on the way down: the largest gap, over the
    descent, between the share of its full forward travel the knee has made and the share of its
    full flexion the hip has made (0 = they move together; knees travelling forward under an
    upright trunk before the hips bend show as a large gap).

    The descent only, as the criterion says: on the way up the hips lead by nature (they extend
    while the knees are still forward), which on real footage gave labelled passes their largest
    gap (the real-clip benchmark's tuning half)."""
    hip_flexion = 180.0 - angle_at(g.joint("shoulder"), g.joint("hip"), g.joint("knee"))
    gap = share_of_travel(g.forward_of_ankle("knee")) - share_of_travel(hip_flexion)
    return largest(gap[: nanargmax(g.joint("hip")[:, 1]) + 1])


def shin_tilt(g: ViewGeometry) -> Measurement:
    """Forward tilt of the shins from vertical (degrees; both sides averaged) at its largest over
    the lower half of the squat.

    With the body balanced over mid-foot, hips that sit back let the shins stay steep; hips that
    drop straight down push the knees far forward over the toes. The shin (knee over ankle) is
    the steadier reading of the two in MediaPipe: the hip landmark drifts along the thigh as the
    hip flexes.
    """
    knee, ankle = g.joint("knee"), g.joint("ankle")
    tilt = np.degrees(np.arctan2(g.facing() * (knee[:, 0] - ankle[:, 0]), ankle[:, 1] - knee[:, 1]))
    return largest_where(tilt, share_of_range(g.joint("hip")[:, 1]) >= DEEP_SHARE)


def arms_to_trunk(g: ViewGeometry) -> Measurement:
    """Angle between the arm (shoulder to wrist) and the shoulder-hip line in the deep part of the
    squat, degrees: the larger of the two sides, at its largest.

    MediaPipe has no spine landmarks. With the arms held forward for balance, they stay square to
    the upper back; when the back rounds, the upper back tips further forward than the shoulder-hip
    line and carries the arms down toward the thighs, closing this angle. The larger side is taken
    because the far arm, hidden behind the body in a lateral view, is drawn too close to it.
    """
    per_side = [angle_at(g.joint("hip", side), g.joint("shoulder", side), g.joint("wrist", side)) for side in SIDES]
    return largest_where(np.fmax(*per_side), share_of_range(g.joint("hip")[:, 1]) >= BOTTOM_SHARE)


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
    # Judged from the frontal view when it is given and passes the view gate, else side-on.
    Rule("feet_flat", "frontal", ("shoulder", "hip", "ankle", "heel"), "heel and ankle rise in the deep half",
         "torso lengths", lambda c: c.squat_heel_rise, heel_rise,
         otherwise=Rule("feet_flat", "lateral", ("shoulder", "hip", "heel"), "heel rise in the deep half",
                        "torso lengths", lambda c: c.squat_heel_rise_lateral, heel_rise_lateral, turned_ok=False)),
    Rule("hip_knee_bend", "lateral", ("shoulder", "hip", "knee", "ankle"),
         "knee travel ahead of hip flexion on the way down (share)", "share", lambda c: c.squat_knee_lead, knee_lead,
         turned_ok=False),
    Rule("hips_backward", "lateral", ("hip", "knee", "ankle", "heel", "foot_index"),
         "shin forward tilt in the lower half", "deg", lambda c: c.squat_shin_tilt_deg, shin_tilt),
    Rule("neutral_back", "lateral", ("shoulder", "hip", "wrist"), "arms to shoulder-hip line at the bottom",
         "deg", lambda c: c.squat_arms_to_trunk_deg, arms_to_trunk, turned_ok=False),
    Rule("hips_below_knee", "lateral", ("hip", "knee"), "hip below knee at the bottom", "thigh lengths",
         lambda c: c.squat_hip_below_knee, hip_below_knee),
    Rule("feet_angled", "frontal", ("hip", "heel", "foot_index"), "foot progression angle", "deg",
         lambda c: c.squat_foot_angle_deg, foot_angle),
)
