"""What ``assess`` returns: per-repetition verdicts of every model, scores and the set's summary."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime

import numpy as np

from gymcore.criteria import criteria_for
from gymcore.judging.types import Verdict, WeightsInfo
from gymcore.perception.analysis import Perception
from gymcore.perception.trackcheck import ViewCheck
from gymcore.pipeline.record import (
    AngleTimeline,
    AssessmentRecord,
    FailedCriterion,
    RecordedClip,
    RepResult,
    SetSummary,
)
from gymcore.recognition.pose_rule import Recognition
from gymcore.repetitions.types import Repetition, Segmentation


@dataclass
class Assessment:
    exercise: Recognition
    reps: list[RepResult]
    summary: SetSummary
    timing_s: dict[str, float]
    weights: dict[str, WeightsInfo]  # model name -> where its verdicts come from
    views: dict[str, ViewCheck]
    segmentation: Segmentation
    perception: Perception = field(repr=False)

    def record(self, created_at: datetime | None = None) -> AssessmentRecord:
        """What history keeps, reports show and ``assess --json`` writes, made now unless ``created_at``
        says otherwise."""
        views = self.perception.views()
        return AssessmentRecord(
            exercise=self.exercise, reps=self.reps, summary=self.summary, timing_s=dict(self.timing_s),
            weights=dict(self.weights), views=dict(self.views), segmentation=self.segmentation,
            pair_flags=list(self.perception.flags),
            clips={name: RecordedClip.of(view.source) for name, view in views.items()},
            timelines={name: AngleTimeline.of(view) for name, view in views.items()},
            created_at=created_at or datetime.now(UTC).replace(microsecond=0),
        )

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

