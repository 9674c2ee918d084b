"""Every threshold the rules model uses, in one dataclass a user can adjust.

Defaults come from coaching and biomechanics sources, cited beside each value:

- [NSCA] Haff & Triplett (eds.), *Essentials of Strength Training and Conditioning*, 4th ed.,
  NSCA 2016: squat, lunge and Romanian deadlift technique checklists.
- [Schoenfeld] Schoenfeld B. J., "Squatting kinematics and kinetics and their application to
  exercise performance", J Strength Cond Res 24(12), 2010.
- [Escamilla] Escamilla R. F., "Knee biomechanics of the dynamic squat exercise", Med Sci Sports
  Exerc 33(1), 2001: stance width and foot angle.
- [IPF] International Powerlifting Federation Technical Rules: depth = the top of the thighs at
  the hip joint below the top of the knees.
- [Farrokhi] Farrokhi S. et al., "Trunk position influences the kinematics, kinetics, and muscle
  activity of the lead lower extremity during the forward lunge exercise", JOSPT 38(7), 2008.
- [ACE] American Council on Exercise exercise library: forward lunge (front knee about 90 degrees,
  back knee toward the floor under the hip), single-leg Romanian deadlift (soft standing knee,
  free leg in line with the torso).
- [McGill] McGill S., *Ultimate Back Fitness and Performance*, 2004: neutral spine under load.

Angles are in degrees; lengths are in body segment lengths measured in the same frame, so that
they do not depend on the camera's distance or resolution.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from gymcore.viewcheck import ViewCheckLimits


@dataclass(frozen=True)
class Limit:
    """A pass band: low <= value <= high (either end may be open). softness is how far past a
    bound (in the value's unit) the pass probability falls from 0.5 to about 0.27."""

    low: float | None = None
    high: float | None = None
    softness: float = 1.0

    def margin(self, value: float) -> float:
        """Signed distance to the nearest bound: positive inside the band."""
        sides = [value - self.low] if self.low is not None else []
        sides += [self.high - value] if self.high is not None else []
        return min(sides)

    def describe(self) -> str:
        if self.low is not None and self.high is not None:
            return f"{self.low:g} to {self.high:g}"
        return f">= {self.low:g}" if self.low is not None else f"<= {self.high:g}"


@dataclass(frozen=True)
class RulesConfig:
    """One pass band per criterion, then the view checks."""

    # Squat.
    # Heel lift: the foot's pitch above its pitch at the start of the repetition [NSCA: heels stay
    # on the floor]. 7 degrees is a heel visibly off the floor, beyond landmark noise.
    squat_heel_lift_deg: Limit = Limit(high=7.0, softness=2.0)
    # Hip flexion change over knee flexion change early in the descent: about 1 when both bend
    # together [Schoenfeld: hips and knees flex in concert]; below 0.7 the knees lead, above 2.5
    # the hips.
    squat_hip_knee_ratio: Limit = Limit(low=0.7, high=2.5, softness=0.1)
    # Hip centre behind the ankle at the bottom, in thigh lengths [NSCA: "sit back"; the hips travel
    # behind the heels when the trunk balances over mid-foot].
    squat_hip_behind_ankle: Limit = Limit(low=0.18, softness=0.06)
    # Back rounding: the ear-shoulder-hip angle lost between the start and the bottom. MediaPipe
    # sees no vertebrae, so the curl of the head and shoulders over the hips stands in for the
    # lumbar flexion [McGill: neutral spine, head in line with the trunk].
    squat_back_curl_deg: Limit = Limit(high=25.0, softness=6.0)
    # Hip joint below the knee joint at the deepest frame, in thigh lengths [IPF depth rule].
    squat_hip_below_knee: Limit = Limit(low=0.0, softness=0.05)
    # Foot progression angle from straight ahead [Escamilla: 0-30 degrees out; the criterion's
    # "about 30 degrees"]; below 15 the feet point straight, above 45 they splay.
    squat_foot_angle_deg: Limit = Limit(low=15.0, high=45.0, softness=4.0)

    # Lunges.
    # Lateral heel spacing over shoulder width [NSCA: feet hip- to shoulder-width apart, "on rails"].
    lunge_heel_width_ratio: Limit = Limit(low=0.35, high=1.6, softness=0.1)
    # Head pitch: the ear-to-eye line below horizontal (the Frankfort plane is level looking ahead).
    lunge_head_pitch_deg: Limit = Limit(low=-25.0, high=18.0, softness=4.0)
    # Front knee angle at the bottom [ACE: about 90 degrees; a shallow lunge stays above 100].
    lunge_front_knee_deg: Limit = Limit(low=70.0, high=100.0, softness=4.0)
    # Range of the shoulder angle (hip-shoulder-elbow) over the repetition: a natural counter-swing
    # stays within about 25 degrees; flailing arms go well past it.
    lunge_arm_swing_deg: Limit = Limit(high=25.0, softness=4.0)
    # Foot progression angle of the worse foot [NSCA: both feet point forward].
    lunge_foot_angle_deg: Limit = Limit(high=25.0, softness=5.0)
    # Trunk lean from vertical over the repetition [Farrokhi: the upright lunge keeps the trunk
    # within about 10 degrees of vertical; their forward-lean condition is about 30].
    lunge_trunk_lean_deg: Limit = Limit(high=14.0, softness=3.0)
    # Back thigh from vertical at the bottom [ACE: the back knee drops straight down under the hip].
    lunge_back_thigh_deg: Limit = Limit(high=18.0, softness=4.0)

    # Single-leg Romanian deadlift.
    # Horizontal range of the hip centre over the repetition, in torso lengths [NSCA: a stable
    # base; losing balance shows as sway or a hop of the standing foot].
    deadlift_hip_sway: Limit = Limit(high=0.25, softness=0.06)
    # Back rounding at the bottom, as for the squat [McGill].
    deadlift_back_curl_deg: Limit = Limit(high=25.0, softness=6.0)
    # Angle between the torso line and the free leg at the bottom, from straight [ACE: the free leg
    # extends in line with the torso].
    deadlift_leg_line_deg: Limit = Limit(high=30.0, softness=6.0)
    # Peak trunk angular speed around the turn (deg/s) [NSCA: controlled tempo]. A controlled
    # hinge pauses at the bottom, so the trunk is nearly still there; a drop and bounce turns at
    # the hinge's full speed (about 100 deg/s for 70 degrees in 1.4 s).
    deadlift_turn_speed_dps: Limit = Limit(high=70.0, softness=10.0)
    # Standing knee flexion at the bottom [ACE, NSCA: "soft", about 15-25 degrees; below 8 it is
    # locked, beyond 40 a squat].
    deadlift_support_knee_flexion_deg: Limit = Limit(low=8.0, high=40.0, softness=3.0)

    view: ViewCheckLimits = field(default_factory=ViewCheckLimits)


DEFAULT_RULES = RulesConfig()
