"""The assess API and command end to end on rendered synthetic clips."""

from __future__ import annotations

import json

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


def test_an_unsure_recognition_says_so_and_a_named_exercise_does_not() -> None:
    from gymcore.recognition.pose_rule import Recognition, decide

    unsure = decide(free_leg_lift=0.05, foot_split=0.36, trunk_lean_deg=30)
    assert unsure.confidence < 0.7 and "name it" in unsure.caution and unsure.to_dict()["caution"] == unsure.caution
    clear = decide(free_leg_lift=0.02, foot_split=0.05, trunk_lean_deg=20)
    assert clear.caution == "" and "caution" not in clear.to_dict()
    assert Recognition("squat", 0.3, "given", {}).caution == ""
