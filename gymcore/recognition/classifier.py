"""The exercise classifier's answer (gymcore.models.classifier over the views' landmarks), as an
alternative to the pose rule of gymcore.recognition.pose_rule.

``assess`` recognises exercises by the pose rule, which needs no weights, so a missing or broken
classifier never stops an assessment; asked for directly, the classifier raises WeightsError (a
GymError: one sentence naming the manifest or the file) when its weights cannot be used."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np
import torch

from gymcore.criteria import EXERCISES
from gymcore.errors import InputError
from gymcore.models.inputs import batched_logits, scale_free_distances
from gymcore.models.names import CLASSIFIER
from gymcore.models.weights import WEIGHTS_DIR, ManifestEntry, WeightsError, find_entry, load_weights
from gymcore.perception.analysis import Perception
from gymcore.recognition.pose_rule import Recognition


@cache
def _cached_classifier(weights_dir: str) -> tuple[torch.nn.Module, ManifestEntry]:
    """The loaded classifier and the manifest entry it came from, once per process and folder."""
    from gymcore.models.classifier import ExerciseClassifier

    entry = find_entry(CLASSIFIER, "all", Path(weights_dir))
    if entry is None:
        raise WeightsError(f"No exercise classifier is listed in {weights_dir}/manifest.json; name the exercise,"
                           f" or train one with `python -m gymcore train --model classifier`.")
    return load_weights(ExerciseClassifier(), entry, Path(weights_dir)).eval(), entry


def recognise_perception(perception: Perception, weights_dir: str | Path | None = None) -> Recognition:
    """The classifier over the 16 sampled frames of each analysed view of a
    ``gymcore.perception.analysis.Perception``, as a ``gymcore.recognition.pose_rule.Recognition`` whose evidence is the
    probability of every exercise."""
    views = [view for view in perception.views().values() if view.sampled.detected.any()]
    if not views:
        raise InputError("Nobody was found in the clips to recognise the exercise from; film the whole body.")
    probs = exercise_probabilities([view.sampled.landmarks for view in views], weights_dir)
    best = int(np.argmax(probs))
    _, entry = _cached_classifier(_folder(weights_dir))
    return Recognition(EXERCISES[best], float(probs[best]), f"exercise classifier ({entry.file})",
                       {f"p_{exercise}": round(float(p), 3) for exercise, p in zip(EXERCISES, probs)})


def recognise_exercise(landmark_sequences: list[np.ndarray], weights_dir: str | Path | None = None) -> tuple[str, float]:
    """Which exercise the views show: each (T, 33, 3) sequence (NaN for missing frames) is one view
    of the same performance. Returns the exercise and its probability (views' logits averaged)."""
    probs = exercise_probabilities(landmark_sequences, weights_dir)
    best = int(np.argmax(probs))
    return EXERCISES[best], float(probs[best])


def exercise_probabilities(landmark_sequences: list[np.ndarray], weights_dir: str | Path | None = None) -> np.ndarray:
    """(3,) probabilities in ``EXERCISES`` order from the views' averaged logits."""
    from gymcore.models.classifier import CLASSIFIER_INPUT

    if not landmark_sequences:
        raise InputError("Recognising the exercise needs the landmarks of at least one view.")
    classifier, _ = _cached_classifier(_folder(weights_dir))
    distances = np.stack([scale_free_distances(sequence) for sequence in landmark_sequences])
    logits = batched_logits(classifier, {CLASSIFIER_INPUT: distances}).mean(axis=0)
    probs = np.exp(logits - logits.max())
    return probs / probs.sum()


def _folder(weights_dir: str | Path | None) -> str:
    """The cache key of a weights folder: the given one, else WEIGHTS_DIR (GYMCORE_WEIGHTS)."""
    return str(Path(weights_dir) if weights_dir else WEIGHTS_DIR)
