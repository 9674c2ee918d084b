"""``gymcore.assess``: from a frontal and a lateral clip to per-repetition verdicts and scores.

Stages (docs/architecture.md): perception (poses and timelines of both views, in parallel),
exercise recognition when none is named, repetition segmentation on one view and alignment of the
other, 16 frames sampled per repetition and view, then every requested criteria model judges all
repetitions at once.
"""

from __future__ import annotations

import time
from pathlib import Path

from gymcore.criteria import EXERCISES
from gymcore.errors import InputError
from gymcore.judging.gate import judge_gated, refusals
from gymcore.judging.registry import load_criteria_models
from gymcore.judging.sampling import rep_sample
from gymcore.judging.types import Verdict
from gymcore.perception.analysis import Perception, analyse_clips
from gymcore.perception.trackcheck import check_track
from gymcore.pipeline.result import Assessment, rep_result, summarise
from gymcore.recognition.pose_rule import Recognition, recognise
from gymcore.repetitions.windows import repetitions


def assess(
    front: str | Path | None = None, side: str | Path | None = None, exercise: str | None = None,
    models: tuple[str, ...] | list[str] = ("rules",), perception: Perception | None = None,
    engine: str = "torch",
) -> Assessment:
    """Judge every repetition of the performance in the clips with the named models.

    exercise None (or "auto") recognises it from the pose. A given ``perception`` (from
    ``analyse_clips``) is reused instead of analysing the clips again. ``engine`` runs the learned
    models in PyTorch or OpenVINO (gymcore.models.engine).
    """
    exercise = None if exercise in (None, "auto") else exercise
    if exercise is not None and exercise not in EXERCISES:
        raise InputError(f"Unknown exercise {exercise!r}: choose auto or one of {', '.join(EXERCISES)}.")
    started = time.perf_counter()
    timing: dict[str, float] = {}
    reused_s = perception.wall_s if perception is not None else 0.0
    if perception is None:
        perception = analyse_clips(front=front, side=side)
    timing["perception"] = perception.wall_s
    for view in perception.views().values():
        for stage, seconds in view.timing_s.items():
            timing[f"{view.view}_{stage}"] = seconds
    clock = time.perf_counter()
    recognition = Recognition(exercise, 1.0, "given", {}) if exercise else recognise(perception)
    timing["recognition"] = time.perf_counter() - clock

    clock = time.perf_counter()
    views = {name: check_track(name, view.timeline, (view.source.width, view.source.height))
             for name, view in perception.views().items()}
    windows, segmentation = repetitions(perception, recognition.exercise)
    timing["segmentation"] = time.perf_counter() - clock

    loaded, weights = load_criteria_models(models, recognition.exercise, engine)
    clock = time.perf_counter()
    needs_images = any(model.needs_images for model in loaded)
    samples = [rep_sample(perception, rep_views, needs_images) for rep_views in windows]
    timing["sampling"] = time.perf_counter() - clock
    clock = time.perf_counter()
    gates = [refusals(recognition.exercise, sample) for sample in samples]
    timing["view_gate"] = time.perf_counter() - clock

    verdicts: dict[str, list[dict[str, Verdict]]] = {}
    for model in loaded:
        clock = time.perf_counter()
        verdicts[model.name] = judge_gated(model, recognition.exercise, samples, gates)
        timing[f"model_{model.name}"] = time.perf_counter() - clock
    reps = [
        rep_result(index, rep_views, segmentation["view"], {name: v[index] for name, v in verdicts.items()},
                   recognition.exercise)
        for index, rep_views in enumerate(windows)
    ]
    primary = loaded[0].name if loaded else ""
    timing["total"] = reused_s + time.perf_counter() - started
    return Assessment(recognition, reps, summarise(reps, recognition.exercise, primary), timing, weights, views,
                      segmentation, perception)
