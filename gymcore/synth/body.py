"""A procedural human: participant proportions, joint angles, and the 33 MediaPipe landmarks.

World frame (metres, right-handed): x points to the right as seen from the frontal camera
(the participant's left when facing it), y points up, z points toward the frontal camera.
The floor is the plane y = 0. A participant with zero yaw faces +z.

Rotation signs used throughout (degrees): a positive rotation about +x moves the top of a
segment forward (+z) and its bottom backward. Hence trunk flexion and pelvis pitch are
positive about +x, while hip flexion, shoulder flexion and elbow flexion swing the distal end
forward and are applied as negative rotations about +x; knee flexion is positive about +x.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Literal

import numpy as np

N_LANDMARKS = 33

# MediaPipe PoseLandmark indices, named here so that geometry code reads as anatomy.
NOSE = 0
LEFT_EYE_INNER, LEFT_EYE, LEFT_EYE_OUTER = 1, 2, 3
RIGHT_EYE_INNER, RIGHT_EYE, RIGHT_EYE_OUTER = 4, 5, 6
LEFT_EAR, RIGHT_EAR = 7, 8
MOUTH_LEFT, MOUTH_RIGHT = 9, 10
LEFT_SHOULDER, RIGHT_SHOULDER = 11, 12
LEFT_ELBOW, RIGHT_ELBOW = 13, 14
LEFT_WRIST, RIGHT_WRIST = 15, 16
LEFT_PINKY, RIGHT_PINKY = 17, 18
LEFT_INDEX, RIGHT_INDEX = 19, 20
LEFT_THUMB, RIGHT_THUMB = 21, 22
LEFT_HIP, RIGHT_HIP = 23, 24
LEFT_KNEE, RIGHT_KNEE = 25, 26
LEFT_ANKLE, RIGHT_ANKLE = 27, 28
LEFT_HEEL, RIGHT_HEEL = 29, 30
LEFT_FOOT_INDEX, RIGHT_FOOT_INDEX = 31, 32

Side = Literal["left", "right"]
Support = Literal["both", "left", "right"]
RGB = tuple[int, int, int]

# Skin tones spanning light to dark (RGB), jittered per participant.
SKIN_TONES: tuple[RGB, ...] = (
    (250, 222, 200), (236, 192, 160), (222, 170, 128), (196, 140, 98),
    (160, 106, 70), (122, 78, 50), (88, 56, 38),
)
HAIR_COLOURS: tuple[RGB, ...] = (
    (30, 24, 20), (70, 45, 25), (120, 80, 40), (200, 170, 110), (150, 60, 30), (120, 120, 120),
)


# math rather than numpy for one angle: the same values (checked on 50,000 angles), ten times faster,
# and posing a SynthGym frame makes about 30 of these.
def rot_x(deg: float) -> np.ndarray:
    a = math.radians(deg)
    c, s = math.cos(a), math.sin(a)
    return np.array([[1.0, 0.0, 0.0], [0.0, c, -s], [0.0, s, c]])


def rot_y(deg: float) -> np.ndarray:
    a = math.radians(deg)
    c, s = math.cos(a), math.sin(a)
    return np.array([[c, 0.0, s], [0.0, 1.0, 0.0], [-s, 0.0, c]])


def rot_z(deg: float) -> np.ndarray:
    a = math.radians(deg)
    c, s = math.cos(a), math.sin(a)
    return np.array([[c, -s, 0.0], [s, c, 0.0], [0.0, 0.0, 1.0]])


def _side_sign(side: Side) -> float:
    """+1 for the left side, which lies toward +x."""
    return 1.0 if side == "left" else -1.0


@dataclass(frozen=True)
class Participant:
    """One synthetic person: proportions (metres), build and appearance."""

    participant_id: int
    height: float
    head_height: float
    head_width: float
    head_depth: float
    neck_length: float
    thoracic_length: float
    lumbar_length: float
    shoulder_half_width: float
    hip_half_width: float
    torso_depth: float
    thigh_length: float
    shank_length: float
    ankle_height: float
    foot_length: float
    heel_back: float
    upper_arm_length: float
    forearm_length: float
    hand_length: float
    thigh_radius: float
    calf_radius: float
    upper_arm_radius: float
    forearm_radius: float
    skin: RGB
    hair: RGB
    shirt: RGB
    trousers: RGB
    shoes: RGB
    long_sleeves: bool
    long_trousers: bool

    @classmethod
    def sample(cls, rng: np.random.Generator, participant_id: int = 0) -> Participant:
        """Draw a participant: 20 percent children (1.2-1.5 m), the rest adults up to 2.0 m."""
        if rng.random() < 0.2:
            height = float(rng.uniform(1.2, 1.5))
        else:
            height = float(np.clip(rng.normal(1.72, 0.10), 1.5, 2.0))
        return cls.with_height(height, rng, participant_id)

    @classmethod
    def from_seed(cls, seed: int, participant_id: int | None = None) -> Participant:
        pid = seed if participant_id is None else participant_id
        return cls.sample(np.random.default_rng(seed), pid)

    @classmethod
    def with_height(cls, height: float, rng: np.random.Generator, participant_id: int = 0) -> Participant:
        """Proportions follow the height: children have larger heads and shorter legs."""
        h = height
        childness = float(np.clip((1.6 - h) / 0.4, 0.0, 1.0))
        girth = float(rng.uniform(0.85, 1.25))

        def jitter(scale: float) -> float:
            return float(1.0 + rng.normal(0.0, scale))

        head_height = h * (0.130 + 0.035 * childness) * jitter(0.03)
        ankle_height = 0.040 * h
        leg_length = h * (0.475 - 0.030 * childness) * jitter(0.025)
        thigh_share = float(rng.uniform(0.49, 0.54))
        neck_length = 0.045 * h * jitter(0.08)
        # The chain ankle -> hip -> spine -> neck -> head top must add up to the height; the
        # spine starts 0.04 h above the hip joints (see pose_skeleton).
        head_above_pivot = 0.80 * head_height
        spine_length = h - ankle_height - leg_length - 0.04 * h - neck_length - head_above_pivot
        lumbar_share = float(rng.uniform(0.36, 0.42))

        def skin_tone() -> RGB:
            base = np.array(SKIN_TONES[rng.integers(len(SKIN_TONES))], dtype=float)
            return _rgb(base * rng.uniform(0.93, 1.05))

        def clothing() -> RGB:
            return _rgb(rng.uniform(20, 235, size=3))

        return cls(
            participant_id=participant_id,
            height=h,
            head_height=head_height,
            head_width=head_height * 0.74 * jitter(0.03),
            head_depth=head_height * 0.86 * jitter(0.03),
            neck_length=neck_length,
            thoracic_length=spine_length * (1.0 - lumbar_share),
            lumbar_length=spine_length * lumbar_share,
            shoulder_half_width=h * (0.105 - 0.008 * childness) * jitter(0.05) * (0.9 + 0.1 * girth),
            hip_half_width=h * 0.052 * jitter(0.05) * (0.85 + 0.15 * girth),
            torso_depth=h * 0.130 * girth,
            thigh_length=leg_length * thigh_share,
            shank_length=leg_length * (1.0 - thigh_share),
            ankle_height=ankle_height,
            foot_length=h * 0.150 * jitter(0.04),
            heel_back=h * 0.030,
            upper_arm_length=h * 0.172 * jitter(0.03),
            forearm_length=h * 0.150 * jitter(0.03),
            hand_length=h * 0.105 * jitter(0.03),
            thigh_radius=h * 0.046 * girth,
            calf_radius=h * 0.032 * girth,
            upper_arm_radius=h * 0.023 * girth,
            forearm_radius=h * 0.019 * girth,
            skin=skin_tone(),
            hair=_rgb(np.array(HAIR_COLOURS[rng.integers(len(HAIR_COLOURS))]) * rng.uniform(0.9, 1.1)),
            shirt=clothing(),
            trousers=clothing(),
            shoes=clothing(),
            long_sleeves=bool(rng.random() < 0.3),
            long_trousers=bool(rng.random() < 0.5),
        )


def _rgb(values: np.ndarray) -> RGB:
    r, g, b = (int(v) for v in np.clip(np.round(values), 0, 255))
    return (r, g, b)


@dataclass(frozen=True)
class LegPose:
    """Joint angles of one leg (degrees).

    hip_rotation turns the whole leg outward about the vertical axis of the pelvis so the knee
    tracks the toes, as coaches cue it; foot_turn turns the foot further out at the ankle. The
    foot's outward angle from straight ahead is therefore hip_rotation + foot_turn. For a
    supporting leg the foot is placed relative to the floor (heel_lift is its pitch, toes down);
    for a free leg ankle_dorsiflexion orients it relative to the shank.
    """

    hip_flexion: float = 0.0
    hip_abduction: float = 0.0
    hip_rotation: float = 0.0
    knee_flexion: float = 0.0
    heel_lift: float = 0.0
    ankle_dorsiflexion: float = 0.0
    foot_turn: float = 0.0


@dataclass(frozen=True)
class ArmPose:
    """Joint angles of one arm (degrees); zero hangs the arm by the side."""

    shoulder_flexion: float = 0.0
    shoulder_abduction: float = 8.0
    elbow_flexion: float = 10.0


@dataclass(frozen=True)
class Pose:
    """Whole-body joint angles (degrees) and where the body stands.

    support names the foot (or feet) on the floor; the body is translated so that the support
    soles touch y = 0 and the mean of the support toe landmarks sits at ground_xz.
    """

    pelvis_pitch: float = 0.0
    pelvis_roll: float = 0.0
    yaw: float = 0.0
    lumbar_flexion: float = 0.0
    thoracic_flexion: float = 0.0
    spine_lateral_bend: float = 0.0
    neck_flexion: float = 0.0
    head_yaw: float = 0.0
    head_pitch: float = 0.0
    head_roll: float = 0.0
    left_leg: LegPose = field(default_factory=LegPose)
    right_leg: LegPose = field(default_factory=LegPose)
    left_arm: ArmPose = field(default_factory=ArmPose)
    right_arm: ArmPose = field(default_factory=ArmPose)
    support: Support = "both"
    ground_xz: tuple[float, float] = (0.0, 0.0)

    def leg(self, side: Side) -> LegPose:
        return self.left_leg if side == "left" else self.right_leg

    def arm(self, side: Side) -> ArmPose:
        return self.left_arm if side == "left" else self.right_arm


@dataclass(frozen=True)
class Skeleton:
    """A posed body: the 33 landmarks plus the internal joints and frames the renderer needs.

    Every rotation maps segment-local axes (x lateral-left, y along the segment upward or
    proximal, z forward) to world axes.
    """

    landmarks: np.ndarray  # (33, 3) world metres, MediaPipe order
    pelvis: np.ndarray
    lumbar_top: np.ndarray
    neck_base: np.ndarray
    head_center: np.ndarray
    pelvis_rotation: np.ndarray
    lumbar_rotation: np.ndarray
    thorax_rotation: np.ndarray
    head_rotation: np.ndarray
    left_foot_rotation: np.ndarray
    right_foot_rotation: np.ndarray

    def foot_rotation(self, side: Side) -> np.ndarray:
        return self.left_foot_rotation if side == "left" else self.right_foot_rotation

    def translated(self, offset: np.ndarray) -> Skeleton:
        return replace(
            self,
            landmarks=self.landmarks + offset,
            pelvis=self.pelvis + offset,
            lumbar_top=self.lumbar_top + offset,
            neck_base=self.neck_base + offset,
            head_center=self.head_center + offset,
        )


# The neck leans forward at rest; the head compensates so that the face is upright.
NECK_REST_INCLINE = 12.0
SOLE_BELOW_FOOT_LANDMARKS = 0.008  # metres between heel/toe landmarks and the sole


def pose_skeleton(participant: Participant, pose: Pose) -> Skeleton:
    """Forward kinematics: joint angles -> landmarks standing on the floor."""
    p = participant
    landmarks = np.zeros((N_LANDMARKS, 3))
    heading = rot_y(pose.yaw)
    pelvis_rot = heading @ rot_z(pose.pelvis_roll) @ rot_x(pose.pelvis_pitch)
    pelvis = np.zeros(3)

    lumbar_rot = pelvis_rot @ rot_x(pose.lumbar_flexion) @ rot_z(0.5 * pose.spine_lateral_bend)
    lumbar_base = pelvis + pelvis_rot @ np.array([0.0, 0.02 * p.height, -0.01 * p.height])
    lumbar_top = lumbar_base + lumbar_rot @ np.array([0.0, p.lumbar_length, 0.0])
    thorax_rot = lumbar_rot @ rot_x(pose.thoracic_flexion) @ rot_z(0.5 * pose.spine_lateral_bend)
    neck_base = lumbar_top + thorax_rot @ np.array([0.0, p.thoracic_length, 0.0])

    neck_rot = thorax_rot @ rot_x(NECK_REST_INCLINE + pose.neck_flexion + 0.4 * pose.head_pitch)
    head_pivot = neck_base + neck_rot @ np.array([0.0, p.neck_length, 0.0])
    head_rot = (
        thorax_rot
        @ rot_x(pose.neck_flexion)
        @ rot_y(pose.head_yaw)
        @ rot_x(pose.head_pitch)
        @ rot_z(pose.head_roll)
    )
    head_center = head_pivot + head_rot @ np.array([0.0, 0.30 * p.head_height, 0.10 * p.head_depth])
    _place_face(landmarks, p, head_center, head_rot)

    for side in ("left", "right"):
        _place_arm(landmarks, p, pose.arm(side), side, lumbar_top, thorax_rot)
    foot_rotations = {
        side: _place_leg(landmarks, p, pose.leg(side), side, pose, pelvis, pelvis_rot, heading)
        for side in ("left", "right")
    }
    skeleton = Skeleton(
        landmarks=landmarks,
        pelvis=pelvis,
        lumbar_top=lumbar_top,
        neck_base=neck_base,
        head_center=head_center,
        pelvis_rotation=pelvis_rot,
        lumbar_rotation=lumbar_rot,
        thorax_rotation=thorax_rot,
        head_rotation=head_rot,
        left_foot_rotation=foot_rotations["left"],
        right_foot_rotation=foot_rotations["right"],
    )
    return skeleton.translated(_ground_offset(landmarks, pose))


def _place_face(landmarks: np.ndarray, p: Participant, center: np.ndarray, rot: np.ndarray) -> None:
    half = np.array([p.head_width, p.head_height, p.head_depth]) / 2.0

    def on_surface(x: float, y: float, protrude: float = 0.0) -> np.ndarray:
        """A point on the front of the head ellipsoid at fractional (x, y) of the half axes."""
        z = np.sqrt(max(1.0 - x * x - y * y, 0.0)) + protrude
        return center + rot @ (half * np.array([x, y, z]))

    landmarks[NOSE] = on_surface(0.0, -0.18, 0.12)
    for sign, (inner, mid, outer) in (
        (1.0, (LEFT_EYE_INNER, LEFT_EYE, LEFT_EYE_OUTER)),
        (-1.0, (RIGHT_EYE_INNER, RIGHT_EYE, RIGHT_EYE_OUTER)),
    ):
        landmarks[inner] = on_surface(sign * 0.20, 0.08)
        landmarks[mid] = on_surface(sign * 0.36, 0.08)
        landmarks[outer] = on_surface(sign * 0.52, 0.08)
    landmarks[MOUTH_LEFT] = on_surface(0.24, -0.48)
    landmarks[MOUTH_RIGHT] = on_surface(-0.24, -0.48)
    landmarks[LEFT_EAR] = center + rot @ (half * np.array([1.0, 0.02, -0.10]))
    landmarks[RIGHT_EAR] = center + rot @ (half * np.array([-1.0, 0.02, -0.10]))


def _place_arm(
    landmarks: np.ndarray,
    p: Participant,
    arm: ArmPose,
    side: Side,
    lumbar_top: np.ndarray,
    thorax_rot: np.ndarray,
) -> None:
    s = _side_sign(side)
    shoulder = lumbar_top + thorax_rot @ np.array(
        [s * p.shoulder_half_width, p.thoracic_length - 0.035 * p.height, 0.0]
    )
    upper_rot = thorax_rot @ rot_x(-arm.shoulder_flexion) @ rot_z(s * arm.shoulder_abduction)
    elbow = shoulder + upper_rot @ np.array([0.0, -p.upper_arm_length, 0.0])
    fore_rot = upper_rot @ rot_x(-arm.elbow_flexion)
    wrist = elbow + fore_rot @ np.array([0.0, -p.forearm_length, 0.0])
    hand = p.hand_length
    # Palm faces the thigh: the thumb points forward, the pinky backward.
    idx = _landmark_indices(side)
    landmarks[idx["shoulder"]] = shoulder
    landmarks[idx["elbow"]] = elbow
    landmarks[idx["wrist"]] = wrist
    landmarks[idx["index"]] = wrist + fore_rot @ np.array([-s * 0.05 * hand, -0.80 * hand, 0.22 * hand])
    landmarks[idx["pinky"]] = wrist + fore_rot @ np.array([-s * 0.05 * hand, -0.70 * hand, -0.22 * hand])
    landmarks[idx["thumb"]] = wrist + fore_rot @ np.array([-s * 0.10 * hand, -0.45 * hand, 0.35 * hand])


def _place_leg(
    landmarks: np.ndarray,
    p: Participant,
    leg: LegPose,
    side: Side,
    pose: Pose,
    pelvis: np.ndarray,
    pelvis_rot: np.ndarray,
    heading: np.ndarray,
) -> np.ndarray:
    """Place hip, knee, ankle, heel and toe; return the foot rotation."""
    s = _side_sign(side)
    hip = pelvis + pelvis_rot @ np.array([s * p.hip_half_width, -0.02 * p.height, 0.0])
    leg_base = heading @ rot_z(pose.pelvis_roll) @ rot_y(s * leg.hip_rotation)
    thigh_rot = leg_base @ rot_x(pose.pelvis_pitch - leg.hip_flexion) @ rot_z(s * leg.hip_abduction)
    knee = hip + thigh_rot @ np.array([0.0, -p.thigh_length, 0.0])
    shank_rot = thigh_rot @ rot_x(leg.knee_flexion)
    ankle = knee + shank_rot @ np.array([0.0, -p.shank_length, 0.0])
    on_floor = pose.support in ("both", side)
    if on_floor:
        foot_rot = heading @ rot_y(s * (leg.hip_rotation + leg.foot_turn)) @ rot_x(leg.heel_lift)
    else:
        foot_rot = shank_rot @ rot_y(s * leg.foot_turn) @ rot_x(-leg.ankle_dorsiflexion)
    sole = -(p.ankle_height - SOLE_BELOW_FOOT_LANDMARKS)
    idx = _landmark_indices(side)
    landmarks[idx["hip"]] = hip
    landmarks[idx["knee"]] = knee
    landmarks[idx["ankle"]] = ankle
    landmarks[idx["heel"]] = ankle + foot_rot @ np.array([0.0, sole + 0.01 * p.height, -p.heel_back])
    landmarks[idx["foot_index"]] = ankle + foot_rot @ np.array(
        [0.0, sole, p.foot_length - p.heel_back]
    )
    return foot_rot


def plant_leg(
    participant: Participant, pelvis_pitch: float, leg: LegPose, ankle_offset: float, max_abduction: float = 25.0
) -> LegPose:
    """The leg with hip abduction (and, if needed, rotation) that puts the ankle ankle_offset
    metres outside the hip joint, the foot keeping its heading.

    Turned-out legs swing their ankles sideways as the hip and knee bend, so a squat that keeps its
    feet planted widens its knees on the way down. A deeply bent leg has little reach left for
    abduction; past max_abduction the leg plane turns in instead and the foot turns back out by the
    same angle. Assumes no pelvis roll.
    """
    p = participant
    in_plane = np.array([0.0, -p.thigh_length, 0.0]) + rot_x(leg.knee_flexion) @ np.array([0.0, -p.shank_length, 0.0])
    reach = -in_plane[1]

    def ankle_from_hip(abduction: float) -> np.ndarray:
        return rot_x(pelvis_pitch - leg.hip_flexion) @ rot_z(abduction) @ in_plane

    turn = np.radians(leg.hip_rotation)
    limit = np.sin(np.radians(max_abduction))
    abduction = 0.0
    # The forward component depends weakly on abduction: a few fixed-point steps converge.
    for _ in range(4):
        needed = (ankle_offset - np.sin(turn) * ankle_from_hip(abduction)[2]) / np.cos(turn)
        abduction = float(np.degrees(np.arcsin(np.clip(needed / reach, -limit, limit))))
    if abs(needed / reach) <= limit:
        return replace(leg, hip_abduction=abduction)
    # Solve vx cos(r) + vz sin(r) = ankle_offset for the leg-plane rotation r nearest the wish.
    vx, _, vz = ankle_from_hip(abduction)
    amplitude, phase = np.hypot(vx, vz), np.arctan2(vz, vx)
    spread = np.arccos(np.clip(ankle_offset / amplitude, -1.0, 1.0))
    rotation = min((phase + spread, phase - spread), key=lambda r: abs(r - turn))
    rotation_deg = float(np.degrees(rotation))
    return replace(leg, hip_abduction=abduction, hip_rotation=rotation_deg,
                   foot_turn=leg.foot_turn + leg.hip_rotation - rotation_deg)


def _landmark_indices(side: Side) -> dict[str, int]:
    left = side == "left"
    return {
        "shoulder": LEFT_SHOULDER if left else RIGHT_SHOULDER,
        "elbow": LEFT_ELBOW if left else RIGHT_ELBOW,
        "wrist": LEFT_WRIST if left else RIGHT_WRIST,
        "pinky": LEFT_PINKY if left else RIGHT_PINKY,
        "index": LEFT_INDEX if left else RIGHT_INDEX,
        "thumb": LEFT_THUMB if left else RIGHT_THUMB,
        "hip": LEFT_HIP if left else RIGHT_HIP,
        "knee": LEFT_KNEE if left else RIGHT_KNEE,
        "ankle": LEFT_ANKLE if left else RIGHT_ANKLE,
        "heel": LEFT_HEEL if left else RIGHT_HEEL,
        "foot_index": LEFT_FOOT_INDEX if left else RIGHT_FOOT_INDEX,
    }


def _ground_offset(landmarks: np.ndarray, pose: Pose) -> np.ndarray:
    """Translation that puts the support soles on the floor at pose.ground_xz."""
    sides: tuple[Side, ...] = ("left", "right") if pose.support == "both" else (pose.support,)
    feet = np.array(
        [landmarks[_landmark_indices(s)[k]] for s in sides for k in ("heel", "foot_index")]
    )
    toes = np.array([landmarks[_landmark_indices(s)["foot_index"]] for s in sides])
    lowest = feet[:, 1].min() - SOLE_BELOW_FOOT_LANDMARKS
    toe_xz = toes[:, [0, 2]].mean(axis=0)
    return np.array(
        [pose.ground_xz[0] - toe_xz[0], -lowest, pose.ground_xz[1] - toe_xz[1]]
    )


def standing_height(participant: Participant) -> float:
    """Top of the head of the neutral pose; equals the participant's height up to rounding."""
    skeleton = pose_skeleton(participant, Pose())
    top = skeleton.head_center + skeleton.head_rotation @ np.array([0.0, participant.head_height / 2, 0.0])
    return float(top[1])
