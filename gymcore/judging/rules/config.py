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
- [SynthGym] calibrated on the SynthGym train+val split (participant split of gymcore.data.dataset,
  seed 0), MediaPipe landmarks: the bound that best separates the generator's labels there, in
  the measurement the source describes. Landmark placement shifts some values from the geometric
  ones (noted beside each); re-calibrate for another pose estimator.

Angles are in degrees; lengths are in body segment lengths measured in the same frame, so that
they do not depend on the camera's distance or resolution.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from gymcore.perception.trackcheck import ViewCheckLimits


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
    # Heel lift: the heels' and ankles' rise above standing height in the deep half of the squat,
    # frontal view, in torso lengths [NSCA: heels stay on the floor]. A heel lifted 10 degrees on a
    # foot of about 0.4 torso lengths raises the heel by about 0.07 and the ankle by about 0.03.
    # [SynthGym] 0.035.
    squat_heel_rise: Limit = Limit(high=0.035, softness=0.01)
    # The same seen side-on, used when no usable frontal view is given: the heels' rise above
    # standing height in the deep half of the squat, lateral view, in torso lengths [NSCA: heels
    # stay on the floor]. [SynthGym] 0.09, the bound that best separates the generator's
    # feet_flat labels on the synth2026 set's train+val split (seed 0, 249 repetitions; 16.1%
    # wrong there, 16.3% on its test split, against 4.8% and 9.3% for the frontal measure). The
    # heel's rise relative to the toes separated worse (25-28% wrong): MediaPipe's foot_index
    # rises with the heel. Measured by scripts/calibrate_lateral.py.
    squat_heel_rise_lateral: Limit = Limit(high=0.09, softness=0.02)
    # Knees ahead of the hips on the way down: the largest gap between the share of its forward
    # travel the knee has made and the share of its flexion the hip has made [Schoenfeld: hips and
    # knees flex in concert]. 0 when they move together; 0.5 when the knee has made half its travel
    # before the hip has started, the protocol's fault ("one joint has made more than half its
    # travel before the other has started", docs/real-benchmark.md). [Real tuning] labelled-pass
    # values: median 0.34, 90th percentile 0.49, max 0.53 (n=20). [SynthGym] labels a lag of 0.15
    # of the descent a fault, and its best bound is 0.36 (the landmarks' jitter over 16 frames adds
    # about 0.15 to a well-coordinated repetition); at 0.5 it is wrong on 60 of 249 train+val
    # repetitions against 39, and on 5 of 43 test ones against 6.
    squat_knee_lead: Limit = Limit(high=0.5, softness=0.06)
    # Hips back, not straight down: the shins' forward tilt at its largest [NSCA: "sit back", the
    # hips travel behind the heels and the knees stay over the feet; Schoenfeld: shin angle about
    # 30-35 degrees in a balanced bodyweight squat, more when the knees shoot forward].
    # [SynthGym] 34.
    squat_shin_tilt_deg: Limit = Limit(high=34.0, softness=2.0)
    # Back rounding [McGill: neutral spine under load]. MediaPipe sees no vertebrae; with the arms
    # held forward (the usual bodyweight squat) they stay square to the upper back, so the angle
    # between the arms and the shoulder-hip line closes as the upper back curls over the lower.
    # About 90 with a neutral back. [SynthGym] 88.9.
    squat_arms_to_trunk_deg: Limit = Limit(low=88.9, softness=3.0)
    # Hip joint below the knee joint at the deepest frame, in thigh lengths [IPF depth rule: 0].
    # [SynthGym] -0.2: MediaPipe puts the hip landmark above the joint centre in a deep squat.
    squat_hip_below_knee: Limit = Limit(low=-0.2, softness=0.05)
    # Foot progression angle from straight ahead [Escamilla: 0-30 degrees out; the criterion's
    # "about 30 degrees"]; below 15 the feet point straight, above 45 they splay. [SynthGym] the
    # low bound 10: the landmarks' relative depth flattens the angle.
    squat_foot_angle_deg: Limit = Limit(low=10.0, high=45.0, softness=4.0)

    # Lunges.
    # Sideways spacing of the lower legs (ankles and knees) over shoulder width at the bottom [NSCA:
    # feet hip- to shoulder-width apart, "on rails", not on a tightrope]. [SynthGym] 0.31.
    lunge_track_width_ratio: Limit = Limit(low=0.31, high=1.6, softness=0.06)
    # Head in line with the trunk: the ear-shoulder-hip angle at its smallest in the lower half of
    # the lunge [NSCA: eyes ahead; McGill: head in line with the trunk]. About 180 looking ahead;
    # looking down at the floor folds it. [SynthGym] 158 (the best train+val bound for this measure,
    # 157.9). [Real tuning] labelled-pass values: median 162.3, 10th percentile 157.3, min 153.9
    # (n=14); 157 would pass all but one, at 3 more SynthGym train+val errors.
    lunge_head_trunk_deg: Limit = Limit(low=158.0, softness=4.0)
    # Front knee angle at its most bent [ACE: about 90 degrees; a shallow lunge stays well above it].
    # [SynthGym] 110: MediaPipe's knee angle reads about 15 degrees more open. No lower bound: a
    # deeper front knee is not a fault of this criterion, and single-frame misreads reach below 40.
    lunge_front_knee_deg: Limit = Limit(high=110.0, softness=4.0)
    # Range of the two upper arms' separation (shoulder flexion, left minus right) over the
    # repetition: a natural counter-swing of about 30 degrees each way opens and closes it by about
    # 60; flailing arms go well past it [the protocol's "well past a natural counter-swing of about
    # 30 degrees"]. [SynthGym] 65 (train+val bounds 61.5 to 72 all separate the labels).
    # [Real tuning] labelled-pass values: median 15.8, 90th percentile 21.7, max 25.4 (n=14).
    lunge_arm_swing_deg: Limit = Limit(high=65.0, softness=8.0)
    # Foot progression angle, both feet averaged, while standing [NSCA: both feet point forward].
    # [SynthGym] 4.8.
    lunge_foot_angle_deg: Limit = Limit(high=4.8, softness=2.0)
    # Trunk lean from vertical over the repetition [Farrokhi: the upright lunge keeps the trunk
    # within about 10 degrees of vertical; their forward-lean condition is about 30]: halfway, 20.
    # [Real tuning] labelled-pass values: median 17.2, 90th percentile 27.6 (n=14), so the earlier
    # 14 failed 9 of them; [SynthGym] any bound from 13 to 20 makes no error on train+val or test.
    lunge_trunk_lean_deg: Limit = Limit(high=20.0, softness=3.0)
    # Back thigh from vertical at the bottom [ACE: the back knee drops straight down under the hip].
    # [SynthGym] 11.
    lunge_back_thigh_deg: Limit = Limit(high=11.0, softness=3.0)

    # Single-leg Romanian deadlift.
    # Horizontal range of the hip centre over the repetition, in torso lengths [NSCA: a stable
    # base; losing balance shows as sway or a hop of the standing foot]. [SynthGym] 0.21.
    # Frontal only: no side-on measure separated SynthGym's balance labels (synth2026 train+val,
    # seed 0, 228 repetitions): the standing foot's horizontal range and the hips' fore-aft sway
    # beyond the hinge were 44.3% wrong at their best bounds, guessing 'pass' 45.2% (this measure
    # 1.3%). scripts/calibrate_lateral.py deadlift balance.
    deadlift_hip_sway: Limit = Limit(high=0.21, softness=0.04)
    # Back rounding at the bottom [McGill]: the ear-shoulder-hip angle, 180 with the head and upper
    # back in line with the lower back; a hunch folds it. [SynthGym] 167. A weak proxy: on exact
    # joints it loses about a third of the rounding, but MediaPipe's ear and shoulder jitter in a
    # deep hinge as much as that (wrong on about 28% of SynthGym train reps).
    deadlift_head_trunk_deg: Limit = Limit(low=167.0, softness=3.0)
    # Free knee flexion at the bottom [ACE: the free leg extends straight behind, in line with the
    # torso; a leg left hanging bends]. [SynthGym] 29.
    deadlift_free_knee_flexion_deg: Limit = Limit(high=29.0, softness=5.0)
    # Speed of the head and shoulders entering the bottom over their peak speed in the repetition
    # [NSCA: controlled tempo, no bounce]. A controlled hinge slows into a pause at the bottom; a
    # drop reaches it at full speed (1). Relative to the repetition, so it needs no frame times.
    # [SynthGym] 0.96.
    deadlift_turn_speed_share: Limit = Limit(high=0.96, softness=0.05)
    # Standing shin's forward tilt in the lower half of the hinge [ACE, NSCA: a "soft" knee, about
    # 15-25 degrees of flexion, brings the shin forward about half as far; locked, the shin stays
    # vertical; beyond 40 degrees of flexion the hinge becomes a squat, about 20 of shin tilt].
    # [SynthGym] 2 to 18.5, the upper bound raised to 20, the protocol's 40 degrees of flexion
    # ("outside a soft bend of about 10 to 40 degrees"): [Real tuning] labelled-pass values 15.8,
    # 18.8 and 19.6 (n=3, two failed at 18.5); SynthGym test errors unchanged (1 of 42), train+val
    # 18 -> 22 of 228.
    deadlift_support_shin_tilt_deg: Limit = Limit(low=2.0, high=20.0, softness=2.0)

    view: ViewCheckLimits = field(default_factory=ViewCheckLimits)


DEFAULT_RULES = RulesConfig()
