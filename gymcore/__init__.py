"""gymcore: exercise form assessment from a frontal and a lateral clip (ALEX-GYM-1 and beyond).

Importable without Streamlit; the dashboard and ``python -m gymcore`` only call it. The stages and
the types passed between them are described in docs/architecture.md.

Names are resolved on first use, so that ``import gymcore`` (and a command that needs no model)
does not load the video, pose and torch stacks.
"""

from importlib import import_module

_EXPORTS = {
    "assess": "gymcore.pipeline.assess", "assess_batch": "gymcore.pipeline.batch",
    "Assessment": "gymcore.pipeline.result", "RepResult": "gymcore.pipeline.result",
    "SetSummary": "gymcore.pipeline.result",
    "EXERCISES": "gymcore.criteria", "Criterion": "gymcore.criteria", "catalogue_dict": "gymcore.criteria",
    "criteria_for": "gymcore.criteria",
    "ClipError": "gymcore.errors", "GymError": "gymcore.errors", "InputError": "gymcore.errors",
    "NoPersonError": "gymcore.errors",
    "pose_features": "gymcore.perception.features",
    "Perception": "gymcore.perception.analysis", "ViewAnalysis": "gymcore.perception.analysis",
    "analyse_clips": "gymcore.perception.analysis", "analyse_view": "gymcore.perception.analysis",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> object:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'gymcore' has no attribute {name!r}")
    return getattr(import_module(_EXPORTS[name]), name)


def __dir__() -> list[str]:
    return __all__
