"""Repetition counting on constructed signals with set-up motion and noise, and on SynthGym
multi-repetition squats (landmarks projected without rendering)."""

from __future__ import annotations

import numpy as np
import pytest

from gymcore.perception.angles import image_angles
from gymcore.perception.pose import LANDMARK
from gymcore.repetitions.alignment import align_offset
from gymcore.repetitions.segmentation import segment, segment_explained
from gymcore.repetitions.signals import combined, hip_drop, rolling_median
from gymcore.repetitions.types import MovementSignal, Repetition
from gymcore.synth import Participant, frontal_camera, lateral_camera, pose_skeleton, squat_sequence

FPS = 30.0


def squat_signal(reps: int, rng: np.random.Generator, setup: str = "none", noise_deg: float = 3.0) -> MovementSignal:
    """Knee flexion of `reps` squats (2.6 s each, 100 degrees deep) after a set-up phase."""
    parts = [np.full(int(FPS), 5.0)]
    if setup == "walk":  # walking in: knees alternate, the mean flexion wobbles about 20 degrees
        t = np.arange(int(4 * FPS)) / FPS
        parts.append(12 + 10 * np.abs(np.sin(2 * np.pi * 0.9 * t)))
    if setup == "bend":  # a quick half-bend to pick something up, hips barely dropping
        parts.append(5 + 30 * np.sin(np.linspace(0, np.pi, int(0.8 * FPS))))
    for _ in range(reps):
        parts.append(5 + 95 * (1 - np.cos(np.linspace(0, 2 * np.pi, int(2.6 * FPS)))) / 2)
        parts.append(np.full(int(0.5 * FPS), 5.0))
    value = np.concatenate(parts) + rng.normal(0, noise_deg, sum(len(p) for p in parts))
    drop = np.clip((value - 5) / 95 * 0.4, 0, None)
    return MovementSignal("knee flexion", np.arange(len(value)) / FPS, value, drop)


def test_counts_constructed_repetitions_despite_noise_and_walking_in() -> None:
    rng = np.random.default_rng(0)
    for reps in (1, 3, 6):
        for setup in ("none", "walk", "bend"):
            found = segment(squat_signal(reps, rng, setup, noise_deg=4.0), "squat")
            assert len(found) == reps, (reps, setup)


def test_each_repetition_has_start_bottom_end_in_order() -> None:
    found = segment(squat_signal(3, np.random.default_rng(1)), "squat")
    for rep in found:
        assert rep.start_s < rep.bottom_s < rep.end_s
        assert 1.5 < rep.end_s - rep.start_s < 3.2
    assert all(a.end_s <= b.start_s for a, b in zip(found, found[1:]))


def test_a_half_finished_last_repetition_is_not_counted() -> None:
    signal = squat_signal(3, np.random.default_rng(2))
    cut = int(len(signal.time_s) - 0.5 * FPS - 1.3 * FPS)  # stop at the bottom of the third
    partial = MovementSignal(signal.name, signal.time_s[:cut], signal.value[:cut], signal.hip_drop[:cut])
    assert len(segment(partial, "squat")) == 2


def test_missing_frames_are_bridged() -> None:
    signal = squat_signal(2, np.random.default_rng(3))
    value = signal.value.copy()
    value[40:46] = np.nan
    assert len(segment(MovementSignal(signal.name, signal.time_s, value, signal.hip_drop), "squat")) == 2


def test_standing_still_has_no_repetitions() -> None:
    rng = np.random.default_rng(4)
    value = 5 + rng.normal(0, 2, 300)
    assert segment(MovementSignal("knee flexion", np.arange(300) / FPS, value, np.zeros(300)), "squat") == []


def test_counts_synthgym_multi_repetition_squats() -> None:
    for seed, reps in ((21, 2), (22, 4), (23, 5)):
        rng = np.random.default_rng(seed)
        participant = Participant.sample(rng)
        poses = squat_sequence(participant, reps, FPS, rng, setup_s=1.5)
        camera = lateral_camera(participant, rng)
        landmarks = np.stack([_normalised(participant, pose, camera) for pose in poses])
        angles = image_angles(landmarks, camera.width, camera.height)
        knees = 180.0 - (angles["left_knee"] + angles["right_knee"]) / 2
        time_s = np.arange(len(poses)) / FPS
        signal = MovementSignal("knee flexion", time_s, knees, hip_drop(landmarks[..., :2] * [camera.width, camera.height]))
        found = segment(signal, "squat")
        assert len(found) == reps
        assert found[0].start_s >= 1.3  # standing during the set-up is not a repetition


def test_alignment_recovers_the_lag_between_views() -> None:
    signal = squat_signal(3, np.random.default_rng(5))
    lag = 0.8
    shifted = MovementSignal(signal.name, signal.time_s + lag, signal.value, signal.hip_drop)
    assert abs(align_offset(signal, shifted, max_lag_s=3.0) - lag) < 0.1
    assert Repetition(1.0, 2.0, 3.0, 90.0).shifted(lag).bottom_s == 2.0 + lag


def _normalised(participant, pose, camera) -> np.ndarray:
    pixels = camera.project(pose_skeleton(participant, pose).landmarks)
    return np.column_stack([pixels[:, 0] / camera.width, pixels[:, 1] / camera.height, np.zeros(len(pixels))])


def lunge_drop(depths: list[float], rng: np.random.Generator, glitch: bool = False) -> MovementSignal:
    """Hip drop (percent) of forward lunges of the given depths after walking in: each repetition a
    step (a small drop), the descent, the ascent and the step back; `glitch` adds a plateau where
    one view's tracker swaps the legs."""
    parts = [8 * np.abs(np.sin(np.linspace(0, 4 * np.pi, int(2 * FPS))))]  # walking in: under 10 %
    for depth in depths:
        step = np.full(int(0.4 * FPS), 6.0)
        parts += [step, 6 + (depth - 6) * np.sin(np.linspace(0, np.pi, int(2.2 * FPS))), step, np.zeros(int(0.6 * FPS))]
    value = np.concatenate(parts) + rng.normal(0, 1.5, sum(len(p) for p in parts))
    if glitch:
        value[int(0.5 * FPS):int(1.5 * FPS)] = 35.0
    return MovementSignal("hip drop", np.arange(len(value)) / FPS, value, value / 100)


def test_lunges_are_counted_from_the_hips_drop_shallow_faulty_ones_included() -> None:
    rng = np.random.default_rng(6)
    assert len(segment(lunge_drop([40, 18, 42, 38], rng), "lunges")) == 4
    assert segment(lunge_drop([], rng), "lunges") == []  # walking alone is not a lunge


def test_the_other_view_removes_what_one_views_tracking_invents() -> None:
    rng = np.random.default_rng(7)
    glitched, clean = lunge_drop([40, 40], rng, glitch=True), lunge_drop([40, 40], rng)
    assert len(segment(glitched, "lunges")) == 3
    assert len(segment(combined(glitched, clean, 0.0), "lunges")) == 2


def test_a_clip_cut_while_standing_up_counts_its_last_repetition() -> None:
    signal = squat_signal(3, np.random.default_rng(8))
    cut = int(len(signal.time_s) - 0.5 * FPS - 0.45 * FPS)  # most of the way up from the third bottom
    partial = MovementSignal(signal.name, signal.time_s[:cut], signal.value[:cut], signal.hip_drop[:cut])
    assert len(segment(partial, "squat")) == 3


def test_a_clip_edge_counts_a_repetition_by_the_share_of_it_in_the_clip() -> None:
    # Three squats that pass the top quickly and slow down near the bottom, as real ones do: 2.6 s
    # each, at the bottom (100 degrees) from 0.56 s to 2.04 s.
    rep = 5 + 95 * np.minimum(1.0, 1.6 * np.sin(np.linspace(0, np.pi, int(2.6 * FPS))))
    value = np.concatenate([np.full(int(FPS), 5.0), rep, np.full(int(0.5 * FPS), 5.0), rep,
                            np.full(int(0.5 * FPS), 5.0), rep])
    value += np.random.default_rng(14).normal(0, 1.0, len(value))
    time_s = np.arange(len(value)) / FPS
    last_start = len(value) - len(rep)

    def count(first: int, last: int) -> int:
        cut = slice(first, last)
        return len(segment(MovementSignal("knee flexion", time_s[cut], value[cut], value[cut] / 250), "squat"))

    # Cut 0.3 s before the last squat is back up, or 0.3 s after the first set off, at 60 degrees
    # (past the high threshold): most of it is in the clip. Cut half-way, at its bottom: partial.
    assert count(0, last_start + int(2.3 * FPS)) == 3
    assert count(int(1.3 * FPS), len(value)) == 3
    assert count(0, last_start + int(1.3 * FPS)) == 2
    assert count(int(2.3 * FPS), len(value)) == 2


def test_alignment_prefers_the_small_lag_to_one_repetition_later() -> None:
    rng = np.random.default_rng(9)
    lateral = squat_signal(5, rng, noise_deg=2.0)
    # The frontal view sees the same squats 0.4 s later and less deep (MediaPipe's 3D angles).
    seen_from_front = 0.6 * lateral.value + rng.normal(0, 2.0, len(lateral.value))
    frontal = MovementSignal(lateral.name, lateral.time_s + 0.4, seen_from_front, lateral.hip_drop)
    assert abs(align_offset(lateral, frontal, max_lag_s=8.0) - 0.4) < 0.1


def test_hip_drop_does_not_change_as_the_person_walks_toward_the_camera() -> None:
    rng = np.random.default_rng(10)
    participant = Participant.sample(rng)
    camera = lateral_camera(participant, rng)
    standing = _normalised(participant, squat_sequence(participant, 1, FPS, rng, setup_s=0.5)[0], camera)
    centre = np.array([0.5, 0.9, 0.0])
    larger = [centre + (standing - centre) * scale for scale in np.linspace(0.6, 1.0, 20)]
    assert np.nanmax(np.abs(hip_drop(np.stack(larger)[..., :2] * [camera.width, camera.height]))) < 1e-9


@pytest.mark.parametrize("seed", range(4))
def test_a_frontal_hip_drop_read_in_3d_is_not_shortened_by_the_leaning_trunk(seed: int) -> None:
    """Seen from the front, a squat's trunk leans toward the camera and its pictured torso shortens,
    so the hips' drop in torso lengths reads too small in the picture; MediaPipe's 3D landmarks
    (metres, about the hips) read it as a side-on camera does."""
    rng = np.random.default_rng(seed)
    participant = Participant.sample(rng)
    skeletons = [pose_skeleton(participant, pose).landmarks for pose in squat_sequence(participant, 1, FPS, rng)]

    def readings(camera) -> tuple[float, float]:
        joints = np.stack([camera.to_camera(skeleton) for skeleton in skeletons])
        hips = (joints[:, LANDMARK["left_hip"]] + joints[:, LANDMARK["right_hip"]]) / 2
        pictured = np.stack([camera.camera_to_pixels(frame) for frame in joints])[..., :2]
        return float(np.nanmax(hip_drop(pictured))), float(np.nanmax(hip_drop(joints - hips[:, None])))

    front_picture, front_3d = readings(frontal_camera(participant, rng))
    side_picture, side_3d = readings(lateral_camera(participant, rng))
    assert front_picture < front_3d - 0.04  # the picture under-reads from the front
    assert abs(front_3d - side_picture) < 0.06 and abs(front_3d - side_3d) < 0.06


@pytest.mark.slow  # renders and tracks the lunge demo clips (~50 s)
def test_repetitions_and_exercise_of_rendered_lunge_clips(lunge_demo_count) -> None:
    report = lunge_demo_count  # count_repetitions([lunge_demo_clips]), shared with the Evaluate page test
    assert [(clip.true_reps, clip.found_reps) for clip in report.clips] == [(2, 2), (2, 2)]
    assert report.share_recognised() == 1.0
    assert report.to_dict()["count_exact"] == {"all": 1.0, "lunges": 1.0}
    assert sum(clip.verdicts for clip in report.clips) == 2 * 2 * 7  # clips x repetitions x lunge criteria
    assert report.rules_hamming_loss("lunges") <= 0.3


def test_a_repetition_runs_from_standing_to_standing() -> None:
    found = segment(squat_signal(3, np.random.default_rng(13)), "squat")
    # The first squat leaves standing at 1.0 s and is back at 3.6 s; the window holds both ends.
    assert 0.6 <= found[0].start_s <= 1.05 and 3.55 <= found[0].end_s <= 4.0
    assert all(a.end_s <= b.start_s for a, b in zip(found, found[1:]))


def test_a_tracking_dropout_at_the_bottom_does_not_split_a_squat() -> None:
    signal = squat_signal(2, np.random.default_rng(11))
    value, drop = signal.value.copy(), signal.hip_drop.copy()
    first_bottom = int(np.argmax(value[: len(value) // 2]))
    value[first_bottom - 9:first_bottom + 9] = 10.0  # the leg read as straight for 0.6 s, hips still down
    found = segment(MovementSignal(signal.name, signal.time_s, value, drop), "squat")
    assert len(found) == 2
    assert found[0].start_s < 1.6 and found[0].end_s > 3.0  # the first squat whole: 1.0 s to 3.6 s


def test_squats_whose_hips_read_down_while_standing_are_not_merged() -> None:
    signal = squat_signal(3, np.random.default_rng(15))
    # The hips read 0.5 down while standing (a frontal view, after a dumbbell was picked up) and
    # rise by 0.4 between the bottoms: three squats, not one.
    found = segment(MovementSignal(signal.name, signal.time_s, signal.value, signal.hip_drop + 0.5), "squat")
    assert len(found) == 3


def test_frames_before_anyone_is_seen_are_not_a_repetition() -> None:
    signal = squat_signal(2, np.random.default_rng(12))
    value = signal.value.copy()
    first_bottom = int(np.argmax(value[: len(value) // 2]))
    value[:first_bottom] = np.nan  # a title card, then the athlete already at the bottom
    value[int(0.75 * len(value)):int(0.75 * len(value)) + 6] = np.nan  # a short dropout mid-rep is bridged
    found = segment(MovementSignal(signal.name, signal.time_s, value, signal.hip_drop), "squat")
    assert len(found) == 1 and found[0].start_s > signal.time_s[first_bottom]


def test_a_knee_bend_without_the_hips_dropping_is_left_out_out_loud() -> None:
    """A window that rose like a repetition but is not counted is said, with why: a coach sees a
    repetition the tool missed rather than a count one short."""
    signal = squat_signal(3, np.random.default_rng(16))
    drop = signal.hip_drop.copy()
    second = (signal.time_s > 4.0) & (signal.time_s < 6.8)  # the second squat: 4.1 s to 6.7 s
    drop[second] = 0.02  # the knees bend, the hips stay up: bending over, or the hips misread
    reps, left_out = segment_explained(MovementSignal(signal.name, signal.time_s, signal.value, drop), "squat")
    assert len(reps) == 2 and all(not 4.0 < rep.bottom_s < 6.8 for rep in reps)
    assert len(left_out) == 1
    assert 4.0 <= left_out[0].start_s < left_out[0].end_s <= 6.8
    assert "hips dropped 2% of their standing height" in left_out[0].why
    assert "degrees of knee flexion" in left_out[0].why


def test_a_counted_set_leaves_nothing_out() -> None:
    signal = squat_signal(3, np.random.default_rng(17), setup="walk")
    reps, left_out = segment_explained(signal, "squat")
    assert reps == segment(signal, "squat") and len(reps) == 3
    assert left_out == []


def test_a_hold_at_the_bottom_to_the_clip_end_is_not_a_repetition_and_says_so() -> None:
    """Two squats, then down into a third and held there for 4 s until the clip ends: most of the
    clip's time is in that window, but the athlete never comes back up. The time share alone read
    it as seen; the travel share reads it as half a repetition."""
    rng = np.random.default_rng(18)
    signal = squat_signal(2, rng)
    descent = 5 + 95 * (1 - np.cos(np.linspace(0, np.pi, int(1.3 * FPS)))) / 2
    held = np.concatenate([descent, np.full(int(4 * FPS), 100.0)]) + rng.normal(0, 3.0, int(1.3 * FPS) + int(4 * FPS))
    value = np.concatenate([signal.value, held])
    drop = np.clip((value - 5) / 95 * 0.4, 0, None)
    time_s = np.arange(len(value)) / FPS
    reps, left_out = segment_explained(MovementSignal(signal.name, time_s, value, drop), "squat")
    assert len(reps) == 2 and all(rep.end_s < signal.time_s[-1] + 0.2 for rep in reps)
    assert len(left_out) == 1 and left_out[0].start_s >= signal.time_s[-1] - 0.6
    assert left_out[0].why.startswith("the clip ends before the athlete comes back up")


def test_a_clip_that_never_stands_up_has_no_repetition_and_says_why() -> None:
    """Squat pulses: small bounces at the bottom, never standing. No window at all, and the one
    thing left out says how little the whole clip moved."""
    time_s = np.arange(int(8 * FPS)) / FPS
    value = 85 + 12 * np.sin(2 * np.pi * 1.2 * time_s) + np.random.default_rng(19).normal(0, 2.0, len(time_s))
    reps, left_out = segment_explained(MovementSignal("knee flexion", time_s, value, np.full(len(time_s), 0.3)), "squat")
    assert reps == [] and len(left_out) == 1
    assert (left_out[0].start_s, left_out[0].end_s) == (0.0, round(float(time_s[-1]), 3))
    assert "the whole clip moves through" in left_out[0].why and "less than a repetition's 40 degrees" in left_out[0].why


def test_visible_travel_counts_the_way_back_not_the_time_at_the_bottom() -> None:
    from gymcore.repetitions.segmentation import visible_share, visible_travel

    down = np.linspace(0.0, 100.0, 11)
    held = np.concatenate([down, np.full(40, 100.0)])
    assert visible_travel(held, 0.0) == pytest.approx(0.5)
    assert visible_share(held, 0.0) > 0.8  # what the time share alone made of the hold
    nearly_up = np.concatenate([down, down[::-1][:9]])  # back to 20 of 100 when the clip ends
    assert visible_travel(nearly_up, 0.0) == pytest.approx(0.9)
    just_set_off = np.concatenate([down[3:], down[::-1]])  # the clip opens 30 into the way down
    assert visible_travel(just_set_off, 0.0) == pytest.approx(0.85)


@pytest.mark.parametrize("size", [1, 3, 5, 9, 31])
@pytest.mark.parametrize("length", [1, 2, 7, 200])
def test_rolling_median_equals_scipys_median_filter(size: int, length: int) -> None:
    """The numpy rolling median that spares the first page scipy.ndimage gives scipy's values exactly."""
    from scipy.ndimage import median_filter

    rng = np.random.default_rng(size * 1000 + length)
    values = np.cumsum(rng.normal(0, 1, length))
    values[rng.random(length) < 0.1] += 40.0  # one-frame glitches, which the median is there to remove
    np.testing.assert_array_equal(rolling_median(values, size), median_filter(values, size=size, mode="nearest"))


def test_rolling_median_refuses_an_even_window() -> None:
    with pytest.raises(ValueError, match="odd window"):
        rolling_median(np.arange(5.0), 4)
