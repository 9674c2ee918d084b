"""Which motion parameter decides each criterion's label, and where its threshold lies.

FAULT_TABLE is the one place that ties a catalogue criterion to a parameter of the motion
programs. A repetition satisfies the criterion (label 1) exactly when its parameter lies inside
``passes``. Parameters are drawn from ``pass_draw`` or ``fail_draw``, which keep a margin from the
threshold so that labels are learnable and checkable by rule; the margins are small enough that
some draws land near the threshold.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gymcore.criteria import EXERCISES, criteria_for

Interval = tuple[float, float]


@dataclass(frozen=True)
class FaultRule:
    exercise: str
    criterion: str  # catalogue id
    parameter: str  # field of the exercise's repetition parameters
    unit: str
    passes: Interval  # label 1 iff passes[0] <= value <= passes[1]
    pass_draw: tuple[Interval, ...]
    fail_draw: tuple[Interval, ...]
    shows_as: str  # what the fault looks like in the pictures

    def label(self, value: float) -> int:
        return int(self.passes[0] <= value <= self.passes[1])

    def draw(self, satisfied: bool, rng: np.random.Generator) -> float:
        """A parameter value with the wanted label, uniform over the drawing intervals."""
        intervals = np.array(self.pass_draw if satisfied else self.fail_draw)
        widths = intervals[:, 1] - intervals[:, 0]
        pick = int(rng.choice(len(intervals), p=widths / widths.sum()))
        return float(rng.uniform(*intervals[pick]))


INF = float("inf")

FAULT_TABLE: tuple[FaultRule, ...] = (
    # Squat (SquatProgram fields)
    FaultRule("squat", "feet_flat", "heel_lift_deg", "deg", (-INF, 6.0), ((0.0, 3.5),), ((10.0, 24.0),),
              "heels rise off the floor at the bottom, the feet pitch onto the toes"),
    FaultRule("squat", "hip_knee_bend", "hip_lag", "fraction of descent", (-INF, 0.15), ((0.0, 0.1),), ((0.3, 0.55),),
              "the knees travel forward with an upright trunk before the hips start to bend"),
    FaultRule("squat", "hips_backward", "shank_tilt_deg", "deg", (-INF, 38.0), ((24.0, 34.0),), ((44.0, 56.0),),
              "knees shoot far past the toes and the hips drop straight down instead of back"),
    FaultRule("squat", "neutral_back", "lumbar_flexion_deg", "deg", (-INF, 10.0), ((0.0, 6.0),), ((18.0, 38.0),),
              "the lower back rounds at the bottom, the chest folds toward the thighs"),
    FaultRule("squat", "hips_below_knee", "depth_deg", "deg thigh from vertical", (92.0, INF), ((98.0, 118.0),),
              ((62.0, 85.0),), "at the bottom the hip crease stays above the knee"),
    FaultRule("squat", "feet_angled", "toe_out_deg", "deg", (15.0, INF), ((20.0, 36.0),), ((-4.0, 9.0),),
              "the feet point straight ahead instead of turning out"),
    # Forward lunge (LungeParams fields)
    FaultRule("lunges", "heels_width", "track_width", "ankle spacing / shoulder width", (0.5, INF), ((0.6, 1.0),),
              ((-0.1, 0.35),), "the feet land on one line, as on a tightrope"),
    FaultRule("lunges", "head_forward", "gaze_down_deg", "deg below horizontal", (-INF, 15.0), ((-6.0, 8.0),),
              ((26.0, 48.0),), "the head drops to look at the floor"),
    FaultRule("lunges", "front_knee_90", "front_knee_deg", "deg knee flexion at the bottom", (78.0, INF),
              ((84.0, 104.0),), ((42.0, 70.0),), "a shallow lunge: the front knee stays well short of a right angle"),
    FaultRule("lunges", "arm_swing", "arm_swing_deg", "deg shoulder swing", (-INF, 40.0), ((8.0, 32.0),),
              ((55.0, 95.0),), "the arms flail high forward and back with the stride"),
    FaultRule("lunges", "feet_aligned", "foot_turn_deg", "deg outward", (-INF, 12.0), ((-3.0, 7.0),), ((20.0, 40.0),),
              "the feet turn outward instead of pointing along the lunge"),
    FaultRule("lunges", "back_straight", "trunk_lean_deg", "deg forward", (-INF, 14.0), ((0.0, 8.0),), ((22.0, 42.0),),
              "the torso pitches forward and rounds over the front thigh"),
    FaultRule("lunges", "back_knee", "back_thigh_deg", "deg behind vertical", (-INF, 16.0), ((0.0, 10.0),),
              ((26.0, 42.0),), "the back knee trails far behind the hip instead of dropping under it"),
    # Single-leg Romanian deadlift (DeadliftParams fields)
    FaultRule("deadlift", "balance", "sway_deg", "deg side-to-side", (-INF, 3.0), ((0.0, 1.8),), ((6.0, 13.0),),
              "the body rocks from side to side over the standing foot and the arms reach out"),
    FaultRule("deadlift", "straight_back", "back_rounding_deg", "deg", (-INF, 10.0), ((0.0, 6.0),), ((20.0, 40.0),),
              "the back rounds into a hunch as the trunk tips forward"),
    FaultRule("deadlift", "leg_extension", "free_leg_gap_deg", "deg below the trunk line", (-INF, 15.0),
              ((0.0, 9.0),), ((28.0, 55.0),), "the free leg hangs low and bent instead of continuing the trunk line"),
    FaultRule("deadlift", "control_reverse", "turn_pause_s", "s", (0.25, INF), ((0.35, 0.75),), ((0.0, 0.12),),
              "the trunk drops fast into the bottom and bounces straight back up"),
    FaultRule("deadlift", "knee_bent", "support_knee_deg", "deg knee flexion", (10.0, 36.0), ((14.0, 30.0),),
              ((0.0, 5.0), (46.0, 62.0)), "the standing knee is locked straight, or bent into a squat"),
)


def rules_for(exercise: str) -> tuple[FaultRule, ...]:
    """The rules of one exercise in the catalogue's criterion order."""
    by_id = {rule.criterion: rule for rule in FAULT_TABLE if rule.exercise == exercise}
    return tuple(by_id[criterion.id] for criterion in criteria_for(exercise))


def labels_from_parameters(exercise: str, parameters: dict[str, float]) -> dict[str, int]:
    return {rule.criterion: rule.label(parameters[rule.parameter]) for rule in rules_for(exercise)}


def check_table() -> None:
    """Raise if a criterion lacks a rule or a drawing interval contradicts its label."""
    for exercise in EXERCISES:
        rules = rules_for(exercise)
        for rule in rules:
            for low, high in rule.pass_draw:
                if not (rule.label(low) and rule.label(high)):
                    raise ValueError(f"{rule.criterion}: pass interval {(low, high)} leaves {rule.passes}.")
            for low, high in rule.fail_draw:
                inside = [v for v in (low, high) if rule.label(v)]
                if inside or (low < rule.passes[0] < high) or (low < rule.passes[1] < high):
                    raise ValueError(f"{rule.criterion}: fail interval {(low, high)} overlaps {rule.passes}.")


def table_rows() -> list[dict[str, object]]:
    """The table as plain records (for the dataset card)."""
    return [
        {"exercise": r.exercise, "criterion": r.criterion, "parameter": r.parameter, "unit": r.unit,
         "passes": [None if abs(v) == INF else v for v in r.passes],
         "pass_draw": [list(i) for i in r.pass_draw], "fail_draw": [list(i) for i in r.fail_draw],
         "shows_as": r.shows_as}
        for r in FAULT_TABLE
    ]
