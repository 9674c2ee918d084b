"""How an assessment reads, in words: the one place the reports and the dashboard take them from.

A verdict, a failed criterion, a refusal to judge and the origin of a model's verdicts are worded
here once, so that the HTML and PDF reports say what the Assess and History pages say. No
Streamlit here: reports are made outside the dashboard too.
"""

from __future__ import annotations

from dataclasses import dataclass

from gymcore.criteria import EXERCISE_NAMES, criteria_for
from gymcore.judging.registry import model_label
from gymcore.judging.types import Verdict, WeightsInfo
from gymcore.pipeline.record import TIMELINE_ANGLES, AssessmentRecord, Evidence
from gymcore.pipeline.result import RepResult

PASS, FAIL, NOT_ASSESSABLE = "pass", "FAIL", "not assessable"
SYNTHETIC_DATA = "synthetic data, not real people"
RULES_SOURCE = ("hand-written thresholds from coaching and biomechanics sources"
                " (gymcore.judging.rules.config.RulesConfig)")
ANGLE_LABELS = dict(zip(TIMELINE_ANGLES, ("Left knee", "Right knee", "Left hip", "Right hip", "Trunk lean")))
STAGE_LABELS = {
    "perception": "Perception (one decode + pose per clip, both views in parallel; annotated clips drawn as it goes)",
    "recognition": "Exercise recognition", "segmentation": "Repetition segmentation",
    "sampling": "Sampling 16 frames per repetition", "view_gate": "View gate (which criteria each view can show)",
}
MODEL_STAGE_PREFIX = "model_"


def exercise_title(exercise: str) -> str:
    return EXERCISE_NAMES.get(exercise, exercise)


def warning_lines(record: AssessmentRecord) -> list[str]:
    """What to know before trusting the verdicts, as sentences: the exercise's caution, that the
    whole clip was judged as one repetition (records from before such clips were refused), the
    movements not counted as repetitions, the two clips' flags, then each view's problems (the view
    refused) and flags (a file cut short, someone else in view, frames without the person...)."""
    lines = [record.exercise.caution] if record.exercise.caution else []
    lines += [record.segmentation.note] if record.segmentation.note else []
    lines += record.segmentation.not_counted
    lines += [flag.message for flag in record.pair_flags]
    for view, check in record.views.items():
        lines += [f"{view.capitalize()} view: {problem}" for problem in check.problems]
        lines += [f"{view.capitalize()} view: {flag.message}" for flag in check.flags]
    return lines


def verdict_text(verdict: Verdict) -> str:
    """"pass · 0.93", "FAIL · 0.12" (the probability of passing, when the model gives one) or "not assessable"."""
    if not verdict.assessable:
        return NOT_ASSESSABLE
    word = PASS if verdict.passed else FAIL
    return f"{word} · {verdict.prob:.2f}" if verdict.prob is not None else word


def verdict_kind(verdict: Verdict) -> str:
    """"pass", "fail" or "na": how a verdict is coloured."""
    if not verdict.assessable:
        return "na"
    return "pass" if verdict.passed else "fail"


def failed(verdict: Verdict) -> bool:
    return verdict.assessable and verdict.passed is False


@dataclass(frozen=True)
class CriterionRow:
    """One criterion in one repetition: every model's verdict."""

    criterion: str  # its name
    rep: int  # numbered from 1
    verdicts: dict[str, Verdict]  # model name -> verdict


def criteria_rows(record: AssessmentRecord) -> list[CriterionRow]:
    """Per criterion, per repetition: each model's verdict (the report's table)."""
    return [CriterionRow(item.name, rep.index + 1, rep.verdicts.get(item.id, {}))
            for item in criteria_for(record.exercise.exercise) for rep in record.reps]


@dataclass(frozen=True)
class FailedCue:
    """A criterion failed in some repetitions (by any model) and what to do about it."""

    name: str
    cue: str
    reps: list[int]  # numbered from 1


def failed_cues(record: AssessmentRecord) -> list[FailedCue]:
    """The criteria failed in at least one repetition by any model, with the coaching cue."""
    cues = []
    for item in criteria_for(record.exercise.exercise):
        reps = [rep.index + 1 for rep in record.reps if any(map(failed, rep.verdicts.get(item.id, {}).values()))]
        if reps:
            cues.append(FailedCue(item.name, item.cue, reps))
    return cues


@dataclass(frozen=True)
class RepFailure:
    """A criterion failed in one repetition: by which models, the cue, and what the rule measured."""

    name: str
    cue: str
    failed_by: list[str]  # model labels
    evidence: Evidence | None  # the rules model's measurement, when it judged the criterion

    @property
    def measured(self) -> str:
        return evidence_text(self.evidence) if self.evidence is not None else ""


def rep_failures(rep: RepResult, exercise: str) -> list[RepFailure]:
    failures = []
    for item in criteria_for(exercise):
        by_model = rep.verdicts.get(item.id, {})
        failed_by = [model_label(model) for model, verdict in by_model.items() if failed(verdict)]
        if failed_by:
            rules = by_model.get("rules")
            failures.append(RepFailure(item.name, item.cue, failed_by, Evidence.of(rules) if rules else None))
    return failures


def evidence_text(evidence: Evidence) -> str:
    return (f"measured {evidence.quantity} {evidence.value:g} {evidence.unit}, the rule wants {evidence.threshold}"
            f" ({evidence.view} view, {evidence.time_s:.2f} s)")


def not_assessable_lines(rep: RepResult, exercise: str) -> list[str]:
    """One line per reason a model gave for not judging, with the criteria it concerns."""
    reasons: dict[str, list[str]] = {}
    for item in criteria_for(exercise):
        for model, verdict in rep.verdicts.get(item.id, {}).items():
            if not verdict.assessable:
                reasons.setdefault(f"{model_label(model)}: {verdict.reason}", []).append(item.name)
    return [f"{reason} ({', '.join(names)})" for reason, names in reasons.items()]


@dataclass(frozen=True)
class Provenance:
    """Where one model's verdicts come from, in words."""

    model: str
    loaded: bool
    synthetic: bool  # its weights were trained on synthetic people
    text: str

    @property
    def line(self) -> str:
        return f"{model_label(self.model)}: {self.text}"


def provenance(weights: dict[str, WeightsInfo]) -> list[Provenance]:
    """Per model asked for: the thresholds or weights behind its verdicts and the data they were
    trained on (saying so when that data is synthetic), or why it gave none."""
    return [Provenance(model, info.loaded, info.loaded and info.synthetic, _source_text(model, info))
            for model, info in weights.items()]


def _source_text(model: str, info: WeightsInfo) -> str:
    if not info.loaded:
        return f"not available ({info.reason or 'no reason recorded'})"
    if model == "rules":
        return RULES_SOURCE
    parts = [f"weights {info.file}" if info.file else "", _views_text(info), _training_text(info),
             "probabilities calibrated on its validation split" if info.calibrated else "",
             f"dated {info.date}" if info.date else ""]
    return ", ".join(part for part in parts if part)


def _views_text(info: WeightsInfo) -> str:
    """Said only of one-view weights: that they judged from one view, and which."""
    return f"reading the {info.views[0]} view alone" if info.views and len(info.views) == 1 else ""


def _training_text(info: WeightsInfo) -> str:
    synthetic = f" ({SYNTHETIC_DATA})" if info.synthetic else ""
    if info.trained_on:
        return f"trained on {info.trained_on}{synthetic}"
    return f"trained on {SYNTHETIC_DATA}" if info.synthetic else "training data not recorded"


@dataclass(frozen=True)
class StageTime:
    label: str
    seconds: float


def stage_times(timing_s: dict[str, float]) -> list[StageTime]:
    """The stages a user waits for, in order, then the total; per-view details stay in the JSON."""
    stages = [StageTime(_stage_label(key), seconds) for key, seconds in timing_s.items()
              if key in STAGE_LABELS or key.startswith(MODEL_STAGE_PREFIX)]
    listed = sum(stage.seconds for stage in stages)
    total = timing_s.get("total", 0.0)
    if total - listed >= 0.05:
        # The first assessment in a process also imports and loads the learned models.
        stages.append(StageTime("Loading the models (first assessment only)", total - listed))
    return [*stages, StageTime("Total", total)]


def _stage_label(key: str) -> str:
    if key.startswith(MODEL_STAGE_PREFIX):
        return f"Judging: {key.removeprefix(MODEL_STAGE_PREFIX)} model"
    return STAGE_LABELS[key]


@dataclass(frozen=True)
class RuleDecision:
    """Where and when the rules model decided one criterion of one repetition."""

    view: str
    time_s: float
    passed: bool
    lines: tuple[str, str]  # what was decided, what was measured


def rule_decisions(record: AssessmentRecord) -> list[RuleDecision]:
    names = {item.id: item.name for item in criteria_for(record.exercise.exercise)}
    decisions = []
    for rep in record.reps:
        for criterion, by_model in rep.verdicts.items():
            rules = by_model.get("rules")
            evidence = Evidence.of(rules) if rules is not None else None
            if evidence is None:
                continue
            decisions.append(RuleDecision(
                evidence.view, evidence.time_s, bool(rules.passed),
                (f"rep {rep.index + 1} · {names.get(criterion, criterion)}: {PASS if rules.passed else FAIL}",
                 f"{evidence.quantity} = {evidence.value:g} {evidence.unit} (rule {evidence.threshold})"),
            ))
    return decisions
