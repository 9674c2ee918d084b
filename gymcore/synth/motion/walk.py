"""Walking in toward the frontal camera (+z) and stopping with the feet together.

Each step keeps the stance foot planted (the body is placed on it) while the swing leg passes; the
swing foot's landing spot, found by forward kinematics, becomes the next stance foot.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from gymcore.synth.body import (
    LEFT_FOOT_INDEX,
    RIGHT_FOOT_INDEX,
    ArmPose,
    LegPose,
    Participant,
    Pose,
    Side,
    pose_skeleton,
)
from gymcore.synth.motion.kinematics import other_side, smooth_step

FORWARD_DEG = 20.0  # thigh angle in front of vertical at heel strike
BACKWARD_DEG = 14.0  # and behind it at toe-off


def walk_in(participant: Participant, fps: float, rng: np.random.Generator, steps: int,
            end_xz: tuple[float, float] = (0.0, 0.0)) -> list[Pose]:
    """``steps`` steps plus a closing half step, ending with the feet together around end_xz."""
    step_s = float(rng.uniform(0.5, 0.62))
    stance: Side = "left" if rng.random() < 0.5 else "right"
    toe = np.array([_toe_x(participant, stance), 0.0])
    poses: list[Pose] = []
    n = max(2, int(round(step_s * fps)))
    for step in range(steps + 1):
        closing = step == steps
        for i in range(n):
            u = (i + 1) / n
            poses.append(_gait_pose(stance, toe, u, closing))
        if not closing:
            landed = pose_skeleton(participant, poses[-1]).landmarks
            swing_toe = landed[LEFT_FOOT_INDEX if stance == "right" else RIGHT_FOOT_INDEX]
            stance, toe = other_side(stance), np.array([swing_toe[0], swing_toe[2]])
    final = pose_skeleton(participant, poses[-1]).landmarks[[LEFT_FOOT_INDEX, RIGHT_FOOT_INDEX]]
    shift = np.asarray(end_xz) - final[:, [0, 2]].mean(axis=0)
    return [_shifted(pose, shift) for pose in poses]


def _toe_x(p: Participant, side: Side) -> float:
    return (1.0 if side == "left" else -1.0) * p.hip_half_width


def _gait_pose(stance: Side, toe: np.ndarray, u: float, closing: bool) -> Pose:
    """Phase u (0..1] of one step standing on ``stance``; a closing step brings both legs upright."""
    swing = other_side(stance)
    eased = float(smooth_step(u))
    if closing:
        stance_thigh = FORWARD_DEG * (1.0 - eased) * 0.5
        swing_thigh = -BACKWARD_DEG * (1.0 - eased)
        swing_knee = 35.0 * np.sin(np.pi * u)
    else:
        stance_thigh = FORWARD_DEG - (FORWARD_DEG + BACKWARD_DEG) * u
        swing_thigh = -BACKWARD_DEG + (FORWARD_DEG + BACKWARD_DEG) * eased
        swing_knee = 5.0 + 55.0 * np.sin(np.pi * min(1.0, 1.15 * u))
    legs = {
        stance: LegPose(hip_flexion=3.0 + stance_thigh, knee_flexion=6.0 * np.sin(np.pi * u)),
        swing: LegPose(hip_flexion=3.0 + swing_thigh, knee_flexion=swing_knee,
                       ankle_dorsiflexion=10.0 * np.sin(np.pi * u)),
    }
    # Arms swing against the legs.
    arms = {
        swing: ArmPose(shoulder_flexion=-0.9 * swing_thigh, elbow_flexion=18.0),
        stance: ArmPose(shoulder_flexion=0.9 * swing_thigh, elbow_flexion=18.0),
    }
    return Pose(
        pelvis_pitch=3.0, left_leg=legs["left"], right_leg=legs["right"],
        left_arm=arms["left"], right_arm=arms["right"],
        support=stance if not (closing and u >= 1.0) else "both",
        ground_xz=(float(toe[0]), float(toe[1])) if not (closing and u >= 1.0) else (0.0, float(toe[1])),
    )


def _shifted(pose: Pose, shift: np.ndarray) -> Pose:
    return replace(pose, ground_xz=(pose.ground_xz[0] + float(shift[0]), pose.ground_xz[1] + float(shift[1])))
