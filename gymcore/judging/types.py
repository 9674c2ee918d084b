"""What every criteria model (rules, pose, vision, fusion) takes and gives, so that `assess` and
`evaluate` treat them alike.

A model judges repetitions. Each repetition is seen through up to two views, and each view through
the paper's fixed input: 16 frames sampled uniformly over the repetition.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Protocol

import numpy as np


@dataclass
class ViewSample:
    """One view of one repetition, as the models take it."""

    view: str  # "frontal" or "lateral"
    frame_indices: np.ndarray  # (16,) indices into the clip
    time_s: np.ndarray  # (16,)
    landmarks: np.ndarray  # (16, 33, 3) MediaPipe normalised x, y, z; NaN where nobody was found
    visibility: np.ndarray  # (16, 33)
    features: np.ndarray  # (16, 5984) gymcore.perception.features.pose_features of the landmarks
    images: np.ndarray | None = None  # (16, H, W, 3) RGB uint8, upright; None when not decoded
    image_size: tuple[int, int] = (0, 0)  # (width, height) the normalised landmarks refer to
    # "oblique" when the clip showed the body at 30-60 degrees and the landmarks are MediaPipe's 3D
    # ones turned to this view (gymcore.perception.turned); "" when they are the clip's own.
    turned_from: str = ""


@dataclass
class RepSample:
    """One repetition: its time span and the views that saw it."""

    start_s: float
    end_s: float
    views: dict[str, ViewSample] = field(default_factory=dict)


@dataclass(frozen=True)
class Verdict:
    """A model's answer for one criterion of one repetition.

    Either a probability that the criterion is satisfied and the pass/fail decision, or
    ``assessable=False`` with the reason (wrong or missing view, hidden joints...). Evidence is
    what a rule measured: value, unit, threshold, the frame and time where it decided.
    """

    prob: float | None = None
    passed: bool | None = None
    assessable: bool = True
    reason: str = ""
    evidence: dict[str, object] = field(default_factory=dict)

    @classmethod
    def not_assessable(cls, reason: str) -> Verdict:
        return cls(assessable=False, reason=reason)

    def to_dict(self) -> dict[str, object]:
        if not self.assessable:
            return {"status": "not_assessable", "reason": self.reason}
        out: dict[str, object] = {"prob": self.prob, "pass": self.passed}
        if self.evidence:
            out["evidence"] = self.evidence
        return out


@dataclass(frozen=True)
class WeightsInfo:
    """Where a model's verdicts come from: its weights file and what they were trained on, or why
    the model is not available."""

    status: str  # "loaded" or "not_available"
    file: str | None = None
    sha256: str | None = None
    variant: str | None = None
    trained_on: str | None = None  # the training data's name and version, e.g. "SynthGym 1.0"
    synthetic: bool = False  # trained on synthetic people, not on real footage
    date: str | None = None
    engine: str | None = None
    views: list[str] | None = None  # the views the weights read: both, or one alone for one-view clips
    calibrated: bool = False  # probabilities temperature-scaled on the validation split (the card says how)
    note: str = ""
    reason: str = ""  # why not available

    @property
    def loaded(self) -> bool:
        return self.status == "loaded"

    @classmethod
    def unavailable(cls, reason: str) -> WeightsInfo:
        return cls(status="not_available", reason=reason)

    def to_dict(self) -> dict[str, object]:
        """The JSON of ``assess``: unset fields are left out, and ``calibrated`` unless it is true
        (records written before calibration read back the same)."""
        return {key: value for key, value in asdict(self).items()
                if value not in (None, "") and not (key == "synthetic" and not self.loaded)
                and not (key == "calibrated" and not value)}

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> WeightsInfo:
        known = {f.name for f in fields(cls)}
        return cls(**{key: value for key, value in data.items() if key in known})


class CriteriaModel(Protocol):
    """Anything that judges the criteria of one exercise (gymcore.criteria order and ids)."""

    name: str  # "rules", "pose", "vision", "fusion", ...
    needs_images: bool  # whether it judges from the sampled frames (vision, fusion)
    image_size: int | None  # the side its frames are resized to, when it needs them
    weights: WeightsInfo

    def judge(self, exercise: str, reps: list[RepSample]) -> list[dict[str, Verdict]]:
        """One {criterion id: Verdict} per repetition, all repetitions at once (as one batch)."""
        ...
