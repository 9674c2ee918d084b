"""``gymcore.assess``: from a frontal and a lateral clip to per-repetition verdicts and scores.

Stages: perception (poses and timelines of both views, in parallel), exercise recognition when
none is named, repetition segmentation on one view and alignment of the other, 16 frames sampled
per repetition and view, then every requested criteria model judges all repetitions at once.
"""

from __future__ import annotations

import argparse
import time
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

from gymcore.config import DEFAULT_LIMITS, MODEL_FRAMES
from gymcore.criteria import EXERCISES, criteria_for
from gymcore.errors import GymError, InputError
from gymcore.features import pose_features
from gymcore.judging import CriteriaModel, RepSample, Verdict, ViewSample
from gymcore.models.engine import ENGINES
from gymcore.perception import Perception, ViewAnalysis, analyse_clips
from gymcore.recognise import Recognition, recognise
from gymcore.reps import Repetition, align_offset, combined, movement_signal, segment
from gymcore.rules import RulesModel
from gymcore.video import read_frames, uniform_indices
from gymcore.viewcheck import ViewCheck, check_track

MODEL_NAMES = ("rules", "pose", "vision", "fusion")


@dataclass
class RepResult:
    """One repetition: its times (in the segmenting view and in each view), every model's verdict
    per criterion, and the correctness score (share of assessable criteria passed)."""

    index: int
    start_s: float
    bottom_s: float
    end_s: float
    view_times: dict[str, Repetition]
    verdicts: dict[str, dict[str, Verdict]]  # criterion id -> model name -> verdict
    scores: dict[str, float | None]  # model name -> score
    score: float | None  # the first requested model's

    def to_dict(self) -> dict[str, object]:
        return {
            "index": self.index, "start_s": round(self.start_s, 3), "bottom_s": round(self.bottom_s, 3),
            "end_s": round(self.end_s, 3), "score": self.score, "scores": self.scores,
            "views": {view: {"start_s": round(r.start_s, 3), "bottom_s": round(r.bottom_s, 3), "end_s": round(r.end_s, 3)}
                      for view, r in self.view_times.items()},
            "criteria": {cid: {model: v.to_dict() for model, v in by_model.items()}
                         for cid, by_model in self.verdicts.items()},
        }


@dataclass
class SetSummary:
    repetitions: int
    mean_score: float | None
    most_failed: list[dict[str, object]]  # [{"criterion", "name", "failed", "assessed", "cue"}]
    worst_rep: int | None
    model: str  # whose verdicts the summary counts

    def to_dict(self) -> dict[str, object]:
        return {"repetitions": self.repetitions, "mean_score": self.mean_score, "most_failed": self.most_failed,
                "worst_rep": self.worst_rep, "model": self.model}


@dataclass
class Assessment:
    exercise: Recognition
    reps: list[RepResult]
    summary: SetSummary
    timing_s: dict[str, float]
    weights: dict[str, dict[str, object]]  # model name -> {"status", ...}
    views: dict[str, ViewCheck]
    segmentation: dict[str, object]
    perception: Perception = field(repr=False)

    def to_dict(self) -> dict[str, object]:
        """The JSON of ``python -m gymcore assess`` (see the README)."""
        return {
            "exercise": self.exercise.to_dict(),
            "reps": [rep.to_dict() for rep in self.reps],
            "summary": self.summary.to_dict(),
            "timing_s": {key: round(value, 4) for key, value in self.timing_s.items()},
            "weights": self.weights,
            "views": {view: check.to_dict() for view, check in self.views.items()},
            "segmentation": self.segmentation,
            "pair_flags": [flag.to_dict() for flag in self.perception.flags],
        }


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
    needs_images = any(getattr(model, "needs_images", False) for model in loaded)
    samples = [rep_sample(perception, rep_views, needs_images) for rep_views in windows]
    timing["sampling"] = time.perf_counter() - clock

    verdicts: dict[str, list[dict[str, Verdict]]] = {}
    for model in loaded:
        clock = time.perf_counter()
        verdicts[model.name] = model.judge(recognition.exercise, samples)
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


def repetitions(perception: Perception, exercise: str) -> tuple[list[dict[str, Repetition]], dict[str, object]]:
    """Repetition windows per view: segmented on the lateral view's signal (the frontal one's when
    alone; for lunges, where the other view agrees), then shifted into the other view by the lag
    that best matches the two views' movement signals."""
    views = perception.views()
    lead = "lateral" if "lateral" in views else "frontal"
    follower = "frontal" if lead == "lateral" else "lateral"
    signal = movement_signal(views[lead], exercise)
    info: dict[str, object] = {"view": lead, "signal": signal.name}
    offset = None
    if follower in views:
        other = movement_signal(views[follower], exercise)
        durations = [view.source.duration_s for view in views.values()]
        offset = align_offset(signal, other, max_lag_s=0.5 * min(durations))
        info["offset_s"] = round(offset, 3)
        if signal.view_independent:
            signal = combined(signal, other, offset)
            info["signal"] = f"{signal.name}, both views"
    reps = segment(signal, exercise)
    info["segmented"] = bool(reps)
    if not reps:
        whole = views[lead].timeline.time_s
        reps = [Repetition(float(whole[0]), float(whole[np.nanargmax(signal.value)]) if np.isfinite(signal.value).any()
                           else float(whole[0]), float(whole[-1]), float("nan"))]
        info["note"] = "No repetition was found in the movement; the whole clip is judged as one repetition."
    windows = [{lead: rep} for rep in reps]
    if offset is not None:
        for window in windows:
            window[follower] = window[lead].shifted(offset)
    return windows, info


def rep_sample(perception: Perception, windows: dict[str, Repetition], needs_images: bool) -> RepSample:
    views = perception.views()
    samples = {name: view_sample(views[name], rep, needs_images) for name, rep in windows.items()}
    lead = next(iter(windows.values()))
    return RepSample(start_s=lead.start_s, end_s=lead.end_s, views=samples)


def view_sample(view: ViewAnalysis, rep: Repetition, needs_images: bool) -> ViewSample:
    """16 frames of the view's timeline spaced uniformly over the repetition."""
    timeline = view.timeline
    inside = np.flatnonzero((timeline.time_s >= rep.start_s) & (timeline.time_s <= rep.end_s))
    if not len(inside):
        inside = np.array([int(np.argmin(np.abs(timeline.time_s - rep.bottom_s)))])
    track = timeline.subset(inside[uniform_indices(len(inside), MODEL_FRAMES)])
    images = None
    if needs_images:
        frames = read_frames(view.source, track.frame_indices, DEFAULT_LIMITS.pose_long_side_px)
        by_index = {frame.index: frame.image for frame in frames}
        images = np.stack([by_index[int(i)] for i in track.frame_indices])
    return ViewSample(
        view=view.view, frame_indices=track.frame_indices, time_s=track.time_s, landmarks=track.landmarks,
        visibility=track.visibility, features=pose_features(track.landmarks), images=images,
        image_size=(view.source.width, view.source.height),
    )


def rep_result(index: int, windows: dict[str, Repetition], lead: str, verdicts: dict[str, dict[str, Verdict]],
               exercise: str) -> RepResult:
    by_criterion = {item.id: {name: per_model[item.id] for name, per_model in verdicts.items()}
                    for item in criteria_for(exercise)}
    scores = {name: correctness(per_model) for name, per_model in verdicts.items()}
    rep = windows[lead]
    return RepResult(index, rep.start_s, rep.bottom_s, rep.end_s, windows, by_criterion, scores,
                     next(iter(scores.values()), None))


def correctness(verdicts: dict[str, Verdict]) -> float | None:
    """Share of the assessable criteria passed (EJUST-GYM-3's per-repetition score)."""
    judged = [v.passed for v in verdicts.values() if v.assessable]
    return round(sum(bool(p) for p in judged) / len(judged), 4) if judged else None


def summarise(reps: list[RepResult], exercise: str, model: str) -> SetSummary:
    failed: Counter[str] = Counter()
    assessed: Counter[str] = Counter()
    for rep in reps:
        for cid, by_model in rep.verdicts.items():
            verdict = by_model.get(model)
            if verdict is not None and verdict.assessable:
                assessed[cid] += 1
                failed[cid] += not verdict.passed
    names = {item.id: item for item in criteria_for(exercise)}
    most_failed = [
        {"criterion": cid, "name": names[cid].name, "failed": count, "assessed": assessed[cid], "cue": names[cid].cue}
        for cid, count in failed.most_common() if count
    ]
    scored = [(rep.score, rep.index) for rep in reps if rep.score is not None]
    return SetSummary(
        repetitions=len(reps),
        mean_score=round(float(np.mean([s for s, _ in scored])), 4) if scored else None,
        most_failed=most_failed, worst_rep=min(scored)[1] if scored else None, model=model,
    )


def load_criteria_models(names: tuple[str, ...] | list[str], exercise: str,
                         engine: str = "torch") -> tuple[list[CriteriaModel], dict[str, dict[str, object]]]:
    """The named models that can run, and for every name its status: loaded, or why not."""
    loaded: list[CriteriaModel] = []
    status: dict[str, dict[str, object]] = {}
    for name in names:
        if name not in MODEL_NAMES:
            raise InputError(f"There is no model called {name!r}: choose from {', '.join(MODEL_NAMES)}.")
        if name == "rules":
            loaded.append(_rules_model())
            status[name] = {"status": "loaded", "file": None, "note": "thresholds in gymcore.rules.RulesConfig"}
            continue
        model, reason = _learned_model(name, exercise, engine)
        if model is None:
            status[name] = {"status": "not_available", "reason": reason}
        else:
            loaded.append(model)
            status[name] = {"status": "loaded", **getattr(model, "weights_info", {}), "engine": engine}
    return loaded, status


@lru_cache(maxsize=1)
def _rules_model() -> RulesModel:
    return RulesModel()


@lru_cache(maxsize=None)
def _learned_model(name: str, exercise: str, engine: str) -> tuple[CriteriaModel | None, str]:
    """A learned model through gymcore.models.load_criteria_model(name, exercise), loaded once.

    Missing code or weights is an answer (the reason), not a crash: the rest of the assessment
    goes on without that model.
    """
    try:
        from gymcore.models import load_criteria_model
    except ImportError:
        return None, f"No weights for the {name} model yet: this installation has no learned models to load."
    try:
        return load_criteria_model(name, exercise, engine=engine), ""
    except GymError as error:
        return None, str(error)


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("assess", help="judge each repetition of a frontal and a lateral clip")
    parser.add_argument("--front", help="frontal clip")
    parser.add_argument("--side", help="lateral clip")
    parser.add_argument("--exercise", default="auto", choices=("auto", *EXERCISES),
                        help="the exercise, or auto to recognise it from the pose (default)")
    parser.add_argument("--models", default="rules", help=f"comma-separated, from {','.join(MODEL_NAMES)} (default: rules)")
    parser.add_argument("--engine", default="torch", choices=ENGINES,
                        help="run the learned models in PyTorch (default) or OpenVINO (faster on the CPU)")
    parser.add_argument("--json", dest="json_out", metavar="OUT", help="where to write the assessment as JSON")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from gymcore.serialize import write_json

    models = [name.strip() for name in args.models.split(",") if name.strip()]
    result = assess(front=args.front, side=args.side, exercise=args.exercise, models=models, engine=args.engine)
    if args.json_out:
        write_json(args.json_out, result.to_dict())
    print(describe(result))
    if args.json_out:
        print(f"wrote {args.json_out}")
    return 0


def describe(result: Assessment) -> str:
    """A few lines a coach can read in a terminal."""
    ex = result.exercise
    lines = [f"exercise: {ex.exercise} ({ex.method}, confidence {ex.confidence:.2f})"]
    if ex.caution:
        lines.append(ex.caution)
    for name, info in result.weights.items():
        if info["status"] != "loaded":
            lines.append(f"model {name}: {info['reason']}")
    for view, check in result.views.items():
        for problem in check.problems:
            lines.append(f"{view} view: {problem}")
    if "note" in result.segmentation:
        lines.append(str(result.segmentation["note"]))
    for rep in result.reps:
        score = "n/a" if rep.score is None else f"{rep.score:.2f}"
        failed = [cid for cid, by_model in rep.verdicts.items()
                  if any(v.assessable and not v.passed for v in by_model.values())]
        lines.append(f"rep {rep.index + 1}: {rep.start_s:5.1f}-{rep.end_s:5.1f} s (bottom {rep.bottom_s:.1f} s)"
                     f" score {score}" + (f"  failed: {', '.join(failed)}" if failed else ""))
    summary = result.summary
    if summary.mean_score is not None:
        lines.append(f"{summary.repetitions} repetitions, mean score {summary.mean_score:.2f},"
                     f" worst repetition {summary.worst_rep + 1}")
    for item in summary.most_failed[:3]:
        lines.append(f"  {item['name']}: failed {item['failed']} of {item['assessed']} - {item['cue']}")
    lines.append(f"time: {result.timing_s['total']:.1f} s")
    return "\n".join(lines)
