"""Joint angles per frame, in degrees (timelines beside docs/architecture.md, step 2).

2D angles are measured in the view's image plane, in pixels (normalised x and y are rescaled by the
frame's width and height first, or a portrait clip would bend every angle). 3D angles use
MediaPipe's world landmarks and carry a ``_3d`` suffix. A frame without a person gives NaN.

Conventions: knee, hip, elbow, ankle and shoulder are the inner angle at the joint (180 = straight
knee or hip); ``trunk_lean`` is the angle of the hip-centre-to-shoulder-centre line from vertical
(0 = upright).
"""

from __future__ import annotations

import numpy as np

from gymcore.perception.pose import LANDMARK as L

# name -> (a, joint, b): the angle at `joint` between the segments to a and b.
JOINT_TRIPLETS: dict[str, tuple[int, int, int]] = {
    "left_knee": (L["left_hip"], L["left_knee"], L["left_ankle"]),
    "right_knee": (L["right_hip"], L["right_knee"], L["right_ankle"]),
    "left_hip": (L["left_shoulder"], L["left_hip"], L["left_knee"]),
    "right_hip": (L["right_shoulder"], L["right_hip"], L["right_knee"]),
    "left_ankle": (L["left_knee"], L["left_ankle"], L["left_foot_index"]),
    "right_ankle": (L["right_knee"], L["right_ankle"], L["right_foot_index"]),
    "left_elbow": (L["left_shoulder"], L["left_elbow"], L["left_wrist"]),
    "right_elbow": (L["right_shoulder"], L["right_elbow"], L["right_wrist"]),
    "left_shoulder": (L["left_hip"], L["left_shoulder"], L["left_elbow"]),
    "right_shoulder": (L["right_hip"], L["right_shoulder"], L["right_elbow"]),
}
ANGLE_NAMES: tuple[str, ...] = (*JOINT_TRIPLETS, "trunk_lean")
ANGLE_NAMES_3D: tuple[str, ...] = tuple(f"{name}_3d" for name in ANGLE_NAMES)


def angle_at(a: np.ndarray, joint: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Inner angle (degrees) at `joint` of the segments joint-a and joint-b; arrays (..., D)."""
    u = a - joint
    v = b - joint
    cos = np.sum(u * v, axis=-1) / (np.linalg.norm(u, axis=-1) * np.linalg.norm(v, axis=-1))
    return np.degrees(np.arccos(np.clip(cos, -1.0, 1.0)))


def lean_from_vertical(bottom: np.ndarray, top: np.ndarray, up: np.ndarray) -> np.ndarray:
    """Angle (degrees) between the segment bottom->top and the `up` direction."""
    segment = top - bottom
    cos = segment @ up / np.linalg.norm(segment, axis=-1)
    return np.degrees(np.arccos(np.clip(cos, -1.0, 1.0)))


def image_angles(landmarks: np.ndarray, width: int, height: int) -> dict[str, np.ndarray]:
    """2D angles from normalised landmarks (T, 33, >=2) of frames `width` x `height` pixels."""
    points = np.asarray(landmarks, dtype=np.float64)[..., :2] * np.array([width, height])
    return _angles(points, up=np.array([0.0, -1.0]), suffix="")


def world_angles(world: np.ndarray) -> dict[str, np.ndarray]:
    """3D angles from MediaPipe's world landmarks (T, 33, 3), whose y axis points down."""
    points = np.asarray(world, dtype=np.float64)
    return _angles(points, up=np.array([0.0, -1.0, 0.0]), suffix="_3d")


def _angles(points: np.ndarray, up: np.ndarray, suffix: str) -> dict[str, np.ndarray]:
    with np.errstate(invalid="ignore", divide="ignore"):
        out = {
            name + suffix: angle_at(points[:, a], points[:, j], points[:, b])
            for name, (a, j, b) in JOINT_TRIPLETS.items()
        }
        hips = (points[:, L["left_hip"]] + points[:, L["right_hip"]]) / 2
        shoulders = (points[:, L["left_shoulder"]] + points[:, L["right_shoulder"]]) / 2
        out["trunk_lean" + suffix] = lean_from_vertical(hips, shoulders, up)
    return out
