"""Interpretable rules over MediaPipe landmarks: one measurement, threshold and evidence per
criterion (the model named "rules")."""

from gymcore.rules.config import DEFAULT_RULES, Limit, RulesConfig, ViewCheckLimits
from gymcore.rules.model import RULES, RulesModel

__all__ = ["DEFAULT_RULES", "Limit", "RULES", "RulesConfig", "RulesModel", "ViewCheckLimits"]
