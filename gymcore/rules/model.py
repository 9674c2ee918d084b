"""The rules model: interpretable verdicts with their evidence, behind the CriteriaModel protocol."""

from __future__ import annotations

import math

from gymcore.criteria import criteria_for
from gymcore.judging import RepSample, Verdict
from gymcore.rules import deadlift, lunges, squat
from gymcore.rules.config import DEFAULT_RULES, RulesConfig
from gymcore.rules.geometry import ViewGeometry
from gymcore.rules.rule import Rule
from gymcore.viewcheck import ViewCheck, check_sample

RULES: dict[str, tuple[Rule, ...]] = {"squat": squat.RULES, "lunges": lunges.RULES, "deadlift": deadlift.RULES}


class RulesModel:
    """Biomechanical rules over MediaPipe's landmarks; every verdict carries what was measured."""

    name = "rules"
    needs_images = False

    def __init__(self, config: RulesConfig = DEFAULT_RULES) -> None:
        self.config = config

    def judge(self, exercise: str, reps: list[RepSample]) -> list[dict[str, Verdict]]:
        return [self.judge_rep(exercise, rep) for rep in reps]

    def judge_rep(self, exercise: str, rep: RepSample) -> dict[str, Verdict]:
        rules = {rule.criterion_id: rule for rule in RULES[exercise]}
        checks = {view: check_sample(sample, self.config.view) for view, sample in rep.views.items()}
        geometry = {view: ViewGeometry.of(sample) for view, sample in rep.views.items()}
        return {
            item.id: self.apply(rules[item.id], item.name, checks, geometry)
            for item in criteria_for(exercise)
        }

    def apply(self, rule: Rule, name: str, checks: dict[str, ViewCheck],
              geometry: dict[str, ViewGeometry]) -> Verdict:
        refusal = _refusal(rule, name, checks)
        if refusal:
            return Verdict.not_assessable(refusal)
        g = geometry[rule.view]
        measurement = rule.measure(g)
        if not measurement.valid:
            return Verdict.not_assessable(f"The {rule.quantity} could not be measured in the {rule.view} clip.")
        limit = rule.limit(self.config)
        margin = limit.margin(measurement.value)
        return Verdict(
            prob=_logistic(margin / limit.softness),
            passed=margin >= 0,
            evidence={
                "quantity": rule.quantity, "value": round(measurement.value, 3), "unit": rule.unit,
                "threshold": limit.describe(), "view": rule.view,
                "frame": int(g.frame_indices[measurement.position]),
                "time_s": round(float(g.time_s[measurement.position]), 3),
            },
        )


def _refusal(rule: Rule, name: str, checks: dict[str, ViewCheck]) -> str:
    """Why the criterion cannot be judged from what was given ("" when it can)."""
    check = checks.get(rule.view)
    if check is None:
        return f"No {rule.view} clip was given: {name} is judged from the {rule.view} view."
    if not check.usable:
        return f"{name} is not judged because " + "; ".join(check.problems) + "."
    hidden = check.hidden(rule.joints)
    if hidden:
        joints = ", ".join(joint.replace("_", " ") for joint in hidden)
        return f"{name} needs the {joints}, hidden in the {rule.view} clip."
    return ""


def _logistic(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(min(x, 50.0), -50.0)))
