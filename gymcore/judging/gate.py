"""The view gate: whether a criterion of a repetition can be judged from what was given, decided
once, before any model judges, and applied to every model alike (rules, pose, vision, fusion).

A criterion is judged from one view and needs some joints seen there: those its rule measures
(gymcore.judging.rules.catalogue). The view must have been given, be usable (really frontal
or lateral, the body in frame, the person found and not jumping: gymcore.perception.trackcheck,
on the repetition's 16 frames) and show those joints. A rule may name a measure in another view to
fall back on (``Rule.otherwise``); the first, in the rule's order, whose view passes judges the
criterion. When none passes, every model's verdict on that criterion is ``not_assessable`` with
the same reason.
"""

from __future__ import annotations

from gymcore.criteria import criteria_for
from gymcore.judging.rules.catalogue import RULES
from gymcore.judging.rules.config import DEFAULT_RULES, ViewCheckLimits
from gymcore.judging.rules.rule import Rule
from gymcore.judging.types import CriteriaModel, RepSample, Verdict, ViewSample
from gymcore.perception.trackcheck import ViewCheck, check_poses

DEFAULT_LIMITS = DEFAULT_RULES.view


def check_sample(sample: ViewSample, limits: ViewCheckLimits = DEFAULT_LIMITS) -> ViewCheck:
    """The check of one repetition's 16 frames of one view."""
    width, height = sample.image_size if all(sample.image_size) else (1, 1)
    return check_poses(sample.view, sample.landmarks, sample.visibility, sample.time_s, (width, height), limits,
                       turned=bool(sample.turned_from))


def refusals(exercise: str, rep: RepSample, limits: ViewCheckLimits = DEFAULT_LIMITS) -> dict[str, str]:
    """For every criterion of ``exercise``, why it cannot be judged on ``rep`` ("" when it can)."""
    return {cid: reason for cid, (_, reason) in judging_rules(exercise, rep, limits).items()}


def judging_rules(exercise: str, rep: RepSample,
                  limits: ViewCheckLimits = DEFAULT_LIMITS) -> dict[str, tuple[Rule | None, str]]:
    """For every criterion of ``exercise``, the rule (of its rule and fallbacks) that judges it on
    ``rep`` and "", or None and why it cannot be judged."""
    checks = {view: check_sample(sample, limits) for view, sample in rep.views.items()}
    turned = {view: sample.turned_from for view, sample in rep.views.items()}
    rules = {rule.criterion_id: rule for rule in RULES[exercise]}
    return {item.id: choose(item.name, rules[item.id], checks, turned) for item in criteria_for(exercise)}


def choose(name: str, rule: Rule, checks: dict[str, ViewCheck],
           turned: dict[str, str] | None = None) -> tuple[Rule | None, str]:
    """The first of ``rule`` and its fallbacks whose view passes, or None and the reason: that of
    the first whose view was given, or, when none was, that none of their views was given.
    ``turned`` names the views whose landmarks were turned from an oblique clip."""
    options = rule.in_order()
    reasons = [refusal(name, option, checks, (turned or {}).get(option.view, "")) for option in options]
    for option, reason in zip(options, reasons):
        if not reason:
            return option, ""
    given = [reason for option, reason in zip(options, reasons) if option.view in checks]
    if given:
        return None, given[0]
    views = list(dict.fromkeys(option.view for option in options))
    return None, (f"No {' or '.join(views)} clip was given: {name} is judged from the "
                  f"{' or the '.join(views)} view.")


def refusal(name: str, rule: Rule, checks: dict[str, ViewCheck], turned_from: str = "") -> str:
    """Why the criterion ``name``, judged by ``rule`` in its view from its joints, cannot be judged
    ("" when it can)."""
    view = rule.view
    check = checks.get(view)
    if check is None:
        return f"No {view} clip was given: {name} is judged from the {view} view."
    if turned_from and not rule.turned_ok:
        return (f"{name} is not judged from a {view} clip that looks {turned_from}: MediaPipe's 3D landmarks turned"
                f" to a {view} view are not precise enough for it. Film the {view} view straight on.")
    if not check.usable:
        return f"{name} is not judged because " + "; ".join(check.problems) + "."
    hidden = check.hidden(rule.joints)
    if hidden:
        names = ", ".join(joint.replace("_", " ") for joint in hidden)
        return f"{name} needs the {names}, hidden in the {view} clip."
    return ""


def judge_gated(model: CriteriaModel, exercise: str, reps: list[RepSample],
                gates: list[dict[str, str]]) -> list[dict[str, Verdict]]:
    """The model's verdicts, with every criterion the gate refused replaced by its reason."""
    verdicts = model.judge(exercise, reps)
    return [{cid: Verdict.not_assessable(gate[cid]) if gate[cid] else verdict for cid, verdict in judged.items()}
            for judged, gate in zip(verdicts, gates)]
