"""A whole recorded set: walking in, standing still, then repetitions, each with its own faults.

A repetition is described by a RepPlan: its fault parameters (the ones FAULT_TABLE labels), its
style (tempo, stance, side), and the labels those parameters give. ``perform`` strings the
repetitions together, easing from each into the next, and records where every repetition
starts and ends.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from gymcore.synth.body import Participant, Pose
from gymcore.synth.motion.deadlift import DeadliftParams, deadlift_rep
from gymcore.synth.motion.faults import labels_from_parameters
from gymcore.synth.motion.kinematics import settle_into
from gymcore.synth.motion.lunge import LungeParams, lunge_rep
from gymcore.synth.motion.squat import SquatProgram, squat_rep, standing_sway
from gymcore.synth.motion.walk import walk_in

SETTLE_S = 0.4  # each repetition eases in from where the previous movement ended


@dataclass(frozen=True)
class RepPlan:
    exercise: str
    parameters: dict[str, float]  # fault parameters, keyed as in FAULT_TABLE
    style: dict[str, object]  # tempo, stance, sides: free of any label

    @property
    def labels(self) -> dict[str, int]:
        return labels_from_parameters(self.exercise, self.parameters)

    def program(self) -> SquatProgram | LungeParams | DeadliftParams:
        kind = {"squat": SquatProgram, "lunges": LungeParams, "deadlift": DeadliftParams}[self.exercise]
        return kind(**self.parameters, **self.style)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Performance:
    """Poses of a whole clip and the [start, end) frame range of each repetition."""

    poses: list[Pose]
    rep_ranges: list[tuple[int, int]]
    fps: float

    @property
    def rep_of_frame(self) -> np.ndarray:
        """Per frame, the repetition it belongs to, or -1 while setting up."""
        out = np.full(len(self.poses), -1, dtype=int)
        for index, (start, end) in enumerate(self.rep_ranges):
            out[start:end] = index
        return out


def rep_poses(participant: Participant, rep: RepPlan, fps: float) -> list[Pose]:
    program = rep.program()
    if isinstance(program, SquatProgram):
        return squat_rep(participant, program, fps, SETTLE_S)
    if isinstance(program, LungeParams):
        return lunge_rep(participant, replace(program, settle_s=SETTLE_S), fps)
    return deadlift_rep(participant, replace(program, settle_s=SETTLE_S), fps)


def perform(participant: Participant, reps: list[RepPlan], fps: float, rng: np.random.Generator,
            walk_steps: int = 0, stand_s: float = 1.0) -> Performance:
    """Walk in (walk_steps steps, none to start in place), stand still, then every repetition."""
    per_rep = [rep_poses(participant, rep, fps) for rep in reps]
    start_pose = per_rep[0][0]
    poses: list[Pose] = walk_in(participant, fps, rng, walk_steps) if walk_steps else []
    standing = [start_pose] * max(1, int(round(stand_s * fps)))
    poses += settle_into(poses[-1], standing, fps, 0.6) if poses else standing
    ranges: list[tuple[int, int]] = []
    for own in per_rep:
        start = len(poses)
        poses += settle_into(poses[-1], own, fps, SETTLE_S)
        ranges.append((start, len(poses)))
    return Performance(poses=_with_sway(poses, fps, rng), rep_ranges=ranges, fps=fps)


def _with_sway(poses: list[Pose], fps: float, rng: np.random.Generator) -> list[Pose]:
    """Small head turns and side bends so that no two still frames are identical."""
    sway = 0.6 * standing_sway(len(poses), fps, rng)
    return [replace(pose, head_yaw=pose.head_yaw + float(s[0]), spine_lateral_bend=pose.spine_lateral_bend + float(s[1]))
            for pose, s in zip(poses, sway)]
