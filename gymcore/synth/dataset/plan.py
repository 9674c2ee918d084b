"""Everything random about a SynthGym dataset, drawn up front from one seed.

The plan fixes participants, their demographics, how many repetitions each performs, and every
repetition's fault parameters; rendering then only needs each set's own seed. Labels are assigned
per exercise and criterion by shuffling a fixed number of passes (a pass rate drawn in 55-72
percent), so every criterion is satisfied in 40-85 percent of the samples even in small sets,
independently of the other criteria and of the participant.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field, replace

import numpy as np

from gymcore.config import DEFAULT_LIMITS, SYNTH_LANDMARK_SOURCES, SYNTH_PARTICIPANTS, SYNTH_REPS_PER_PARTICIPANT
from gymcore.criteria import EXERCISES
from gymcore.errors import InputError
from gymcore.synth.body import SKIN_TONES, Participant, Side
from gymcore.synth.motion import deadlift, lunge
from gymcore.synth.motion import squat as motion
from gymcore.synth.motion.faults import rules_for
from gymcore.synth.motion.performance import RepPlan

PASS_RATE = (0.55, 0.72)
BALANCED = (0.40, 0.85)
FEMALE_SHARE = 12 / 45  # paper Table 2
ADULT_AGE_GROUPS = (("teen (13-19)", 7), ("young adult (20-35)", 31), ("adult (36-54)", 3))
# What a generator run may ask for: a clip under 5 fps is a slide show to MediaPipe's video mode, and
# over 60 fps, 4K frames or 50 repetitions a participant only multiply the rendering time.
FPS_RANGE = (5.0, 60.0)
SIZE_RANGE = (DEFAULT_LIMITS.min_short_side_px, 3840)
# Frames nobody tracks may be rendered at a model's input size (the compact models read 64 x 64).
NOISE_MODEL_MIN_SIZE = 32
MAX_MEAN_REPS = 50.0


@dataclass(frozen=True)
class Settings:
    """What the generator was asked for; recorded in the dataset card."""

    seed: int = 0
    participants: int = SYNTH_PARTICIPANTS
    exercises: tuple[str, ...] = EXERCISES
    reps_per_participant: dict[str, float] = field(default_factory=lambda: dict(SYNTH_REPS_PER_PARTICIPANT))
    fps: float = 12.0
    width: int = 640
    height: int = 480
    jpeg_quality: int = 90
    clips: bool = True
    walk_in: bool = True
    workers: int = 2
    landmarks: str = "mediapipe"

    def __post_init__(self) -> None:
        """Refuse settings that cannot make a dataset before anything is planned or written."""
        if self.participants < 1:
            raise InputError(f"Ask for at least one participant, not {self.participants}.")
        if self.seed < 0:
            raise InputError(f"The seed must be 0 or more, not {self.seed}.")
        self._check_exercises()
        if not FPS_RANGE[0] <= self.fps <= FPS_RANGE[1]:
            raise InputError(f"The frame rate must be between {FPS_RANGE[0]:g} and {FPS_RANGE[1]:g} fps, not {self.fps:g}.")
        if self.landmarks not in SYNTH_LANDMARK_SOURCES:
            raise InputError(f"Landmarks come from {' or '.join(SYNTH_LANDMARK_SOURCES)}, not {self.landmarks!r}.")
        smallest = SIZE_RANGE[0] if self.landmarks == "mediapipe" else NOISE_MODEL_MIN_SIZE
        for name, value in (("width", self.width), ("height", self.height)):
            if not smallest <= value <= SIZE_RANGE[1]:
                why = " (MediaPipe needs that much; the noise model's landmarks allow smaller frames)" \
                    if self.landmarks == "mediapipe" else ""
                raise InputError(f"The frame {name} must be between {smallest} and {SIZE_RANGE[1]} pixels{why},"
                                 f" not {value}.")
        if not 1 <= self.jpeg_quality <= 100:
            raise InputError(f"The JPEG quality must be between 1 and 100, not {self.jpeg_quality}.")
        if self.workers < 1:
            raise InputError(f"Use at least one worker process, not {self.workers}.")

    def _check_exercises(self) -> None:
        unknown = [name for name in self.exercises if name not in EXERCISES]
        if unknown or not self.exercises or len(set(self.exercises)) < len(self.exercises):
            raise InputError(f"Name each exercise once, from {', '.join(EXERCISES)}; got {', '.join(self.exercises) or 'none'}.")
        for exercise in self.exercises:
            mean = self.reps_per_participant.get(exercise)
            if mean is None or not (math.isfinite(mean) and 0 < mean <= MAX_MEAN_REPS):
                raise InputError(f"Give the mean number of {exercise} repetitions per participant above 0 and at"
                                 f" most {MAX_MEAN_REPS:g} (got {mean}).")

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


@dataclass(frozen=True)
class SetPlan:
    """One participant's recording of one exercise: a frontal and a lateral clip of several reps."""

    exercise: str
    participant: Participant
    participant_label: str
    pair: int  # video numbers 2 pair - 1 (frontal) and 2 pair (lateral)
    reps: tuple[RepPlan, ...]
    seed: int
    walk_steps: int


@dataclass(frozen=True)
class ParticipantPlan:
    participant: Participant
    label: str
    demographics: dict[str, object]
    sets: tuple[SetPlan, ...]


def plan_dataset(settings: Settings) -> list[ParticipantPlan]:
    root = np.random.SeedSequence(settings.seed)
    people_rng, count_rng, label_rng, style_rng, seed_source = (np.random.default_rng(s) for s in root.spawn(5))
    people = [_draw_person(people_rng, i) for i in range(settings.participants)]
    counts = {ex: _rep_counts(count_rng, settings.reps_per_participant[ex], settings.participants)
              for ex in settings.exercises}
    satisfied = {ex: _balanced_labels(label_rng, ex, int(sum(counts[ex]))) for ex in settings.exercises}
    seeds = seed_source.integers(0, 2**31 - 1, size=(settings.participants, len(EXERCISES)))
    used = {ex: 0 for ex in settings.exercises}
    plans: list[list[SetPlan]] = [[] for _ in people]
    for ex in settings.exercises:
        pair = 0
        for i, (participant, label, _) in enumerate(people):
            n = int(counts[ex][i])
            if n == 0:
                continue
            pair += 1
            first_side: Side = "left" if style_rng.random() < 0.5 else "right"
            reps = tuple(
                draw_rep(ex, satisfied[ex][used[ex] + k], style_rng, k, first_side, participant) for k in range(n)
            )
            used[ex] += n
            plans[i].append(SetPlan(
                exercise=ex, participant=participant, participant_label=label, pair=pair, reps=reps,
                seed=int(seeds[i, EXERCISES.index(ex)]),
                walk_steps=int(style_rng.integers(1, 3)) if settings.walk_in else 0,
            ))
    return [ParticipantPlan(participant, label, demo, tuple(sets))
            for (participant, label, demo), sets in zip(people, plans)]


def _rep_counts(rng: np.random.Generator, mean: float, n: int) -> np.ndarray:
    """Whole repetition counts per participant averaging ``mean`` (floor or ceil, at least 1)."""
    low = int(np.floor(mean))
    counts = low + (rng.random(n) < mean - low)
    return np.maximum(counts, 1).astype(int)


def _balanced_labels(rng: np.random.Generator, exercise: str, n: int) -> np.ndarray:
    """(n, criteria) booleans: each column holds a fixed share of passes in shuffled order."""
    rules = rules_for(exercise)
    out = np.zeros((n, len(rules)), dtype=bool)
    for j in range(len(rules)):
        share = rng.uniform(*PASS_RATE)
        passes = int(np.clip(round(share * n), np.ceil(BALANCED[0] * n), np.floor(BALANCED[1] * n)))
        out[rng.permutation(n)[:passes], j] = True
    return out


def draw_rep(exercise: str, satisfied: np.ndarray, rng: np.random.Generator, index: int, first_side: Side,
              participant: Participant) -> RepPlan:
    parameters = {rule.parameter: rule.draw(bool(ok), rng) for rule, ok in zip(rules_for(exercise), satisfied)}
    if exercise == "squat":
        style = motion.draw_style(rng)
        style["stance_width"] = float(rng.uniform(1.0, 1.3))
    elif exercise == "lunges":
        style = lunge.draw_style(rng, index, first_side)
    else:
        style = deadlift.draw_style(rng, first_side)
    return RepPlan(exercise=exercise, parameters=parameters, style=style)


def _draw_person(rng: np.random.Generator, index: int) -> tuple[Participant, str, dict[str, object]]:
    participant = Participant.sample(rng, index + 1)
    female = bool(rng.random() < FEMALE_SHARE)
    # Broader hips and narrower shoulders for the female body type, the reverse for the male.
    hips, shoulders = (1.08, 0.93) if female else (0.97, 1.04)
    participant = replace(participant, hip_half_width=participant.hip_half_width * hips,
                          shoulder_half_width=participant.shoulder_half_width * shoulders)
    if participant.height < 1.5:
        age_group = "child (8-12)"
    else:
        names, weights = zip(*ADULT_AGE_GROUPS)
        age_group = str(rng.choice(names, p=np.array(weights) / sum(weights)))
    girth = participant.torso_depth / (0.130 * participant.height)
    label = f"P{index + 1:03d}"
    demographics = {
        "participant": label,
        "height_m": round(participant.height, 3),
        "sex": "female" if female else "male",
        "age_group": age_group,
        "skin_tone": 1 + int(np.argmin([np.linalg.norm(np.subtract(participant.skin, tone)) for tone in SKIN_TONES])),
        "build": "slim" if girth < 0.97 else ("average" if girth < 1.12 else "broad"),
    }
    return participant, label, demographics
