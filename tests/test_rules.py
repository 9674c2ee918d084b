"""Each rule on synthetic bodies (landmarks projected without rendering) on both sides of its
threshold, and not_assessable when the view or the joints are missing."""

from __future__ import annotations

import numpy as np
import pytest

from gymcore.judging.rules.config import DEFAULT_RULES
from gymcore.judging.rules.model import RulesModel
from gymcore.judging.types import RepSample
from gymcore.synth import Participant, SquatProgram, frontal_camera, lateral_camera, squat_sequence, squat_timeline
from gymcore.synth.landmarks import view_sample
from gymcore.synth.motion.deadlift import DeadliftParams, deadlift_rep
from gymcore.synth.motion.lunge import LungeParams, lunge_rep
from gymcore.synth.motion.squat import squat_rep

FPS = 30.0


def judged(exercise: str, poses_of, seed: int = 11, views=("frontal", "lateral")) -> dict:
    rng = np.random.default_rng(seed)
    participant = Participant.sample(rng)
    poses = poses_of(participant, rng)
    cameras = {"frontal": frontal_camera(participant, rng), "lateral": lateral_camera(participant, rng)}
    samples = {view: view_sample(participant, poses, cameras[view], view, FPS) for view in views}
    return RulesModel().judge(exercise, [RepSample(0.0, len(poses) / FPS, samples)])[0]


def squat(**fields):
    program = SquatProgram(rep_variation=0.0, **fields)
    return lambda participant, rng: squat_sequence(participant, 1, FPS, rng, setup_s=0.0, program=program)


def lunge(**fields):
    return lambda participant, rng: lunge_rep(participant, LungeParams(**fields), FPS)


def deadlift(**fields):
    return lambda participant, rng: deadlift_rep(participant, DeadliftParams(**fields), FPS)


@pytest.mark.parametrize("exercise, criterion, good, bad", [
    ("squat", "feet_flat", squat(heel_lift_deg=1.0), squat(heel_lift_deg=18.0)),
    ("squat", "hips_below_knee", squat(depth_deg=110.0), squat(depth_deg=72.0)),
    ("squat", "hips_backward", squat(shank_tilt_deg=28.0), squat(shank_tilt_deg=54.0)),
    ("squat", "feet_angled", squat(toe_out_deg=28.0), squat(toe_out_deg=2.0)),
    ("squat", "hip_knee_bend", squat(hip_lag=0.0), squat(hip_lag=0.5)),
    ("squat", "neutral_back", squat(lumbar_flexion_deg=0.0), squat(lumbar_flexion_deg=36.0)),
    ("lunges", "heels_width", lunge(track_width=0.8), lunge(track_width=0.0)),
    ("lunges", "back_knee", lunge(back_thigh_deg=4.0), lunge(back_thigh_deg=38.0)),
    ("deadlift", "leg_extension", deadlift(free_leg_gap_deg=3.0), deadlift(free_leg_gap_deg=50.0)),
    ("lunges", "head_forward", lunge(gaze_down_deg=0.0), lunge(gaze_down_deg=40.0)),
    ("lunges", "front_knee_90", lunge(front_knee_deg=92.0), lunge(front_knee_deg=50.0)),
    ("lunges", "arm_swing", lunge(arm_swing_deg=18.0), lunge(arm_swing_deg=85.0)),
    ("lunges", "feet_aligned", lunge(foot_turn_deg=2.0), lunge(foot_turn_deg=35.0)),
    ("lunges", "back_straight", lunge(trunk_lean_deg=3.0), lunge(trunk_lean_deg=35.0)),
    ("deadlift", "balance", deadlift(sway_deg=0.5), deadlift(sway_deg=11.0)),
    ("deadlift", "control_reverse", deadlift(turn_pause_s=0.6), deadlift(turn_pause_s=0.0)),
    ("deadlift", "knee_bent", deadlift(support_knee_deg=20.0), deadlift(support_knee_deg=2.0)),
    ("deadlift", "knee_bent", deadlift(support_knee_deg=20.0), deadlift(support_knee_deg=58.0)),
])
def test_rule_passes_good_form_and_fails_the_fault(exercise, criterion, good, bad) -> None:
    passed = judged(exercise, good)[criterion]
    failed = judged(exercise, bad)[criterion]
    assert passed.assessable and failed.assessable
    assert passed.passed and passed.prob > 0.5
    assert not failed.passed and failed.prob < 0.5
    assert failed.evidence["value"] != passed.evidence["value"]


def test_deadlift_back_measure_folds_as_the_back_rounds() -> None:
    """On exact landmarks the ear-shoulder-hip angle loses about a third of the rounding; the
    default threshold is calibrated for MediaPipe, which reads it lower, so only the measurement's
    direction and size are checked here."""
    values = [judged("deadlift", deadlift(back_rounding_deg=r))["straight_back"].evidence["value"]
              for r in (0.0, 20.0, 38.0)]
    assert values[0] > values[1] > values[2]
    assert values[0] - values[2] > 8.0


def test_evidence_names_value_unit_threshold_frame_and_time() -> None:
    verdict = judged("squat", squat(heel_lift_deg=18.0))["feet_flat"]
    evidence = verdict.evidence
    assert evidence["unit"] == "torso lengths" and evidence["view"] == "frontal"
    assert evidence["value"] > DEFAULT_RULES.squat_heel_rise.high
    assert evidence["threshold"] == DEFAULT_RULES.squat_heel_rise.describe()
    assert evidence["time_s"] == pytest.approx(evidence["frame"] / FPS)


def test_a_single_view_leaves_the_other_views_criteria_not_assessable() -> None:
    verdicts = judged("squat", squat(), views=("lateral",))
    assert not verdicts["feet_angled"].assessable
    assert "No frontal clip" in verdicts["feet_angled"].reason
    assert verdicts["hips_below_knee"].assessable


@pytest.mark.parametrize("lift, passed", [(1.0, True), (18.0, False)])
def test_feet_flat_is_judged_side_on_when_only_the_lateral_view_is_given(lift, passed) -> None:
    verdict = judged("squat", squat(heel_lift_deg=lift), views=("lateral",))["feet_flat"]
    assert verdict.assessable and verdict.passed is passed
    assert verdict.evidence["view"] == "lateral" and verdict.evidence["quantity"] == "heel rise in the deep half"
    assert verdict.evidence["threshold"] == DEFAULT_RULES.squat_heel_rise_lateral.describe()


def test_feet_flat_keeps_the_frontal_measure_when_both_views_are_given() -> None:
    both = judged("squat", squat(heel_lift_deg=18.0))["feet_flat"]
    frontal_only = judged("squat", squat(heel_lift_deg=18.0), views=("frontal",))["feet_flat"]
    assert both.evidence["view"] == "frontal" and both.evidence == frontal_only.evidence


def test_feet_flat_falls_back_to_the_lateral_view_when_the_frontal_one_is_refused() -> None:
    rng = np.random.default_rng(4)
    participant = Participant.sample(rng)
    poses = squat()(participant, rng)
    side = view_sample(participant, poses, lateral_camera(participant, rng), "lateral", FPS)
    wrong = view_sample(participant, poses, lateral_camera(participant, rng), "frontal", FPS)
    verdicts = RulesModel().judge("squat", [RepSample(0.0, 1.0, {"frontal": wrong, "lateral": side})])[0]
    assert "looks lateral" in verdicts["feet_angled"].reason
    assert verdicts["feet_flat"].assessable and verdicts["feet_flat"].evidence["view"] == "lateral"


def test_feet_flat_with_heels_hidden_side_on_and_no_frontal_view_says_why() -> None:
    rng = np.random.default_rng(5)
    participant = Participant.sample(rng)
    poses = squat()(participant, rng)
    sample = view_sample(participant, poses, lateral_camera(participant, rng), "lateral", FPS)
    sample.visibility[:, [29, 30]] = 0.1  # heels hidden
    verdict = RulesModel().judge("squat", [RepSample(0.0, 1.0, {"lateral": sample})])[0]["feet_flat"]
    assert verdict.reason == "Feet flat needs the heel, hidden in the lateral clip."


def test_a_frontal_clip_given_as_lateral_is_refused() -> None:
    rng = np.random.default_rng(4)
    participant = Participant.sample(rng)
    poses = squat()(participant, rng)
    wrong = view_sample(participant, poses, frontal_camera(participant, rng), "lateral", FPS)
    verdicts = RulesModel().judge("squat", [RepSample(0.0, 1.0, {"lateral": wrong})])[0]
    assert not verdicts["hips_below_knee"].assessable
    assert "looks frontal" in verdicts["hips_below_knee"].reason


def test_hidden_joints_make_their_criteria_not_assessable() -> None:
    rng = np.random.default_rng(5)
    participant = Participant.sample(rng)
    poses = squat()(participant, rng)
    sample = view_sample(participant, poses, lateral_camera(participant, rng), "lateral", FPS)
    sample.visibility[:, [29, 30, 31, 32]] = 0.1  # heels and toes hidden
    verdicts = RulesModel().judge("squat", [RepSample(0.0, 1.0, {"lateral": sample})])[0]
    assert not verdicts["hips_backward"].assessable and "heel" in verdicts["hips_backward"].reason
    assert verdicts["hips_below_knee"].assessable


def test_thresholds_come_from_the_config() -> None:
    from gymcore.judging.rules.config import Limit, RulesConfig

    rng = np.random.default_rng(6)
    participant = Participant.sample(rng)
    poses = squat(depth_deg=110.0)(participant, rng)
    sample = view_sample(participant, poses, lateral_camera(participant, rng), "lateral", FPS)
    rep = [RepSample(0.0, 1.0, {"lateral": sample})]
    strict = RulesModel(RulesConfig(squat_hip_below_knee=Limit(low=2.0)))
    assert RulesModel().judge("squat", rep)[0]["hips_below_knee"].passed
    assert not strict.judge("squat", rep)[0]["hips_below_knee"].passed


def raise_both_arms(sample, degrees: float) -> None:
    """Swing both upper arms (elbows and wrists about the shoulders) forward together, in the
    picture, by a ramp from 0 at the first frame to ``degrees`` at the last."""
    size = np.array(sample.image_size, dtype=float)
    points = sample.landmarks[..., :2] * size
    toes = points[:, [31, 32]] - points[:, [29, 30]]
    forward = 1.0 if np.nanmedian(toes[..., 0]) >= 0 else -1.0
    for shoulder, arm in ((11, [13, 15]), (12, [14, 16])):
        for frame, turn in enumerate(np.radians(np.linspace(0.0, degrees, len(points)))):
            # Forward flexion turns the arm from hanging (+y) toward facing (+x * forward).
            c, s = np.cos(turn), -forward * np.sin(turn)
            offset = points[frame, arm] - points[frame, shoulder]
            rotated = np.c_[c * offset[:, 0] - s * offset[:, 1], s * offset[:, 0] + c * offset[:, 1]]
            sample.landmarks[frame, arm, :2] = (points[frame, shoulder] + rotated) / size


def test_arms_raised_together_are_no_swing_but_a_counter_swing_is() -> None:
    """Arms lifted together in front of the chest (the real-clip benchmark's labelled passes that
    the range of one arm's angle failed) keep their separation; a swing opens it."""
    rng = np.random.default_rng(11)
    participant = Participant.sample(rng)
    camera = lateral_camera(participant, rng)

    def arm_swing(params: LungeParams, raised_deg: float = 0.0) -> object:
        sample = view_sample(participant, lunge_rep(participant, params, FPS), camera, "lateral", FPS)
        raise_both_arms(sample, raised_deg)
        return RulesModel().judge("lunges", [RepSample(0.0, 1.0, {"lateral": sample})])[0]["arm_swing"]

    still, raised = arm_swing(LungeParams(arm_swing_deg=10.0)), arm_swing(LungeParams(arm_swing_deg=10.0), 60.0)
    assert still.passed and raised.passed
    assert abs(raised.evidence["value"] - still.evidence["value"]) < 10.0
    assert not arm_swing(LungeParams(arm_swing_deg=60.0)).passed


def test_hip_knee_bend_judges_the_descent_not_the_hips_leading_on_the_way_up() -> None:
    """The hips lead the knees on the way up by nature; only a knee-first descent is the fault."""
    settle_s = 0.4
    bottom = int(np.argmax(squat_timeline([SquatProgram()], FPS, settle_s).progress))

    def rep(hip_lag: float):
        return lambda participant, rng: squat_rep(participant, SquatProgram(hip_lag=hip_lag), FPS, settle_s)

    def together_down_knees_first_up(participant, rng):
        return rep(0.0)(participant, rng)[:bottom] + rep(0.5)(participant, rng)[bottom:]

    assert not judged("squat", rep(0.5), views=("lateral",))["hip_knee_bend"].passed
    assert judged("squat", together_down_knees_first_up, views=("lateral",))["hip_knee_bend"].passed
