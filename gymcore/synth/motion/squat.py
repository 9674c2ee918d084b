"""Parametric exercise programs that turn tempo, depth and stance into per-frame poses."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from gymcore.synth.body import ArmPose, LegPose, Participant, Pose, plant_leg


@dataclass(frozen=True)
class SquatProgram:
    """One bodyweight squat style; angles in degrees, durations in seconds.

    depth_deg is the thigh angle from vertical at the bottom (90 = thighs parallel to the floor);
    shank_tilt_deg the forward lean of the shins there. hip_lag delays the hip bend behind the
    knee bend by that fraction of the descent (0 = both bend together).
    """

    depth_deg: float = 105.0
    shank_tilt_deg: float = 32.0
    stance_width: float = 1.15  # ankle spacing relative to shoulder-joint spacing
    toe_out_deg: float = 25.0
    heel_lift_deg: float = 0.0
    lumbar_flexion_deg: float = 0.0
    hip_lag: float = 0.0
    descent_s: float = 1.3
    bottom_pause_s: float = 0.25
    ascent_s: float = 1.1
    top_pause_s: float = 0.6
    arms_forward: bool = True
    rep_variation: float = 0.05  # relative standard deviation of depth and tempo between reps


@dataclass(frozen=True)
class Timeline:
    """Per-frame repetition index (-1 while setting up) and progress (0 standing, 1 bottom)."""

    rep_index: np.ndarray
    progress: np.ndarray


def squat_sequence(
    participant: Participant,
    n_reps: int,
    fps: float,
    rng: np.random.Generator,
    depth: float | None = None,
    setup_s: float = 1.0,
    program: SquatProgram | None = None,
) -> list[Pose]:
    """Standing still for setup_s, then n_reps squats, each slightly different."""
    base = program if program is not None else SquatProgram()
    if depth is not None:
        base = replace(base, depth_deg=depth)
    reps = [_vary(base, rng) for _ in range(n_reps)]
    timeline = squat_timeline(reps, fps, setup_s)
    sway = standing_sway(len(timeline.progress), fps, rng)
    poses = []
    for i, (rep, progress) in enumerate(zip(timeline.rep_index, timeline.progress)):
        style = reps[rep] if rep >= 0 else base
        knee_phase, hip_phase = _joint_phases(float(progress), style.hip_lag)
        pose = squat_pose(participant, style, knee_phase, hip_phase)
        poses.append(replace(pose, head_yaw=pose.head_yaw + sway[i, 0], spine_lateral_bend=sway[i, 1]))
    return poses


def squat_rep(participant: Participant, program: SquatProgram, fps: float, settle_s: float = 0.4) -> list[Pose]:
    """The poses of one repetition exactly as programmed (no variation drawn), standing to standing."""
    timeline = squat_timeline([program], fps, settle_s)
    return [squat_pose(participant, program, *_joint_phases(float(progress), program.hip_lag))
            for progress in timeline.progress]


def draw_style(rng: np.random.Generator) -> dict[str, object]:
    """Tempo of one repetition."""
    tempo = float(rng.uniform(0.85, 1.2))
    return {
        "descent_s": 1.3 * tempo * float(rng.uniform(0.9, 1.1)),
        "bottom_pause_s": float(rng.uniform(0.1, 0.4)),
        "ascent_s": 1.1 * tempo * float(rng.uniform(0.9, 1.1)),
        "top_pause_s": float(rng.uniform(0.3, 0.6)),
    }


def squat_timeline(reps: list[SquatProgram], fps: float, setup_s: float) -> Timeline:
    """Frame-wise progress through set-up and repetitions, eased at every turn."""
    times, values, rep_of_key = [0.0, setup_s], [0.0, 0.0], [-1, -1]
    t = setup_s
    for index, rep in enumerate(reps):
        for duration, value in ((rep.descent_s, 1.0), (rep.bottom_pause_s, 1.0),
                                (rep.ascent_s, 0.0), (rep.top_pause_s, 0.0)):
            t += duration
            times.append(t)
            values.append(value)
            rep_of_key.append(index)
    frame_times = np.arange(0.0, t, 1.0 / fps)
    linear = np.interp(frame_times, times, values)
    key = np.clip(np.searchsorted(times, frame_times, side="right"), 0, len(times) - 1)
    return Timeline(rep_index=np.asarray(rep_of_key)[key], progress=(1.0 - np.cos(np.pi * linear)) / 2.0)


def _vary(program: SquatProgram, rng: np.random.Generator) -> SquatProgram:
    """A repetition's own depth and tempo, drawn around the program."""
    def scaled(value: float) -> float:
        return float(value * np.clip(rng.normal(1.0, program.rep_variation), 0.7, 1.3))

    return replace(
        program,
        depth_deg=scaled(program.depth_deg),
        shank_tilt_deg=scaled(program.shank_tilt_deg),
        descent_s=scaled(program.descent_s),
        ascent_s=scaled(program.ascent_s),
        bottom_pause_s=scaled(program.bottom_pause_s),
        top_pause_s=scaled(program.top_pause_s),
    )


def _joint_phases(progress: float, hip_lag: float) -> tuple[float, float]:
    """Knee and hip bend fractions; a hip lag makes the knees travel first."""
    hip = float(np.clip((progress - hip_lag) / max(1.0 - hip_lag, 1e-6), 0.0, 1.0))
    return progress, hip


def standing_sway(n_frames: int, fps: float, rng: np.random.Generator) -> np.ndarray:
    """Slow head-yaw and side-bend wander (degrees) so that still frames are not identical."""
    t = np.arange(n_frames) / fps
    freq = rng.uniform(0.1, 0.35, size=2)
    phase = rng.uniform(0, 2 * np.pi, size=2)
    amplitude = np.array([4.0, 1.5]) * rng.uniform(0.5, 1.0, size=2)
    return amplitude * np.sin(2 * np.pi * freq * t[:, None] + phase)


def squat_pose(participant: Participant, program: SquatProgram, knee_phase: float, hip_phase: float) -> Pose:
    """The squat posture at the given knee and hip bend fractions (0 standing, 1 bottom)."""
    p = participant
    thigh = hip_phase * program.depth_deg
    shank = knee_phase * program.shank_tilt_deg
    arm_flexion = 85.0 * hip_phase if program.arms_forward else 0.0
    trunk = _balancing_trunk_lean(p, thigh, shank, arm_flexion)
    rounding = hip_phase * program.lumbar_flexion_deg
    pelvis_pitch = trunk - 0.5 * rounding
    leg = LegPose(
        hip_flexion=thigh + pelvis_pitch,
        hip_rotation=program.toe_out_deg,
        knee_flexion=thigh + shank,
        heel_lift=knee_phase * program.heel_lift_deg,
    )
    ankle_offset = program.stance_width * p.shoulder_half_width - p.hip_half_width
    leg = plant_leg(p, pelvis_pitch, leg, ankle_offset)
    arm = ArmPose(shoulder_flexion=arm_flexion, shoulder_abduction=8.0 + 4.0 * hip_phase, elbow_flexion=10.0)
    chest_lean = trunk + 0.5 * rounding
    return Pose(
        pelvis_pitch=pelvis_pitch,
        lumbar_flexion=0.5 * rounding,
        thoracic_flexion=0.5 * rounding,
        head_pitch=-0.6 * chest_lean,
        left_leg=leg,
        right_leg=leg,
        left_arm=arm,
        right_arm=arm,
    )


def _balancing_trunk_lean(p: Participant, thigh_deg: float, shank_deg: float, arm_flexion_deg: float) -> float:
    """Trunk lean (degrees) that keeps the centre of mass over the ankles.

    Segment masses as fractions of body mass: trunk and head 0.5, arms 0.1, thighs 0.2,
    shanks 0.1 (feet ignored). Horizontal positions are measured forward from the ankle.
    """
    knee = p.shank_length * np.sin(np.radians(shank_deg))
    hip = knee - p.thigh_length * np.sin(np.radians(thigh_deg))
    trunk_lever = 0.55 * (p.lumbar_length + p.thoracic_length + p.neck_length + p.head_height)
    shoulder_lever = p.lumbar_length + p.thoracic_length
    arm_reach = 0.5 * (p.upper_arm_length + p.forearm_length) * np.sin(np.radians(arm_flexion_deg))
    fixed = 0.6 * hip + 0.1 * (hip + knee) + 0.05 * knee + 0.1 * arm_reach
    sin_lean = -fixed / (0.5 * trunk_lever + 0.1 * shoulder_lever)
    return float(np.degrees(np.arcsin(np.clip(sin_lean, 0.0, np.sin(np.radians(60.0))))))
