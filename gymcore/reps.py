"""Repetition segmentation from the knee-angle (or trunk-lean) and hip-height signals.

A repetition is a excursion of the movement signal (knee flexion for squats and lunges, trunk lean
for the single-leg deadlift) from the standing level up past a high threshold and back below a low
one (hysteresis), after smoothing. Excursions that are too shallow, too short or too long, or in
which the hips do not drop (squats, lunges), are set-up motion (walking in, unracking, turning)
and are not counted.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gymcore.perception import ViewAnalysis
from gymcore.pose import LANDMARK


@dataclass(frozen=True)
class RepConfig:
    """Segmentation settings; depths are in the movement signal's unit (degrees)."""

    smooth_s: float = 0.12  # standard deviation of the Gaussian smoothing
    enter_share: float = 0.5  # of the clip's movement range: a repetition is under way above this
    leave_share: float = 0.25  # ... and over below this
    # Knee flexion a squat or lunge must reach (a quarter squat is about 45 degrees; walking
    # flexes the two knees by about 20 degrees on average).
    min_knee_flexion_deg: float = 40.0
    # Trunk lean a single-leg Romanian deadlift must reach.
    min_trunk_lean_deg: float = 30.0
    # The hip centre's drop toward the ankles, as a share of the standing hip height, that a squat
    # or lunge must reach: bending over (to pick up a bottle) flexes the knees without it.
    min_hip_drop: float = 0.12
    # Against the deepest repetition of the clip: shallower excursions are set-up motion.
    min_relative_depth: float = 0.45
    min_duration_s: float = 0.5
    max_duration_s: float = 12.0


DEFAULT_REPS = RepConfig()


@dataclass(frozen=True)
class Repetition:
    start_s: float
    bottom_s: float
    end_s: float
    depth: float  # the movement signal at the bottom above the standing level

    def shifted(self, offset_s: float) -> Repetition:
        return Repetition(self.start_s + offset_s, self.bottom_s + offset_s, self.end_s + offset_s, self.depth)


@dataclass(frozen=True)
class MovementSignal:
    """The signals one view gives, over its timeline."""

    name: str  # "knee flexion" or "trunk lean"
    time_s: np.ndarray
    value: np.ndarray  # degrees, NaN where nobody was found
    hip_drop: np.ndarray  # share of the standing hip height lost, NaN where nobody was found


def movement_signal(view: ViewAnalysis, exercise: str) -> MovementSignal:
    """Knee flexion (squat, lunges) or trunk lean (deadlift) over the view's timeline.

    The lateral view's image-plane angles are exact for sagittal motion; a frontal camera sees the
    knees bend toward it, so the frontal view uses MediaPipe's 3D angles.
    """
    suffix = "" if view.view == "lateral" else "_3d"
    if exercise == "deadlift":
        name, value = "trunk lean", view.angles[f"trunk_lean{suffix}"]
    else:
        knees = np.stack([view.angles[f"left_knee{suffix}"], view.angles[f"right_knee{suffix}"]])
        name, value = "knee flexion", 180.0 - np.mean(knees, axis=0)
    width, height = view.source.width, view.source.height
    return MovementSignal(name, view.timeline.time_s, value, hip_drop(view.timeline.landmarks, (width, height)))


def hip_drop(landmarks: np.ndarray, image_size: tuple[int, int]) -> np.ndarray:
    """Per frame, 1 - (hip height above the ankles) / (its standing value, the 90th percentile)."""
    y = landmarks[..., 1] * image_size[1]
    hips = (y[:, LANDMARK["left_hip"]] + y[:, LANDMARK["right_hip"]]) / 2
    ankles = (y[:, LANDMARK["left_ankle"]] + y[:, LANDMARK["right_ankle"]]) / 2
    height = ankles - hips
    if not np.isfinite(height).any():
        return np.full(len(height), np.nan)
    standing = np.nanpercentile(height, 90)
    return 1.0 - height / max(standing, 1e-6)


def segment(signal: MovementSignal, exercise: str, config: RepConfig = DEFAULT_REPS) -> list[Repetition]:
    """The repetitions in one view's signal, in time order."""
    time_s = np.asarray(signal.time_s, dtype=np.float64)
    value = smooth(fill_gaps(signal.value), time_s, config.smooth_s)
    if len(time_s) < 3 or not np.isfinite(value).all():
        return []
    standing = float(np.percentile(value, 10))
    span = float(value.max()) - standing
    min_depth = config.min_trunk_lean_deg if exercise == "deadlift" else config.min_knee_flexion_deg
    if span < min_depth:
        return []
    windows = hysteresis_windows(value, standing + config.enter_share * span, standing + config.leave_share * span)
    drop = smooth(fill_gaps(signal.hip_drop), time_s, config.smooth_s)
    reps = []
    for start, end in windows:
        bottom = start + int(np.argmax(value[start:end + 1]))
        depth = float(value[bottom] - min(value[start], value[end]))
        duration = time_s[end] - time_s[start]
        hips_dropped = exercise == "deadlift" or not np.isfinite(drop[bottom]) or drop[bottom] >= config.min_hip_drop
        if depth >= min_depth and config.min_duration_s <= duration <= config.max_duration_s and hips_dropped:
            reps.append(Repetition(float(time_s[start]), float(time_s[bottom]), float(time_s[end]), depth))
    deepest = max((rep.depth for rep in reps), default=0.0)
    return [rep for rep in reps if rep.depth >= config.min_relative_depth * deepest]


def hysteresis_windows(value: np.ndarray, enter: float, leave: float) -> list[tuple[int, int]]:
    """(start, end) positions of the excursions above `enter`, each widened to where the signal
    was last and is next below `leave`. An excursion still above `leave` when the clip ends is
    incomplete and left out."""
    windows = []
    position = 0
    n = len(value)
    while position < n:
        above = np.flatnonzero(value[position:] > enter)
        if not len(above):
            break
        crossing = position + int(above[0])
        before = np.flatnonzero(value[:crossing] <= leave)
        start = int(before[-1]) if len(before) else 0
        after = np.flatnonzero(value[crossing:] <= leave)
        if not len(after):
            break
        end = crossing + int(after[0])
        if not windows or start >= windows[-1][1]:
            windows.append((start, end))
        position = end + 1
    return windows


def fill_gaps(values: np.ndarray) -> np.ndarray:
    """Linear interpolation over NaN (frames where nobody was found); all NaN stays NaN."""
    values = np.asarray(values, dtype=np.float64)
    finite = np.isfinite(values)
    if finite.all() or not finite.any():
        return values
    positions = np.arange(len(values))
    return np.interp(positions, positions[finite], values[finite])


def smooth(values: np.ndarray, time_s: np.ndarray, sigma_s: float) -> np.ndarray:
    """Gaussian smoothing with a standard deviation of sigma_s seconds (edges padded)."""
    if len(values) < 3 or not np.isfinite(values).all():
        return values
    step = float(np.median(np.diff(time_s))) or 1.0
    sigma = sigma_s / step
    if sigma < 0.5:
        return values
    radius = int(np.ceil(3 * sigma))
    kernel = np.exp(-0.5 * (np.arange(-radius, radius + 1) / sigma) ** 2)
    padded = np.pad(values, radius, mode="edge")
    return np.convolve(padded, kernel / kernel.sum(), mode="valid")


def align_offset(reference: MovementSignal, other: MovementSignal, max_lag_s: float) -> float:
    """Seconds to add to a time in the reference view to get the same moment in the other view:
    the lag that best correlates the two views' hip-drop signals (which both views see alike)."""
    rate = 30.0
    grid_a, a = _resampled(reference, rate)
    grid_b, b = _resampled(other, rate)
    if len(a) < 2 or len(b) < 2:
        return 0.0
    a = (a - a.mean()) / (a.std() or 1.0)
    b = (b - b.mean()) / (b.std() or 1.0)
    max_lag = int(max_lag_s * rate)
    best, best_score = 0, -np.inf
    for lag in range(-max_lag, max_lag + 1):
        # a[i] is compared with b[i + lag]
        lo, hi = max(0, -lag), min(len(a), len(b) - lag)
        if hi - lo < rate:  # at least a second of overlap
            continue
        score = float(np.mean(a[lo:hi] * b[lo + lag:hi + lag]))
        if score > best_score:
            best, best_score = lag, score
    return best / rate + float(grid_b[0] - grid_a[0])


def _resampled(signal: MovementSignal, rate: float) -> tuple[np.ndarray, np.ndarray]:
    values = fill_gaps(signal.hip_drop)
    if not np.isfinite(values).all() or len(values) < 2:
        return np.empty(0), np.empty(0)
    grid = np.arange(signal.time_s[0], signal.time_s[-1], 1.0 / rate)
    return grid, np.interp(grid, signal.time_s, values)
