"""gymcore: exercise form assessment from a frontal and a lateral clip (ALEX-GYM-1 and beyond).

Importable without Streamlit; the dashboard and ``python -m gymcore`` only call it.
"""

from gymcore.assess import Assessment
from gymcore.assess import assess as _assess
from gymcore.criteria import EXERCISES, Criterion, catalogue_dict, criteria_for
from gymcore.errors import ClipError, GymError, InputError, NoPersonError
from gymcore.features import pose_features
from gymcore.perception import Perception, ViewAnalysis, analyse_clips, analyse_view

# `gymcore.assess(...)` is the one call a notebook needs; the module of the same name stays
# importable as `from gymcore.assess import ...`.
assess = _assess

__all__ = [
    "EXERCISES", "Assessment", "assess", "ClipError", "Criterion", "GymError", "InputError", "NoPersonError", "Perception",
    "ViewAnalysis", "analyse_clips", "analyse_view", "catalogue_dict", "criteria_for", "pose_features",
]
