"""One view gate for every model: a criterion that cannot be judged from the views given gets the
same not-assessable reason from the rules and from the learned models."""

from __future__ import annotations

import pytest

from gymcore.judging.gate import refusal
from gymcore.pipeline.assess import assess


@pytest.fixture(scope="module")
def lateral_as_both(squat_pair):
    _, side = squat_pair
    return assess(front=side, side=side, exercise="squat", models=("rules", "pose"))


def test_the_same_lateral_clip_as_both_views_is_refused_alike_by_every_model(lateral_as_both) -> None:
    refused = 0
    for rep in lateral_as_both.reps:
        for by_model in rep.verdicts.values():
            rules, pose = by_model["rules"], by_model["pose"]
            if "looks lateral" in rules.reason:
                refused += 1
                assert not pose.assessable and pose.reason == rules.reason
    # feet_angled is measured in the frontal view only, which here is a lateral clip; feet_flat
    # falls back to its side-on measure in the (real) lateral view.
    assert refused >= len(lateral_as_both.reps)
    for rep in lateral_as_both.reps:
        assert "looks lateral" in rep.verdicts["feet_angled"]["rules"].reason
        feet_flat = rep.verdicts["feet_flat"]["rules"]
        assert feet_flat.assessable and feet_flat.evidence["view"] == "lateral"


@pytest.mark.slow  # MediaPipe on the bundled lateral sample clip
def test_a_lateral_sample_alone_gets_feet_flat_judged_side_on() -> None:
    from pathlib import Path

    clip = Path(__file__).resolve().parent.parent / "gymcore" / "samples" / "squat_faulty_lateral.mp4"
    result = assess(side=clip, exercise="squat", models=("rules",))
    assert result.reps
    for rep in result.reps:
        verdict = rep.verdicts["feet_flat"]["rules"]
        assert verdict.assessable and verdict.evidence["view"] == "lateral"


def test_the_gate_takes_the_first_view_that_passes_and_otherwise_the_given_views_reason() -> None:
    from gymcore.judging.gate import choose
    from gymcore.judging.rules.squat import RULES

    feet_flat = next(rule for rule in RULES if rule.criterion_id == "feet_flat")
    frontal, lateral = _check("frontal"), _check("lateral")
    assert choose("Feet flat", feet_flat, {"frontal": frontal, "lateral": lateral}) == (feet_flat, "")
    assert choose("Feet flat", feet_flat, {"lateral": lateral}) == (feet_flat.otherwise, "")
    hidden = _check("lateral", heel=0.1)
    assert choose("Feet flat", feet_flat, {"lateral": hidden}) == (
        None, "Feet flat needs the heel, hidden in the lateral clip.")
    assert choose("Feet flat", feet_flat, {}) == (
        None, "No frontal or lateral clip was given: Feet flat is judged from the frontal or the lateral view.")


def test_a_missing_view_is_one_sentence_for_every_model(squat_pair) -> None:
    _, side = squat_pair
    result = assess(side=side, exercise="squat", models=("rules", "pose"))
    verdict = result.reps[0].verdicts["feet_angled"]
    assert verdict["rules"].reason == verdict["pose"].reason == (
        "No frontal clip was given: Feet angled is judged from the frontal view.")


def test_the_gate_names_hidden_joints_and_lets_a_good_view_through() -> None:
    from gymcore.judging.rules.catalogue import RULES
    from gymcore.perception.trackcheck import ViewCheck

    check = ViewCheck(view="lateral", width_ratio=0.1, orientation="lateral", detected_share=1.0,
                      in_frame_share=1.0, jump_times_s=[],
                      visibility={name: 0.9 for name in _landmarks()} | {"left_heel": 0.1, "right_heel": 0.2})
    rules = {rule.criterion_id: rule for rule in RULES["squat"]}
    side_on_heels, depth = rules["feet_flat"].otherwise, rules["hips_below_knee"]
    hidden_heels = refusal("Feet flat", side_on_heels, {"lateral": check})
    assert hidden_heels == "Feet flat needs the heel, hidden in the lateral clip."
    assert refusal("Depth", depth, {"lateral": check}) == ""
    # An oblique clip turned side-on: depth is judged from it, the heels' rise is not.
    assert refusal("Depth", depth, {"lateral": check}, turned_from="oblique") == ""
    assert refusal("Feet flat", side_on_heels, {"lateral": check}, turned_from="oblique").startswith(
        "Feet flat is not judged from a lateral clip that looks oblique")


def _check(view: str, heel: float = 0.9):
    from gymcore.perception.trackcheck import ViewCheck

    return ViewCheck(view=view, width_ratio=0.1 if view == "lateral" else 0.3, orientation=view, detected_share=1.0,
                     in_frame_share=1.0, jump_times_s=[],
                     visibility={name: 0.9 for name in _landmarks()} | {"left_heel": heel, "right_heel": heel})


def _landmarks() -> list[str]:
    from gymcore.perception.pose import LANDMARK_NAMES

    return list(LANDMARK_NAMES)
