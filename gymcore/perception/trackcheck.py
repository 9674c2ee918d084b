"""Can this view be trusted for a criterion? Orientation, framing, visibility, tracking.

A lateral camera sees the shoulders and hips edge on: their horizontal widths shrink toward zero
while the torso keeps its length (what it shows instead is the torso's depth). A frontal camera
sees them at full width, about 0.55 torso lengths. Between the two bands the view is oblique and
neither a frontal nor a lateral criterion is judged from it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from gymcore.perception.pose import LANDMARK, PoseTrack
from gymcore.perception.quality import JUMP_TORSOS_PER_SECOND, MIN_FRAME_INTERVAL_S


@dataclass(frozen=True)
class ViewCheckLimits:
    """When a view is trusted (gymcore.perception.trackcheck)."""

    # Horizontal shoulder and hip widths over the torso length: about 0.55 facing the camera
    # (shoulders ~0.36 m, hip joints ~0.2 m, torso ~0.5 m), near 0 side on.
    lateral_max_width_ratio: float = 0.30
    frontal_min_width_ratio: float = 0.38
    # Share of frames with the person found, and with the whole body inside the picture.
    min_detected_share: float = 0.75
    min_in_frame_share: float = 0.75
    # MediaPipe's own visibility score below which a landmark is taken as hidden.
    min_visibility: float = 0.5


# What "the whole body" means: head, shoulders, hips, knees, ankles and feet.
WHOLE_BODY = ("nose", "left_shoulder", "right_shoulder", "left_hip", "right_hip", "left_knee",
              "right_knee", "left_ankle", "right_ankle", "left_heel", "right_heel")
# A landmark may sit this far outside the picture (fraction of the frame) and still count as in it:
# MediaPipe puts heels and toes on the bottom edge when the feet touch it.
FRAME_MARGIN = 0.02


@dataclass
class ViewCheck:
    """What was found about one view; ``problems`` are sentences for a person."""

    view: str
    width_ratio: float  # horizontal shoulder and hip widths over torso length (median)
    orientation: str  # "frontal", "lateral" or "oblique"
    detected_share: float
    in_frame_share: float
    jump_times_s: list[float]
    visibility: dict[str, float]  # landmark name -> median visibility
    problems: list[str] = field(default_factory=list)
    limits: ViewCheckLimits = field(default_factory=ViewCheckLimits)

    @property
    def usable(self) -> bool:
        return not self.problems

    def hidden(self, joints: tuple[str, ...]) -> list[str]:
        """The joints (names without side, e.g. "knee") seen on neither side."""
        def seen(joint: str) -> bool:
            names = [joint] if joint in LANDMARK else [f"left_{joint}", f"right_{joint}"]
            return max(self.visibility[name] for name in names) >= self.limits.min_visibility

        return [joint for joint in joints if not seen(joint)]

    def to_dict(self) -> dict[str, object]:
        return {
            "view": self.view, "orientation": self.orientation, "width_ratio": self.width_ratio,
            "detected_share": self.detected_share, "in_frame_share": self.in_frame_share,
            "jump_times_s": self.jump_times_s, "problems": self.problems,
        }


def check_track(view: str, track: PoseTrack, image_size: tuple[int, int],
                limits: ViewCheckLimits = ViewCheckLimits()) -> ViewCheck:
    """The check of a whole clip's timeline."""
    return check_poses(view, track.landmarks, track.visibility, track.time_s, image_size, limits)


def check_poses(
    view: str, landmarks: np.ndarray, visibility: np.ndarray, time_s: np.ndarray,
    image_size: tuple[int, int], limits: ViewCheckLimits,
) -> ViewCheck:
    landmarks = np.asarray(landmarks, dtype=np.float64)
    detected = np.isfinite(landmarks[:, :, :2]).all(axis=(1, 2))
    ratio = width_ratio(landmarks[detected], image_size)
    check = ViewCheck(
        view=view, width_ratio=round(ratio, 3), orientation=orientation(ratio, limits),
        detected_share=float(detected.mean()) if len(detected) else 0.0,
        in_frame_share=in_frame_share(landmarks[detected]),
        jump_times_s=_jump_times(landmarks, time_s, detected, image_size),
        visibility={name: _median_visibility(visibility[detected], index) for name, index in LANDMARK.items()},
        limits=limits,
    )
    check.problems = _problems(check, limits)
    return check


def width_ratio(landmarks: np.ndarray, image_size: tuple[int, int]) -> float:
    """Median over frames of (shoulder width + hip width) / 2 / torso length, widths horizontal."""
    if not len(landmarks):
        return float("nan")
    points = landmarks[..., :2] * np.asarray(image_size, dtype=np.float64)
    shoulders = np.abs(points[:, LANDMARK["left_shoulder"], 0] - points[:, LANDMARK["right_shoulder"], 0])
    hips = np.abs(points[:, LANDMARK["left_hip"], 0] - points[:, LANDMARK["right_hip"], 0])
    shoulder_centre = (points[:, LANDMARK["left_shoulder"]] + points[:, LANDMARK["right_shoulder"]]) / 2
    hip_centre = (points[:, LANDMARK["left_hip"]] + points[:, LANDMARK["right_hip"]]) / 2
    torso = np.maximum(np.linalg.norm(shoulder_centre - hip_centre, axis=1), 1e-6)
    return float(np.median((shoulders + hips) / 2 / torso))


def orientation(ratio: float, limits: ViewCheckLimits) -> str:
    if not np.isfinite(ratio):
        return "unknown"
    if ratio <= limits.lateral_max_width_ratio:
        return "lateral"
    return "frontal" if ratio >= limits.frontal_min_width_ratio else "oblique"


def in_frame_share(landmarks: np.ndarray) -> float:
    """Share of frames whose head, shoulders, hips, knees, ankles and heels are all in the picture."""
    if not len(landmarks):
        return 0.0
    body = landmarks[:, [LANDMARK[name] for name in WHOLE_BODY], :2]
    inside = ((body >= -FRAME_MARGIN) & (body <= 1 + FRAME_MARGIN)).all(axis=(1, 2))
    return float(inside.mean())


def _jump_times(
    landmarks: np.ndarray, time_s: np.ndarray, detected: np.ndarray, image_size: tuple[int, int],
) -> list[float]:
    """Times at which the body centre moves faster than a person can (gymcore.perception.quality's limit),
    in torso lengths of the whole clip: a hinge toward the camera shortens the torso in the
    picture, which frame-to-frame scales would take for a switch to another person."""
    seen = np.flatnonzero(detected)
    if len(seen) < 2:
        return []
    points = landmarks[seen, :, :2] * np.asarray(image_size, dtype=np.float64)
    shoulders = (points[:, LANDMARK["left_shoulder"]] + points[:, LANDMARK["right_shoulder"]]) / 2
    hips = (points[:, LANDMARK["left_hip"]] + points[:, LANDMARK["right_hip"]]) / 2
    torso = max(float(np.median(np.linalg.norm(shoulders - hips, axis=1))), 1.0)
    intervals = np.diff(np.asarray(time_s, dtype=np.float64)[seen]).clip(min=MIN_FRAME_INTERVAL_S)
    speed = np.linalg.norm(np.diff((shoulders + hips) / 2, axis=0), axis=1) / torso / intervals
    return [round(float(t), 2) for t in np.asarray(time_s)[seen[1:]][speed > JUMP_TORSOS_PER_SECOND]]


def _median_visibility(visibility: np.ndarray, index: int) -> float:
    return float(np.median(visibility[:, index])) if len(visibility) else 0.0


def _problems(check: ViewCheck, limits: ViewCheckLimits) -> list[str]:
    """Why this view cannot be used to judge the criteria it is meant for."""
    problems = []
    name = check.view
    if check.detected_share < limits.min_detected_share:
        problems.append(f"the person was found in only {check.detected_share:.0%} of the {name} frames")
    if check.orientation != name and check.orientation != "unknown":
        problems.append(
            f"the {name} clip looks {check.orientation} (shoulders and hips {check.width_ratio:.2f} torso"
            f" lengths wide; a {name} view shows "
            + (f"at most {limits.lateral_max_width_ratio:g})" if name == "lateral"
               else f"at least {limits.frontal_min_width_ratio:g})")
        )
    if check.in_frame_share < limits.min_in_frame_share:
        problems.append(f"the whole body is in the {name} picture in only {check.in_frame_share:.0%} of the frames")
    if check.jump_times_s:
        problems.append(f"the tracked person jumps in the {name} clip (at {check.jump_times_s[0]:.1f} s)")
    return problems
