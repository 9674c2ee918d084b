"""View checks: orientation from shoulder and hip widths, framing, visibility, tracking jumps; and
the quality flags, whose jump warning must agree with the check."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from gymcore.judging.gate import check_sample
from gymcore.perception.analysis import analyse_view
from gymcore.perception.pose import LANDMARK, PoseTrack
from gymcore.perception.trackcheck import (
    ViewCheckLimits,
    body_sizes,
    check_poses,
    check_track,
    jump_times,
    quality_report,
)
from gymcore.perception.video import probe_clip, read_frames, write_video
from gymcore.synth import Participant, frontal_camera, lateral_camera, pose_skeleton, squat_sequence
from gymcore.synth.landmarks import view_sample
from gymcore.synth.motion.deadlift import DeadliftParams, deadlift_rep

FPS = 30.0
SAMPLES = Path(__file__).resolve().parent.parent / "gymcore" / "samples"


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


# One jump detector: the quality flag a page shows and the check that refuses the view agree.

def track_of(landmarks: np.ndarray, time_s: np.ndarray) -> PoseTrack:
    n = len(landmarks)
    return PoseTrack(
        frame_indices=np.arange(n), time_s=np.asarray(time_s, float), landmarks=landmarks,
        visibility=np.ones((n, 33)), world=np.zeros((n, 33, 3)),
        detected=np.isfinite(landmarks[:, :, :2]).all(axis=(1, 2)),
    )


def jump_found(track: PoseTrack, view: str, image_size: tuple[int, int]) -> list[float]:
    """The jump times, after checking that the quality flag and the view check report the same."""
    flags = [flag for flag in quality_report(track, image_size).flags if flag.code == "person_jump"]
    check = check_track(view, track, image_size)
    assert [list(flag.times_s) for flag in flags] == ([check.jump_times_s] if check.jump_times_s else [])
    assert any("jumps" in problem for problem in check.problems) == bool(check.jump_times_s)
    return check.jump_times_s


def squat_track(view: str, seed: int = 3) -> tuple[PoseTrack, tuple[int, int]]:
    """Every frame of a squat at 30 fps, as MediaPipe would report it."""
    rng = np.random.default_rng(seed)
    participant = Participant.sample(rng)
    poses = squat_sequence(participant, 1, FPS, rng, setup_s=0.5)
    camera = (frontal_camera if view == "frontal" else lateral_camera)(participant, rng)
    return projected(participant, poses, camera), (camera.width, camera.height)


def projected(participant: Participant, poses: list, camera) -> PoseTrack:
    size = np.array([camera.width, camera.height], float)
    points = [camera.camera_to_pixels(camera.to_camera(pose_skeleton(participant, pose).landmarks)) / size
              for pose in poses]
    landmarks = np.concatenate([np.stack(points), np.zeros((len(points), 33, 1))], axis=2)
    return track_of(landmarks, np.arange(len(poses)) / FPS)


def test_a_jump_of_the_tracked_person_is_found() -> None:
    n = 10
    landmarks = np.zeros((n, 33, 3))
    for name, (x, y) in {"left_shoulder": (0.45, 0.3), "right_shoulder": (0.55, 0.3),
                         "left_hip": (0.46, 0.55), "right_hip": (0.54, 0.55)}.items():
        landmarks[:, LANDMARK[name], :2] = (x, y)
    landmarks[6:, :, 0] += 0.35  # from frame 6 on, the tracker follows someone else
    assert jump_found(track_of(landmarks, np.arange(n) / 10), "frontal", (640, 480)) == pytest.approx([0.6])


def test_a_switch_to_someone_beside_the_athlete_is_flagged_and_refuses_the_view() -> None:
    track, size = squat_track("lateral")
    switch = len(track) // 2
    track.landmarks[switch:, :, 0] += 0.25
    assert jump_found(track, "lateral", size) == pytest.approx([track.time_s[switch]], abs=0.01)


def test_a_sudden_step_to_someone_close_by_is_flagged() -> None:
    track, size = squat_track("lateral")
    switch = len(track) // 2
    # 0.9 body sizes between two frames: too short a move to count as a slide, too sudden for a person.
    body = np.median(body_sizes(track.landmarks[:, :, :2] * size))
    track.landmarks[switch:, :, 0] += 0.9 * body / size[0]
    assert jump_found(track, "lateral", size) == pytest.approx([track.time_s[switch]], abs=0.01)


def test_a_switch_to_someone_further_back_at_the_same_spot_is_flagged() -> None:
    track, size = squat_track("frontal")
    switch = len(track) // 2
    # The same body at 0.6 of the size, its hips where the athlete's were: it barely moves.
    points = track.landmarks[switch:, :, :2]
    centre = points[:, [LANDMARK["left_hip"], LANDMARK["right_hip"]]].mean(axis=1, keepdims=True)
    track.landmarks[switch:, :, :2] = centre + 0.6 * (points - centre)
    assert jump_found(track, "frontal", size) == pytest.approx([track.time_s[switch]], abs=0.01)


def test_a_hinge_toward_the_camera_is_not_a_jump() -> None:
    rng = np.random.default_rng(5)
    participant = Participant.sample(rng)
    camera = frontal_camera(participant, rng)
    track = projected(participant, deadlift_rep(participant, DeadliftParams(hinge_deg=80.0), FPS), camera)
    size = (camera.width, camera.height)
    points = track.landmarks[:, :, :2] * size
    torso = np.linalg.norm(points[:, LANDMARK["left_shoulder"]] - points[:, LANDMARK["left_hip"]], axis=1)
    assert torso.min() < 0.5 * torso.max()  # the torso really shortens in the picture
    assert body_sizes(points).min() > 0.8 * body_sizes(points).max()
    assert jump_found(track, "frontal", size) == []
    sampled = track.subset(np.linspace(0, len(track) - 1, 16).astype(int))  # a repetition's 16 frames
    check = check_poses("frontal", sampled.landmarks, sampled.visibility, sampled.time_s, size, ViewCheckLimits())
    assert check.jump_times_s == [] and check.usable


def test_a_repetitions_frames_at_nominal_dataset_times_are_rated_for_steps_only() -> None:
    sample = samples(4)["lateral"]
    body = np.median(body_sizes(sample.landmarks[:, :, :2] * sample.image_size))
    # A lunge step: 2 body sizes forward over 7 of the 16 frames (about 1.4 s of a 3 s repetition)...
    travel = np.clip(np.arange(16) - 4, 0, 7) * (2 / 7) * body / sample.image_size[0]
    sample.landmarks[:, :, 0] += travel[:, None]
    # ...which a dataset gives as 16 frames one sixteenth of a second apart.
    sample.time_s = np.arange(16) / 16
    assert check_sample(sample).usable
    # Rated as a slide at those times it would look like a switch of person.
    assert jump_times(sample.landmarks, sample.time_s, sample.image_size, every_frame=True)


# On clips, through MediaPipe: its smoothing spreads a switch over a few frames, and the person is
# often lost for one of them.

def further_back(image: np.ndarray) -> np.ndarray:
    """The picture shrunk about its centre: the person in it 0.6 times as large, further back."""
    height, width = image.shape[:2]
    matrix = cv2.getRotationMatrix2D((width / 2, height / 2), 0, 0.6)
    return cv2.warpAffine(image, matrix, (width, height), borderMode=cv2.BORDER_REPLICATE)


def beside(image: np.ndarray) -> np.ndarray:
    """The picture moved a third of its width to the left: a person standing elsewhere in the room."""
    width = image.shape[1]
    return cv2.warpAffine(image, np.float32([[1, 0, -width / 3], [0, 1, 0]]), (width, image.shape[0]),
                          borderMode=cv2.BORDER_REPLICATE)


@pytest.mark.parametrize("elsewhere", [beside, further_back])
def test_a_clip_spliced_to_another_person_is_flagged_and_refused(tmp_path, squat_pair, elsewhere) -> None:
    info = probe_clip(squat_pair[1])
    frames = [frame.image for frame in read_frames(info, range(info.frame_count))]
    switch = 25
    spliced = frames[:switch] + [elsewhere(image) for image in frames[switch:]]
    view = analyse_view(write_video(tmp_path / "spliced.mp4", spliced, fps=info.fps), "lateral")
    times = jump_found(view.timeline, "lateral", (info.width, info.height))
    assert len(times) == 1 and 0 <= times[0] - switch / info.fps <= 0.4
    assert "person_jump" in [flag.code for flag in view.quality.flags]


def test_the_bundled_deadlift_hinging_toward_the_camera_is_not_a_jump() -> None:
    clip = SAMPLES / "deadlift_faulty_frontal.mp4"
    view = analyse_view(clip, "frontal")
    assert jump_found(view.timeline, "frontal", (view.source.width, view.source.height)) == []
    assert "person_jump" not in [flag.code for flag in view.quality.flags]
