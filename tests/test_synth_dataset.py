"""SynthGym: fault table, labels that are facts of the motion, determinism, and the written layout."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from gymcore.criteria import EXERCISES, criteria_for
from gymcore.data import layout
from gymcore.perception.angles import angle_at
from gymcore.synth.body import (
    LEFT_ANKLE,
    LEFT_HEEL,
    LEFT_HIP,
    LEFT_KNEE,
    RIGHT_ANKLE,
    RIGHT_HIP,
    RIGHT_KNEE,
    pose_skeleton,
)
from gymcore.synth.dataset.plan import Settings, plan_dataset
from gymcore.synth.dataset.writer import generate_dataset, view_cameras
from gymcore.synth.motion.faults import FAULT_TABLE, check_table, labels_from_parameters, rules_for
from gymcore.synth.motion.performance import perform, rep_poses
from gymcore.synth.render.renderer import make_scene, render_frame
from gymcore.synth.render.validate import CHECKED_JOINTS

SMALL = Settings(seed=11, participants=1, reps_per_participant={"squat": 2, "lunges": 2, "deadlift": 2},
                 fps=10.0, width=480, height=360, clips=False, walk_in=False, workers=1)


def test_every_criterion_has_one_rule_with_margins() -> None:
    check_table()
    for exercise in EXERCISES:
        assert [rule.criterion for rule in rules_for(exercise)] == [c.id for c in criteria_for(exercise)]
    assert len(FAULT_TABLE) == sum(len(criteria_for(e)) for e in EXERCISES)
    rng = np.random.default_rng(0)
    for rule in FAULT_TABLE:
        assert all(rule.label(rule.draw(True, rng)) == 1 for _ in range(50))
        assert all(rule.label(rule.draw(False, rng)) == 0 for _ in range(50))


@pytest.mark.parametrize("seed", [101, 2024, 777777])
def test_labels_are_balanced_for_unseen_seeds(seed: int) -> None:
    plans = plan_dataset(Settings(seed=seed, participants=4))
    for exercise in EXERCISES:
        reps = [rep for plan in plans for s in plan.sets if s.exercise == exercise for rep in s.reps]
        rates = np.mean([[rep.labels[c.id] for c in criteria_for(exercise)] for rep in reps], axis=0)
        assert np.all((rates >= 0.4) & (rates <= 0.85)), (exercise, rates)


def _knee_flexion(joints: np.ndarray, hip: int, knee: int, ankle: int) -> np.ndarray:
    return 180.0 - np.array([angle_at(j[hip], j[knee], j[ankle]) for j in joints])


@pytest.mark.slow  # ~10 s of motion synthesis
def test_labels_are_facts_of_the_generated_motion() -> None:
    plans = plan_dataset(Settings(seed=5, participants=3))
    checked = 0
    for plan in plans:
        p = plan.participant
        for set_plan in plan.sets:
            for rep in set_plan.reps:
                joints = np.stack([pose_skeleton(p, pose).landmarks for pose in rep_poses(p, rep, 10.0)])
                labels = rep.labels
                assert labels == labels_from_parameters(rep.exercise, rep.parameters)
                if rep.exercise == "squat":
                    hip_minus_knee = (joints[:, LEFT_HIP, 1] - joints[:, LEFT_KNEE, 1]).min()
                    assert (hip_minus_knee < 0) == bool(labels["hips_below_knee"])
                    heel_rise = (joints[:, LEFT_HEEL, 1] - joints[0, LEFT_HEEL, 1]).max()
                    assert (heel_rise < 0.02 * p.height) == bool(labels["feet_flat"]), heel_rise / p.height
                elif rep.exercise == "lunges":
                    front = rep.style["front_side"]
                    idx = (LEFT_HIP, LEFT_KNEE, LEFT_ANKLE) if front == "left" else (RIGHT_HIP, RIGHT_KNEE, RIGHT_ANKLE)
                    deepest = _knee_flexion(joints, *idx).max()
                    assert (deepest >= 76.0) == bool(labels["front_knee_90"]), deepest
                else:
                    support = rep.style["support_side"]
                    idx = ((LEFT_HIP, LEFT_KNEE, LEFT_ANKLE) if support == "left"
                           else (RIGHT_HIP, RIGHT_KNEE, RIGHT_ANKLE))
                    bottom = _knee_flexion(joints, *idx).max()
                    assert (10.0 <= bottom <= 37.0) == bool(labels["knee_bent"]), bottom
                checked += 1
    assert checked > 30


def test_same_seed_same_labels_poses_and_frames() -> None:
    def first_set(seed: int) -> tuple[dict, np.ndarray, np.ndarray]:
        plan = plan_dataset(Settings(seed=seed, participants=2))[1].sets[1]
        rng = np.random.default_rng(plan.seed)
        performance = perform(plan.participant, list(plan.reps), 10.0, rng, walk_steps=1)
        skeletons = [pose_skeleton(plan.participant, pose) for pose in performance.poses]
        camera = view_cameras(plan.participant, rng, 320, 240)["lateral"]
        frame = render_frame(plan.participant, skeletons[len(skeletons) // 2], camera, make_scene(camera, rng)).image
        return [rep.labels for rep in plan.reps], np.stack([s.landmarks for s in skeletons]), frame

    labels_a, joints_a, frame_a = first_set(3)
    labels_b, joints_b, frame_b = first_set(3)
    labels_c, joints_c, _ = first_set(4)
    assert labels_a == labels_b and np.array_equal(joints_a, joints_b) and np.array_equal(frame_a, frame_b)
    assert joints_a.shape != joints_c.shape or not np.allclose(joints_a, joints_c)


@pytest.fixture(scope="module")
def small_dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("synthgym")
    generate_dataset(SMALL, out)
    return out


@pytest.mark.slow  # renders a small SynthGym set (~25 s)
def test_layout_names_and_columns(small_dataset: Path) -> None:
    card = json.loads((small_dataset / layout.DATASET_CARD).read_text())
    assert card["name"] == "SynthGym" and card["seed"] == SMALL.seed
    for exercise in EXERCISES:
        sheet = pd.read_excel(small_dataset / layout.SHEETS[exercise])
        assert list(sheet.columns) == layout.sheet_columns(exercise)
        assert len(sheet) == 2 and set(sheet[layout.COLUMN_EXERCISE]) == {exercise}
        assert set(sheet[layout.label_columns(exercise)].to_numpy().ravel()) <= {0, 1}
        assert (sheet[layout.COLUMN_VIDEO["frontal"]] % 2 == 1).all()
        assert (sheet[layout.COLUMN_VIDEO["lateral"]] % 2 == 0).all()
        names = sorted(p.name for p in (small_dataset / layout.FRAME_FOLDERS[exercise]).iterdir())
        assert len(names) == 2 * 2 * layout.FRAMES_PER_REP
        assert all(layout.FRAME_PATTERN.match(name) for name in names)
        assert layout.frame_name(1, 0, 1) in names and layout.frame_name(2, 1, 16) in names
        for view in layout.VIEWS:
            entries = json.loads((small_dataset / layout.POSE_FILES[view].format(exercise=exercise)).read_text())
            assert len(entries) == len(sheet) and all(len(entry) == layout.FRAMES_PER_REP for entry in entries)
            assert all(frame is None or np.asarray(frame).shape == (33, 3) for entry in entries for frame in entry)
    demographics = pd.read_excel(small_dataset / layout.DEMOGRAPHICS_SHEET)
    assert list(demographics.columns) == list(layout.DEMOGRAPHIC_COLUMNS)


@pytest.mark.slow  # renders a small SynthGym set
def test_sheet_labels_match_ground_truth_parameters(small_dataset: Path) -> None:
    for exercise in EXERCISES:
        sheet = pd.read_excel(small_dataset / layout.SHEETS[exercise])
        for _, row in sheet.iterrows():
            stem = layout.ground_truth_stem(exercise, row[layout.COLUMN_VIDEO["frontal"]],
                                            row[layout.COLUMN_VIDEO["lateral"]])
            truth = json.loads((small_dataset / layout.GROUND_TRUTH_FOLDER / f"{stem}.json").read_text())
            rep = truth["reps"][int(row[layout.COLUMN_REP])]
            expected = labels_from_parameters(exercise, rep["parameters"])
            assert {c: int(row[c]) for c in layout.label_columns(exercise)} == expected


@pytest.mark.slow  # renders a small SynthGym set
def test_mediapipe_finds_the_person_near_the_true_joints(small_dataset: Path) -> None:
    errors, found = [], []
    for exercise in EXERCISES:
        sheet = pd.read_excel(small_dataset / layout.SHEETS[exercise])
        for view in layout.VIEWS:
            entries = json.loads((small_dataset / layout.POSE_FILES[view].format(exercise=exercise)).read_text())
            for row, entry in zip(sheet.itertuples(index=False), entries):
                row = row._asdict()
                stem = layout.ground_truth_stem(exercise, row[layout.COLUMN_VIDEO["frontal"]],
                                                row[layout.COLUMN_VIDEO["lateral"]])
                truth = np.load(small_dataset / layout.GROUND_TRUTH_FOLDER / f"{stem}.npz")
                frames = truth["sampled_frames"][row[layout.COLUMN_REP]]
                for k, points in enumerate(entry):
                    found.append(points is not None)
                    if points is None:
                        continue
                    detected = np.asarray(points)[list(CHECKED_JOINTS), :2] * [SMALL.width, SMALL.height]
                    true = truth[f"landmarks_px_{view}"][frames[k]][list(CHECKED_JOINTS)]
                    height = truth[f"body_height_px_{view}"][frames[k]]
                    errors.append(np.linalg.norm(detected - true, axis=1).mean() / height)
    assert len(found) == 3 * 2 * 2 * layout.FRAMES_PER_REP
    assert np.mean(found) >= 0.98
    assert np.mean(errors) < 0.05


@pytest.mark.slow  # renders a small SynthGym set
def test_the_dataset_loader_reads_what_synthgym_wrote(small_dataset: Path) -> None:
    from gymcore.data.dataset import load_exercise

    for exercise in EXERCISES:
        data = load_exercise(small_dataset, exercise)
        sheet = pd.read_excel(small_dataset / layout.SHEETS[exercise])
        assert len(data) == len(sheet)
        assert np.array_equal(data.labels, sheet[layout.label_columns(exercise)].to_numpy(dtype=np.float32))
        assert data.landmarks["frontal"].shape == (len(sheet), layout.FRAMES_PER_REP, 33, 3)


def test_walk_in_and_repetition_boundaries_are_recorded() -> None:
    plan = plan_dataset(Settings(seed=8, participants=1, exercises=("squat",)))[0].sets[0]
    performance = perform(plan.participant, list(plan.reps), 10.0, np.random.default_rng(0), walk_steps=2)
    ranges = performance.rep_ranges
    assert len(ranges) == len(plan.reps) and ranges[0][0] > 10  # walking and standing come first
    assert all(a[1] == b[0] for a, b in zip(ranges, ranges[1:])) and ranges[-1][1] == len(performance.poses)
    joints = np.stack([pose_skeleton(plan.participant, pose).landmarks for pose in performance.poses])
    # The participant walks toward the frontal camera (+z) before squatting in place.
    assert joints[ranges[0][0], LEFT_HIP, 2] - joints[0, LEFT_HIP, 2] > 0.4
    hip_height = joints[:, LEFT_HIP, 1]
    for start, end in ranges:  # every repetition goes down and comes back up
        assert hip_height[start:end].min() < hip_height[start] - 0.15 * plan.participant.height
        assert hip_height[end - 1] > hip_height[start] - 0.03 * plan.participant.height


def fake_render_set(fail: str | None, rendered: list[str]):
    """A stand-in for ``render_set``: one frame file and the sheet rows per set, no rendering or
    MediaPipe; it fails for the participant labelled ``fail`` after writing its file."""
    from gymcore.synth.dataset.writer import RepRow

    def render(plan, settings, out, estimator, result) -> None:
        name = f"{layout.FRAME_FOLDERS[plan.exercise]}/{plan.participant_label}.jpg"
        (out / name).write_bytes(b"\xff\xd8")
        result.files.append(name)
        if plan.participant_label == fail:
            raise RuntimeError("the renderer broke")
        rendered.append(plan.participant_label)
        videos = layout.video_numbers(plan.pair)
        for index, rep in enumerate(plan.reps):
            row = {layout.COLUMN_PARTICIPANT: plan.participant_label, layout.COLUMN_VIDEO["frontal"]: videos["frontal"],
                   layout.COLUMN_VIDEO["lateral"]: videos["lateral"], layout.COLUMN_REP: index,
                   layout.COLUMN_EXERCISE: plan.exercise, **rep.labels}
            result.rows[plan.exercise].append(RepRow(row, {view: np.full((16, 33, 3), np.nan) for view in layout.VIEWS},
                                                     {view: 0 for view in layout.VIEWS}))

    return render


def test_a_failed_run_keeps_finished_participants_and_a_rerun_renders_only_the_rest(tmp_path, monkeypatch) -> None:
    from gymcore.errors import GymError
    from gymcore.synth.dataset import writer

    settings = Settings(seed=3, participants=3, exercises=("squat",), reps_per_participant={"squat": 1},
                        clips=False, workers=1)
    out = tmp_path / "set"
    monkeypatch.setattr(writer.RenderTask, "setup", lambda task: None)  # no MediaPipe graph
    rendered: list[str] = []
    monkeypatch.setattr(writer, "render_set", fake_render_set("P002", rendered))
    with pytest.raises(GymError, match=r"1 of 3 participants could not be rendered \(participant P002 failed:"
                                       r" RuntimeError: the renderer broke\); the 2 finished are kept"):
        generate_dataset(settings, out)
    frames = out / layout.FRAME_FOLDERS["squat"]
    assert sorted(path.name for path in frames.iterdir()) == ["P001.jpg", "P003.jpg"]  # P002's taken back
    assert sorted(path.name for path in (out / layout.DONE_FOLDER).iterdir()) == ["P001.json", "P003.json"]
    assert not (out / layout.SHEETS["squat"]).exists()

    rendered.clear()
    monkeypatch.setattr(writer, "render_set", fake_render_set(None, rendered))
    summary = generate_dataset(settings, out)
    assert rendered == ["P002"] and summary.kept == 2
    sheet = pd.read_excel(out / layout.SHEETS["squat"])
    assert list(sheet[layout.COLUMN_PARTICIPANT]) == ["P001", "P002", "P003"]

    # Other settings make other participants: nothing is kept.
    rendered.clear()
    assert generate_dataset(Settings(**{**settings.to_dict(), "seed": 4}), out).kept == 0
    assert rendered == ["P001", "P002", "P003"]
