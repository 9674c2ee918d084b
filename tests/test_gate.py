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
    # feet_flat and feet_angled are measured in the frontal view, which here is a lateral clip.
    assert refused >= 2 * len(lateral_as_both.reps)


def test_a_missing_view_is_one_sentence_for_every_model(squat_pair) -> None:
    _, side = squat_pair
    result = assess(side=side, exercise="squat", models=("rules", "pose"))
    verdict = result.reps[0].verdicts["feet_angled"]
    assert verdict["rules"].reason == verdict["pose"].reason == (
        "No frontal clip was given: Feet angled is judged from the frontal view.")


def test_the_gate_names_hidden_joints_and_lets_a_good_view_through() -> None:
    from gymcore.perception.trackcheck import ViewCheck

    check = ViewCheck(view="lateral", width_ratio=0.1, orientation="lateral", detected_share=1.0,
                      in_frame_share=1.0, jump_times_s=[],
                      visibility={name: 0.9 for name in _landmarks()} | {"left_heel": 0.1, "right_heel": 0.2})
    hidden_heels = refusal("Feet flat", "lateral", ("heel",), {"lateral": check})
    assert hidden_heels == "Feet flat needs the heel, hidden in the lateral clip."
    assert refusal("Depth", "lateral", ("hip", "knee"), {"lateral": check}) == ""


def _landmarks() -> list[str]:
    from gymcore.perception.pose import LANDMARK_NAMES

    return list(LANDMARK_NAMES)
