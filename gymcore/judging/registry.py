"""Every criteria model by name, and the one loader: the rules are built, the learned models
(pose, vision, fusion and the Table 4 pose ablations) are loaded from their checked weights.

Loading a learned model is cached by gymcore.judging.learned (per weights folder and engine);
a failure is not cached, so weights installed later are found without a restart.
"""

from __future__ import annotations

from pathlib import Path

from gymcore.criteria import VIEWS
from gymcore.errors import GymError, InputError
from gymcore.judging.types import CriteriaModel, WeightsInfo
from gymcore.models.names import ASSESS_MODELS, LEARNED_MODELS, ModelName

RULES = ModelName("rules", "Rules", "Rules (hand-written thresholds)",
                  "interpretable rules: a measurement, a threshold and the evidence per criterion")
CRITERIA_MODELS: dict[str, ModelName] = {"rules": RULES, **LEARNED_MODELS}


def model_label(name: str) -> str:
    return CRITERIA_MODELS[name].label if name in CRITERIA_MODELS else name


def model_title(name: str) -> str:
    return CRITERIA_MODELS[name].title if name in CRITERIA_MODELS else name


def check_model_name(name: str, allowed: tuple[str, ...] | list[str] = tuple(CRITERIA_MODELS)) -> str:
    if name not in allowed:
        raise InputError(f"There is no model called {name!r}: choose from {', '.join(allowed)}.")
    return name


def has_weights(name: str, exercise: str, weights_dir: str | Path | None = None) -> bool:
    """Whether ``name`` can judge ``exercise`` here: the rules always, a learned model when the
    manifest lists a well-formed entry for it. A manifest or entry that cannot be read lists
    nothing usable; ``load_model`` says what is wrong with it."""
    if name == "rules":
        return True
    from gymcore.models.weights import WEIGHTS_DIR, WeightsError, find_entry

    try:
        return find_entry(name, exercise, Path(weights_dir or WEIGHTS_DIR)) is not None
    except WeightsError:
        return False


def load_model(name: str, exercise: str, engine: str = "torch", weights_dir: str | Path | None = None,
               views: tuple[str, ...] = VIEWS) -> CriteriaModel:
    """The rules model, or a learned model for ``exercise`` (weights checked against the manifest)
    whose weights read ``views`` (gymcore.judging.learned.load_criteria_model).

    Raises a GymError saying why a learned model cannot be loaded."""
    check_model_name(name)
    if name == "rules":
        from gymcore.judging.rules.model import DEFAULT_RULES_MODEL

        return DEFAULT_RULES_MODEL
    from gymcore.judging.learned import load_criteria_model

    return load_criteria_model(name, exercise, weights_dir, engine, views)


def load_criteria_models(names: tuple[str, ...] | list[str], exercise: str, engine: str = "torch",
                         views: tuple[str, ...] = VIEWS) -> tuple[list[CriteriaModel], dict[str, WeightsInfo]]:
    """The named models that can run on clips showing ``views`` (one view's own weights when listed:
    gymcore.judging.learned.views_served), and for every name where its verdicts come from, or why
    it is not available: a missing model, or a broken manifest entry or weights file, is an answer
    (``WeightsInfo.unavailable`` with the sentence naming the file), not a crash, and the rest go on
    without it. The rules never read the manifest. The weights folder is WEIGHTS_DIR (the
    environment variable GYMCORE_WEIGHTS, see gymcore.models.weights)."""
    loaded: list[CriteriaModel] = []
    status: dict[str, WeightsInfo] = {}
    for name in names:
        check_model_name(name, ASSESS_MODELS)
        try:
            model = load_model(name, exercise, engine, views=_served(name, exercise, views))
        except GymError as error:
            status[name] = WeightsInfo.unavailable(str(error))
            continue
        loaded.append(model)
        status[name] = model.weights
    return loaded, status


def _served(name: str, exercise: str, views: tuple[str, ...]) -> tuple[str, ...]:
    if name == "rules":  # the rules read whatever views there are, and never the manifest
        return VIEWS
    from gymcore.judging.learned import views_served

    return views_served(name, exercise, views)
