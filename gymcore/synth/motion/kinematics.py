"""Inverse kinematics and pose blending shared by the motion programs.

The programs face +z with no yaw. A leg is placed by naming where its foot stands (toe position,
heel lift, outward turn) and where the pelvis is; ``leg_ik`` finds the hip and knee angles.
"""

from __future__ import annotations

from dataclasses import fields, is_dataclass, replace
from typing import TypeVar

import numpy as np

from gymcore.synth.body import SOLE_BELOW_FOOT_LANDMARKS, LegPose, Participant, Pose, Side, rot_x, rot_y

T = TypeVar("T")
REACH = 0.995  # fraction of the full leg length a leg may stretch to, so a knee never locks past straight


def side_sign(side: Side) -> float:
    return 1.0 if side == "left" else -1.0


def other_side(side: Side) -> Side:
    return "right" if side == "left" else "left"


def smooth_step(x: float | np.ndarray) -> float | np.ndarray:
    """0 -> 1 with zero slope at both ends."""
    x = np.clip(x, 0.0, 1.0)
    return (1.0 - np.cos(np.pi * x)) / 2.0


def hip_joint(p: Participant, pelvis: np.ndarray, pelvis_pitch: float, side: Side) -> np.ndarray:
    """World position of a hip joint for an un-rolled, un-yawed pelvis (as in pose_skeleton)."""
    return pelvis + rot_x(pelvis_pitch) @ np.array([side_sign(side) * p.hip_half_width, -0.02 * p.height, 0.0])


def pelvis_for_hip(p: Participant, hip_sagittal: np.ndarray, pelvis_pitch: float) -> np.ndarray:
    """Pelvis (y, z) that puts the hip joints at hip_sagittal (y, z)."""
    offset = rot_x(pelvis_pitch) @ np.array([0.0, -0.02 * p.height, 0.0])
    return np.asarray(hip_sagittal, float) - offset[1:]


def ankle_for_toe(p: Participant, toe: np.ndarray, heel_lift: float, turn: float, side: Side) -> np.ndarray:
    """Ankle position of a foot whose toe landmark rests at toe (x, z) on the floor."""
    foot_rot = rot_y(side_sign(side) * turn) @ rot_x(heel_lift)
    sole = -(p.ankle_height - SOLE_BELOW_FOOT_LANDMARKS)
    toe_world = np.array([toe[0], SOLE_BELOW_FOOT_LANDMARKS, toe[1]])
    return toe_world - foot_rot @ np.array([0.0, sole, p.foot_length - p.heel_back])


def leg_ik(p: Participant, hip: np.ndarray, ankle: np.ndarray, pelvis_pitch: float) -> tuple[float, float, float, float]:
    """Hip flexion, knee flexion and hip abduction (degrees) that put the ankle at ``ankle``.

    Also returns the fraction of the distance the leg could not reach (0 when it reaches). The knee
    bends forward; abduction tilts the leg plane sideways (positive outward on either side).
    """
    v = np.asarray(ankle, float) - np.asarray(hip, float)
    thigh, shank = p.thigh_length, p.shank_length
    distance = float(np.linalg.norm(v))
    reach = REACH * (thigh + shank)
    shortfall = max(0.0, distance - reach) / max(distance, 1e-9)
    distance = min(distance, reach)
    cos_knee = (distance**2 - thigh**2 - shank**2) / (2.0 * thigh * shank)
    knee = float(np.arccos(np.clip(cos_knee, -1.0, 1.0)))
    vertical_arm = thigh + shank * np.cos(knee)
    abduction = float(np.arcsin(np.clip(v[0] / max(vertical_arm, 1e-9), -1.0, 1.0)))
    in_plane = np.array([-np.cos(abduction) * vertical_arm, -shank * np.sin(knee)])  # (y, z) before pitching
    pitch = float(np.arctan2(v[2], v[1]) - np.arctan2(in_plane[1], in_plane[0]))
    hip_flexion = pelvis_pitch - float(np.degrees(pitch))
    return hip_flexion, float(np.degrees(knee)), float(np.degrees(abduction)), shortfall


def placed_leg(p: Participant, side: Side, hip: np.ndarray, ankle: np.ndarray, pelvis_pitch: float,
               heel_lift: float = 0.0, foot_turn: float = 0.0) -> LegPose:
    """A supporting leg whose ankle sits at ``ankle`` with its foot lying at the given lift and turn."""
    hip_flexion, knee, abduction, _ = leg_ik(p, hip, ankle, pelvis_pitch)
    return LegPose(hip_flexion=_wrap(hip_flexion), knee_flexion=knee,
                   hip_abduction=side_sign(side) * abduction, heel_lift=heel_lift, foot_turn=foot_turn)


def _wrap(deg: float) -> float:
    return float((deg + 180.0) % 360.0 - 180.0)


def blend(a: T, b: T, weight: float) -> T:
    """Field-by-field interpolation of two poses (or their parts); discrete fields switch at half way."""
    if is_dataclass(a):
        return replace(a, **{f.name: blend(getattr(a, f.name), getattr(b, f.name), weight) for f in fields(a)})
    if isinstance(a, tuple):
        return tuple(blend(x, y, weight) for x, y in zip(a, b))  # type: ignore[return-value]
    if isinstance(a, (float, int)) and not isinstance(a, bool):
        return float(a) + (float(b) - float(a)) * weight  # type: ignore[return-value]
    return b if weight >= 0.5 else a


def settle_into(previous: Pose, poses: list[Pose], fps: float, settle_s: float) -> list[Pose]:
    """Ease from the end of the previous movement into the first ``settle_s`` of ``poses``."""
    n = max(1, int(round(settle_s * fps)))
    out = list(poses)
    for i in range(min(n, len(out))):
        out[i] = blend(previous, out[i], float(smooth_step((i + 1) / n)))
    return out


def keyframe_curve(times: list[float], values: list[float], frame_times: np.ndarray) -> np.ndarray:
    """Values between keyframes, eased (cosine) within every segment so that motion starts and
    stops smoothly at each keyframe."""
    t = np.asarray(times, float)
    v = np.asarray(values, float)
    segment = np.clip(np.searchsorted(t, frame_times, side="right") - 1, 0, len(t) - 2)
    span = np.maximum(t[segment + 1] - t[segment], 1e-9)
    local = smooth_step((frame_times - t[segment]) / span)
    return v[segment] + (v[segment + 1] - v[segment]) * local


def frame_times(duration_s: float, fps: float) -> np.ndarray:
    return np.arange(0.0, duration_s, 1.0 / fps)
