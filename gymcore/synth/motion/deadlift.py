"""The single-leg Romanian deadlift: hinge on one leg while the free leg reaches back.

The standing foot stays flat on the floor (the body is placed on it); the trunk tips forward at
the hip, the free leg rises behind in line with the trunk, the arms hang toward the floor.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from gymcore.synth.body import (
    LEFT_FOOT_INDEX,
    LEFT_HEEL,
    RIGHT_FOOT_INDEX,
    RIGHT_HEEL,
    ArmPose,
    LegPose,
    Participant,
    Pose,
    Side,
    pose_skeleton,
)
from gymcore.synth.motion.kinematics import frame_times, keyframe_curve, other_side, side_sign

BOUNCE_BELOW_PAUSE_S = 0.25  # a turn shorter than this drops into the bottom and rebounds


@dataclass(frozen=True)
class DeadliftParams:
    """One repetition. Fault parameters first (see faults.FAULT_TABLE), then style."""

    sway_deg: float = 0.0
    back_rounding_deg: float = 0.0
    free_leg_gap_deg: float = 3.0
    turn_pause_s: float = 0.5
    support_knee_deg: float = 20.0
    support_side: Side = "left"
    hinge_deg: float = 72.0  # trunk angle from vertical at the bottom
    sway_hz: float = 1.4
    sway_phase: float = 0.0
    settle_s: float = 0.4
    descent_s: float = 1.4
    ascent_s: float = 1.3
    top_s: float = 0.4

    @property
    def drop(self) -> float:
        """0 for a controlled turn, up to 1 for a turn with no pause at all."""
        return float(np.clip((BOUNCE_BELOW_PAUSE_S - self.turn_pause_s) / BOUNCE_BELOW_PAUSE_S, 0.0, 1.0))

    @property
    def duration_s(self) -> float:
        descent = self.descent_s * (1.0 - 0.45 * self.drop)
        return self.settle_s + descent + self.turn_pause_s + 0.25 * self.drop + self.ascent_s + self.top_s


def draw_style(rng: np.random.Generator, support_side: Side) -> dict[str, object]:
    tempo = float(rng.uniform(0.85, 1.2))
    return {
        "support_side": support_side,
        "hinge_deg": float(rng.uniform(62.0, 82.0)),
        "sway_hz": float(rng.uniform(1.1, 1.8)),
        "sway_phase": float(rng.uniform(0.0, 2 * np.pi)),
        "descent_s": 1.4 * tempo * float(rng.uniform(0.9, 1.1)),
        "ascent_s": 1.3 * tempo * float(rng.uniform(0.9, 1.1)),
        "top_s": float(rng.uniform(0.25, 0.5)),
    }


def deadlift_rep(participant: Participant, q: DeadliftParams, fps: float) -> list[Pose]:
    """The poses of one repetition, from standing on the support leg back to it."""
    descent = q.descent_s * (1.0 - 0.45 * q.drop)
    bottom = q.settle_s + descent
    bounce = 0.25 * q.drop
    times = frame_times(q.duration_s, fps)
    if q.drop > 0.0:
        # Falling into the bottom: no easing on the way down, an overshoot and a rebound.
        keys = [0.0, q.settle_s, bottom, bottom + 0.4 * bounce, bottom + bounce + q.turn_pause_s,
                bottom + bounce + q.turn_pause_s + q.ascent_s, q.duration_s]
        values = [0.0, 0.0, 1.0 + 0.08 * q.drop, 1.0 - 0.1 * q.drop, 1.0 - 0.1 * q.drop, 0.0, 0.0]
        progress = keyframe_curve(keys, values, times)
        falling = (times >= q.settle_s) & (times < bottom)
        progress[falling] = (1.0 + 0.08 * q.drop) * ((times[falling] - q.settle_s) / descent) ** 1.6
    else:
        keys = [0.0, q.settle_s, bottom, bottom + q.turn_pause_s, bottom + q.turn_pause_s + q.ascent_s, q.duration_s]
        progress = keyframe_curve(keys, [0.0, 0.0, 1.0, 1.0, 0.0, 0.0], times)
    return [_free_foot_clear(participant, _deadlift_pose(participant, q, float(d), float(t)))
            for d, t in zip(progress, times)]


def _free_foot_clear(p: Participant, pose: Pose, clearance: float = 0.015) -> Pose:
    """Bend the free knee further until the free foot clears the floor (a deeply bent standing
    knee lowers the hips enough for a straighter free leg to reach into the floor)."""
    free = other_side(pose.support)  # type: ignore[arg-type]
    indices = [LEFT_HEEL, LEFT_FOOT_INDEX] if free == "left" else [RIGHT_HEEL, RIGHT_FOOT_INDEX]
    for _ in range(8):
        if pose_skeleton(p, pose).landmarks[indices, 1].min() >= clearance:
            break
        leg = pose.leg(free)
        bent = replace(leg, knee_flexion=leg.knee_flexion + 8.0)
        pose = replace(pose, **{f"{free}_leg": bent})
    return pose


def _deadlift_pose(p: Participant, q: DeadliftParams, depth: float, t: float) -> Pose:
    support, free = q.support_side, other_side(q.support_side)
    rounding = q.back_rounding_deg * depth
    trunk = q.hinge_deg * depth  # chest line from vertical
    pelvis_pitch = trunk - rounding
    knee = q.support_knee_deg * (0.6 + 0.4 * min(1.0, 2.0 * depth))
    shin = 0.45 * knee
    support_leg = LegPose(hip_flexion=pelvis_pitch + knee - shin, knee_flexion=knee)
    # In line with the trunk: the free thigh points backward as far as the chest points forward.
    free_line = trunk - q.free_leg_gap_deg * depth
    free_knee = 8.0 + knee * (1.0 - depth) + 1.2 * q.free_leg_gap_deg * depth
    free_leg = LegPose(hip_flexion=pelvis_pitch - free_line + 0.5 * free_knee * (1.0 - depth) + 4.0,
                       knee_flexion=free_knee, ankle_dorsiflexion=-10.0 + 20.0 * depth)
    sway = q.sway_deg * np.sin(2 * np.pi * q.sway_hz * t + q.sway_phase) * (0.3 + 0.7 * depth)
    reach_out = 3.0 * abs(sway)
    arm = ArmPose(shoulder_flexion=trunk * 0.92, shoulder_abduction=6.0, elbow_flexion=8.0)
    arms = {side: ArmPose(arm.shoulder_flexion, arm.shoulder_abduction + reach_out, arm.elbow_flexion)
            for side in ("left", "right")}
    legs = {support: support_leg, free: free_leg}
    return Pose(
        pelvis_pitch=pelvis_pitch,
        pelvis_roll=sway,
        lumbar_flexion=0.5 * rounding,
        thoracic_flexion=0.5 * rounding,
        spine_lateral_bend=-0.5 * sway,
        head_pitch=-0.25 * trunk,
        left_leg=legs["left"], right_leg=legs["right"], left_arm=arms["left"], right_arm=arms["right"],
        support=support,
        ground_xz=(side_sign(support) * p.hip_half_width, 0.0),
    )
