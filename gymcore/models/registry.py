"""Every model gymcore can build, by name, exercise and variant."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from torch import nn

from gymcore.criteria import EXERCISES, VIEWS, criteria_for
from gymcore.errors import InputError
from gymcore.models.names import LEARNED_MODELS
from gymcore.models.net import VARIANTS, CriteriaNet, Variant, check_views, fusion_net, pose_net, vision_net

Builder = Callable[[int, Variant, tuple[str, ...]], CriteriaNet]


@dataclass(frozen=True)
class ModelSpec:
    name: str
    description: str
    build: Builder
    uses_video: bool


_BUILDERS: dict[str, tuple[Builder, bool]] = {
    "pose": (lambda n, v, views: pose_net(n, v, "features", views), False),
    "pose_raw": (lambda n, v, views: pose_net(n, v, "landmarks", views), False),
    "pose_distances": (lambda n, v, views: pose_net(n, v, "distances", views), False),
    "pose_angles": (lambda n, v, views: pose_net(n, v, "angles", views), False),
    "vision": (vision_net, True),
    "fusion": (fusion_net, True),
}
CRITERIA_MODELS: dict[str, ModelSpec] = {
    name: ModelSpec(name, LEARNED_MODELS[name].description, build, uses_video)
    for name, (build, uses_video) in _BUILDERS.items()
}


def model_spec(name: str) -> ModelSpec:
    if name not in CRITERIA_MODELS:
        raise InputError(f"There is no model called {name!r}; choose one of {', '.join(CRITERIA_MODELS)}.")
    return CRITERIA_MODELS[name]


def variant_named(name: str) -> Variant:
    if name not in VARIANTS:
        raise InputError(f"There is no variant called {name!r}; choose one of {', '.join(VARIANTS)}.")
    return VARIANTS[name]


def check_exercise(exercise: str) -> str:
    if exercise not in EXERCISES:
        raise InputError(f"Unknown exercise {exercise!r}; choose one of {', '.join(EXERCISES)}.")
    return exercise


def build_model(name: str, exercise: str, variant: str = "paper", views: tuple[str, ...] = VIEWS) -> CriteriaNet:
    """A freshly initialised criteria model with one output per criterion of ``exercise``, reading
    ``views`` (both, or one alone)."""
    n_outputs = len(criteria_for(check_exercise(exercise)))
    return model_spec(name).build(n_outputs, variant_named(variant), check_views(views))


def count_parameters(model: nn.Module) -> int:
    return sum(parameter.numel() for parameter in model.parameters())
