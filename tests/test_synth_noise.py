"""The landmark noise model that stands in for MediaPipe in SynthGym at scale (gymcore.synth.noise)."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pytest

from gymcore.cli.main import main
from gymcore.data import layout
from gymcore.data.dataset import dataset_info, landmark_source, load_exercise
from gymcore.errors import InputError
from gymcore.synth.body import pose_skeleton
from gymcore.synth.dataset.plan import Settings, plan_dataset
from gymcore.synth.dataset.writer import generate_dataset, pose_set, view_cameras
from gymcore.synth.landmarks import body_height_px
from gymcore.synth.noise import (
    SWAP_GROUPS,
    LandmarkNoise,
    TrackedReps,
    ViewNoise,
    _calibrated,
    _distance_percentiles,
    _fit_view,
    median_angle_error,
    pose_terms,
    true_landmarks,
)

SMALL = dict(participants=2, exercises=("squat", "deadlift"), reps_per_participant={"squat": 2, "deadlift": 2},
             clips=False, width=64, height=48, landmarks="noise-model")


def true_reps(view: str, participants: int = 6) -> tuple[np.ndarray, np.ndarray]:
    """(N, 16, 33, 3) true landmarks and (N, 16, 3) scales of SynthGym repetitions seen from ``view``,
    posed but not rendered."""
    settings = Settings(seed=3, participants=participants, exercises=("squat", "deadlift"),
                        reps_per_participant={"squat": 4, "deadlift": 4}, clips=False)
    truths, scales = [], []
    for plan in plan_dataset(settings):
        for set_plan in plan.sets:
            rng = np.random.default_rng(set_plan.seed)
            performance = pose_set(set_plan, settings, rng)
            camera = view_cameras(set_plan.participant, rng, 640, 480)[view]
            for start, end in performance.rep_ranges:
                frames = np.linspace(start, end - 1, 16).round().astype(int)
                skeletons = [pose_skeleton(set_plan.participant, performance.poses[i]) for i in frames]
                truth, scale = true_landmarks(np.stack([s.landmarks for s in skeletons]),
                                              body_height_px(set_plan.participant.height, skeletons, camera), camera)
                truths.append(truth)
                scales.append(scale)
    return np.stack(truths), np.stack(scales)


def lateral_draws(noise: ViewNoise, truth: np.ndarray, scale: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """(N, 16, 33, 3) landmarks drawn by ``noise`` as the lateral view for every repetition."""
    return LandmarkNoise("", {}, {"lateral": noise}).sample_reps(TrackedReps(truth, truth, scale), "lateral", rng)


@pytest.fixture(scope="module")
def lateral_truth() -> tuple[np.ndarray, np.ndarray]:
    return true_reps("lateral")


@pytest.fixture(scope="module")
def tracked_by_bundled(lateral_truth) -> tuple[ViewNoise, TrackedReps]:
    """The bundled lateral model, and repetitions "tracked" by it: its draws with their truth."""
    truth, scale = lateral_truth
    known = LandmarkNoise.load().views["lateral"]
    return known, TrackedReps(lateral_draws(known, truth, scale, np.random.default_rng(0)), truth, scale)


def test_a_model_fitted_on_its_own_draws_draws_them_again(tracked_by_bundled) -> None:
    known, reps = tracked_by_bundled
    truth, scale, drawn = reps.truth, reps.scale, reps.found
    fitted = _calibrated(_fit_view(reps), "lateral", reps)
    redrawn = lateral_draws(fitted, truth, scale, np.random.default_rng(1))

    np.testing.assert_allclose(_distance_percentiles(redrawn, reps)[:2], _distance_percentiles(drawn, reps)[:2], rtol=0.15)
    assert median_angle_error(redrawn, reps) == pytest.approx(median_angle_error(drawn, reps), rel=0.1)
    # Swaps come in runs and are counted only where the legs lie apart: on 48 repetitions their share
    # varies by about 0.02 from draw to draw.
    for group in SWAP_GROUPS:
        assert fitted.swaps[group][0] == pytest.approx(known.swaps[group][0], abs=0.05), group
    assert fitted.missed == pytest.approx(known.missed, abs=0.01)
    # The pose's own error is found again: the two regressions agree far better than the error's spread.
    poses = (truth / scale[:, :, None, :]).reshape(-1, 33, 3)
    gap = np.abs(pose_terms(poses) @ fitted.pose_weights - pose_terms(poses) @ known.pose_weights)
    assert np.median(gap) < 0.3 * known.random_scale * np.median(known.frame_sd)


def test_calibration_sets_the_joint_angle_error_of_the_draws_to_the_trackers(tracked_by_bundled) -> None:
    known, reps = tracked_by_bundled
    rng = np.random.default_rng(2)
    # Starting from twice the right size, the calibration brings the angle error back (the scale only
    # roughly: part of the angle error is the pose term's, so on 48 repetitions the scale is loosely tied).
    doubled = replace(known, random_scale=2.0 * known.random_scale)
    calibrated = _calibrated(doubled, "lateral", reps)
    assert calibrated.random_scale == pytest.approx(known.random_scale, rel=0.25)
    redrawn = lateral_draws(calibrated, reps.truth, reps.scale, rng)
    assert median_angle_error(redrawn, reps) == pytest.approx(median_angle_error(reps.found, reps), rel=0.1)


def test_draws_are_reproducible_and_a_missed_frame_is_missed_whole(lateral_truth) -> None:
    truth, scale = lateral_truth
    noise = LandmarkNoise.load()
    first = noise.sample(truth[0], scale[0], "frontal", np.random.default_rng(5))
    again = noise.sample(truth[0], scale[0], "frontal", np.random.default_rng(5))
    np.testing.assert_array_equal(first, again)
    always_missed = LandmarkNoise("", {}, {"frontal": replace(noise.views["frontal"], missed=1.0)})
    assert np.isnan(always_missed.sample(truth[0], scale[0], "frontal", np.random.default_rng(5))).all()
    one_rep = TrackedReps(first[None], truth[:1], scale[:1])
    assert 0.003 < _distance_percentiles(first[None], one_rep)[0] < 0.05  # body heights, as MediaPipe errs


def test_swapped_legs_put_each_knee_where_the_other_is(lateral_truth) -> None:
    truth, scale = lateral_truth
    view = LandmarkNoise.load().views["lateral"]
    swapping = replace(view, swaps={"legs": (1.0, 16.0), "arms": (0.0, 1.0)}, random_scale=0.0, missed=0.0)
    still = replace(swapping, swaps={"legs": (0.0, 1.0), "arms": (0.0, 1.0)})
    swapped = LandmarkNoise("", {}, {"lateral": swapping}).sample(truth[0], scale[0], "lateral", np.random.default_rng(0))
    straight = LandmarkNoise("", {}, {"lateral": still}).sample(truth[0], scale[0], "lateral", np.random.default_rng(0))
    np.testing.assert_allclose(swapped[:, 25], straight[:, 26])
    np.testing.assert_allclose(swapped[:, 26], straight[:, 25])
    np.testing.assert_allclose(swapped[:, 23], straight[:, 23])  # the hips stay


def test_a_noise_model_set_is_written_without_mediapipe_at_the_models_size(tmp_path, monkeypatch) -> None:
    from gymcore.perception import pose

    def no_mediapipe(*_, **__):
        raise AssertionError("MediaPipe was started for a noise-model set")

    monkeypatch.setattr(pose.PoseEstimator, "__init__", no_mediapipe)
    settings = Settings(seed=11, workers=1, **SMALL)
    summary = generate_dataset(settings, tmp_path / "a")
    generate_dataset(settings, tmp_path / "b")

    assert summary.seconds["mediapipe"] == 0.0 and summary.seconds["noise_model"] > 0.0
    card = json.loads((tmp_path / "a" / layout.DATASET_CARD).read_text())
    assert card["landmarks"].startswith("drawn by the landmark noise model of MediaPipe Pose 0.10.21")
    assert landmark_source(dataset_info(tmp_path / "a")) == "noise-model"  # what a model card trained on it records
    for exercise in settings.exercises:
        data = load_exercise(tmp_path / "a", exercise)
        assert len(data) == 4
        frame = data.frame_paths(0, "lateral")[0]
        import cv2

        assert cv2.imread(str(frame)).shape == (48, 64, 3)
        # The same seed writes the same landmarks.
        name = layout.POSE_FILES["lateral"].format(exercise=exercise)
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    # The draws sit where MediaPipe would put them: near the true joints, not on them.
    from gymcore.synth.noise import tracked_reps

    reps = tracked_reps(tmp_path / "a")["lateral"]
    assert 0.003 < _distance_percentiles(reps.found, reps)[0] < 0.05


def test_synth_noise_fits_and_checks_from_the_command_line(tmp_path, capsys) -> None:
    generate_dataset(Settings(seed=21, workers=1, **SMALL), tmp_path / "fit")
    generate_dataset(Settings(seed=22, workers=1, **SMALL), tmp_path / "check")
    model = tmp_path / "noise.json"
    assert main(["synth-noise", "--fit", str(tmp_path / "fit"), "--out", str(model)]) == 0
    fitted = LandmarkNoise.load(model)
    assert fitted.fitted_on["seed"] == 21 and fitted.fitted_on["repetitions"] == {"frontal": 8, "lateral": 8}
    capsys.readouterr()
    assert main(["synth-noise", "--check", str(tmp_path / "check"), "--model", str(model)]) == 0
    table = capsys.readouterr().out.splitlines()
    assert table[1].split()[:2] == ["view", "reps"]
    assert [line.split()[:2] for line in table[2:]] == [["frontal", "8"], ["lateral", "8"]]


def test_bad_noise_inputs_are_refused_with_a_sentence(tmp_path, capsys) -> None:
    broken = tmp_path / "noise.json"
    broken.write_text('{"estimator": "x"}')
    with pytest.raises(InputError, match="is not a landmark noise model"):
        LandmarkNoise.load(broken)
    (tmp_path / "empty").mkdir()
    assert main(["synth-noise", "--fit", str(tmp_path / "empty"), "--out", str(tmp_path / "m.json")]) == 2
    assert "is not a SynthGym set with its ground truth" in capsys.readouterr().err
    assert main(["synth-noise", "--check", str(tmp_path / "empty"), "--model", str(broken)]) == 2
    assert "is not a landmark noise model" in capsys.readouterr().err
    assert main(["synth-noise", "--fit", str(tmp_path / "empty")]) == 2
    assert "--out" in capsys.readouterr().err
