"""The synthetic body, its renderer, and whether MediaPipe sees it where the generator put it."""

from __future__ import annotations

import numpy as np
import pytest

from gymcore.synth import (
    Camera,
    Participant,
    Pose,
    frontal_camera,
    lateral_camera,
    make_scene,
    pose_skeleton,
    render_clip,
    squat_sequence,
)
from gymcore.synth.body import (
    LEFT_ANKLE,
    LEFT_FOOT_INDEX,
    LEFT_HEEL,
    LEFT_HIP,
    LEFT_KNEE,
    LEFT_SHOULDER,
    NOSE,
    RIGHT_FOOT_INDEX,
    RIGHT_HIP,
    RIGHT_SHOULDER,
    standing_height,
)


def test_neutral_pose_stands_as_tall_as_the_participant() -> None:
    rng = np.random.default_rng(3)
    for height in (1.2, 1.6, 2.0):
        participant = Participant.with_height(height, rng)
        assert standing_height(participant) == pytest.approx(height, rel=0.01)


def test_landmarks_follow_mediapipe_order_and_sides() -> None:
    participant = Participant.from_seed(7)
    lm = pose_skeleton(participant, Pose()).landmarks
    assert lm.shape == (33, 3)
    # The participant faces +z with their left side on +x.
    assert lm[LEFT_SHOULDER, 0] > lm[RIGHT_SHOULDER, 0] and lm[LEFT_HIP, 0] > lm[RIGHT_HIP, 0]
    assert lm[NOSE, 1] > lm[LEFT_SHOULDER, 1] > lm[LEFT_HIP, 1] > lm[LEFT_KNEE, 1] > lm[LEFT_ANKLE, 1]
    assert lm[LEFT_FOOT_INDEX, 2] > lm[LEFT_HEEL, 2]


def test_squat_keeps_feet_planted_and_goes_below_parallel() -> None:
    participant = Participant.from_seed(1)
    poses = squat_sequence(participant, n_reps=2, fps=15, rng=np.random.default_rng(0), depth=110.0)
    landmarks = np.stack([pose_skeleton(participant, pose).landmarks for pose in poses])
    toes = landmarks[:, [LEFT_FOOT_INDEX, RIGHT_FOOT_INDEX]]
    assert np.ptp(toes, axis=0).max() < 1e-3
    hip_minus_knee = landmarks[:, LEFT_HIP, 1] - landmarks[:, LEFT_KNEE, 1]
    assert hip_minus_knee[0] > 0.2 * participant.height
    assert hip_minus_knee.min() < 0.0


def test_camera_projects_its_target_to_the_image_centre() -> None:
    camera = Camera.look_at(np.array([0.3, 1.2, 4.0]), np.array([0.0, 0.9, 0.0]), 500.0, 640, 480)
    assert camera.project(np.array([[0.0, 0.9, 0.0]]))[0] == pytest.approx([320.0, 240.0])
    # Image y grows downward, x to the right.
    above, right = camera.project(np.array([[0.0, 1.5, 0.0], [0.5, 0.9, 0.0]]))
    assert above[1] < 240.0 and right[0] > 320.0


def test_rendering_is_deterministic_given_seeds() -> None:
    def clip() -> list[np.ndarray]:
        rng = np.random.default_rng(42)
        participant = Participant.sample(rng)
        poses = squat_sequence(participant, 1, 5, rng, setup_s=0.2)[:4]
        return render_clip(participant, poses, lateral_camera(participant, rng), rng=rng)

    first, second = clip(), clip()
    assert all(np.array_equal(a, b) for a, b in zip(first, second))
    assert first[0].dtype == np.uint8 and first[0].shape == (480, 640, 3)


# Children to tall adults; each gets a fresh random look, scene and camera jitter.
VALIDATION_HEIGHTS = (1.2, 1.45, 1.7, 2.0)


@pytest.fixture(scope="module")
def mediapipe_checks() -> dict[str, list]:
    from gymcore.synth.render.validate import check_view

    rng = np.random.default_rng(2024)
    checks: dict[str, list] = {"frontal": [], "lateral": []}
    for pid, height in enumerate(VALIDATION_HEIGHTS):
        participant = Participant.with_height(height, rng, pid)
        poses = squat_sequence(participant, 1, 8, rng, setup_s=0.4)
        side = "left" if pid % 2 == 0 else "right"
        for view, camera in (("frontal", frontal_camera(participant, rng)),
                             ("lateral", lateral_camera(participant, rng, side=side))):
            checks[view].append(check_view(participant, poses, camera, make_scene(camera, rng)))
    return checks


@pytest.mark.slow  # renders clips and runs MediaPipe (~30 s)
@pytest.mark.parametrize("view", ["frontal", "lateral"])
def test_mediapipe_detects_the_synthetic_person(mediapipe_checks: dict[str, list], view: str) -> None:
    detected = np.concatenate([~np.isnan(c.detected_px[:, 0, 0]) for c in mediapipe_checks[view]])
    assert len(detected) >= 80
    assert detected.mean() >= 0.98


@pytest.mark.slow  # renders clips and runs MediaPipe
@pytest.mark.parametrize("view", ["frontal", "lateral"])
def test_mediapipe_joints_lie_near_the_generator_joints(mediapipe_checks: dict[str, list], view: str) -> None:
    errors = np.concatenate([c.joint_errors for c in mediapipe_checks[view]])
    assert np.nanmean(errors) < 0.05
