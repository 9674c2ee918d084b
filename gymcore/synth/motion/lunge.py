"""The forward lunge: step forward, lower the back knee toward the floor, push back to standing.

The bottom posture is designed from the front leg (knee flexion, shin lean) and the back thigh's
angle; the stride follows from it. Each frame then places the pelvis and both feet and solves the
legs by inverse kinematics, so the planted feet never slide.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gymcore.synth.body import ArmPose, Participant, Pose, Side
from gymcore.synth.motion.kinematics import (
    REACH,
    ankle_for_toe,
    frame_times,
    hip_joint,
    keyframe_curve,
    other_side,
    pelvis_for_hip,
    placed_leg,
    side_sign,
)


@dataclass(frozen=True)
class LungeParams:
    """One lunge repetition. Fault parameters first (see faults.FAULT_TABLE), then style."""

    track_width: float = 0.8  # lateral ankle spacing over shoulder-joint spacing
    gaze_down_deg: float = 0.0
    front_knee_deg: float = 92.0
    arm_swing_deg: float = 20.0
    foot_turn_deg: float = 3.0
    trunk_lean_deg: float = 4.0
    back_thigh_deg: float = 5.0
    front_side: Side = "left"
    front_shin_deg: float = 8.0
    back_heel_lift_deg: float = 55.0
    settle_s: float = 0.4
    step_s: float = 0.6
    descent_s: float = 0.9
    pause_s: float = 0.2
    ascent_s: float = 0.8
    return_s: float = 0.6
    end_s: float = 0.3

    @property
    def duration_s(self) -> float:
        return self.settle_s + self.step_s + self.descent_s + self.pause_s + self.ascent_s + self.return_s + self.end_s


def draw_style(rng: np.random.Generator, rep_index: int, first_side: Side) -> dict[str, object]:
    """Tempo and shape of one repetition; legs alternate."""
    tempo = float(rng.uniform(0.85, 1.2))
    return {
        "front_side": first_side if rep_index % 2 == 0 else other_side(first_side),
        "front_shin_deg": float(rng.uniform(3.0, 12.0)),
        "back_heel_lift_deg": float(rng.uniform(48.0, 62.0)),
        "step_s": 0.6 * tempo * float(rng.uniform(0.9, 1.1)),
        "descent_s": 0.9 * tempo * float(rng.uniform(0.9, 1.1)),
        "pause_s": float(rng.uniform(0.1, 0.35)),
        "ascent_s": 0.8 * tempo * float(rng.uniform(0.9, 1.1)),
        "return_s": 0.6 * tempo * float(rng.uniform(0.9, 1.1)),
    }


@dataclass(frozen=True)
class _Design:
    """Where feet and pelvis are standing and at the bottom (x, z on the floor; y up)."""

    back_toe: np.ndarray
    front_toe_start: np.ndarray
    front_toe_end: np.ndarray
    pelvis_start: np.ndarray  # (x, y, z)
    pelvis_bottom: np.ndarray


def _toe_from_ankle(p: Participant, lift: float, turn: float, side: Side) -> np.ndarray:
    """(x, z) of the toe landmark relative to the ankle."""
    offset = -ankle_for_toe(p, np.zeros(2), lift, turn, side)
    return offset[[0, 2]]


def _design(p: Participant, q: LungeParams) -> _Design:
    front, back = q.front_side, other_side(q.front_side)
    thigh, shank = p.thigh_length, p.shank_length
    front_thigh = np.radians(q.front_knee_deg - q.front_shin_deg)
    shin = np.radians(q.front_shin_deg)
    # Sagittal (y, z) positions with the front ankle at z = 0.
    hip_y = p.ankle_height + shank * np.cos(shin) + thigh * np.cos(front_thigh)
    hip_z = shank * np.sin(shin) - thigh * np.sin(front_thigh)
    back_thigh = np.radians(q.back_thigh_deg)
    knee_y, knee_z = hip_y - thigh * np.cos(back_thigh), hip_z - thigh * np.sin(back_thigh)
    back_ankle_y = ankle_for_toe(p, np.zeros(2), q.back_heel_lift_deg, 0.7 * q.foot_turn_deg, back)[1]
    shin_back = np.arccos(np.clip((knee_y - back_ankle_y) / shank, -1.0, 1.0))
    back_ankle_z = knee_z - shank * np.sin(shin_back)

    back_x = side_sign(back) * p.hip_half_width
    front_x = back_x + side_sign(front) * 2.0 * q.track_width * p.shoulder_half_width
    back_toe = np.array([back_x, back_ankle_z]) + _toe_from_ankle(p, q.back_heel_lift_deg, 0.7 * q.foot_turn_deg, back)
    front_toe_end = np.array([front_x, 0.0]) + _toe_from_ankle(p, 0.0, q.foot_turn_deg, front)
    # Centre the bottom posture on z = 0 so that both cameras keep the whole stride in view.
    shift = -0.5 * (front_toe_end[1] + back_toe[1])
    back_toe[1] += shift
    front_toe_end[1] += shift
    front_toe_start = np.array([-back_x, back_toe[1]])
    front_toe_start[0] += _toe_from_ankle(p, 0.0, q.foot_turn_deg, front)[0]
    ankle_z_start = back_toe[1] - _toe_from_ankle(p, 0.0, 0.0, back)[1]
    pelvis_start = np.array([0.0, p.ankle_height + 0.985 * (thigh + shank) + 0.02 * p.height, ankle_z_start])
    pelvis_bottom_yz = pelvis_for_hip(p, np.array([hip_y, hip_z + shift]), _pelvis_pitch(q, 1.0))
    pelvis_bottom_x = 0.5 * (front_x + back_x)
    return _Design(
        back_toe=back_toe,
        front_toe_start=front_toe_start,
        front_toe_end=front_toe_end,
        pelvis_start=pelvis_start,
        pelvis_bottom=np.array([pelvis_bottom_x, *pelvis_bottom_yz]),
    )


def _pelvis_pitch(q: LungeParams, depth: float) -> float:
    return 0.6 * (2.0 + q.trunk_lean_deg) * depth


def lunge_rep(participant: Participant, q: LungeParams, fps: float) -> list[Pose]:
    """The poses of one repetition, from standing to standing."""
    p = participant
    design = _design(p, q)
    t0 = q.settle_s
    keys = [0.0, t0, t0 + q.step_s, t0 + q.step_s + q.descent_s, t0 + q.step_s + q.descent_s + q.pause_s,
            t0 + q.step_s + q.descent_s + q.pause_s + q.ascent_s,
            t0 + q.step_s + q.descent_s + q.pause_s + q.ascent_s + q.return_s, q.duration_s]
    times = frame_times(q.duration_s, fps)
    step = keyframe_curve(keys, [0, 0, 1, 1, 1, 1, 0, 0], times)
    depth = keyframe_curve(keys, [0, 0, 0.15, 1, 1, 0.15, 0, 0], times)
    return [_lunge_pose(p, q, design, float(s), float(d)) for s, d in zip(step, depth)]


def _lunge_pose(p: Participant, q: LungeParams, design: _Design, step: float, depth: float) -> Pose:
    front, back = q.front_side, other_side(q.front_side)
    front_toe = design.front_toe_start + (design.front_toe_end - design.front_toe_start) * step
    in_air = 0.0 < step < 1.0
    lift = 0.06 * p.height * np.sin(np.pi * step) if in_air else 0.0
    front_heel = 12.0 * np.sin(np.pi * step) if in_air else 0.0
    back_heel = q.back_heel_lift_deg * min(1.0, 0.25 * step + 0.75 * depth)
    front_ankle = ankle_for_toe(p, front_toe, front_heel, q.foot_turn_deg, front) + np.array([0.0, lift, 0.0])
    back_ankle = ankle_for_toe(p, design.back_toe, back_heel, 0.7 * q.foot_turn_deg, back)

    pitch = _pelvis_pitch(q, depth)
    travel = 0.5 * step + 0.5 * depth
    pelvis = design.pelvis_start + (design.pelvis_bottom - design.pelvis_start) * np.array([step, depth, travel])
    planted = [(back, back_ankle)] if in_air else [(back, back_ankle), (front, front_ankle)]
    pelvis[1] = min(pelvis[1], _highest_pelvis(p, pelvis, pitch, planted))

    def leg(side: Side, ankle: np.ndarray, heel: float, turn: float):
        return placed_leg(p, side, hip_joint(p, pelvis, pitch, side), ankle, pitch, heel, turn)

    legs = {front: leg(front, front_ankle, front_heel, q.foot_turn_deg),
            back: leg(back, back_ankle, back_heel, 0.7 * q.foot_turn_deg)}
    spine = 0.2 * (2.0 + q.trunk_lean_deg) * depth
    chest_lean = pitch + 2.0 * spine
    gaze = q.gaze_down_deg * max(depth, 0.5 * step)
    swing = q.arm_swing_deg * (0.4 * step + 0.6 * depth)
    arms = {
        back: ArmPose(shoulder_flexion=swing, shoulder_abduction=8.0, elbow_flexion=15.0 + 0.5 * swing),
        front: ArmPose(shoulder_flexion=-0.7 * swing, shoulder_abduction=10.0, elbow_flexion=10.0 + 0.2 * swing),
    }
    support = back if in_air and lift > 0.005 else "both"
    toes = [design.back_toe] if support != "both" else [design.back_toe, front_toe]
    ground = np.mean(toes, axis=0)
    return Pose(
        pelvis_pitch=pitch, lumbar_flexion=spine, thoracic_flexion=spine,
        head_pitch=gaze - chest_lean,
        left_leg=legs["left"], right_leg=legs["right"], left_arm=arms["left"], right_arm=arms["right"],
        support=support, ground_xz=(float(ground[0]), float(ground[1])),
    )


def _highest_pelvis(p: Participant, pelvis: np.ndarray, pitch: float, planted: list[tuple[Side, np.ndarray]]) -> float:
    """The highest pelvis (at this x, z) from which every planted ankle is still within reach."""
    limit = np.inf
    reach = 0.995 * REACH * (p.thigh_length + p.shank_length)
    for side, ankle in planted:
        hip = hip_joint(p, np.array([pelvis[0], 0.0, pelvis[2]]), pitch, side)
        dx, dz = ankle[0] - hip[0], ankle[2] - hip[2]
        limit = min(limit, ankle[1] + np.sqrt(max(reach**2 - dx**2 - dz**2, 0.0)) - hip[1])
    return float(limit)
