"""The rules model: interpretable verdicts with their evidence, behind the CriteriaModel protocol."""

from __future__ import annotations

import math

from gymcore.criteria import criteria_for
from gymcore.judging.gate import judging_rules
from gymcore.judging.rules.config import DEFAULT_RULES, RulesConfig
from gymcore.judging.rules.geometry import ViewGeometry
from gymcore.judging.rules.rule import Rule
from gymcore.judging.types import RepSample, Verdict, WeightsInfo


class RulesModel:
    """Biomechanical rules over MediaPipe's landmarks; every verdict carries what was measured."""

    name = "rules"
    needs_images = False
    image_size = None
    weights = WeightsInfo(status="loaded", note="thresholds in gymcore.judging.rules.config.RulesConfig")

    def __init__(self, config: RulesConfig = DEFAULT_RULES) -> None:
        self.config = config

    def judge(self, exercise: str, reps: list[RepSample]) -> list[dict[str, Verdict]]:
        return [self.judge_rep(exercise, rep) for rep in reps]

    def judge_rep(self, exercise: str, rep: RepSample) -> dict[str, Verdict]:
        gate = judging_rules(exercise, rep, self.config.view)  # the rule (or fallback) whose view passes
        geometry = {view: ViewGeometry.of(sample) for view, sample in rep.views.items()}
        return {
            item.id: self.apply(rule, geometry) if rule else Verdict.not_assessable(reason)
            for item in criteria_for(exercise)
            for rule, reason in [gate[item.id]]
        }

    def apply(self, rule: Rule, geometry: dict[str, ViewGeometry]) -> Verdict:
        """The rule's measurement and verdict on a repetition the gate let through (``rule`` is the
        one of a rule and its fallbacks that the gate chose; the evidence names its view)."""
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


DEFAULT_RULES_MODEL = RulesModel()


def _logistic(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(min(x, 50.0), -50.0)))
