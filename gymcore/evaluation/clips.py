"""The product measured on labelled clips: ``gymcore evaluate --clips MANIFEST --root DIR``.

Each clip of the manifest (``gymcore.evaluation.labelled``) is assessed as a user uploading it would
have it assessed (``assess``, the exercise recognised, the asked models), one clip per item on the
parallel engine, and the assessment is compared with the labels:

- repetitions: the count against the labelled one (exactly, within one), each found repetition
  matched to at most one labelled repetition by temporal IoU (``match_reps``), and every found
  repetition that matches none is a movement counted that is not a repetition, with the kind of
  labelled movement it overlaps (a partial repetition, walking in...). In a clip of an ``other``
  exercise every found repetition is one: the product should count none;
- recognition: the exercise recognised against the label; for an ``other`` clip it is right only
  if the product says it is none of the three;
- verdicts, per exercise, criterion and model, on matched repetitions labelled pass or fail
  (``Tally``): agreement, false alarms (fail on a labelled pass), detection (fail on a labelled
  fail), declined (not assessable); a declined criterion counts against agreement as it does in
  every metric of gymcore. ``not_visible`` labels are not scored; how often a model judged one
  anyway is counted;
- something judged: whether the rules model judged at least one criterion of one repetition.

A clip that cannot be assessed (unreadable, nobody in view) is reported with its sentence and
counts as wrong in every share over clips; the other clips go on.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path
from typing import Any, ClassVar

from gymcore.criteria import EXERCISES, criteria_for
from gymcore.errors import InputError
from gymcore.evaluation.labelled import (
    HELD_OUT,
    LABELLED_EXERCISES,
    MOVEMENT_KINDS,
    OTHER,
    SPLITS,
    LabelledClip,
    check_files,
    count_held_out_run,
    read_labelled,
)
from gymcore.judging.registry import check_model_name
from gymcore.judging.types import Verdict
from gymcore.models.names import ASSESS_MODELS
from gymcore.parallel.engine import run_jobs
from gymcore.pipeline.assess import NoRepetition
from gymcore.pipeline.batch import AssessTask
from gymcore.pipeline.record import Evidence, RepResult
from gymcore.recognition.pose_rule import NONE, NotAnExercise, Recognition
from gymcore.serialize import jsonable

# A found repetition is a labelled one when their spans overlap by at least this IoU. The labeller's
# bounds (last still frame, first standing frame) and the segmenter's (where the movement signal
# crosses its thresholds) differ by design by a few tenths of a second on a 2-4 s repetition, which
# costs IoU 0.6-0.8; a repetition found half a repetition late still overlaps its own by 1/3. 0.3 is
# the lowest of the temporal IoUs action localisation reports (THUMOS'14: 0.3 to 0.7).
IOU_MATCH = 0.3
ALL = "all"  # the split or exercise of a row covering all of them
SPLIT_WORDS = {"tuning": "the tuning half", HELD_OUT: "the held-out half", ALL: "both halves"}
# Kinds of a counted movement besides the labelled movement kinds.
ON_REPETITION = "repetition_overlap"  # overlaps a labelled repetition without matching it (split or merged)
UNLABELLED = "unlabelled"  # overlaps nothing the labeller marked
TALLY_KEY = ("exercise", "criterion", "model")  # the fields naming a Tally; the others are counts


@dataclass(frozen=True)
class FoundRep:
    """A repetition the product found, its times on the clock of the labelled clip."""

    index: int
    start_s: float
    bottom_s: float
    end_s: float

    @classmethod
    def of(cls, rep: RepResult, view: str) -> FoundRep:
        window = rep.window(view)
        return cls(rep.index, window.start_s, window.bottom_s, window.end_s)


@dataclass(frozen=True)
class RepMatch:
    found: int  # index of the found repetition
    labelled: int  # index of the labelled repetition
    iou: float


@dataclass(frozen=True)
class CountedMovement:
    """A found repetition that is no labelled repetition."""

    found: int
    start_s: float
    end_s: float
    kind: str  # the labelled movement it overlaps most (MOVEMENT_KINDS), ON_REPETITION or UNLABELLED


@dataclass(frozen=True)
class Disagreement:
    """A verdict that is not the label, where a page can show it."""

    rep: int  # the labelled repetition
    found_rep: int
    criterion: str
    model: str
    label: str  # pass or fail
    verdict: str  # pass, fail, not_assessable, or not_judged (no verdict for this criterion)
    reason: str = ""  # why not assessable, or not judged
    evidence: Evidence | None = None  # the rule's measurement: value, threshold, frame and time


@dataclass(frozen=True)
class Tally:
    """Counts of one model's verdicts on one criterion against the labels."""

    exercise: str
    criterion: str
    model: str
    labelled_pass: int = 0
    labelled_fail: int = 0
    agreed: int = 0  # verdict equal to a pass or fail label
    false_alarms: int = 0  # fail on a labelled pass
    detected: int = 0  # fail on a labelled fail
    declined: int = 0  # not assessable on a labelled pass or fail
    unjudged: int = 0  # no verdict on a labelled pass or fail: judged as another exercise (or no weights)
    not_visible: int = 0  # labelled not_visible: not scored
    not_visible_judged: int = 0  # ... and judged all the same

    @classmethod
    def of(cls, exercise: str, criterion: str, model: str, label: str, verdict: Verdict | None) -> Tally:
        """One verdict (None: none given) against one label."""
        key = cls(exercise, criterion, model)
        if label == "not_visible":
            return replace(key, not_visible=1, not_visible_judged=int(verdict is not None and verdict.assessable))
        fail = label == "fail"
        counts = {"labelled_fail" if fail else "labelled_pass": 1}
        if verdict is None:
            counts["unjudged"] = 1
        elif not verdict.assessable:
            counts["declined"] = 1
        else:
            said_fail = not verdict.passed
            counts |= {"agreed": int(said_fail == fail), "detected" if fail else "false_alarms": int(said_fail)}
        return replace(key, **counts)

    @property
    def key(self) -> tuple[str, str, str]:
        return self.exercise, self.criterion, self.model

    def __add__(self, other: Tally) -> Tally:
        assert self.key == other.key, (self.key, other.key)
        return replace(self, **{item.name: getattr(self, item.name) + getattr(other, item.name)
                                for item in fields(self) if item.name not in TALLY_KEY})

    @property
    def scored(self) -> int:
        return self.labelled_pass + self.labelled_fail


@dataclass(frozen=True)
class CriterionScore:
    """A tally's rates; each rate's denominator is beside it in the tally (None when it is 0)."""

    split: str
    tally: Tally
    agreement: float | None  # agreed / scored (declined and unjudged count as disagreeing)
    false_alarm_rate: float | None  # false_alarms / labelled_pass
    detection_rate: float | None  # detected / labelled_fail
    not_assessable_rate: float | None  # declined / scored

    @classmethod
    def of(cls, split: str, tally: Tally) -> CriterionScore:
        return cls(split, tally, _share(tally.agreed, tally.scored), _share(tally.false_alarms, tally.labelled_pass),
                   _share(tally.detected, tally.labelled_fail), _share(tally.declined, tally.scored))


@dataclass(frozen=True)
class ClipScore:
    """One clip's assessment against its labels."""

    id: str
    split: str
    view: str
    exercise: str  # labelled
    people: int | None
    camera_angle_deg: float | None
    expected_reps: int  # the labelled repetitions; 0 for an ``other`` clip, where none should be counted
    found: list[FoundRep]
    matches: list[RepMatch]
    counted_movements: list[CountedMovement]
    recognised: str
    confidence: float
    recognised_right: bool
    something_judged: bool | None  # None when the rules model was not run
    tallies: list[Tally]
    disagreements: list[Disagreement]


@dataclass(frozen=True)
class FailedClip:
    id: str
    split: str
    view: str
    exercise: str
    error: str  # the sentence saying why it could not be assessed

    @classmethod
    def of(cls, clip: LabelledClip, error: str) -> FailedClip:
        return cls(clip.id, clip.split, clip.view, clip.exercise, error)


@dataclass(frozen=True)
class GroupSummary:
    """The clips of one split and exercise (either may be ALL); failed clips count as wrong in every
    share over clips."""

    split: str
    exercise: str
    clips: int
    failed: int
    count_exact: int
    count_within_one: int
    expected_reps: int
    found_reps: int
    matched_reps: int
    mean_iou: float | None  # over matched pairs
    counted_movements: int  # found repetitions matching no labelled repetition
    on_other_movements: int  # ... of them overlapping a labelled other movement (MOVEMENT_KINDS)
    movement_kinds: dict[str, int]
    recognised: int
    mean_confidence: float | None
    something_judged: int | None  # clips; None when the rules model was not run


@dataclass(frozen=True)
class ClipsFigures:
    """A run's figures and the data they were measured on: what a page compares. A report's JSON reads
    back as its figures (``read_clips_figures``)."""

    manifest: str
    name: str  # the manifest's own name for its data, "about" it, and its labelling protocol
    about: str
    protocol: str
    split: str  # the split the run covers: tuning, held_out or all
    models: list[str]
    iou_match: float
    held_out_run: int | None  # the manifest's count of held-out runs, this one included; None without it
    groups: list[GroupSummary]
    criteria: list[CriterionScore]

    def measured_on(self) -> str:
        """The sentence every figure of the run carries: how many clips, which half, labelled how."""
        # The halves' own rows: a run over both has an "all" row too, one over a single half has not.
        clips = sum(group.clips for group in self.groups if group.exercise == ALL and group.split != ALL)
        protocol = f"labelled blind by the protocol of {self.protocol}" if self.protocol else (
            "the manifest names no labelling protocol")
        held_out = f" (held-out run {self.held_out_run})" if self.held_out_run else ""
        return (f"Measured on {clips} labelled clip{'' if clips == 1 else 's'} of {self.name or 'the manifest'}"
                f" ({Path(self.manifest).name}), {SPLIT_WORDS[self.split]}{held_out}; {protocol}.")

    def figures_dict(self) -> dict[str, object]:
        """The figures alone, as ``from_dict`` reads them back (a report's clips left out)."""
        return jsonable({item.name: getattr(self, item.name) for item in fields(ClipsFigures)}
                        | {"groups": [asdict(group) for group in self.groups],
                           "criteria": [asdict(row) for row in self.criteria]})

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ClipsFigures:
        return cls(
            manifest=str(data["manifest"]), name=str(data.get("name", "")), about=str(data.get("about", "")),
            protocol=str(data.get("protocol", "")), split=str(data["split"]), models=list(data["models"]),
            iou_match=float(data["iou_match"]), held_out_run=data.get("held_out_run"),
            groups=[GroupSummary(**group) for group in data["groups"]],
            criteria=[CriterionScore(**{**row, "tally": Tally(**row["tally"])}) for row in data["criteria"]],
        )


@dataclass(frozen=True)
class ClipsReport(ClipsFigures):
    """The figures, and every clip's score behind them."""

    clips: list[ClipScore]
    failed: list[FailedClip]
    wall_s: float

    def to_dict(self) -> dict[str, object]:
        return jsonable(asdict(self))


def read_clips_figures(data: bytes, where: str) -> ClipsFigures:
    """The figures of a report written by ``evaluate --clips --json`` (``where`` names it in an error)."""
    try:
        return ClipsFigures.from_dict(json.loads(data))
    except (UnicodeDecodeError, ValueError, KeyError, TypeError) as error:
        raise InputError(f"{where} is not a report of `python -m gymcore evaluate --clips ... --json`"
                         f" ({type(error).__name__}: {error}).") from None


# --- matching and scoring one clip -----------------------------------------------------------


def iou(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Temporal intersection over union of two (start, end) spans."""
    overlap = _overlap(a, b)
    union = (a[1] - a[0]) + (b[1] - b[0]) - overlap
    return overlap / union if union > 0 else 0.0


def match_reps(found: Sequence[tuple[float, float]], labelled: Sequence[tuple[float, float]],
               threshold: float = IOU_MATCH) -> list[RepMatch]:
    """Found and labelled repetitions paired one to one, the largest IoU first (greedy), pairs below
    ``threshold`` left out; in order of the found repetitions."""
    pairs = sorted(((iou(f, lab), i, j) for i, f in enumerate(found) for j, lab in enumerate(labelled)),
                   key=lambda pair: (-pair[0], pair[1], pair[2]))
    used_found: set[int] = set()
    used_labelled: set[int] = set()
    matches = []
    for value, i, j in pairs:
        if value < threshold:
            break
        if i not in used_found and j not in used_labelled:
            used_found.add(i)
            used_labelled.add(j)
            matches.append(RepMatch(i, j, value))
    return sorted(matches, key=lambda match: match.found)


def counted_movements(clip: LabelledClip, found: Sequence[FoundRep], matches: Iterable[RepMatch]) -> list[CountedMovement]:
    """The found repetitions that match no labelled one, each with the kind of labelled span it overlaps most."""
    matched = {match.found for match in matches}
    # The labelled repetitions of an ``other`` clip are of another exercise.
    rep_kind = "other_exercise" if clip.exercise == OTHER else ON_REPETITION
    spans = [(rep.start_s, rep.end_s, rep_kind) for rep in clip.reps]
    spans += [(movement.start_s, movement.end_s, movement.kind) for movement in clip.other_movements]
    counted = []
    for rep in found:
        if rep.index in matched:
            continue
        overlaps = [(_overlap((rep.start_s, rep.end_s), (start, end)), kind) for start, end, kind in spans]
        best = max(overlaps, default=(0.0, UNLABELLED))
        counted.append(CountedMovement(rep.index, rep.start_s, rep.end_s, best[1] if best[0] > 0 else UNLABELLED))
    return counted


def score_clip(clip: LabelledClip, recognition: Recognition, reps: list[RepResult],
               models: Sequence[str]) -> ClipScore:
    """The clip's assessment (its recognition and repetitions) against its labels."""
    found = [FoundRep.of(rep, clip.clock_view) for rep in reps]
    # In an ``other`` clip nothing is a repetition of the three exercises: nothing to match.
    matches = [] if clip.exercise == OTHER else match_reps(
        [(rep.start_s, rep.end_s) for rep in found], [(rep.start_s, rep.end_s) for rep in clip.reps])
    tallies, disagreements = judged(clip, recognition, reps, matches, models)
    rules_judged = any(by_model["rules"].assessable for rep in reps for by_model in rep.verdicts.values()
                       if "rules" in by_model)
    return ClipScore(
        id=clip.id, split=clip.split, view=clip.view, exercise=clip.exercise, people=clip.people,
        camera_angle_deg=clip.camera_angle_deg, expected_reps=0 if clip.exercise == OTHER else len(clip.reps),
        found=found, matches=matches, counted_movements=counted_movements(clip, found, matches),
        recognised=recognition.exercise, confidence=recognition.confidence,
        # An ``other`` clip is recognised right when the product says it is none of the three.
        recognised_right=recognition.exercise == (NONE if clip.exercise == OTHER else clip.exercise),
        something_judged=rules_judged if "rules" in models else None, tallies=tallies, disagreements=disagreements,
    )


def judged(clip: LabelledClip, recognition: Recognition, reps: list[RepResult], matches: list[RepMatch],
           models: Sequence[str]) -> tuple[list[Tally], list[Disagreement]]:
    """Every model's verdict on every labelled criterion of the matched repetitions: the tallies, and
    the verdicts that are not the pass or fail label."""
    tallies: dict[tuple[str, str, str], Tally] = {}
    disagreements = []
    for match in matches:
        labelled, rep = clip.reps[match.labelled], reps[match.found]
        for criterion, label in labelled.labels.items():
            for model in models:
                verdict = rep.verdicts.get(criterion, {}).get(model)
                tally = Tally.of(clip.exercise, criterion, model, label, verdict)
                tallies[tally.key] = tallies[tally.key] + tally if tally.key in tallies else tally
                if tally.scored and not tally.agreed:
                    disagreements.append(_disagreement(match, criterion, model, label, verdict, recognition))
    return list(tallies.values()), disagreements


def _disagreement(match: RepMatch, criterion: str, model: str, label: str, verdict: Verdict | None,
                  recognition: Recognition) -> Disagreement:
    common = {"rep": match.labelled, "found_rep": match.found, "criterion": criterion, "model": model, "label": label}
    if verdict is None:
        return Disagreement(**common, verdict="not_judged",
                            reason=f"the repetition was judged as {recognition.exercise}, or the model gave no verdict")
    if not verdict.assessable:
        return Disagreement(**common, verdict="not_assessable", reason=verdict.reason)
    return Disagreement(**common, verdict="pass" if verdict.passed else "fail", evidence=Evidence.of(verdict))


def _overlap(a: tuple[float, float], b: tuple[float, float]) -> float:
    return max(0.0, min(a[1], b[1]) - max(a[0], b[0]))


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


# --- the run --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClipTask:
    """Assesses and scores one clip per call; each worker builds its estimators and loads the models once
    (``AssessTask``)."""

    assess: AssessTask
    cpus: ClassVar[int] = AssessTask.cpus

    def setup(self) -> None:
        self.assess.setup()

    def run(self, clip: LabelledClip) -> ClipScore:
        try:
            record = self.assess.run(clip.item)
        # The product's answers that count nothing: a clip of none of the three, or without a whole repetition.
        except (NotAnExercise, NoRepetition) as refusal:
            return score_clip(clip, refusal.recognition, [], self.assess.models)
        return score_clip(clip, record.exercise, record.reps, self.assess.models)

    def label(self, clip: LabelledClip) -> str:
        return f"clip {clip.id}"


def evaluate_clips(manifest: str | Path, root: str | Path | None = None, *, models: Sequence[str] = ("rules",),
                   split: str = "tuning", workers: int | None = 1, address: str | None = None,
                   progress: str | None = None) -> ClipsReport:
    """Assess every clip of one split of the labelled manifest (``all`` for both) with ``models`` and
    compare with the labels, on ``workers`` workers (1: in this process) or the Ray cluster at
    ``address``. A run covering held-out clips adds one to the manifest's ``held_out_runs``."""
    started = time.perf_counter()
    models = tuple(check_model_name(name, ASSESS_MODELS) for name in models)
    if split not in (*SPLITS, ALL):
        raise InputError(f"Unknown split {split!r}: choose {', '.join(SPLITS)} or {ALL}.")
    labelled = read_labelled(manifest, root)
    clips = labelled.split(split)
    if not clips:
        raise InputError(f"{labelled.path} has no clip in the {split} split.")
    check_files(clips, labelled.path)
    held_out_run = count_held_out_run(labelled.path) if any(clip.split == HELD_OUT for clip in clips) else None
    outcomes = sorted(run_jobs(ClipTask(AssessTask(models, None, "torch")), clips, workers=workers, address=address,
                               progress=progress), key=lambda outcome: outcome.index)
    scores = [outcome.result for outcome in outcomes if outcome.ok]
    failed = [FailedClip.of(clips[outcome.index], outcome.error or "") for outcome in outcomes if not outcome.ok]
    splits = [name for name in SPLITS if any(clip.split == name for clip in clips)]
    groups = splits + ([ALL] if len(splits) > 1 else [])
    return ClipsReport(
        manifest=str(labelled.path), name=labelled.name, about=labelled.about, protocol=labelled.protocol,
        split=split, models=list(models), iou_match=IOU_MATCH, held_out_run=held_out_run,
        groups=[summary for name in groups for summary in group_summaries(name, scores, failed, models)],
        criteria=[row for name in groups for row in criterion_scores(name, scores, models)],
        clips=scores, failed=failed, wall_s=time.perf_counter() - started,
    )


# --- summaries ------------------------------------------------------------------------------


def group_summaries(split: str, scores: list[ClipScore], failed: list[FailedClip],
                    models: Sequence[str]) -> list[GroupSummary]:
    """One row per labelled exercise present in the split, then one for all of them."""
    scores = [score for score in scores if split in (ALL, score.split)]
    failed = [clip for clip in failed if split in (ALL, clip.split)]
    present = [name for name in LABELLED_EXERCISES if any(item.exercise == name for item in [*scores, *failed])]
    return [group_summary(split, exercise, [s for s in scores if exercise in (ALL, s.exercise)],
                          [f for f in failed if exercise in (ALL, f.exercise)], "rules" in models)
            for exercise in [*present, ALL]]


def group_summary(split: str, exercise: str, scores: list[ClipScore], failed: list[FailedClip],
                  rules_run: bool) -> GroupSummary:
    ious = [match.iou for score in scores for match in score.matches]
    movements = [movement for score in scores for movement in score.counted_movements]
    return GroupSummary(
        split=split, exercise=exercise, clips=len(scores) + len(failed), failed=len(failed),
        count_exact=sum(len(s.found) == s.expected_reps for s in scores),
        count_within_one=sum(abs(len(s.found) - s.expected_reps) <= 1 for s in scores),
        expected_reps=sum(s.expected_reps for s in scores), found_reps=sum(len(s.found) for s in scores),
        matched_reps=len(ious), mean_iou=sum(ious) / len(ious) if ious else None,
        counted_movements=len(movements),
        on_other_movements=sum(movement.kind in MOVEMENT_KINDS for movement in movements),
        movement_kinds=dict(Counter(movement.kind for movement in movements).most_common()),
        recognised=sum(s.recognised_right for s in scores),
        mean_confidence=sum(s.confidence for s in scores) / len(scores) if scores else None,
        something_judged=sum(bool(s.something_judged) for s in scores) if rules_run else None,
    )


def criterion_scores(split: str, scores: list[ClipScore], models: Sequence[str]) -> list[CriterionScore]:
    """Every (exercise, criterion, model) with a labelled repetition matched, in the catalogue's order."""
    totals: dict[tuple[str, str, str], Tally] = {}
    for tally in (tally for score in scores if split in (ALL, score.split) for tally in score.tallies):
        totals[tally.key] = totals[tally.key] + tally if tally.key in totals else tally
    order = [(exercise, item.id, model) for exercise in EXERCISES for item in criteria_for(exercise) for model in models]
    return [CriterionScore.of(split, totals[key]) for key in order if key in totals]


# --- the terminal ---------------------------------------------------------------------------


def describe(report: ClipsReport) -> str:
    """The report's tables for a terminal."""
    lines = [f"{report.manifest}: the {report.split} split, models {', '.join(report.models)}"
             + (f" (held-out run {report.held_out_run})" if report.held_out_run else "")]
    # The movements counted come last: their kinds make the column as wide as it needs.
    lines.append(f"{'split':<9}{'exercise':<10}{'clips':>5}{'fail':>5}  {'reps exact':>10}  {'within 1':>8}"
                 f"  {'found/labelled':>14}  {'IoU':>4}  {'recognised':>10}  {'judged':>6}  non-rep counted (kinds)")
    for group in report.groups:
        lines.append(
            f"{group.split:<9}{group.exercise:<10}{group.clips:>5}{group.failed:>5}  "
            f"{_of(group.count_exact, group.clips):>10}  {_of(group.count_within_one, group.clips):>8}"
            f"  {f'{group.found_reps}/{group.expected_reps}':>14}  {_rate(group.mean_iou):>4}  "
            f"{_of(group.recognised, group.clips):>10}  "
            f"{'-' if group.something_judged is None else _of(group.something_judged, group.clips):>6}  "
            f"{_movements(group)}")
    lines.append("")
    lines.append(f"{'split':<9}{'exercise':<10}{'criterion':<17}{'model':<8}{'agreement':>13}{'false alarms':>14}"
                 f"{'detection':>13}{'not assessable':>16}{'unjudged':>9}{'n/v judged':>11}")
    for row in report.criteria:
        tally = row.tally
        lines.append(
            f"{row.split:<9}{tally.exercise:<10}{tally.criterion:<17}{tally.model:<8}"
            f"{_rated(row.agreement, tally.scored):>13}{_rated(row.false_alarm_rate, tally.labelled_pass):>14}"
            f"{_rated(row.detection_rate, tally.labelled_fail):>13}{_rated(row.not_assessable_rate, tally.scored):>16}"
            f"{tally.unjudged:>9}{f'{tally.not_visible_judged}/{tally.not_visible}':>11}")
    lines += [f"failed: {clip.id}: {clip.error}" for clip in report.failed]
    lines.append(f"{len(report.clips) + len(report.failed)} clips in {report.wall_s:.0f} s")
    return "\n".join(lines)


def _movements(group: GroupSummary) -> str:
    kinds = ", ".join(f"{kind} {count}" for kind, count in group.movement_kinds.items())
    return f"{group.counted_movements}" + (f" ({kinds})" if kinds else "")


def _of(part: int, whole: int) -> str:
    return f"{part}/{whole}"


def _rate(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def _rated(value: float | None, n: int) -> str:
    return f"{_rate(value)} (n={n})"
