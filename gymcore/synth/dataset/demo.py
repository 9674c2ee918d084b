"""Multi-repetition paired demo clips with set-up motion, one clean and one faulty per exercise.

Their ground truth records where every repetition starts and ends, for repetition-counting tests,
and a manifest lists each clip's exercise, view and true labels per repetition.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from gymcore.errors import InputError
from gymcore.perception.video import uniform_indices, write_video
from gymcore.serialize import removed_on_failure, write_json
from gymcore.synth.body import Participant, Side, pose_skeleton
from gymcore.synth.dataset.plan import SetPlan, Settings, draw_rep
from gymcore.synth.dataset.writer import view_cameras, write_ground_truth
from gymcore.synth.motion.faults import rules_for
from gymcore.synth.motion.performance import RepPlan, perform
from gymcore.synth.render.renderer import make_scene, render_frame

MANIFEST = "manifest.json"
KINDS = ("clean", "faulty")


def demo_reps(exercise: str, kind: str, n: int, rng: np.random.Generator, participant: Participant) -> tuple[RepPlan, ...]:
    """Repetitions that satisfy every criterion (clean), or fail at least one, half of them on average (faulty)."""
    rules = rules_for(exercise)
    first_side: Side = "left" if rng.random() < 0.5 else "right"
    reps = []
    for index in range(n):
        satisfied = np.ones(len(rules), dtype=bool)
        if kind == "faulty":
            satisfied = rng.random(len(rules)) < 0.5
            satisfied[rng.integers(len(rules))] = False
        reps.append(draw_rep(exercise, satisfied, rng, index, first_side, participant))
    return tuple(reps)


def write_demo_clips(out: Path, settings: Settings, reps: int = 3) -> dict[str, object]:
    """Render the demo clips of ``settings.exercises`` into ``out`` and return the manifest; a run
    that fails takes back the files it wrote."""
    check_demo_reps(reps)
    out = Path(out)
    rng = np.random.default_rng(settings.seed)
    clips = []
    with removed_on_failure(out):
        for exercise in settings.exercises:
            for kind in KINDS:
                participant = Participant.sample(rng, len(clips) + 1)
                plan = SetPlan(exercise=exercise, participant=participant, participant_label=f"demo_{len(clips) + 1}",
                               pair=len(clips) + 1, reps=demo_reps(exercise, kind, reps, rng, participant),
                               seed=int(rng.integers(2**31 - 1)), walk_steps=2 if settings.walk_in else 0)
                clips.append(_write_demo(out, plan, kind, settings))
        manifest = {"name": "SynthGym demo clips", "seed": settings.seed, "fps": settings.fps,
                    "size": [settings.width, settings.height], "clips": clips}
        write_json(out / MANIFEST, manifest)
    return manifest


def check_demo_reps(reps: int) -> None:
    if reps < 1:
        raise InputError(f"A demo clip needs at least one repetition, not {reps}.")


def _write_demo(out: Path, plan: SetPlan, kind: str, settings: Settings) -> dict[str, object]:
    rng = np.random.default_rng(plan.seed)
    performance = perform(plan.participant, list(plan.reps), settings.fps, rng, walk_steps=plan.walk_steps)
    skeletons = [pose_skeleton(plan.participant, pose) for pose in performance.poses]
    cameras = view_cameras(plan.participant, rng, settings.width, settings.height)
    stem = f"{plan.exercise}_{kind}"
    files = {}
    for view, camera in cameras.items():
        scene = make_scene(camera, rng)
        files[view] = f"{stem}_{view}.mp4"
        write_video(out / files[view], (render_frame(plan.participant, s, camera, scene).image for s in skeletons),
                    settings.fps, crf=28)
    sampled = np.stack([start + uniform_indices(end - start) for start, end in performance.rep_ranges])
    write_ground_truth(out / "ground_truth" / stem, plan, performance, skeletons, cameras, sampled)
    fps = settings.fps
    return {
        "exercise": plan.exercise, "kind": kind, "files": files, "ground_truth": f"ground_truth/{stem}.json",
        "frame_count": len(skeletons), "duration_s": round(len(skeletons) / fps, 2),
        "reps": [{"rep": i, "start_s": round(start / fps, 3), "end_s": round(end / fps, 3),
                  "start_frame": start, "end_frame": end, "labels": rep.labels}
                 for i, (rep, (start, end)) in enumerate(zip(plan.reps, performance.rep_ranges))],
    }
