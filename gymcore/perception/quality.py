"""Quality flags on a tracked view: what a reviewer should know before trusting the numbers."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np

from gymcore.perception.pose import LANDMARK as L
from gymcore.perception.pose import PoseTrack

# A body centre moving faster than this many torso lengths per second (about 7 m/s for an adult, half
# a torso between two frames at 30 fps) is not a person exercising: the tracker jumped to someone or
# something else.
JUMP_TORSOS_PER_SECOND = 15.0
# Frames closer than this are treated as this far apart, so that duplicated timestamps cannot
# turn a small move into an impossible speed.
MIN_FRAME_INTERVAL_S = 1 / 60
# The apparent torso length changing by more than this factor between neighbouring frames means
# the track switched to a person at another distance from the camera.
JUMP_SCALE_RATIO = 1.5
MIN_MEAN_VISIBILITY = 0.5
_KEY_JOINTS = [L[n] for n in ("left_shoulder", "right_shoulder", "left_hip", "right_hip",
                              "left_knee", "right_knee", "left_ankle", "right_ankle")]


@dataclass(frozen=True)
class QualityFlag:
    code: str
    message: str
    times_s: tuple[float, ...] = ()

    def to_dict(self) -> dict[str, object]:
        return {"code": self.code, "message": self.message, "times_s": list(self.times_s)}


@dataclass
class QualityReport:
    detection_rate: float
    mean_visibility: float
    flags: list[QualityFlag] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        report = asdict(self)
        report["flags"] = [flag.to_dict() for flag in self.flags]
        return report


def check_track(track: PoseTrack, width: int, height: int) -> QualityReport:
    """Missed frames, jumps of the tracked person and poorly visible joints in one view."""
    flags: list[QualityFlag] = []
    missed = ~track.detected
    if missed.any():
        flags.append(QualityFlag(
            "missed_frames",
            f"Nobody was found in {missed.sum()} of {len(track)} frames; those frames are left out"
            " of the curves.",
            tuple(np.round(track.time_s[missed], 2).tolist()),
        ))
    jumps = person_jumps(track, width, height)
    if len(jumps):
        flags.append(QualityFlag(
            "person_jump",
            "The tracked person jumps between frames (another person in view, or the track was"
            " lost): check that only the athlete is in frame.",
            tuple(np.round(jumps, 2).tolist()),
        ))
    visibility = float(np.nanmean(track.visibility[track.detected][:, _KEY_JOINTS])) if track.detected.any() else 0.0
    if track.detected.any() and visibility < MIN_MEAN_VISIBILITY:
        flags.append(QualityFlag(
            "low_visibility",
            f"Hips, knees, ankles or shoulders are often hidden or out of frame (mean visibility"
            f" {visibility:.2f}): film the whole body from further away.",
        ))
    return QualityReport(detection_rate=track.detection_rate, mean_visibility=round(visibility, 3), flags=flags)


def person_jumps(track: PoseTrack, width: int, height: int) -> np.ndarray:
    """Times (s) at which the tracked body centre or size jumps between detected frames."""
    seen = np.flatnonzero(track.detected)
    if len(seen) < 2:
        return np.empty(0)
    points = track.landmarks[seen, :, :2].astype(np.float64) * np.array([width, height])
    shoulders = (points[:, L["left_shoulder"]] + points[:, L["right_shoulder"]]) / 2
    hips = (points[:, L["left_hip"]] + points[:, L["right_hip"]]) / 2
    centre = (shoulders + hips) / 2
    torso = np.maximum(np.linalg.norm(shoulders - hips, axis=1), 1.0)
    intervals = np.diff(track.time_s[seen]).clip(min=MIN_FRAME_INTERVAL_S)
    speed = np.linalg.norm(np.diff(centre, axis=0), axis=1) / torso[:-1] / intervals
    scale = np.maximum(torso[1:] / torso[:-1], torso[:-1] / torso[1:])
    jumped = (speed > JUMP_TORSOS_PER_SECOND) | (scale > JUMP_SCALE_RATIO)
    return track.time_s[seen[1:][jumped]]
