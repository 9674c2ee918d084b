"""What ``assess`` returns: per-repetition verdicts of every model, scores and the set's summary."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

import numpy as np

from gymcore.criteria import criteria_for
from gymcore.judging.types import Verdict, WeightsInfo
from gymcore.perception.analysis import Perception
from gymcore.perception.trackcheck import ViewCheck
from gymcore.recognition.pose_rule import Recognition
from gymcore.repetitions.types import Repetition

if TYPE_CHECKING:
    from gymcore.records.record import AssessmentRecord


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
class Assessment:
    exercise: Recognition
    reps: list[RepResult]
    summary: SetSummary
    timing_s: dict[str, float]
    weights: dict[str, WeightsInfo]  # model name -> where its verdicts come from
    views: dict[str, ViewCheck]
    segmentation: dict[str, object]
    perception: Perception = field(repr=False)

    def record(self, created_at: datetime | None = None) -> AssessmentRecord:
        """What history keeps, reports show and ``assess --json`` writes (gymcore.records.record)."""
        # Imported here: the record is built from this module's types.
        from gymcore.records.record import AssessmentRecord

        return AssessmentRecord.from_assessment(self, created_at)

    def to_dict(self) -> dict[str, object]:
        """The JSON of ``python -m gymcore assess`` (see the README): the record's."""
        return self.record().to_dict()


def rep_result(index: int, windows: dict[str, Repetition], lead: str, verdicts: dict[str, dict[str, Verdict]],
               exercise: str) -> RepResult:
    by_criterion = {item.id: {name: per_model[item.id] for name, per_model in verdicts.items()}
                    for item in criteria_for(exercise)}
    scores = {name: correctness(per_model) for name, per_model in verdicts.items()}
    rep = windows[lead]
    return RepResult(index, rep.start_s, rep.bottom_s, rep.end_s, windows, by_criterion, scores,
                     next(iter(scores.values()), None))

def correctness(verdicts: dict[str, Verdict]) -> float | None:
    """Share of the assessable criteria passed (EJUST-GYM-3's per-repetition score)."""
    judged = [v.passed for v in verdicts.values() if v.assessable]
    return round(sum(bool(p) for p in judged) / len(judged), 4) if judged else None

def summarise(reps: list[RepResult], exercise: str, model: str) -> SetSummary:
    failed: Counter[str] = Counter()
    assessed: Counter[str] = Counter()
    for rep in reps:
        for cid, by_model in rep.verdicts.items():
            verdict = by_model.get(model)
            if verdict is not None and verdict.assessable:
                assessed[cid] += 1
                failed[cid] += not verdict.passed
    names = {item.id: item for item in criteria_for(exercise)}
    most_failed = [FailedCriterion(cid, names[cid].name, count, assessed[cid], names[cid].cue)
                   for cid, count in failed.most_common() if count]
    scored = [(rep.score, rep.index) for rep in reps if rep.score is not None]
    return SetSummary(
        repetitions=len(reps),
        mean_score=round(float(np.mean([s for s, _ in scored])), 4) if scored else None,
        most_failed=most_failed, worst_rep=min(scored)[1] if scored else None, model=model,
    )

