"""The paper's pose, vision and fusion models, the Table 4 pose ablations and an exercise classifier.

Build: ``build_model(name, exercise, variant)``; list: ``list_models()``; use trained weights through
the CriteriaModel interface: ``load_criteria_model(name, exercise)``; name the exercise of a clip:
``recognise_exercise([frontal_landmarks, lateral_landmarks])``.

Names are imported on first use, so that ``python -m gymcore`` starts without loading torch.
"""

from importlib import import_module

_EXPORTS = {
    "ModelInfo": "gymcore.models.catalogue", "list_models": "gymcore.models.catalogue",
    "LearnedCriteriaModel": "gymcore.models.judge", "load_criteria_model": "gymcore.models.judge",
    "recognise_exercise": "gymcore.models.judge", "recognise_perception": "gymcore.models.judge",
    "CLASSIFIER": "gymcore.models.registry", "CRITERIA_MODELS": "gymcore.models.registry",
    "build_model": "gymcore.models.registry", "count_parameters": "gymcore.models.registry",
    "WeightsError": "gymcore.models.weights",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> object:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'gymcore.models' has no attribute {name!r}")
    return getattr(import_module(_EXPORTS[name]), name)
