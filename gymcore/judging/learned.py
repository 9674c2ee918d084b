"""Learned models behind the ``CriteriaModel`` protocol.

Models are loaded once per process (weights checked against the manifest's sha256) and judge all
repetitions of a clip as one batch. A repetition lacking a view the model reads, or a vision model
given no frames, gets ``Verdict.not_assessable`` rather than a guess.

A clip filmed from one side only is judged by the model's one-view weights when the manifest lists
them (``train --views lateral``; ``views_served``); the view gate still decides which criteria that
view shows.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import numpy as np
from scipy.special import expit

from gymcore.criteria import VIEWS, criteria_for
from gymcore.errors import InputError
from gymcore.judging.types import RepSample, Verdict, WeightsInfo
from gymcore.models.calibration import card_temperatures
from gymcore.models.engine import OpenVinoRunner, check_engine, openvino_runner
from gymcore.models.inputs import batched_logits, pose_input, to_tensors
from gymcore.models.names import views_option
from gymcore.models.net import check_views
from gymcore.models.weights import WEIGHTS_DIR, ManifestEntry, WeightsError, find_entry, load_weights
from gymcore.perception.video import resize_frames

THRESHOLD = 0.5


@dataclass
class LearnedCriteriaModel:
    """A trained pose, vision or fusion network judging one exercise's criteria."""

    name: str
    exercise: str
    net: object  # gymcore.models.net.CriteriaNet
    image_size: int
    weights: WeightsInfo
    engine: str = "torch"  # or "openvino" (gymcore.models.engine)
    # Per criterion, the temperature dividing its logit (the card's calibration); None: uncalibrated.
    temperatures: np.ndarray | None = None
    _runners: dict[tuple, OpenVinoRunner] = field(default_factory=dict, repr=False)
    # One model serves every session of a dashboard: an OpenVINO request runs one inference at a
    # time, and the runner table must not be filled twice at once.
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def needs_images(self) -> bool:
        return "video" in self.net.input_kinds

    def judge(self, exercise: str, reps: list[RepSample]) -> list[dict[str, Verdict]]:
        if exercise != self.exercise:
            raise InputError(f"The {self.name} model was loaded for {self.exercise}, not {exercise}.")
        ids = [criterion.id for criterion in criteria_for(exercise)]
        reasons = [self._reason_not_assessable(rep) for rep in reps]
        ready = [i for i, reason in enumerate(reasons) if not reason]
        probs = np.zeros((len(reps), len(ids)), dtype=np.float32)
        if ready:
            logits = self.logits(self._arrays([reps[i] for i in ready]))
            probs[ready] = expit(logits if self.temperatures is None else logits / self.temperatures)
        return [
            {cid: Verdict.not_assessable(reasons[i]) for cid in ids} if reasons[i]
            else {cid: Verdict(prob=float(probs[i, j]), passed=bool(probs[i, j] >= THRESHOLD)) for j, cid in enumerate(ids)}
            for i in range(len(reps))
        ]

    def logits(self, arrays: dict[str, np.ndarray]) -> np.ndarray:
        """(N, criteria) logits for a batch of network inputs, on the model's engine."""
        if self.engine == "torch":
            return batched_logits(self.net, arrays, batch_size=len(next(iter(arrays.values()))))
        inputs = {key: tensor.numpy() for key, tensor in to_tensors(arrays).items()}
        shapes = {key: array.shape[1:] for key, array in inputs.items()}
        signature = tuple(sorted(shapes.items()))
        with self._lock:
            if signature not in self._runners:
                self._runners[signature] = openvino_runner(self.net, shapes, cache_key=str(self.weights.sha256))
            return self._runners[signature](inputs)

    def _reason_not_assessable(self, rep: RepSample) -> str:
        missing = [view for view in self.net.views if view not in rep.views]
        if missing and len(self.net.views) == len(VIEWS):
            return f"the {self.name} model needs both views; the {' and '.join(missing)} view is missing"
        if missing:
            return f"these {self.name} weights read the {missing[0]} view alone, and it is missing"
        if self.needs_images and any(rep.views[view].images is None for view in self.net.views):
            return f"the {self.name} model needs the sampled frames, which were not decoded"
        return ""

    def _arrays(self, reps: list[RepSample]) -> dict[str, np.ndarray]:
        arrays: dict[str, np.ndarray] = {}
        for view in self.net.views:
            for kind in self.net.input_kinds:
                if kind == "video":
                    arrays[f"video_{view}"] = np.stack([resize_frames(rep.views[view].images, self.image_size) for rep in reps])
                else:
                    arrays[f"{kind}_{view}"] = np.stack([pose_input(rep.views[view].landmarks, kind) for rep in reps])
        return arrays


def load_criteria_model(name: str, exercise: str, weights_dir: str | Path | None = None,
                        engine: str = "torch", views: tuple[str, ...] = VIEWS) -> LearnedCriteriaModel:
    """The shipped ``name`` model for ``exercise`` whose weights read ``views``, built and loaded
    once per process and engine.

    ``weights_dir`` None reads WEIGHTS_DIR: weights/, or the folder the environment variable
    GYMCORE_WEIGHTS names. Raises WeightsError (a GymError, one sentence naming the file) when no
    weights are listed, or the manifest entry or the file is wrong in any way
    (gymcore.models.weights), and EngineError when the engine cannot run here.
    """
    check_engine(engine)
    return _cached_model(name, exercise, _folder(weights_dir), engine, check_views(views))


def views_served(name: str, exercise: str, views: tuple[str, ...], weights_dir: str | Path | None = None,
                 ) -> tuple[str, ...]:
    """The views of the weights that judge clips showing ``views``: those views' own weights when
    the manifest lists them, else the two-view weights, whose model declines each repetition saying
    which view it lacks. A broken entry for them is a WeightsError, as loading it would be."""
    views = check_views(views)
    if views == VIEWS or find_entry(name, exercise, Path(_folder(weights_dir)), views) is not None:
        return views
    return VIEWS


def _folder(weights_dir: str | Path | None) -> str:
    return str(Path(weights_dir) if weights_dir else WEIGHTS_DIR)


@cache
def _cached_model(name: str, exercise: str, weights_dir: str, engine: str,
                  views: tuple[str, ...]) -> LearnedCriteriaModel:
    from gymcore.models.registry import build_model, variant_named

    entry = find_entry(name, exercise, Path(weights_dir), views)
    if entry is None:
        alone = "" if views == VIEWS else f" reading the {' and '.join(views)} view alone"
        raise WeightsError(f"No weights for the {name} model of {exercise}{alone} are listed in {weights_dir}/"
                           f"manifest.json; train them with `python -m gymcore train --model {name} --exercise"
                           f" {exercise}{views_option(views)}`.")
    net = load_weights(build_model(name, exercise, entry.variant, tuple(entry.views)), entry, Path(weights_dir))
    net.eval()
    ids = [criterion.id for criterion in criteria_for(exercise)]
    return LearnedCriteriaModel(name, exercise, net, variant_named(entry.variant).image_size,
                                weights_info(entry, engine), engine, card_temperatures(entry.card, ids))


def weights_info(entry: ManifestEntry, engine: str) -> WeightsInfo:
    """The file serving a model and what it was trained on, from its manifest entry and card."""
    data = entry.card.get("training_data", {})
    name = str(data.get("name", ""))
    return WeightsInfo(
        status="loaded", file=entry.file, sha256=entry.sha256, variant=entry.variant,
        trained_on=" ".join(str(data[key]) for key in ("name", "version") if data.get(key) is not None) or None,
        synthetic=bool(data.get("synthetic")) or "synth" in name.lower(), date=entry.card.get("date"), engine=engine,
        views=list(entry.views), calibrated=bool(entry.card.get("calibration")),
    )
