"""Render a planned SynthGym dataset into the ALEX-GYM-1 layout (names in gymcore.data.layout).

Participants are rendered on the parallel engine (gymcore.parallel.engine: in this process, on
local Ray workers or on a cluster); each worker keeps one MediaPipe graph. Per set (participant x
exercise) one performance is posed, both views are rendered with one scene each, 16 frames per
repetition are stored as JPEG and run, decoded back from the JPEG, through MediaPipe in video mode,
as the published landmarks were made from the published frames. With ``landmarks="noise-model"``
MediaPipe is left out: its errors are drawn from the fitted model (gymcore.synth.noise) around the
true joints, and the frames may be rendered as small as the models read them.

A run can be resumed: each participant whose files are all written gets a completion record
(``layout.DONE_FOLDER``: its sheet rows, landmarks, timings and the files it wrote), and a later
run with the same settings into the same folder keeps those participants instead of rendering
them again. A run that fails keeps the participants it completed and takes back everything else.
"""

from __future__ import annotations

import json
import time
from collections import defaultdict, deque
from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np
import pandas as pd

from gymcore.data import layout
from gymcore.errors import GymError
from gymcore.parallel.engine import run_jobs
from gymcore.perception.video import DecodedFrame, uniform_indices, write_video
from gymcore.serialize import atomic_output, jsonable, removed_on_failure, write_json
from gymcore.synth.body import Participant, pose_skeleton
from gymcore.synth.dataset.plan import ParticipantPlan, SetPlan, Settings, plan_dataset
from gymcore.synth.landmarks import body_height_px
from gymcore.synth.motion.faults import rules_for, table_rows
from gymcore.synth.motion.performance import Performance, perform
from gymcore.synth.noise import LandmarkNoise, true_landmarks
from gymcore.synth.render.renderer import Camera, Scene, frontal_camera, lateral_camera, make_scene, render_frame

NAME = "SynthGym"
VERSION = "1.0"
# What tracks the rendered frames (gymcore.perception.pose.PoseEstimator over each repetition's 16).
TRACKER = "MediaPipe Pose 0.10.21 (model_complexity=1, video mode over the 16 frames)"
STAGES = ("motion", "render", "jpeg", "mediapipe", "noise_model", "clips", "ground_truth")
# The noise model's draws come from their own stream of the set's seed, so that the rest of a set
# (scenes, cameras) is drawn the same whichever source its landmarks come from.
_NOISE_STREAM = 1


@dataclass
class RepRow:
    """One sheet row with its landmarks per view: (16, 33, 3) arrays rounded as the pose files hold
    them, NaN for undetected frames (arrays: a set of 60,000 repetitions held as Python lists would
    take 6 GB)."""

    row: dict[str, object]
    landmarks: dict[str, np.ndarray]
    detected: dict[str, int]

    def to_dict(self) -> dict[str, object]:
        return {"row": self.row, "landmarks": {view: _entry(points) for view, points in self.landmarks.items()},
                "detected": self.detected}

    @classmethod
    def from_dict(cls, data: dict) -> RepRow:
        return cls(data["row"], {view: _points(entry) for view, entry in data["landmarks"].items()}, data["detected"])


@dataclass
class ParticipantResult:
    rows: dict[str, list[RepRow]] = field(default_factory=lambda: defaultdict(list))
    seconds: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    frames_rendered: int = 0
    files: list[str] = field(default_factory=list)  # written, relative to the dataset folder

    def to_dict(self) -> dict[str, object]:
        return {"rows": {exercise: [row.to_dict() for row in rows] for exercise, rows in self.rows.items()},
                "seconds": dict(self.seconds), "frames_rendered": self.frames_rendered, "files": self.files}

    @classmethod
    def from_dict(cls, data: dict) -> ParticipantResult:
        return cls(rows={exercise: [RepRow.from_dict(row) for row in rows] for exercise, rows in data["rows"].items()},
                   seconds=dict(data["seconds"]), frames_rendered=int(data["frames_rendered"]),
                   files=list(data["files"]))


class _Stopwatch:
    def __init__(self, seconds: dict[str, float]) -> None:
        self.seconds = seconds

    def __call__(self, stage: str) -> _Lap:
        return _Lap(self.seconds, stage)


class _Lap:
    def __init__(self, seconds: dict[str, float], stage: str) -> None:
        self.seconds, self.stage = seconds, stage

    def __enter__(self) -> None:
        self.start = time.perf_counter()

    def __exit__(self, *_: object) -> None:
        self.seconds[self.stage] += time.perf_counter() - self.start


def view_cameras(participant: Participant, rng: np.random.Generator, width: int, height: int) -> dict[str, Camera]:
    """A jittered frontal camera and a lateral one on a randomly chosen side."""
    side = "left" if rng.random() < 0.5 else "right"
    return {"frontal": frontal_camera(participant, rng, width, height),
            "lateral": lateral_camera(participant, rng, width, height, side=side)}


def pose_set(plan: SetPlan, settings: Settings, rng: np.random.Generator) -> Performance:
    return perform(plan.participant, list(plan.reps), settings.fps, rng, walk_steps=plan.walk_steps)


def render_set(plan: SetPlan, settings: Settings, out: Path, landmarker: Landmarker, result: ParticipantResult) -> None:
    """Frames, landmarks, clips and ground truth of one set; sheet rows go into ``result``."""
    lap = _Stopwatch(result.seconds)
    rng = np.random.default_rng(plan.seed)
    noise_rng = np.random.default_rng((plan.seed, _NOISE_STREAM))
    p = plan.participant
    with lap("motion"):
        performance = pose_set(plan, settings, rng)
        skeletons = [pose_skeleton(p, pose) for pose in performance.poses]
    cameras = view_cameras(p, rng, settings.width, settings.height)
    sampled = np.stack([start + uniform_indices(end - start) for start, end in performance.rep_ranges])
    videos = layout.video_numbers(plan.pair)
    landmarks: dict[str, np.ndarray] = {}
    for view, camera in cameras.items():
        scene = make_scene(camera, rng)
        images = _render_view(out, plan, settings, skeletons, camera, scene, sampled, videos[view], result)
        view_landmarks = []
        for rep, frames in enumerate(sampled):
            with lap("jpeg"):
                decoded = _store_jpegs(out, plan.exercise, videos[view], rep, [images[i] for i in frames],
                                       settings.jpeg_quality, result.files, decode=landmarker.reads_frames)
            view_landmarks.append(landmarker.landmarks(
                view, camera, [skeletons[i] for i in frames], plan.participant.height, frames, decoded, settings.fps,
                noise_rng, lap))
        landmarks[view] = np.stack(view_landmarks)
    with lap("ground_truth"):
        stem = layout.ground_truth_stem(plan.exercise, videos["frontal"], videos["lateral"])
        write_ground_truth(out / layout.GROUND_TRUTH_FOLDER / stem, plan, performance, skeletons, cameras, sampled)
        result.files += [f"{layout.GROUND_TRUTH_FOLDER}/{stem}{suffix}" for suffix in (".npz", ".json")]
    for rep_index, rep in enumerate(plan.reps):
        row = {layout.COLUMN_PARTICIPANT: plan.participant_label,
               layout.COLUMN_VIDEO["frontal"]: videos["frontal"], layout.COLUMN_VIDEO["lateral"]: videos["lateral"],
               layout.COLUMN_REP: layout.FIRST_REP + rep_index, layout.COLUMN_EXERCISE: plan.exercise, **rep.labels}
        result.rows[plan.exercise].append(RepRow(
            row=row,
            landmarks={view: np.round(landmarks[view][rep_index], 6) for view in layout.VIEWS},
            detected={view: int((~np.isnan(landmarks[view][rep_index][:, 0, 0])).sum()) for view in layout.VIEWS},
        ))


class Landmarker:
    """Where a set's landmarks come from: MediaPipe over the stored frames, or the noise model."""

    def __init__(self, source: str) -> None:
        self.reads_frames = source == "mediapipe"
        if self.reads_frames:
            from gymcore.perception.pose import PoseEstimator

            self._estimator = PoseEstimator()
        else:
            self._noise = LandmarkNoise.load()

    def landmarks(self, view: str, camera: Camera, skeletons: list, height_m: float, frames: np.ndarray,
                  decoded: list[np.ndarray], fps: float, rng: np.random.Generator, lap: _Stopwatch) -> np.ndarray:
        """(16, 33, 3) normalised landmarks of one repetition's sampled frames, NaN where nobody was found."""
        if self.reads_frames:
            with lap("mediapipe"):
                track = self._estimator.track(
                    DecodedFrame(int(i), float(i) / fps, image) for i, image in zip(frames, decoded))
            return np.where(track.detected[:, None, None], track.landmarks, np.nan)
        with lap("noise_model"):
            truth, scale = true_landmarks(np.stack([s.landmarks for s in skeletons]),
                                          body_height_px(height_m, skeletons, camera), camera)
            return self._noise.sample(truth, scale, view, rng)


def _render_view(out: Path, plan: SetPlan, settings: Settings, skeletons: list, camera: Camera, scene: Scene,
                 sampled: np.ndarray, video: int, result: ParticipantResult) -> dict[int, np.ndarray]:
    """Render one view, streaming every frame into its clip when clips are wanted, and keep the
    sampled frames (a whole clip would not fit in memory at full size)."""
    keep = set(sampled.ravel().tolist())
    kept: dict[int, np.ndarray] = {}
    lap = _Stopwatch(result.seconds)
    indices = range(len(skeletons)) if settings.clips else sorted(keep)

    def frames() -> Iterator[np.ndarray]:
        for i in indices:
            with lap("render"):
                image = render_frame(plan.participant, skeletons[i], camera, scene).image
            result.frames_rendered += 1
            if i in keep:
                kept[i] = image
            yield image

    if settings.clips:
        started, rendering = time.perf_counter(), result.seconds["render"]
        clip = f"{layout.CLIPS_FOLDER}/{layout.clip_name(plan.exercise, video)}"
        write_video(out / clip, frames(), settings.fps)
        result.files.append(clip)
        result.seconds["clips"] += time.perf_counter() - started - (result.seconds["render"] - rendering)
    else:
        deque(frames(), maxlen=0)
    return kept


def _store_jpegs(out: Path, exercise: str, video: int, rep: int, images: list[np.ndarray], quality: int,
                 written: list[str], decode: bool = True) -> list[np.ndarray]:
    """Write the repetition's frames (their names go into ``written``) and return them as decoded
    from the JPEG files (nothing when ``decode`` is off)."""
    decoded = []
    for number, image in enumerate(images, start=layout.FIRST_FRAME):
        ok, data = cv2.imencode(".jpg", cv2.cvtColor(image, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, quality])
        if not ok:
            raise RuntimeError("OpenCV failed to encode a JPEG frame.")
        name = f"{layout.FRAME_FOLDERS[exercise]}/{layout.frame_name(video, rep, number)}"
        (out / name).write_bytes(data.tobytes())
        written.append(name)
        if decode:
            decoded.append(cv2.cvtColor(cv2.imdecode(data, cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB))
    return decoded


def _entry(points: np.ndarray) -> list[object]:
    """A repetition's landmarks as the pose files hold them: per frame a (33, 3) list, or None."""
    return [None if np.isnan(frame).any() else np.round(frame, 6).tolist() for frame in points]


def _points(entry: list[object]) -> np.ndarray:
    return np.array([np.full((33, 3), np.nan) if frame is None else frame for frame in entry], dtype=float)


def write_ground_truth(stem: Path, plan: SetPlan, performance: Performance, skeletons: list,
                       cameras: dict[str, Camera], sampled: np.ndarray) -> None:
    """3D joints, projected joints and camera matrices (stem.npz); repetition boundaries, fault
    parameters and labels (stem.json)."""
    stem.parent.mkdir(parents=True, exist_ok=True)
    joints = np.stack([s.landmarks for s in skeletons]).astype(np.float32)
    arrays: dict[str, np.ndarray] = {"joints_world": joints, "rep_of_frame": performance.rep_of_frame,
                                     "sampled_frames": sampled}
    for view, camera in cameras.items():
        arrays[f"landmarks_px_{view}"] = camera.project(joints.reshape(-1, 3)).reshape(len(joints), 33, 2).astype(np.float32)
        arrays[f"body_height_px_{view}"] = body_height_px(plan.participant.height, skeletons, camera).astype(np.float32)
    np.savez_compressed(stem.with_suffix(".npz"), **arrays)
    write_json(stem.with_suffix(".json"), set_description(plan, performance, cameras, sampled))


def set_description(plan: SetPlan, performance: Performance, cameras: dict[str, Camera], sampled: np.ndarray) -> dict:
    videos = layout.video_numbers(plan.pair)
    fps = performance.fps
    return {
        "exercise": plan.exercise,
        "participant": plan.participant_label,
        "videos": videos,
        "fps": fps,
        "frame_count": len(performance.poses),
        "walk_steps": plan.walk_steps,
        "reps": [
            {"rep": layout.FIRST_REP + i, "start_frame": start, "end_frame": end, "start_s": start / fps,
             "end_s": end / fps, "sampled_frames": sampled[i].tolist(), "parameters": rep.parameters,
             "style": rep.style, "labels": rep.labels}
            for i, (rep, (start, end)) in enumerate(zip(plan.reps, performance.rep_ranges))
        ],
        "cameras": {view: {"position": c.position, "rotation": c.rotation, "focal_px": c.focal_px,
                           "width": c.width, "height": c.height} for view, c in cameras.items()},
        "world_frame": "metres; x right as the frontal camera sees it, y up, z toward the frontal camera, floor y=0",
    }


# --- participants on the parallel engine ----------------------------------------------------------


class RenderTask:
    """Renders whole participants into ``out``; each worker builds its landmarker (one MediaPipe graph,
    or the noise model) in ``setup``."""

    cpus = 1  # one participant's frames are rendered and tracked one after another

    def __init__(self, settings: Settings, out: Path) -> None:
        self.settings, self.out = settings, out
        self._landmarker: Landmarker | None = None

    def setup(self) -> None:
        cv2.setNumThreads(1)  # one worker per core: OpenCV's own threads would only compete with the others
        self._landmarker = Landmarker(self.settings.landmarks)

    def run(self, plan: ParticipantPlan) -> ParticipantResult:
        result = ParticipantResult()
        for set_plan in plan.sets:
            render_set(set_plan, self.settings, self.out, self._landmarker, result)
        # Plain dicts travel back from a worker; the defaultdicts' factories need not.
        result = ParticipantResult(dict(result.rows), dict(result.seconds), result.frames_rendered, result.files)
        # Here, not by the caller: writing the record (~0.1 s) would make one process the bottleneck of hundreds of workers.
        mark_done(self.out, self.settings, plan, result)
        return result

    def label(self, plan: ParticipantPlan) -> str:
        return f"participant {plan.label}"


def done_record(out: Path, plan: ParticipantPlan) -> Path:
    return out / layout.DONE_FOLDER / f"{plan.label}.json"


def _fingerprint(settings: Settings) -> dict[str, object]:
    """What a participant's files depend on: every setting but the number of workers."""
    return jsonable({name: value for name, value in settings.to_dict().items() if name != "workers"})


def mark_done(out: Path, settings: Settings, plan: ParticipantPlan, result: ParticipantResult) -> None:
    """Record the participant as complete, once its files are written.

    Plain ``json``, not ``write_json``: that rounds floats, and the landmarks must come back exactly
    as a fresh run writes them into the pose files."""
    with atomic_output(done_record(out, plan)) as temporary:
        temporary.write_text(json.dumps({"settings": _fingerprint(settings), **result.to_dict()}), encoding="utf-8")


def done_paths(out: Path, plan: ParticipantPlan, result: ParticipantResult) -> list[Path]:
    """What a completed participant owns: its record and its files."""
    return [done_record(out, plan), *(out / name for name in result.files)]


def already_done(out: Path, settings: Settings, plan: ParticipantPlan) -> ParticipantResult | None:
    """The participant's result from an earlier run into ``out`` with the same settings, if its
    record is readable and every file it lists is still there."""
    try:
        data = json.loads(done_record(out, plan).read_text(encoding="utf-8"))
        if data["settings"] != _fingerprint(settings):
            return None
        result = ParticipantResult.from_dict(data)
    except (OSError, ValueError, KeyError, TypeError):  # no record, or one that is not ours: render again
        return None
    return result if all((out / name).is_file() for name in result.files) else None


@dataclass(frozen=True)
class DatasetSummary:
    out: Path
    reps: dict[str, int]
    pass_rates: dict[str, dict[str, float]]
    detection_rate: dict[str, float]
    seconds: dict[str, float]
    wall_s: float
    frames_rendered: int
    kept: int = 0  # participants written by an earlier run and kept


def generate_dataset(settings: Settings, out: Path, on_participant: Callable[[int], object] | None = None, *,
                     address: str | None = None, progress: str | None = None) -> DatasetSummary:
    """Plan, render and write the whole dataset on ``settings.workers`` workers (or on the Ray
    cluster at ``address``); ``on_participant(n)`` is told of each participant finished or kept,
    ``progress`` labels a bar on stderr. Participants completed by an earlier run with the same
    settings are kept. A run that fails or is interrupted keeps the participants it completed
    (run it again to finish) and takes back every other file and folder it wrote."""
    out = Path(out)
    owned: set[Path] = set()
    with removed_on_failure(out, keep=owned):
        return _generate(settings, out, on_participant, address, progress, owned)


def _generate(settings: Settings, out: Path, on_participant: Callable[[int], object] | None, address: str | None,
              progress: str | None, owned: set[Path]) -> DatasetSummary:
    started = time.perf_counter()
    plans = plan_dataset(settings)
    for exercise in settings.exercises:
        (out / layout.FRAME_FOLDERS[exercise]).mkdir(parents=True, exist_ok=True)
    results = {index: done for index, plan in enumerate(plans) if (done := already_done(out, settings, plan))}
    if on_participant is not None:
        for _ in results:
            on_participant(1)
    todo = [index for index in range(len(plans)) if index not in results]
    failures = []
    # Absolute: a Ray worker does not start in this process's folder.
    task = RenderTask(settings, out.resolve())
    # closing: the workers are stopped before a failure's clean-up starts.
    with closing(run_jobs(task, [plans[i] for i in todo], workers=settings.workers, address=address,
                          progress=progress)) as outcomes:
        for outcome in outcomes:
            if not outcome.ok:
                failures.append(outcome.error)
                continue
            index = todo[outcome.index]
            results[index] = outcome.result
            owned.update(done_paths(out, plans[index], outcome.result))
            if on_participant is not None:
                on_participant(1)
    if failures:
        kept = f"; the {len(results)} finished are kept: run the same command again to render the rest" if results else ""
        raise GymError(f"{len(failures)} of {len(plans)} participants could not be rendered ({failures[0]}){kept}.")
    rows: dict[str, list[RepRow]] = {exercise: [] for exercise in settings.exercises}
    seconds: dict[str, float] = {stage: 0.0 for stage in STAGES}
    for index in range(len(plans)):  # in participant order, whichever finished first
        for exercise, exercise_rows in results[index].rows.items():
            rows[exercise].extend(exercise_rows)
        for stage, value in results[index].seconds.items():
            seconds[stage] += value
    frames = sum(result.frames_rendered for result in results.values())
    write_tables(out, settings, rows)
    pd.DataFrame([plan.demographics for plan in plans], columns=list(layout.DEMOGRAPHIC_COLUMNS)).to_excel(
        out / layout.DEMOGRAPHICS_SHEET, index=False)
    summary = DatasetSummary(
        out=out,
        reps={exercise: len(items) for exercise, items in rows.items()},
        pass_rates={exercise: {rule.criterion: float(np.mean([r.row[rule.criterion] for r in items]))
                               for rule in rules_for(exercise)} for exercise, items in rows.items() if items},
        detection_rate={view: _detection_rate(rows, view) for view in layout.VIEWS},
        seconds=seconds,
        wall_s=time.perf_counter() - started,
        frames_rendered=frames,
        kept=len(plans) - len(todo),
    )
    write_card(out, settings, summary, len(plans))
    return summary


def _detection_rate(rows: dict[str, list[RepRow]], view: str) -> float:
    found = sum(r.detected[view] for items in rows.values() for r in items)
    total = sum(len(items) for items in rows.values()) * layout.FRAMES_PER_REP
    return found / total if total else float("nan")


def write_tables(out: Path, settings: Settings, rows: dict[str, list[RepRow]]) -> None:
    """The exercise sheets and the landmark files, row for row in the same order."""
    for exercise in settings.exercises:
        ordered = sorted(rows[exercise], key=lambda r: (r.row[layout.COLUMN_VIDEO["frontal"]], r.row[layout.COLUMN_REP]))
        pd.DataFrame([r.row for r in ordered], columns=layout.sheet_columns(exercise)).to_excel(
            out / layout.SHEETS[exercise], index=False)
        for view in layout.VIEWS:
            # Entry by entry, as json.dumps would write the whole list, without holding it as text.
            with open(out / layout.POSE_FILES[view].format(exercise=exercise), "w", encoding="utf-8") as pose_file:
                pose_file.write("[")
                for number, r in enumerate(ordered):
                    pose_file.write((", " if number else "") + json.dumps(_entry(r.landmarks[view])))
                pose_file.write("]")


def _landmarks_description(source: str) -> str:
    if source == "mediapipe":
        return f"{TRACKER}: normalised image x, y and relative z; null for a frame with no detection"
    noise = LandmarkNoise.load()
    fitted = noise.fitted_on
    return (f"drawn by the landmark noise model of {noise.estimator} (fitted on {fitted['name']} {fitted['version']},"
            f" seed {fitted['seed']}) around the true joints, not tracked: normalised image x, y and relative z;"
            " null for a frame the model drew as not detected")


def write_card(out: Path, settings: Settings, summary: DatasetSummary, participants: int) -> None:
    write_json(out / layout.DATASET_CARD, {
        "name": NAME,
        "version": VERSION,
        "seed": settings.seed,
        "synthetic": True,
        "counts": {"participants": participants, "repetitions": summary.reps,
                   "frames_per_repetition_per_view": layout.FRAMES_PER_REP,
                   "frames_rendered": summary.frames_rendered},
        "pass_rates": summary.pass_rates,
        "mediapipe_detection_rate": summary.detection_rate,
        "landmarks": _landmarks_description(settings.landmarks),
        "generator": jsonable(settings.to_dict()),
        "fault_table": table_rows(),
        "seconds": {"wall": round(summary.wall_s, 1), **{k: round(v, 1) for k, v in summary.seconds.items()}},
    })
