"""View checks: orientation from shoulder and hip widths, framing, visibility, tracking jumps."""

from __future__ import annotations

import numpy as np

from gymcore.synth.landmarks import view_sample
from gymcore.synth import Participant, frontal_camera, lateral_camera, squat_sequence
from gymcore.judging.gate import check_sample
from gymcore.perception.trackcheck import ViewCheckLimits

FPS = 30.0


def samples(seed: int) -> dict:
    rng = np.random.default_rng(seed)
    participant = Participant.sample(rng)
    poses = squat_sequence(participant, 1, FPS, rng, setup_s=0.0)
    return {view: view_sample(participant, poses, camera(participant, rng), view, FPS)
            for view, camera in (("frontal", frontal_camera), ("lateral", lateral_camera))}


def test_frontal_and_lateral_cameras_are_told_apart() -> None:
    for seed in range(5):
        views = samples(seed)
        front, side = check_sample(views["frontal"]), check_sample(views["lateral"])
        assert front.orientation == "frontal" and front.usable
        assert side.orientation == "lateral" and side.usable
        assert front.width_ratio > 2 * side.width_ratio


def test_a_body_cut_off_by_the_frame_is_a_problem() -> None:
    sample = samples(7)["lateral"]
    sample.landmarks[:, :, 1] += 0.4  # the camera tilted up: feet below the picture
    check = check_sample(sample)
    assert check.in_frame_share < 0.5
    assert any("whole body" in problem for problem in check.problems)


def test_a_jumping_track_is_a_problem() -> None:
    sample = samples(8)["frontal"]
    sample.landmarks[8:, :, 0] += 0.5  # the track switched to someone else half-way
    check = check_sample(sample)
    assert check.jump_times_s and any("jumps" in problem for problem in check.problems)


def test_undetected_frames_and_hidden_joints_are_reported() -> None:
    sample = samples(9)["lateral"]
    sample.landmarks[:10] = np.nan
    sample.visibility[:, 25:27] = 0.05  # both knees
    check = check_sample(sample, ViewCheckLimits())
    assert check.detected_share < 0.75 and any("found in only" in p for p in check.problems)
    assert check.hidden(("knee", "hip")) == ["knee"]
