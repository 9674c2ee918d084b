"""Which exercise is this? A transparent rule over the pose, for when the user does not say, and
for each repetition whether it looks like the exercise at all.

At the deepest frames of a movement (the top fifth of its knee flexion or trunk lean), from
MediaPipe's world landmarks (metres, so either camera will do):

1. the legs lost by the tracker in most frames: a misread body, no movement at all;
2. the whole body off the floor: a jump, none of the three exercises;
3. one ankle lifted well above the other while the trunk tips forward, or the trunk tipped far
   forward with one foot off the floor: single-leg deadlift;
4. the trunk tipped as a hinge does with both feet down: a two-legged deadlift or a move to the
   floor, none of the three;
5. one knee bent far more than the other over a wide stance, without a front-to-back split: a side
   lunge, none of the three;
6. otherwise the feet split front to back: lunge;
7. otherwise: squat.

Each test's margin over its threshold gives the confidence. A clip is named over its movements
(``recognise``), and each repetition of the set is checked on its own frames (``screened``). A
learned classifier may replace the rule later; the result says which decided. When the user names
the exercise, the rule still looks, and a confident disagreement comes with a caution.

The thresholds of the "none" tests were set on the real-clip benchmark's tuning half
(docs/real-benchmark.md) with SynthGym's demo clips checked unchanged; the values measured there
are beside each.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from gymcore.criteria import EXERCISE_NAMES
from gymcore.errors import InputError
from gymcore.perception.analysis import Perception, ViewAnalysis
from gymcore.perception.pose import LANDMARK
from gymcore.repetitions.segmentation import segment
from gymcore.repetitions.signals import fill_gaps, rolling_median
from gymcore.repetitions.types import MovementSignal, NotCounted, Repetition

NONE = "none"  # what a movement of none of the three exercises is recognised as

# Free-leg lift (ankle height difference over leg length) and trunk lean of a single-leg deadlift.
FREE_LEG_LIFT = 0.25
DEADLIFT_TRUNK_LEAN_DEG = 35.0
# A trunk this far from vertical at the bottom is a hip hinge even when the free leg stays low (a
# faulty single-leg RDL): a squat's trunk stays within about 45-50 degrees of vertical, low-bar
# back squats included (Glassbrook et al. 2017, J Strength Cond Res 31(9)).
DEEP_HINGE_LEAN_DEG = 55.0
# Below this free-leg lift both feet are on the floor: no single-leg deadlift. Real two-legged
# deadlifts and RDLs measured 0.01-0.07, real single-leg RDLs 0.59-0.91, SynthGym's faulty
# single-leg RDLs (free leg left low) 0.28-0.38, and squats 0.0-0.35 (rear-oblique views read high).
BOTH_FEET_DOWN = 0.15
# With both feet down, a trunk past this is a hinge whatever the knees do: real two-legged
# deadlifts and RDLs 65-94 degrees, real squats up to 62 (a frontal view's depth estimate).
TWO_LEG_HINGE_LEAN_DEG = 65.0
# Past DEEP_HINGE_LEAN_DEG with the knees bent less than this, the trunk hinged rather than leaned
# into a squat: real squats leaning past 50 degrees bent their knees 128-141 degrees, real RDLs 22-54.
SQUAT_KNEE_FLEXION_DEG = 90.0
# A side lunge: a stance this wide (ankles across the hip line, over leg length; squats 0.3-1.2)
# with one knee bent this much more than the other (squats up to 25 degrees; real side lunges 90-104).
SIDE_LUNGE_STANCE = 0.9
SIDE_LUNGE_KNEE_GAP_DEG = 60.0
# Knees bent less than this at the deepest frames, with the trunk upright (under
# DEADLIFT_TRUNK_LEAN_DEG): no squat, lunge or hinge happened (a step-up, a stand, a sway). On the
# real benchmark's tuning half every squat and lunge repetition bent its knees 65 degrees or more,
# a banded step-up's only window 8 (docs/real-benchmark.md); on SynthGym's demo clips (seeds 6161,
# 9494) squats bent them 77 or more and faulty lunges, the front knee short of 90, 42 or more.
SHALLOW_KNEES_DEG = 30.0
# A curtsy lunge: at the bottom the back foot has crossed behind the front one, so the left ankle
# lies right of the right one across the hip line (signed stance width, over leg length). On the
# real-clip benchmark's tuning half every squat and lunge movement measured +0.15 to +1.17, the
# one curtsy-lunge set -0.25 to -0.44 (docs/real-benchmark.md); a SynthGym faulty lunge (feet
# stepped onto one line) reached -0.10 in one window of its demo clips, so the bound sits past it.
CROSSED_STANCE = -0.2
# A jump: the lower foot and the hips both this far above standing (over the image leg length) for
# FLIGHT_FRAMES frames running.
FLIGHT = 0.2
FLIGHT_FRAMES = 3
FLIGHT_BASELINE_S = 2.0
# A movement in which the athlete's legs were tracked (both drawn at least half their usual length,
# thigh plus shin in the picture) in less than this share of the frames is a misread body, not a
# movement: labelled real repetitions kept 0.89-1.0; a lifter standing still behind the plates of a
# rack, drawn with the legs folded into the trunk, 0.21 (and read as a squat).
LEGS_TRACKED = 0.5
# Front-to-back foot split of a lunge, over leg length (a forward lunge splits about one leg
# length; a squat stance is side by side).
LUNGE_SPLIT = 0.4
DEEPEST_SHARE = 0.2
# Below this confidence the answer comes with a caution. On 15 real clips the two conventional
# barbell deadlifts (not one of the three exercises) were called squats with 0.54 and 0.71; the
# squats, lunges and single-leg RDLs were named right, two of them with 0.67 and 0.68 (an oblique
# squat, a banded hinge), which get the caution too: it costs the user one click.
UNSURE_BELOW = 0.75


@dataclass(frozen=True)
class Recognition:
    exercise: str
    confidence: float
    method: str  # "pose rule", the learned classifier's name, or "given" when the user named it
    evidence: dict[str, float]
    # With a named exercise: what the pose rule recognised in the clips all the same.
    seen: Recognition | None = None
    reason: str = ""  # for NONE: what the pose showed instead, in words

    @property
    def caution(self) -> str:
        """A sentence for an uncertain recognition, or for a named exercise the pose confidently
        contradicts; empty when the answer is clear."""
        if self.method == "given":
            return self._disagreement()
        if self.confidence >= UNSURE_BELOW:
            return ""
        return (f"The exercise was recognised as {spoken(self.exercise)} with"
                f" {self.confidence:.0%} confidence only. The tool knows squats, forward lunges and single-leg"
                " Romanian deadlifts: if the clip shows another exercise, these verdicts do not apply; if it"
                " shows one of the three, name it instead of letting it be recognised.")

    @property
    def looks_like(self) -> str:
        """What the pose showed, in words: "a lunge (91% sure)", or the reason it is none of the three."""
        if self.exercise == NONE:
            return f"none of the three exercises the tool knows ({self.reason})"
        return f"{spoken(self.exercise)} ({self.confidence:.0%} sure)"

    def _disagreement(self) -> str:
        seen = self.seen
        if seen is None or seen.exercise == self.exercise or not seen.confidence >= UNSURE_BELOW:
            return ""
        if seen.exercise == NONE:
            return (f"The exercise was named {spoken(self.exercise)}, but the pose looks like {seen.looks_like}."
                    f" The verdicts judge the criteria of {spoken(self.exercise)}; they do not apply to another"
                    " exercise.")
        return (f"The exercise was named {spoken(self.exercise)}, but the pose looks like"
                f" {spoken(seen.exercise)} ({seen.method}, {seen.confidence:.0%} confident). The verdicts judge the"
                f" criteria of {spoken(self.exercise)}: if the clip shows {spoken(seen.exercise)}, assess it as"
                f" {spoken(seen.exercise)} or let the exercise be recognised.")

    def to_dict(self) -> dict[str, object]:
        record = {"name": self.exercise, "confidence": round(self.confidence, 3), "method": self.method,
                  "evidence": self.evidence}
        # Kept only when the pose rule named another exercise: all the caution needs, and records of
        # named exercises the pose agrees with stay as they were.
        if self.seen is not None and self.seen.exercise != self.exercise:
            record["pose_rule"] = {"name": self.seen.exercise, "confidence": round(self.seen.confidence, 3),
                                   "evidence": self.seen.evidence}
        return record | ({"caution": self.caution} if self.caution else {})


class NotAnExercise(InputError):
    """The clips show none of the three exercises, and none was named."""

    def __init__(self, recognition: Recognition) -> None:
        super().__init__(
            f"The clips look like {recognition.looks_like}. The tool judges squats, forward lunges and single-leg"
            " Romanian deadlifts, so nothing was judged; if the clips do show one of the three, name it.")
        self.recognition = recognition


@dataclass(frozen=True)
class Movement:
    """A stretch of the clip and what it looks like on its own frames."""

    start_s: float
    end_s: float
    recognition: Recognition

    def not_counted(self) -> NotCounted:
        """The movement, left out of the repetitions, with what it shows instead."""
        return NotCounted(round(self.start_s, 3), round(self.end_s, 3), self.recognition.reason)


def spoken(exercise: str) -> str:
    """The exercise's name inside a sentence: "a squat", "a single-leg Romanian deadlift"."""
    name = EXERCISE_NAMES[exercise]
    return f"a {name[0].lower()}{name[1:]}"


def recognise(perception: Perception) -> Recognition:
    """The exercise of a whole clip, by the pose rule over its movements (the result's ``method``
    says so).

    Each movement of the clip (``movements``) is named on its own; the clip is the exercise its
    movements name most, weighted by how sure each is, so that walking in, getting down to the
    floor or a different exercise before the set does not blur an obvious set. A clip whose
    movements are mostly none of the three is recognised as ``NONE``. A clip with no movement
    deep enough to segment is named from its deepest frames as a whole.

    The shipped classifier (``gymcore.models.recognise_perception``) was trained on 16 frames of
    one repetition; over a whole clip with set-up motion it named 19 of 24 SynthGym multi-repetition
    demo clips right where this rule named 24 of 24 (seeds 101-404), so the rule decides for clips.
    Looks at the lateral view when there is one.
    """
    view = _recognition_view(perception)
    signals = FrameSignals.of(view)
    # A misread body (the legs lost by the tracker) is evidence of no exercise at all.
    named = [movement for movement in movements(view, signals)
             if movement.recognition.evidence["legs_tracked"] >= LEGS_TRACKED]
    if not named:
        return decide(**window_features(view, signals))
    return by_weight(named)


@dataclass(frozen=True)
class FrameSignals:
    """Per frame of a view's timeline, what ``window_features`` reads of every window: computed once
    per view, so that naming many windows costs their slices only."""

    activity: np.ndarray  # knee flexion or trunk lean, whichever is larger (degrees, NaN where nobody was found)
    rise: np.ndarray  # how far both feet are above their surrounding level, over the image leg length (``_rise``)
    legs_drawn: np.ndarray  # bool: a leg drawn at least half its usual length (``_legs_drawn``)
    leg_m: float  # the clip's hip-to-ankle length in MediaPipe's world landmarks (metres)

    @classmethod
    def of(cls, view: ViewAnalysis) -> FrameSignals:
        xy = view.timeline_pixels()
        return cls(_activity(view), _rise(view, xy), _legs_drawn(view, xy),
                   _leg_length(view.timeline.world, view.timeline.detected))


def movements(view: ViewAnalysis, signals: FrameSignals) -> list[Movement]:
    """Every excursion of the view's activity deep and long enough to be a repetition of some
    exercise, each named by ``decide`` on its frames."""
    activity = MovementSignal("activity", view.timeline.time_s, signals.activity,
                              np.full(len(view.timeline.time_s), np.nan))
    return [Movement(rep.start_s, rep.end_s, decide(**window_features(view, signals, rep.start_s, rep.end_s)))
            for rep in segment(activity, "deadlift")]


def screened(perception: Perception, exercise: str,
             windows: list[dict[str, Repetition]], view: str) -> tuple[list[dict[str, Repetition]], list[Movement]]:
    """The repetition windows that may be ``exercise``, and those whose own frames show none of the
    three exercises (a move to the floor, a jump...), with what they show instead: movements that
    are not repetitions of the set.

    A window that looks like another of the three is kept: a faulty repetition looks like one (a
    lunge with too short a step like a squat, a single-leg RDL whose trunk stays up like a squat),
    as SynthGym's faulty demo sets showed when such windows were left out."""
    analysis = perception.views()[view]
    signals = FrameSignals.of(analysis)
    kept, rejected = [], []
    for window in windows:
        rep = window[view]
        named = decide(**window_features(analysis, signals, rep.start_s, rep.end_s))
        if named.exercise == NONE:
            rejected.append(Movement(rep.start_s, rep.end_s, named))
        else:
            kept.append(window)
    return kept, rejected


def _recognition_view(perception: Perception) -> ViewAnalysis:
    view = perception.lateral or perception.frontal
    if view is None:
        raise InputError("Give at least one clip to recognise the exercise from.")
    if not view.timeline.detected.any():
        raise InputError(f"Nobody was found in the {view.view} clip to recognise the exercise from.")
    return view


def by_weight(named: list[Movement]) -> Recognition:
    """The exercise the movements name with the most confidence in all; its confidence is its share
    of the whole, its evidence the median of its own movements' evidence."""
    weights: dict[str, float] = {}
    for movement in named:
        weights[movement.recognition.exercise] = weights.get(movement.recognition.exercise, 0.0) + \
            movement.recognition.confidence
    exercise = max(weights, key=lambda name: weights[name])
    own = [movement.recognition for movement in named if movement.recognition.exercise == exercise]
    evidence = {key: round(float(np.median([item.evidence[key] for item in own])), 3) for key in own[0].evidence}
    evidence["movements"] = len(named)
    evidence[f"movements_{exercise}"] = len(own)
    share = weights[exercise] / sum(weights.values())
    return Recognition(exercise, float(np.mean([item.confidence for item in own])) * share, "pose rule", evidence,
                       reason=own[0].reason)


def _activity(view: ViewAnalysis) -> np.ndarray:
    """Knee flexion or trunk lean, whichever is larger, per frame (degrees, NaN where nobody was found)."""
    knees = 180.0 - np.mean([view.angles["left_knee_3d"], view.angles["right_knee_3d"]], axis=0)
    activity = np.fmax(knees, view.angles["trunk_lean_3d"])
    return np.where(view.timeline.detected, activity, np.nan)


def window_features(view: ViewAnalysis, signals: FrameSignals, start_s: float | None = None,
                    end_s: float | None = None) -> dict[str, float]:
    """The evidence ``decide`` weighs, at the deepest frames (the top fifth of the activity) between
    ``start_s`` and ``end_s`` (the whole clip by default): free-leg lift, foot split front to back
    and stance width across (all over leg length), trunk lean, the knees' mean flexion and the gap
    between them (degrees) from MediaPipe's world landmarks (metres, so either camera will do); the
    flight of the whole body and the share of frames with the legs drawn, in the image. The stance
    width is signed: negative when the feet have crossed (the left ankle right of the right one)."""
    timeline = view.timeline
    span = np.ones(len(timeline.time_s), dtype=bool)
    if start_s is not None and end_s is not None:
        span = (timeline.time_s >= start_s) & (timeline.time_s <= end_s)
    inside = span & timeline.detected
    if inside.sum() < 2:
        raise InputError(f"Nobody was found in the {view.view} clip to recognise the exercise from.")
    activity = np.nan_to_num(signals.activity)
    frames = np.flatnonzero(inside)
    deepest = frames[activity[frames] >= np.quantile(activity[frames], 1.0 - DEEPEST_SHARE)]
    leg = signals.leg_m
    w = timeline.world[deepest]
    left, right = w[:, LANDMARK["left_ankle"]], w[:, LANDMARK["right_ankle"]]
    lift = np.abs(left[:, 1] - right[:, 1]) / leg
    # Front to back is across the hip line, in the floor plane (world x and z).
    across = (w[:, LANDMARK["left_hip"]] - w[:, LANDMARK["right_hip"]])[:, [0, 2]]
    across /= np.linalg.norm(across, axis=1, keepdims=True)
    forward = np.column_stack([-across[:, 1], across[:, 0]])
    feet = (left - right)[:, [0, 2]]
    knees = 180.0 - np.stack([view.angles["left_knee_3d"][deepest], view.angles["right_knee_3d"][deepest]])
    return {
        "free_leg_lift": round(float(np.nanmedian(lift)), 3),
        "foot_split": round(float(np.nanmedian(np.abs(np.sum(feet * forward, axis=1)))) / leg, 3),
        "stance_width": round(float(np.nanmedian(np.sum(feet * across, axis=1))) / leg, 3),
        "trunk_lean_deg": round(float(np.nanmedian(view.angles["trunk_lean_3d"][deepest])), 1),
        "knee_flexion_deg": round(float(np.nanmedian(knees)), 1),
        "knee_gap_deg": round(float(np.abs(np.nanmedian(knees[0]) - np.nanmedian(knees[1]))), 1),
        "flight": round(_held(signals.rise[frames]), 3),
        "legs_tracked": round(float(signals.legs_drawn[span].mean()), 3),
    }


def _leg_length(points: np.ndarray, detected: np.ndarray) -> float:
    """The median left hip-to-ankle length over the detected frames, in the points' unit (world
    metres, or picture pixels)."""
    return float(np.nanmedian(np.linalg.norm(points[detected][:, LANDMARK["left_hip"]]
                                             - points[detected][:, LANDMARK["left_ankle"]], axis=1)))


def _legs_drawn(view: ViewAnalysis, xy: np.ndarray) -> np.ndarray:
    """Per frame, whether a leg is drawn at least half its median length over the clip (thigh plus
    shin, in the picture); False where nobody was found."""

    def length(side: str) -> np.ndarray:
        hip, knee, ankle = (xy[:, LANDMARK[f"{side}_{joint}"]] for joint in ("hip", "knee", "ankle"))
        return np.linalg.norm(hip - knee, axis=1) + np.linalg.norm(knee - ankle, axis=1)

    legs = np.fmax(length("left"), length("right"))
    return view.timeline.detected & (legs >= 0.5 * np.nanmedian(legs[view.timeline.detected]))


def _rise(view: ViewAnalysis, xy: np.ndarray) -> np.ndarray:
    """Per frame, how far both feet are off the floor together, over the image leg length: each
    ankle's rise above where it was over the surrounding ``FLIGHT_BASELINE_S`` (its rolling median,
    which follows a drifting camera), the lower of the two; 0 in frames whose feet are not below the
    hips (in the air the legs hang below them: feet drawn at the hips' height are a misread body).
    About 0 without a jump: a lifted leg leaves the other foot down."""
    time_s = view.timeline.time_s
    leg = max(_leg_length(xy, view.timeline.detected), 1e-6)
    step = float(np.median(np.diff(time_s))) if len(time_s) > 1 else 1.0
    size = max(3, int(round(FLIGHT_BASELINE_S / max(step, 1e-6))) | 1)
    rises = []
    for ankle in ("left_ankle", "right_ankle"):
        height = fill_gaps(xy[:, LANDMARK[ankle], 1])
        if not np.isfinite(height).all():
            return np.zeros(len(time_s))
        rises.append(rolling_median(height, size) - height)
    hips = (xy[:, LANDMARK["left_hip"], 1] + xy[:, LANDMARK["right_hip"], 1]) / 2
    legs_below = (np.fmax(xy[:, LANDMARK["left_ankle"], 1], xy[:, LANDMARK["right_ankle"], 1]) - hips) >= 0.5 * leg
    return np.where(legs_below, np.fmin(*rises) / leg, 0.0)


def _held(rise: np.ndarray) -> float:
    """The rise held ``FLIGHT_FRAMES`` frames running at its highest (a tracking glitch of a frame or
    two is no jump), 0 when shorter or below the floor."""
    if len(rise) < FLIGHT_FRAMES:
        return 0.0
    held = np.lib.stride_tricks.sliding_window_view(rise, FLIGHT_FRAMES).min(axis=1)
    return float(max(held.max(), 0.0))


def decide(free_leg_lift: float, foot_split: float, trunk_lean_deg: float, stance_width: float = 0.5,
           knee_flexion_deg: float = 90.0, knee_gap_deg: float = 0.0, flight: float = 0.0,
           legs_tracked: float = 1.0) -> Recognition:
    """The exercise the evidence shows, or ``NONE`` with the reason in words; each test's margin over
    its threshold gives the confidence."""
    evidence = {"free_leg_lift": free_leg_lift, "foot_split": foot_split, "trunk_lean_deg": trunk_lean_deg,
                "stance_width": stance_width, "knee_flexion_deg": knee_flexion_deg, "knee_gap_deg": knee_gap_deg,
                "flight": flight, "legs_tracked": legs_tracked}
    if legs_tracked < LEGS_TRACKED:
        return _none(LEGS_TRACKED / max(legs_tracked, 1e-6), evidence,
                     f"the tracker lost the athlete's legs in {1 - legs_tracked:.0%} of its frames (a misread body,"
                     " not a movement)")
    if flight >= FLIGHT:
        return _none(flight / FLIGHT, evidence, f"the whole body left the floor ({flight:.2f} leg lengths): a jump")
    if free_leg_lift >= BOTH_FEET_DOWN:
        hinge = max(min(free_leg_lift / FREE_LEG_LIFT, trunk_lean_deg / DEADLIFT_TRUNK_LEAN_DEG),
                    trunk_lean_deg / DEEP_HINGE_LEAN_DEG)
        if hinge >= 1.0:
            return Recognition("deadlift", _confidence(hinge), "pose rule", evidence)
    else:
        hinge = _two_legged_hinge(trunk_lean_deg, knee_flexion_deg)
        if hinge >= 1.0:
            return _none(hinge, evidence, f"the trunk tipped to {trunk_lean_deg:.0f} degrees with both feet on the"
                                          " floor: a two-legged deadlift, or a move to the floor")
    if knee_flexion_deg < SHALLOW_KNEES_DEG and trunk_lean_deg < DEADLIFT_TRUNK_LEAN_DEG:
        return _none(SHALLOW_KNEES_DEG / max(knee_flexion_deg, 1.0), evidence,
                     f"the knees bent only {knee_flexion_deg:.0f} degrees with the trunk upright: no squat, lunge or"
                     " hinge, as in a step-up or standing")
    if stance_width <= CROSSED_STANCE:
        return _none(stance_width / CROSSED_STANCE, evidence, f"the feet crossed behind each other"
                                                             f" ({-stance_width:.2f} leg lengths): a curtsy lunge")
    side = min(stance_width / SIDE_LUNGE_STANCE, knee_gap_deg / SIDE_LUNGE_KNEE_GAP_DEG)
    if side >= 1.0 and foot_split < LUNGE_SPLIT:
        return _none(side, evidence, f"one knee bent {knee_gap_deg:.0f} degrees more than the other over a wide"
                                     " stance: a side lunge")
    split = foot_split / LUNGE_SPLIT
    if split >= 1.0:
        return Recognition("lunges", _confidence(split) * _confidence(1 / max(hinge, 1e-6)), "pose rule", evidence)
    return Recognition("squat", _confidence(1 / max(split, 1e-6)) * _confidence(1 / max(hinge, 1e-6)),
                       "pose rule", evidence)


def _two_legged_hinge(trunk_lean_deg: float, knee_flexion_deg: float) -> float:
    """Past 1 when the trunk tipped as a hinge does rather than as a squat leaning forward: past
    ``TWO_LEG_HINGE_LEAN_DEG``, or past ``DEEP_HINGE_LEAN_DEG`` with the knees bent less than a squat's."""
    deep = trunk_lean_deg / TWO_LEG_HINGE_LEAN_DEG
    straight_knees = min(trunk_lean_deg / DEEP_HINGE_LEAN_DEG, SQUAT_KNEE_FLEXION_DEG / max(knee_flexion_deg, 1e-6))
    return max(deep, straight_knees)


def _none(ratio: float, evidence: dict[str, float], reason: str) -> Recognition:
    return Recognition(NONE, _confidence(ratio), "pose rule", evidence, reason=reason)


def _confidence(ratio: float) -> float:
    """How far a feature is past its threshold, as a probability: 0.5 at the threshold, about
    0.9 at 1.5 times it."""
    return 1.0 / (1.0 + math.exp(-5.4 * math.log(max(ratio, 1e-6))))
