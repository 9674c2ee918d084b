"""The paper's pose, vision and fusion models, the Table 4 pose ablations and an exercise classifier.

Build: ``build_model(name, exercise, variant)``; list: ``list_models()``. Torch only: the models
judge through gymcore.judging.learned and name exercises through gymcore.recognition.classifier,
and never import those layers (docs/architecture.md).

Names are imported on first use, so that ``gymcore.models.names`` loads without torch.
"""

from importlib import import_module

_EXPORTS = {
    "ModelInfo": "gymcore.models.catalogue", "list_models": "gymcore.models.catalogue",
    "CLASSIFIER": "gymcore.models.names", "CRITERIA_MODELS": "gymcore.models.registry",
    "build_model": "gymcore.models.registry", "count_parameters": "gymcore.models.registry",
    "WeightsError": "gymcore.models.weights",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> object:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'gymcore.models' has no attribute {name!r}")
    return getattr(import_module(_EXPORTS[name]), name)
