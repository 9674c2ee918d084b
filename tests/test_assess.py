"""The assess API and command end to end on rendered synthetic clips."""

from __future__ import annotations

import json

import numpy as np
import pytest

from gymcore.cli.main import main
from gymcore.criteria import criteria_for
from gymcore.errors import InputError
from gymcore.judging.registry import load_criteria_models
from gymcore.judging.types import Verdict
from gymcore.pipeline.assess import assess
from gymcore.pipeline.result import correctness


@pytest.fixture(scope="module")
def assessment(squat_pair):
    front, side = squat_pair
    return assess(front=front, side=side, models=("rules", "fusion"))


@pytest.mark.slow  # assesses the rendered squat pair
def test_assess_recognises_the_squat_and_finds_its_repetition(assessment) -> None:
    assert assessment.exercise.exercise == "squat"
    assert assessment.exercise.method == "pose rule"
    assert len(assessment.reps) == 1
    rep = assessment.reps[0]
    assert rep.start_s < rep.bottom_s < rep.end_s
    assert set(rep.view_times) == {"frontal", "lateral"}
    assert set(rep.verdicts) == {c.id for c in criteria_for("squat")}
    assert 0.0 <= rep.score <= 1.0


@pytest.mark.slow  # assesses the rendered squat pair
def test_learned_models_report_the_weights_they_run_on(assessment) -> None:
    assert assessment.weights["rules"].loaded
    fusion = assessment.weights["fusion"]
    assert fusion.loaded and fusion.file == "fusion_squat_compact.safetensors"
    assert len(fusion.sha256) == 64 and fusion.synthetic and fusion.trained_on.startswith("SynthGym")
    assert all(set(by_model) == {"rules", "fusion"} for by_model in assessment.reps[0].verdicts.values())


@pytest.mark.slow  # assesses the rendered squat pair
def test_json_has_the_agreed_shape(assessment) -> None:
    data = assessment.to_dict()
    assert set(data["exercise"]) >= {"name", "confidence"}
    rep = data["reps"][0]
    assert set(rep) >= {"start_s", "end_s", "score", "criteria"}
    for by_model in rep["criteria"].values():
        verdict = by_model["rules"]
        assert {"prob", "pass"} <= set(verdict) or verdict["status"] == "not_assessable"
    assert "total" in data["timing_s"] and "model_rules" in data["timing_s"]
    assert data["summary"]["repetitions"] == 1


@pytest.mark.slow  # assesses the rendered squat pair
def test_cli_writes_the_assessment(squat_pair, tmp_path, capsys) -> None:
    front, side = squat_pair
    out = tmp_path / "assessment.json"
    assert main(["assess", "--side", str(side), "--exercise", "squat", "--json", str(out)]) == 0
    data = json.loads(out.read_text())
    assert data["exercise"] == {"name": "squat", "confidence": 1.0, "method": "given", "evidence": {}}
    feet_angled = data["reps"][0]["criteria"]["feet_angled"]["rules"]
    assert feet_angled["status"] == "not_assessable" and "frontal" in feet_angled["reason"]
    assert "rep 1" in capsys.readouterr().out


def test_unknown_model_or_exercise_is_an_input_error() -> None:
    with pytest.raises(InputError):
        load_criteria_models(["magic"], "squat")
    with pytest.raises(InputError):
        assess(side="x.mp4", exercise="bench press")


def test_score_is_the_share_of_assessable_criteria_passed() -> None:
    verdicts = {"a": Verdict(prob=0.9, passed=True), "b": Verdict(prob=0.2, passed=False),
                "c": Verdict.not_assessable("no frontal clip"), "d": Verdict(prob=0.8, passed=True)}
    assert correctness(verdicts) == pytest.approx(2 / 3, abs=1e-4)
    assert correctness({"c": Verdict.not_assessable("no clip")}) is None


def test_the_pose_rule_names_each_exercise_from_its_evidence() -> None:
    from gymcore.recognition.pose_rule import decide

    assert decide(free_leg_lift=0.5, foot_split=0.8, trunk_lean_deg=70).exercise == "deadlift"
    # A faulty single-leg RDL whose free leg stays low: the trunk tipped past 55 degrees decides.
    assert decide(free_leg_lift=0.16, foot_split=0.6, trunk_lean_deg=62).exercise == "deadlift"
    assert decide(free_leg_lift=0.15, foot_split=0.9, trunk_lean_deg=20).exercise == "lunges"
    # A squat leaning well forward (low-bar) is still a squat.
    squat = decide(free_leg_lift=0.05, foot_split=0.1, trunk_lean_deg=45)
    assert squat.exercise == "squat" and squat.method == "pose rule" and 0.5 < squat.confidence <= 1.0


@pytest.mark.parametrize(("evidence", "reason"), [
    # Both feet in the air for a few frames: a jump squat (real jump squats measured 0.34-0.36).
    ({"free_leg_lift": 0.02, "foot_split": 0.15, "trunk_lean_deg": 35, "flight": 0.35}, "a jump"),
    # The trunk tipped to horizontal with both feet down: a two-legged RDL, or getting down to the floor.
    ({"free_leg_lift": 0.04, "foot_split": 0.05, "trunk_lean_deg": 90, "knee_flexion_deg": 45}, "two-legged"),
    # Past 55 degrees with the knees hardly bent is a hinge, not a squat leaning forward.
    ({"free_leg_lift": 0.03, "foot_split": 0.05, "trunk_lean_deg": 60, "knee_flexion_deg": 40}, "two-legged"),
    # The legs drawn folded into the trunk in most frames: a misread body, not a movement.
    ({"free_leg_lift": 0.05, "foot_split": 0.1, "trunk_lean_deg": 25, "legs_tracked": 0.2}, "lost the athlete's legs"),
    # One knee bent, the other straight, over a wide stance: a side lunge.
    ({"free_leg_lift": 0.05, "foot_split": 0.2, "trunk_lean_deg": 25, "stance_width": 1.2,
      "knee_gap_deg": 95}, "side lunge"),
    # Knees hardly bent with the trunk upright: no squat, lunge or hinge (a real banded step-up measured 8 degrees).
    ({"free_leg_lift": 0.04, "foot_split": 0.14, "trunk_lean_deg": 20, "knee_flexion_deg": 8}, "knees bent only"),
    # The back foot crossed behind the front one (a real curtsy lunge measured -0.25 to -0.44).
    ({"free_leg_lift": 0.05, "foot_split": 0.5, "trunk_lean_deg": 15, "stance_width": -0.35}, "curtsy lunge"),
])
def test_a_movement_of_none_of_the_three_exercises_is_said_to_be_none_with_why(evidence, reason) -> None:
    from gymcore.recognition.pose_rule import NONE, decide

    named = decide(**evidence)
    assert named.exercise == NONE and reason in named.reason and named.confidence > 0.5
    assert named.looks_like.startswith("none of the three exercises") and reason in named.looks_like


def test_what_stays_one_of_the_three_beside_the_none_tests() -> None:
    from gymcore.recognition.pose_rule import decide

    # A squat leaning 60 degrees forward with the knees bent 130 degrees: still a squat.
    assert decide(free_leg_lift=0.02, foot_split=0.05, trunk_lean_deg=60, knee_flexion_deg=130).exercise == "squat"
    # A sumo squat: wide, both knees bent alike.
    assert decide(free_leg_lift=0.01, foot_split=0.03, trunk_lean_deg=10, stance_width=1.1,
                  knee_flexion_deg=105, knee_gap_deg=12).exercise == "squat"
    # A shallow faulty lunge (SynthGym's bend the knees 42 degrees and more) and a hinge with straight knees.
    assert decide(free_leg_lift=0.03, foot_split=0.8, trunk_lean_deg=10, knee_flexion_deg=40).exercise == "lunges"
    assert decide(free_leg_lift=0.8, foot_split=0.9, trunk_lean_deg=75, knee_flexion_deg=7).exercise == "deadlift"
    # A lunge whose feet landed on one line, a little crossed (SynthGym's faulty lunges reach -0.10).
    assert decide(free_leg_lift=0.03, foot_split=0.8, trunk_lean_deg=10, stance_width=-0.1).exercise == "lunges"
    # SynthGym's faulty single-leg RDL, free leg left low but off the floor.
    assert decide(free_leg_lift=0.28, foot_split=0.9, trunk_lean_deg=72, knee_flexion_deg=25).exercise == "deadlift"


def test_a_clip_is_the_exercise_its_movements_name_most_surely() -> None:
    from gymcore.recognition.pose_rule import NONE, Movement, Recognition, by_weight

    squat = Recognition("squat", 0.9, "pose rule", {"trunk_lean_deg": 20.0})
    floor = Recognition(NONE, 0.95, "pose rule", {"trunk_lean_deg": 95.0}, reason="both feet down")
    clip = by_weight([Movement(float(i), i + 0.9, squat) for i in range(5)] + [Movement(6.0, 8.0, floor)])
    # Getting down to the floor after five squats costs the set a little confidence, not its name.
    assert clip.exercise == "squat" and clip.confidence == pytest.approx(0.9 * 4.5 / 5.45)
    assert clip.evidence["movements"] == 6 and clip.evidence["movements_squat"] == 5
    assert by_weight([Movement(0.0, 2.0, floor), Movement(3.0, 5.0, floor), Movement(6.0, 7.0, squat)]).exercise == NONE


def test_an_unsure_recognition_says_so_and_a_named_exercise_does_not() -> None:
    from gymcore.recognition.pose_rule import Recognition, decide

    unsure = decide(free_leg_lift=0.05, foot_split=0.36, trunk_lean_deg=30)
    assert unsure.confidence < 0.7 and "name it" in unsure.caution and unsure.to_dict()["caution"] == unsure.caution
    clear = decide(free_leg_lift=0.02, foot_split=0.05, trunk_lean_deg=20)
    assert clear.caution == "" and "caution" not in clear.to_dict()
    assert Recognition("squat", 0.3, "given", {}).caution == ""


def test_a_movement_not_counted_is_kept_in_the_record_and_said_among_the_warnings(squat_perception) -> None:
    from dataclasses import replace

    from gymcore.pipeline.assess import assess
    from gymcore.pipeline.record import AssessmentRecord
    from gymcore.records.presentation import warning_lines
    from gymcore.repetitions.types import NotCounted

    record = assess(perception=squat_perception).record()
    assert record.segmentation.rejected == () and "rejected" not in record.to_dict()["segmentation"]
    floor = NotCounted(7.5, 9.0, "the trunk tipped to 95 degrees with both feet on the floor")
    kept = AssessmentRecord.from_dict(replace(record, segmentation=replace(record.segmentation, rejected=(floor,))).to_dict())
    assert kept.segmentation.rejected == (floor,)
    assert f"Not counted as a repetition (lateral clip), 7.5-9.0 s: {floor.why}." in warning_lines(kept)


def played_twice(view, legs_lost_in_second: bool):
    """The view's clip played twice in a row; in the second play the athlete's legs drawn folded into
    the hips (as MediaPipe draws a body hidden behind a rack's plates), the 3D pose left as it was."""
    from dataclasses import replace

    from gymcore.perception.pose import LANDMARK, PoseTrack

    track = view.timeline
    step = float(np.median(np.diff(track.time_s)))
    second = track.landmarks.copy()
    if legs_lost_in_second:
        for side in ("left", "right"):
            for joint in ("knee", "ankle", "heel", "foot_index"):
                second[:, LANDMARK[f"{side}_{joint}"]] = second[:, LANDMARK[f"{side}_hip"]]
    doubled = PoseTrack(
        frame_indices=np.r_[track.frame_indices, track.frame_indices + view.source.frame_count],
        time_s=np.r_[track.time_s, track.time_s + track.time_s[-1] + step],
        landmarks=np.concatenate([track.landmarks, second]), visibility=np.r_[track.visibility, track.visibility],
        world=np.r_[track.world, track.world], detected=np.r_[track.detected, track.detected],
    )
    source = replace(view.source, frame_count=2 * view.source.frame_count, duration_s=2 * view.source.duration_s)
    return replace(view, source=source, timeline=doubled, angles={name: np.r_[a, a] for name, a in view.angles.items()})


def test_a_window_of_none_of_the_three_is_not_counted_and_the_record_says_why(squat_perception) -> None:
    from gymcore.perception.analysis import Perception
    from gymcore.pipeline.assess import assess
    from gymcore.records.presentation import warning_lines

    lateral = squat_perception.lateral
    both = assess(perception=Perception(None, played_twice(lateral, legs_lost_in_second=False)), exercise="squat")
    assert len(both.reps) == 2 and both.record().segmentation.rejected == ()
    one = assess(perception=Perception(None, played_twice(lateral, legs_lost_in_second=True)), exercise="squat")
    record = one.record()
    (rejected,) = record.segmentation.rejected
    assert [rep.start_s for rep in one.reps] == [both.reps[0].start_s]
    assert (rejected.start_s, rejected.end_s) == (round(both.reps[1].start_s, 3), round(both.reps[1].end_s, 3))
    assert "lost the athlete's legs" in rejected.why
    assert any(line.startswith("Not counted as a repetition (lateral clip)") and rejected.why in line
               for line in warning_lines(record))


def test_clips_of_none_of_the_three_are_refused_with_what_they_show_and_a_named_exercise_is_cautioned() -> None:
    from gymcore.errors import InputError
    from gymcore.recognition.pose_rule import NotAnExercise, Recognition, decide

    hinge = decide(free_leg_lift=0.03, foot_split=0.05, trunk_lean_deg=88, knee_flexion_deg=40)
    refusal = NotAnExercise(hinge)
    assert isinstance(refusal, InputError) and refusal.recognition is hinge
    assert "two-legged deadlift" in str(refusal) and "name it" in str(refusal)
    named = Recognition("squat", 1.0, "given", {}, seen=hinge)
    assert "looks like none of the three exercises" in named.caution and "two-legged" in named.caution


def test_when_no_window_looks_like_the_exercise_the_answer_depends_on_whether_it_was_named() -> None:
    from gymcore.pipeline.assess import nothing_counted
    from gymcore.recognition.pose_rule import Movement, NotAnExercise, decide

    jump = decide(free_leg_lift=0.02, foot_split=0.9, trunk_lean_deg=10, flight=0.3)
    higher = decide(free_leg_lift=0.02, foot_split=0.9, trunk_lean_deg=10, flight=0.5)
    rejected = [Movement(0.7, 2.0, jump), Movement(2.4, 3.6, higher)]
    # Left to recognition (jumping lunges named lunges over the clip): the clip is none of the three.
    unnamed = nothing_counted(None, "lunges", rejected)
    assert isinstance(unnamed, NotAnExercise) and unnamed.recognition is higher
    named = nothing_counted("lunges", "lunges", rejected)
    assert not isinstance(named, NotAnExercise)
    assert str(named).startswith("No movement in the clips looks like a lunge,") and "0.7-2.0 s: the whole body" in str(named)


def test_clips_without_a_whole_repetition_are_refused_with_why_not_judged_whole(squat_perception) -> None:
    """Squat clips named a single-leg RDL: the trunk never leans like one, so no window is a
    repetition. The answer says so (records once judged the whole clip as one repetition)."""
    from gymcore.pipeline.assess import NoRepetition

    with pytest.raises(NoRepetition) as refused:
        assess(perception=squat_perception, exercise="deadlift")
    assert isinstance(refused.value, InputError)
    assert refused.value.recognition.exercise == "deadlift" and refused.value.recognition.method == "given"
    (why,) = refused.value.segmentation.rejected
    assert "degrees of trunk lean, less than a repetition's 30 degrees of trunk lean" in why.why
    assert str(refused.value).startswith("No whole repetition of a single-leg Romanian deadlift was found in the clips (0.0-")
    assert "nothing was judged" in str(refused.value)


def test_without_a_whole_repetition_a_clip_that_shows_none_of_the_three_is_said_so(squat_perception) -> None:
    """Left to recognition, a clip with no whole repetition is looked at whole first: the same lateral
    clip with the whole body lifted off the floor for half a second reads as a jump, none of the three;
    as it is, it reads as a squat, and the answer is that no whole repetition was found."""
    from dataclasses import replace

    from gymcore.perception.analysis import Perception
    from gymcore.perception.pose import LANDMARK
    from gymcore.pipeline.assess import NoRepetition, no_repetition
    from gymcore.recognition.pose_rule import NotAnExercise, recognise
    from gymcore.repetitions.windows import repetitions

    lateral = squat_perception.lateral
    track = lateral.timeline
    landmarks = track.landmarks.copy()
    leg = np.nanmedian(np.abs(landmarks[:, LANDMARK["left_ankle"], 1] - landmarks[:, LANDMARK["left_hip"], 1]))
    middle = len(landmarks) // 2
    landmarks[middle:middle + max(4, len(landmarks) // 12), :, 1] -= 0.4 * leg  # the whole body up
    jumped = Perception(None, replace(lateral, timeline=replace(track, landmarks=landmarks)))
    as_is = Perception(None, lateral)
    for perception, answer in ((jumped, NotAnExercise), (as_is, NoRepetition)):
        _, segmentation = repetitions(perception, "squat")
        refusal = no_repetition(None, recognise(as_is), segmentation, perception)
        assert type(refusal) is answer
    assert "a jump" in str(no_repetition(None, recognise(as_is), segmentation, jumped))
    assert type(no_repetition("squat", recognise(as_is), segmentation, jumped)) is NoRepetition  # named: as named


def test_an_older_record_that_judged_the_whole_clip_says_so_among_the_warnings(squat_perception) -> None:
    from dataclasses import replace

    from gymcore.pipeline.record import AssessmentRecord
    from gymcore.records.presentation import warning_lines

    record = assess(perception=squat_perception).record()
    assert record.segmentation.segmented and "note" not in record.to_dict()["segmentation"]
    note = "No repetition was found in the movement; the whole clip is judged as one repetition."
    older = AssessmentRecord.from_dict(replace(record, segmentation=replace(
        record.segmentation, segmented=False, note=note)).to_dict())
    assert not older.segmentation.segmented and note in warning_lines(older)
