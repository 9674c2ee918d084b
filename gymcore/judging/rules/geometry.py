"""One view of one repetition as pixel geometry: joints, segment lengths, facing, bottom frame.

Landmarks are MediaPipe's normalised coordinates; they are rescaled to pixels first (a portrait
clip's normalised x and y have different units), and MediaPipe's relative depth z, which uses
roughly the scale of x, is rescaled by the frame width.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gymcore.judging.types import ViewSample
from gymcore.perception.angles import angle_at, lean_from_vertical
from gymcore.perception.pose import LANDMARK

SIDES = ("left", "right")
_UP = np.array([0.0, -1.0])


@dataclass
class ViewGeometry:
    view: str
    time_s: np.ndarray  # (N,)
    frame_indices: np.ndarray  # (N,)
    points: np.ndarray  # (N, 33, 2) pixels, y down
    depth: np.ndarray  # (N, 33) MediaPipe z in pixels, smaller is nearer the camera
    visibility: np.ndarray  # (N, 33)

    @classmethod
    def of(cls, sample: ViewSample) -> ViewGeometry:
        width, height = sample.image_size if all(sample.image_size) else (1, 1)
        landmarks = np.asarray(sample.landmarks, dtype=np.float64)
        return cls(
            view=sample.view, time_s=np.asarray(sample.time_s, dtype=np.float64),
            frame_indices=np.asarray(sample.frame_indices), points=landmarks[..., :2] * np.array([width, height]),
            depth=landmarks[..., 2] * width, visibility=np.asarray(sample.visibility, dtype=np.float64),
        )

    def __len__(self) -> int:
        return len(self.time_s)

    def joint(self, name: str, side: str | None = None) -> np.ndarray:
        """(N, 2) pixels of a landmark; side None averages left and right."""
        if name == "nose":
            return self.points[:, LANDMARK[name]]
        if side is None:
            return (self.joint(name, "left") + self.joint(name, "right")) / 2
        return self.points[:, LANDMARK[f"{side}_{name}"]]

    def joint_depth(self, name: str, side: str) -> np.ndarray:
        return self.depth[:, LANDMARK[f"{side}_{name}"]]

    def joint_visibility(self, name: str, side: str) -> float:
        index = LANDMARK[name] if name == "nose" else LANDMARK[f"{side}_{name}"]
        return float(np.nanmedian(self.visibility[:, index]))

    def near_side(self) -> str:
        """The side facing the camera: its hip, knee and ankle are the better seen."""
        score = {side: sum(self.joint_visibility(j, side) for j in ("hip", "knee", "ankle")) for side in SIDES}
        return max(SIDES, key=lambda side: score[side])

    def facing(self) -> float:
        """+1 when the person faces image right (toes point to +x), -1 when facing left."""
        toes = np.concatenate([self.joint("foot_index", s)[:, 0] - self.joint("heel", s)[:, 0] for s in SIDES])
        return 1.0 if np.nanmedian(toes) >= 0 else -1.0

    def length(self, a: str, b: str, side: str | None = None) -> float:
        """Median pixel length of the segment between two landmarks over the repetition."""
        return float(np.nanmedian(np.linalg.norm(self.joint(a, side) - self.joint(b, side), axis=1)))

    def torso_length(self) -> float:
        return self.length("shoulder", "hip")

    def deepest_knees_position(self) -> int:
        """The deepest frame of a lunge: where the two knees are bent the most together (the hip
        can dip as low while stepping back to standing)."""
        return nanargmax(-(self.knee_angle("left") + self.knee_angle("right")))

    def forward_of_ankle(self, name: str) -> np.ndarray:
        """Lateral view: how far a landmark (both sides averaged) is ahead of the ankles, per frame,
        in thigh lengths."""
        ahead = self.facing() * (self.joint(name)[:, 0] - self.joint("ankle")[:, 0])
        return ahead / self.length("hip", "knee")

    def knee_angle(self, side: str) -> np.ndarray:
        return angle_at(self.joint("hip", side), self.joint("knee", side), self.joint("ankle", side))

    def trunk_lean(self) -> np.ndarray:
        """Hip-centre-to-shoulder-centre line from vertical, degrees (0 upright)."""
        return lean_from_vertical(self.joint("hip"), self.joint("shoulder"), _UP)

    def head_trunk_angle(self, side: str | None = None) -> np.ndarray:
        """Ear-shoulder-hip angle (degrees; 180 = head in line with the trunk) of one side, or on
        the midpoints of the left and right landmarks when side is None."""
        return angle_at(self.joint("ear", side), self.joint("shoulder", side), self.joint("hip", side))

    def foot_progression(self, side: str) -> np.ndarray:
        """Frontal view: the foot's outward angle from pointing at the camera (degrees, per frame).

        Heel-to-toe seen from the front has an outward image component and a component toward
        the camera, which the image flattens away but MediaPipe's relative depth keeps.
        """
        heel, toe = self.joint("heel", side), self.joint("foot_index", side)
        midline = self.joint("hip")[:, 0]
        outward = np.sign(heel[:, 0] - midline) * (toe[:, 0] - heel[:, 0])
        toward_camera = self.joint_depth("heel", side) - self.joint_depth("foot_index", side)
        return np.degrees(np.arctan2(outward, np.abs(toward_camera)))


def leg_ahead(geometry: ViewGeometry, position: int) -> str:
    """Lateral view: the side whose ankle is further forward at the given frame."""
    forward = {side: geometry.facing() * geometry.joint("ankle", side)[position, 0] for side in SIDES}
    return max(SIDES, key=lambda side: forward[side])


def leg_raised(geometry: ViewGeometry, position: int) -> str:
    """The side whose ankle is higher in the picture at the given frame (the free leg)."""
    height = {side: -geometry.joint("ankle", side)[position, 1] for side in SIDES}
    return max(SIDES, key=lambda side: height[side])


def other(side: str) -> str:
    return "right" if side == "left" else "left"


def share_of_range(values: np.ndarray) -> np.ndarray:
    """Values rescaled to 0 at their smallest and 1 at their largest (NaN when flat or missing)."""
    if not np.isfinite(values).any():
        return np.full_like(values, np.nan)
    low, high = np.nanmin(values), np.nanmax(values)
    return (values - low) / (high - low) if high > low else np.full_like(values, np.nan)


def share_of_travel(values: np.ndarray) -> np.ndarray:
    """Displacement since the first frame over the largest displacement (NaN when it never moves
    that way)."""
    moved = values - values[_first_valid(values)]
    furthest = np.nanmax(moved) if np.isfinite(moved).any() else np.nan
    return moved / furthest if furthest > 0 else np.full_like(moved, np.nan)


def _first_valid(values: np.ndarray) -> int:
    finite = np.flatnonzero(np.isfinite(values))
    return int(finite[0]) if len(finite) else 0


def nanargmax(values: np.ndarray) -> int:
    """Position of the largest finite value (0 when there is none)."""
    return int(np.nanargmax(values)) if np.isfinite(values).any() else 0
