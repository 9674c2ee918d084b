"""The biomechanical criteria of ALEX-GYM-1 (paper section 3.1.2), one catalogue for the whole product.

Display names follow the paper's Tables 5 to 7 so that our figures and the published ones line up
row by row. Ids are stable snake_case keys: they name dataset columns, weights' outputs and saved
verdicts, so never rename one.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Literal

View = Literal["frontal", "lateral"]
# The two views of the paper's protocol, in the order every dataset, model and table uses.
VIEWS: tuple[View, ...] = ("frontal", "lateral")
EXERCISES: tuple[str, ...] = ("squat", "lunges", "deadlift")
EXERCISE_NAMES: dict[str, str] = {
    "squat": "Squat",
    "lunges": "Lunge",
    "deadlift": "Single-leg Romanian deadlift",
}


@dataclass(frozen=True)
class Criterion:
    """One pass/fail aspect of form; 1 (pass) means the athlete satisfied it."""

    id: str
    name: str
    description: str
    cue: str
    view: View

    def to_dict(self) -> dict[str, str]:
        return asdict(self)


_CATALOGUE: dict[str, tuple[Criterion, ...]] = {
    "squat": (
        Criterion("feet_flat", "Feet flat", "Feet stay flat on the floor, heels down",
                  "Keep your whole foot on the floor: push through the heels.", "lateral"),
        Criterion("hip_knee_bend", "Hip/knee bend", "Hip and knee bend simultaneously",
                  "Start the descent by bending hips and knees together.", "lateral"),
        Criterion("hips_backward", "Hips backward", "Hips move backward",
                  "Sit back: send the hips behind the heels as you go down.", "lateral"),
        Criterion("neutral_back", "Neutral back", "Neutral lower back",
                  "Brace and keep the lower back neutral; don't let it round at the bottom.", "lateral"),
        Criterion("hips_below_knee", "Hips below knee", "Hips below knee level",
                  "Go deeper: bring the hip crease below the top of the knee.", "lateral"),
        Criterion("feet_angled", "Feet angled", "Feet angled outward about 30 degrees",
                  "Turn the toes out a little, about 30 degrees.", "frontal"),
    ),
    "lunges": (
        Criterion("heels_width", "Heels width", "Heels shoulder-width apart",
                  "Set the feet about shoulder-width apart, as if on two rails.", "frontal"),
        Criterion("head_forward", "Head forward", "Head looking forward",
                  "Keep your gaze straight ahead, chin level.", "lateral"),
        Criterion("front_knee_90", "90° knee bend", "Front knee bent to about 90 degrees",
                  "Lower until the front knee reaches about 90 degrees.", "lateral"),
        Criterion("arm_swing", "Arms swing", "Natural arm swing",
                  "Let the arms move naturally with the stride; don't lock or flail them.", "lateral"),
        Criterion("feet_aligned", "Feet aligned", "Feet aligned",
                  "Point both feet forward, in line with the direction of the lunge.", "frontal"),
        Criterion("back_straight", "Back straight", "Back straight",
                  "Keep the torso upright and the back straight.", "lateral"),
        Criterion("back_knee", "Back knee pos.", "Back knee position",
                  "Drop the back knee straight down, close to the floor, under the hip.", "lateral"),
    ),
    "deadlift": (
        Criterion("balance", "Balance", "Balance kept",
                  "Stay steady on the standing leg; slow down and fix your eyes on one spot.", "frontal"),
        Criterion("straight_back", "Straight back", "Back straight",
                  "Hinge at the hip with a long, straight back; don't round it.", "lateral"),
        Criterion("leg_extension", "Leg extension", "Free leg extended in line with the torso",
                  "Reach the free leg back so it stays in line with your torso.", "lateral"),
        Criterion("control_reverse", "Control reverse", "Controlled reversal",
                  "Pause and turn around smoothly at the bottom; no bounce or drop.", "lateral"),
        Criterion("knee_bent", "Knee bent", "Support knee slightly bent",
                  "Keep a soft bend in the standing knee, neither locked nor squatting.", "lateral"),
    ),
}


def criteria_for(exercise: str) -> tuple[Criterion, ...]:
    """The criteria of one exercise, in the paper's (and the weights') output order."""
    try:
        return _CATALOGUE[exercise]
    except KeyError:
        raise ValueError(
            f"Unknown exercise {exercise!r}: choose one of {', '.join(EXERCISES)}."
        ) from None


def criterion(exercise: str, criterion_id: str) -> Criterion:
    for item in criteria_for(exercise):
        if item.id == criterion_id:
            return item
    raise ValueError(f"The {exercise} has no criterion {criterion_id!r}.")


def catalogue_dict() -> dict[str, list[dict[str, str]]]:
    """The catalogue as the CLI prints it: {exercise: [{id, name, cue, view}]}."""
    return {
        exercise: [{"id": c.id, "name": c.name, "cue": c.cue, "view": c.view} for c in items]
        for exercise, items in _CATALOGUE.items()
    }
