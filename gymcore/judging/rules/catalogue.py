"""Every exercise's rules, in one table: what the rules model measures and what the view gate
(gymcore.judging.gate) requires of the views for each criterion."""

from __future__ import annotations

from gymcore.judging.rules import deadlift, lunges, squat
from gymcore.judging.rules.rule import Rule

RULES: dict[str, tuple[Rule, ...]] = {"squat": squat.RULES, "lunges": lunges.RULES, "deadlift": deadlift.RULES}
