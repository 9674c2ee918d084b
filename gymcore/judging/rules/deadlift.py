"""Single-leg Romanian deadlift rules (ALEX-GYM-1 criteria: balance, straight back, leg extension,
controlled reversal, support knee bent)."""

from __future__ import annotations

import numpy as np

from gymcore.judging.rules.geometry import SIDES, ViewGeometry, leg_raised, nanargmax, other, share_of_range
from gymcore.judging.rules.rule import Measurement, Rule, at, typical_where

# Frames (of the repetition's 16) before the lowest point over which the speed into the turn is read.
TURN_FRAMES = 3
# The bottom of the hinge: frames where the trunk has made at least this share of its lean.
BOTTOM_SHARE = 0.8
# The lower half of the hinge, over which the standing leg is read.
LOWER_HALF_SHARE = 0.5


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


def head_trunk_at_bottom(g: ViewGeometry) -> Measurement:
    """Ear-shoulder-hip angle (degrees; 180 = straight) over the frames near the bottom of the
    hinge, median; per frame the larger of the two sides, since MediaPipe pulls the hidden side's
    landmarks toward the body in a lateral view. With no spine landmarks, the upper back curling
    over the hips shows as the head and shoulders folding below the line from the hips."""
    angle = np.fmax(*(g.head_trunk_angle(side) for side in SIDES))
    return typical_where(angle, share_of_range(g.trunk_lean()) >= BOTTOM_SHARE)


def free_knee_flexion(g: ViewGeometry) -> Measurement:
    """Flexion (degrees from straight) of the free knee at the bottom: a leg extended behind in
    line with the torso is nearly straight; a leg left hanging bends at the knee."""
    turn = bottom(g)
    return at(180.0 - g.knee_angle(leg_raised(g, turn)), turn)


def turn_speed_share(g: ViewGeometry) -> Measurement:
    """The fastest the head and shoulders move over the frames entering the bottom, as a share of
    their fastest over the repetition (1 = still at full speed when they reach the bottom).

    Relative to the repetition, not in seconds: a controlled hinge slows into a pause, a drop
    reaches the bottom at its top speed and bounces. The head-and-shoulder height is used because
    it travels furthest in a hinge and so carries the speed profile above landmark noise.
    """
    height = (g.joint("nose")[:, 1] + g.joint("shoulder")[:, 1]) / 2
    speed = np.abs(np.diff(share_of_range(height)))
    if not np.isfinite(speed).any():
        return Measurement(float("nan"), 0)
    lowest = nanargmax(height)
    entering = speed[max(lowest - TURN_FRAMES, 0):lowest]
    if not np.isfinite(entering).any():
        return Measurement(float("nan"), lowest)
    return Measurement(float(np.nanmax(entering) / np.nanmax(speed)), lowest)


def support_shin_tilt(g: ViewGeometry) -> Measurement:
    """Forward tilt (degrees from vertical) of the standing shin over the frames of the hinge's
    lower half, median. A soft knee shows as the knee travelling forward over the foot; a locked
    knee keeps the shin vertical; a squatting knee drives it far forward. The shin is steadier in
    MediaPipe than the knee angle, whose thigh end moves with the hip landmark as the pelvis tips."""
    support = other(leg_raised(g, bottom(g)))
    knee, ankle = g.joint("knee", support), g.joint("ankle", support)
    tilt = np.degrees(np.arctan2(g.facing() * (knee[:, 0] - ankle[:, 0]), ankle[:, 1] - knee[:, 1]))
    return typical_where(tilt, share_of_range(g.trunk_lean()) >= LOWER_HALF_SHARE)


RULES: tuple[Rule, ...] = (
    Rule("balance", "frontal", ("shoulder", "hip"), "sideways sway of the hip centre", "torso lengths",
         lambda c: c.deadlift_hip_sway, hip_sway),
    Rule("straight_back", "lateral", ("ear", "shoulder", "hip"), "ear-shoulder-hip angle at the bottom",
         "deg", lambda c: c.deadlift_head_trunk_deg, head_trunk_at_bottom, turned_ok=False),
    Rule("leg_extension", "lateral", ("hip", "knee", "ankle"), "free knee flexion at the bottom", "deg",
         lambda c: c.deadlift_free_knee_flexion_deg, free_knee_flexion, turned_ok=False),
    Rule("control_reverse", "lateral", ("nose", "shoulder"), "speed entering the bottom over peak speed", "share",
         lambda c: c.deadlift_turn_speed_share, turn_speed_share),
    Rule("knee_bent", "lateral", ("hip", "knee", "ankle"), "standing shin tilt in the lower half", "deg",
         lambda c: c.deadlift_support_shin_tilt_deg, support_shin_tilt),
)
