"""The assessment record: what history keeps, reports show and ``assess --json`` writes.

A record is an assessment (``gymcore.pipeline.result.Assessment``, whose ``record()`` makes it) without its frames: the
recognised exercise, every model's verdicts per repetition and criterion, the set's summary, where
each model's verdicts come from, the view checks, plus the clips' fingerprints, the angle timelines
and when it was made, so that a report can be made again from any saved record.

``to_dict`` writes the JSON the README documents; ``from_dict`` reads it back. The JSON carries a
schema version; records saved before it had one (history rows, ``assess --json`` files) are
version 1 and read as they are.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields
from datetime import datetime
from pathlib import Path
from typing import Any

from gymcore.errors import GymError
from gymcore.judging.types import Verdict, WeightsInfo
from gymcore.perception.analysis import ViewAnalysis
from gymcore.perception.trackcheck import QualityFlag, ViewCheck
from gymcore.perception.video import ClipInfo
from gymcore.recognition.pose_rule import Recognition
from gymcore.repetitions.types import Repetition, Segmentation
from gymcore.serialize import jsonable

SCHEMA_VERSION = 1
# The joint angles a record keeps over time (the report's chart); the others stay in ``pose --json``.
TIMELINE_ANGLES = ("left_knee", "right_knee", "left_hip", "right_hip", "trunk_lean")


class RecordError(GymError):
    """A saved assessment cannot be read as a record."""


@dataclass(frozen=True)
class Evidence:
    """What a rule measured to reach its verdict, and where."""

    quantity: str
    value: float
    unit: str
    threshold: str  # the rule's limit as text, e.g. ">= 88.9"
    view: str
    frame: int  # index into the clip
    time_s: float

    @classmethod
    def of(cls, verdict: Verdict) -> Evidence | None:
        """The rule's measurement behind ``verdict``; None for verdicts without one (learned models,
        not assessable)."""
        if not verdict.evidence:
            return None
        return cls(**{item.name: verdict.evidence[item.name] for item in fields(cls)})


@dataclass(frozen=True)
class RecordedClip:
    """Which clip a view came from: its file name and content hash, not its path on one machine."""

    name: str
    sha256: str
    fps: float
    duration_s: float
    width: int
    height: int

    @classmethod
    def of(cls, info: ClipInfo) -> RecordedClip:
        return cls(Path(info.path).name, info.sha256, info.fps, info.duration_s, info.width, info.height)

    def to_dict(self) -> dict[str, object]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RecordedClip:
        return cls(**{item.name: data[item.name] for item in fields(cls)})


@dataclass(frozen=True)
class AngleTimeline:
    """One view's joint angles (degrees) over its timeline; NaN where nobody was found."""

    time_s: list[float]
    angles_deg: dict[str, list[float]]  # angle name (TIMELINE_ANGLES) -> one value per time

    @classmethod
    def of(cls, view: ViewAnalysis) -> AngleTimeline:
        return cls([float(t) for t in view.timeline.time_s],
                   {key: [float(v) for v in view.angles[key]] for key in TIMELINE_ANGLES})

    def to_dict(self) -> dict[str, object]:
        return {"time_s": self.time_s, "angles_deg": self.angles_deg}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> AngleTimeline:
        # JSON has no NaN: a missing angle was written as null.
        return cls([float(t) for t in data["time_s"]],
                   {key: [math.nan if v is None else float(v) for v in values]
                    for key, values in data["angles_deg"].items()})


@dataclass
class RepResult:
    """One repetition: its times (in the segmenting view and in each view), every model's verdict
    per criterion, and the correctness score (share of assessable criteria passed)."""

    index: int
    start_s: float
    bottom_s: float
    end_s: float
    view_times: dict[str, Repetition]
    verdicts: dict[str, dict[str, Verdict]]  # criterion id -> model name -> verdict
    scores: dict[str, float | None]  # model name -> score
    score: float | None  # the first requested model's

    def window(self, view: str) -> Repetition:
        """The repetition's times in ``view``; the segmenting view's when that view did not see it."""
        return self.view_times.get(view, Repetition(self.start_s, self.bottom_s, self.end_s, float("nan")))

    def to_dict(self) -> dict[str, object]:
        return {
            "index": self.index, "start_s": round(self.start_s, 3), "bottom_s": round(self.bottom_s, 3),
            "end_s": round(self.end_s, 3), "score": self.score, "scores": self.scores,
            "views": {view: {"start_s": round(r.start_s, 3), "bottom_s": round(r.bottom_s, 3), "end_s": round(r.end_s, 3)}
                      for view, r in self.view_times.items()},
            "criteria": {cid: {model: v.to_dict() for model, v in by_model.items()}
                         for cid, by_model in self.verdicts.items()},
        }


@dataclass(frozen=True)
class FailedCriterion:
    """A criterion the summary's model failed in ``failed`` of the ``assessed`` repetitions."""

    criterion: str  # its id
    name: str
    failed: int
    assessed: int
    cue: str

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


@dataclass
class SetSummary:
    repetitions: int
    mean_score: float | None
    most_failed: list[FailedCriterion]  # most often failed first
    worst_rep: int | None
    model: str  # whose verdicts the summary counts

    def to_dict(self) -> dict[str, object]:
        return {"repetitions": self.repetitions, "mean_score": self.mean_score,
                "most_failed": [item.to_dict() for item in self.most_failed], "worst_rep": self.worst_rep,
                "model": self.model}


@dataclass
class AssessmentRecord:
    """An assessment as it is kept and shown (the README's ``assess --json`` schema)."""

    exercise: Recognition
    reps: list[RepResult]
    summary: SetSummary
    timing_s: dict[str, float]  # stage -> seconds
    weights: dict[str, WeightsInfo]  # model name -> where its verdicts come from, or why it is missing
    views: dict[str, ViewCheck]
    segmentation: Segmentation
    pair_flags: list[QualityFlag]
    clips: dict[str, RecordedClip] = field(default_factory=dict)  # view -> clip
    timelines: dict[str, AngleTimeline] = field(default_factory=dict)  # view -> angles
    created_at: datetime | None = None  # unknown for ``assess --json`` files written before records
    schema: int = SCHEMA_VERSION

    @property
    def models(self) -> list[str]:
        """The models that gave verdicts, in the order they were asked for."""
        return list(dict.fromkeys(model for rep in self.reps for by_model in rep.verdicts.values()
                                  for model in by_model))

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "schema": self.schema,
            "exercise": self.exercise.to_dict(),
            "reps": [rep.to_dict() for rep in self.reps],
            "summary": self.summary.to_dict(),
            "timing_s": {stage: round(seconds, 4) for stage, seconds in self.timing_s.items()},
            "weights": {name: info.to_dict() for name, info in self.weights.items()},
            "views": {name: check.to_dict() for name, check in self.views.items()},
            "segmentation": self.segmentation.to_dict(),
            "pair_flags": [flag.to_dict() for flag in self.pair_flags],
            "clips": {name: clip.to_dict() for name, clip in self.clips.items()},
            "timelines": {name: timeline.to_dict() for name, timeline in self.timelines.items()},
        }
        if self.created_at is not None:
            data["created_at"] = self.created_at.isoformat(timespec="seconds")
        return jsonable(data)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> AssessmentRecord:
        """A record from its JSON, whichever schema version this gymcore knows wrote it."""
        schema = int(data.get("schema", 1))
        if schema > SCHEMA_VERSION:
            raise RecordError(f"This assessment was saved by a newer gymcore (record schema {schema}, this one"
                              f" reads up to {SCHEMA_VERSION}): update gymcore to open it.")
        try:
            return cls(
                exercise=_recognition(data["exercise"]),
                reps=[_rep(rep) for rep in data["reps"]],
                summary=_summary(data["summary"]),
                timing_s={stage: float(seconds) for stage, seconds in data["timing_s"].items()},
                weights={name: WeightsInfo.from_dict(info) for name, info in data["weights"].items()},
                views={name: _view_check(check) for name, check in data["views"].items()},
                segmentation=Segmentation.from_dict(data["segmentation"]),
                pair_flags=[_flag(flag) for flag in data["pair_flags"]],
                clips={name: RecordedClip.from_dict(clip) for name, clip in data.get("clips", {}).items()},
                timelines={name: AngleTimeline.from_dict(t) for name, t in data.get("timelines", {}).items()},
                created_at=datetime.fromisoformat(data["created_at"]) if data.get("created_at") else None,
                schema=schema,
            )
        except (KeyError, TypeError, ValueError) as error:
            raise RecordError(f"The saved assessment is not a complete assessment record ({type(error).__name__}:"
                              f" {error}); it was not written by gymcore's assess.") from None


def _recognition(data: Mapping[str, Any]) -> Recognition:
    # ``caution`` is not read: Recognition words it from the confidence, the method and what the pose
    # rule saw when the exercise was named (records before that field have none).
    seen = _recognition({**data["pose_rule"], "method": "pose rule"}) if data.get("pose_rule") else None
    return Recognition(data["name"], float(data["confidence"]), data["method"], dict(data.get("evidence", {})), seen)


def _flag(data: Mapping[str, Any]) -> QualityFlag:
    return QualityFlag(data["code"], data["message"], tuple(data.get("times_s", ())))


def _rep(data: Mapping[str, Any]) -> RepResult:
    # The JSON keeps each view's times but not the movement's depth, which only segmentation uses.
    windows = {view: Repetition(times["start_s"], times["bottom_s"], times["end_s"], math.nan)
               for view, times in data["views"].items()}
    verdicts = {criterion: {model: _verdict(verdict) for model, verdict in by_model.items()}
                for criterion, by_model in data["criteria"].items()}
    return RepResult(data["index"], data["start_s"], data["bottom_s"], data["end_s"], windows, verdicts,
                     dict(data["scores"]), data["score"])


def _verdict(data: Mapping[str, Any]) -> Verdict:
    if data.get("status") == "not_assessable":
        return Verdict.not_assessable(data["reason"])
    return Verdict(prob=data.get("prob"), passed=bool(data["pass"]), evidence=dict(data.get("evidence", {})))


def _summary(data: Mapping[str, Any]) -> SetSummary:
    return SetSummary(
        repetitions=data["repetitions"], mean_score=data["mean_score"],
        most_failed=[FailedCriterion(item["criterion"], item["name"], item["failed"], item["assessed"], item["cue"])
                     for item in data["most_failed"]],
        worst_rep=data["worst_rep"], model=data["model"],
    )


def _view_check(data: Mapping[str, Any]) -> ViewCheck:
    # The JSON keeps the check's findings, not the per-landmark visibility it was made from.
    return ViewCheck(view=data["view"], width_ratio=data["width_ratio"], orientation=data["orientation"],
                     detected_share=data["detected_share"], in_frame_share=data["in_frame_share"],
                     jump_times_s=list(data["jump_times_s"]), visibility={}, problems=list(data["problems"]),
                     flags=[_flag(flag) for flag in data.get("flags", ())])
