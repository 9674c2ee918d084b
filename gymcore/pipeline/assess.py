"""``gymcore.assess``: from a frontal and a lateral clip to per-repetition verdicts and scores.

Stages (docs/architecture.md): perception (poses and timelines of both views, in parallel),
exercise recognition (a check on the named exercise when one is given), repetition segmentation on
one view and alignment of the other, 16 frames sampled per repetition and view, then every
requested criteria model judges all repetitions at once.
"""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

from gymcore.criteria import EXERCISES
from gymcore.errors import InputError
from gymcore.judging.gate import judge_gated, refusals
from gymcore.judging.registry import ASSESS_MODELS, check_model_name, has_weights, load_criteria_models
from gymcore.judging.sampling import rep_sample
from gymcore.judging.types import Verdict
from gymcore.perception.analysis import Perception, ViewAnalysis, analyse_clips
from gymcore.perception.trackcheck import ViewCheck, check_track, turned_flag
from gymcore.pipeline.result import Assessment, rep_result, summarise
from gymcore.recognition.pose_rule import NONE, Movement, NotAnExercise, Recognition, recognise, screened, spoken
from gymcore.repetitions.types import Repetition, Segmentation
from gymcore.repetitions.windows import repetitions


def assess(
    front: str | Path | None = None, side: str | Path | None = None, exercise: str | None = None,
    models: tuple[str, ...] | list[str] = ("rules",), perception: Perception | None = None,
    engine: str = "torch",
) -> Assessment:
    """Judge every repetition of the performance in the clips with the named models.

    exercise None (or "auto") recognises it from the pose; a named exercise the pose confidently
    contradicts is judged as named, with a caution (``Recognition.caution``). A given ``perception``
    (from ``perceive``, or ``analyse_clips`` keeping the frames the models read) is reused instead of
    analysing the clips again. ``engine`` runs the learned models in PyTorch or OpenVINO (gymcore.models.engine).
    """
    exercise = checked_exercise(exercise)
    started = time.perf_counter()
    timing: dict[str, float] = {}
    reused_s = perception.wall_s if perception is not None else 0.0
    if perception is None:
        perception = perceive(front, side, models, exercise, engine)
    timing["perception"] = perception.wall_s
    timing.update(_view_timing(perception))
    clock = time.perf_counter()
    # A named exercise is still recognised (a few milliseconds), so that a clip named as lunges but
    # showing a squat is judged as lunges with a caution, not silently.
    seen = recognise(perception)
    if not exercise and seen.exercise == NONE:
        raise NotAnExercise(seen)
    recognition = Recognition(exercise, 1.0, "given", {}, seen) if exercise else seen
    timing["recognition"] = time.perf_counter() - clock

    clock = time.perf_counter()
    views = {name: _view_check(view) for name, view in perception.views().items()}
    windows, segmentation = repetitions(perception, recognition.exercise)
    if not windows:
        raise no_repetition(exercise, recognition, segmentation, perception)
    windows, rejected = screened(perception, recognition.exercise, windows, segmentation.view)
    if not windows:
        raise nothing_counted(exercise, recognition.exercise, rejected)
    segmentation = replace(segmentation, rejected=tuple(sorted(
        [*segmentation.rejected, *(movement.not_counted() for movement in rejected)], key=lambda item: item.start_s)))
    timing["segmentation"] = time.perf_counter() - clock

    given = tuple(perception.views())
    loaded, weights = load_criteria_models(models, recognition.exercise, engine, given)
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
        rep_result(index, rep_views, segmentation.view, {name: v[index] for name, v in verdicts.items()},
                   recognition.exercise)
        for index, rep_views in enumerate(windows)
    ]
    primary = loaded[0].name if loaded else ""
    timing["total"] = reused_s + time.perf_counter() - started
    return Assessment(recognition, reps, summarise(reps, recognition.exercise, primary), timing, weights, views,
                      segmentation, perception)


class NoRepetition(InputError):
    """No movement in the clips makes a whole repetition: nothing is judged, rather than the whole
    clip as if it were one (a hold at the bottom, pulses that never stand up, a clip that starts and
    ends mid-repetition). ``recognition`` says what the clips were taken for, ``segmentation`` what
    was left out and why."""

    def __init__(self, recognition: Recognition, segmentation: Segmentation) -> None:
        why = "; ".join(item.describe() for item in segmentation.rejected)
        super().__init__(
            f"No whole repetition of {spoken(recognition.exercise)} was found in the clips{f' ({why})' if why else ''},"
            " so nothing was judged. A repetition runs from standing down to the bottom and back up: film the set"
            " from standing before the first repetition to standing after the last.")
        self.recognition = recognition
        self.segmentation = segmentation


def no_repetition(named: str | None, recognition: Recognition, segmentation: Segmentation,
                  perception: Perception) -> InputError:
    """The answer when no movement makes a whole repetition: with the exercise left to recognition
    and the clip's frames as a whole showing none of the three (a set of jumps), the answer for a clip
    whose windows all show none (``nothing_counted``); otherwise ``NoRepetition``."""
    if not named:
        time_s = perception.views()[segmentation.view].timeline.time_s
        whole = {segmentation.view: Repetition(float(time_s[0]), float(time_s[0]), float(time_s[-1]), float("nan"))}
        _, rejected = screened(perception, recognition.exercise, [whole], segmentation.view)
        if rejected:
            return nothing_counted(named, recognition.exercise, rejected)
    return NoRepetition(recognition, segmentation)


def nothing_counted(named: str | None, exercise: str, rejected: list[Movement]) -> InputError:
    """The answer when every repetition window of ``exercise`` shows none of the three exercises: with
    the exercise left to recognition, that the clips show none of them (as a clip recognised so is
    answered), the surest window's reason given; with it named, each window and what it shows."""
    if not named:
        return NotAnExercise(max(rejected, key=lambda movement: movement.recognition.confidence).recognition)
    shown = "; ".join(movement.not_counted().describe() for movement in rejected)
    return InputError(f"No movement in the clips looks like {spoken(exercise)}, nor any of the three"
                      f" exercises the tool knows: {shown}. Nothing was judged; check the exercise, or film the set"
                      " again with the whole body in view.")


def perceive(
    front: str | Path | None = None, side: str | Path | None = None, models: tuple[str, ...] | list[str] = ("rules",),
    exercise: str | None = None, engine: str = "torch",
) -> Perception:
    """Perception of the clips ready for ``assess(models=models, perception=...)``: it keeps the
    frames the named models will read, in one decoding pass per clip (the annotated clip is drawn
    afterwards: ``gymcore.perception.analysis.annotate_view``).

    The models are loaded first when the exercise is named (they are cached for judging)."""
    exercise = checked_exercise(exercise)
    return analyse_clips(front=front, side=side, keep_frames=model_frame_side(models, exercise, engine))


def model_frame_side(models: tuple[str, ...] | list[str], exercise: str | None, engine: str = "torch") -> int | None:
    """The side (px) to which the named models that read frames squeeze them, None when none does.

    With the exercise still to be recognised, the manifest answers for every exercise without
    loading their models. Should the models want different sides, the largest is kept and the
    others squeeze it further: close to, not exactly, what squeezing the decoded frame gives."""
    for name in models:
        check_model_name(name, ASSESS_MODELS)
    if exercise:
        loaded, _ = load_criteria_models(models, exercise, engine)
        sides = {model.image_size for model in loaded if model.needs_images}
    else:
        sides = {side for name in EXERCISES for side in _listed_frame_sides(models, name)}
    return max(sides, default=None)


def _listed_frame_sides(models: tuple[str, ...] | list[str], exercise: str) -> set[int]:
    """The sides of the frame-reading models the weights manifest lists for ``exercise``."""
    learned = [name for name in models if name != "rules"]
    if not learned:
        return set()
    # Imported here: the builders load torch, which a rules-only assessment never needs.
    from gymcore.models.registry import model_spec, variant_named
    from gymcore.models.weights import find_entry

    entries = [find_entry(name, exercise) for name in learned
               if model_spec(name).uses_video and has_weights(name, exercise)]
    return {variant_named(entry.variant).image_size for entry in entries if entry is not None}


def _view_check(view: ViewAnalysis) -> ViewCheck:
    """Whether the view can be trusted, with what its clip's quality report warns of."""
    check = check_track(view.view, view.timeline, (view.source.width, view.source.height))
    check.flags = list(view.quality.flags) + turned_flag(check)
    return check


def _view_timing(perception: Perception) -> dict[str, float]:
    """Each view's stages, and what reading the clips cost against the frames in them."""
    timing: dict[str, float] = {}
    for view in perception.views().values():
        for stage, seconds in view.timing_s.items():
            timing[f"{view.view}_{stage}"] = seconds
        timing[f"{view.view}_clip_frames"] = view.source.frame_count
        timing[f"{view.view}_decoded_frames"] = view.decoded.frames
        timing[f"{view.view}_container_opens"] = view.decoded.opens
    views = perception.views().values()
    timing["clip_frames"] = sum(view.source.frame_count for view in views)
    timing["decoded_frames"] = sum(view.decoded.frames for view in views)
    timing["container_opens"] = sum(view.decoded.opens for view in views)
    return timing


def checked_exercise(exercise: str | None) -> str | None:
    """The named exercise, or None for "recognise it" (None or auto); an InputError for any other name."""
    exercise = None if exercise in (None, "auto") else exercise
    if exercise is not None and exercise not in EXERCISES:
        raise InputError(f"Unknown exercise {exercise!r}: choose auto or one of {', '.join(EXERCISES)}.")
    return exercise
