"""Repetition segmentation from the knee-angle, trunk-lean and hip-height signals.

A repetition is an excursion of the movement signal (knee flexion for squats, the hips' drop for
lunges, trunk lean for the single-leg deadlift) from the standing level up past a high threshold
and back below a low one (hysteresis), after a rolling median (one-frame tracking glitches) and
smoothing. Excursions that are too shallow, too short or too long, or in which the hips do not
drop (squats), are set-up motion (walking in, unracking, turning) and are not counted.

Lunges alternate legs, and MediaPipe often swaps the legs in a lateral view, so their knee angles
jump; the height of the hips above the ankles, over the torso's length, is the same for either
leg and for any distance to the camera. It means the same in both views, so when both are given
the two views' hip drops are aligned and the smaller of the two is kept: a repetition must show
in both, which removes what one view's tracking invents.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from scipy.ndimage import median_filter

from gymcore.perception.analysis import ViewAnalysis
from gymcore.perception.pose import LANDMARK


@dataclass(frozen=True)
class RepConfig:
    """Segmentation settings; depths are in the movement signal's unit (degrees; percent for the
    hip drop)."""

    median_s: float = 0.3  # rolling median window: longer than a tracking glitch, shorter than a bottom
    smooth_s: float = 0.12  # standard deviation of the Gaussian smoothing
    # Of the clip's movement range: a repetition is under way above enter_share and over below
    # leave_share. Low enough for a faulty half squat (70 degrees) in a set whose deepest
    # repetition reaches 160.
    enter_share: float = 0.4
    leave_share: float = 0.2
    # Knee flexion a squat or lunge must reach (a quarter squat is about 45 degrees; walking
    # flexes the two knees by about 20 degrees on average).
    min_knee_flexion_deg: float = 40.0
    # Trunk lean a single-leg Romanian deadlift must reach.
    min_trunk_lean_deg: float = 30.0
    # The hip centre's drop toward the ankles, as a share of the standing hip height, that a squat
    # or lunge must reach: bending over (to pick up a bottle) flexes the knees without it.
    min_hip_drop: float = 0.12
    # Lunges: the hips' drop (percent of their standing height above the ankles) that starts a
    # repetition and the one that ends it. A forward lunge to 90 degrees drops the hips by about
    # 40 %, a shallow one by 15-20 %; a walking step by under 10 %.
    lunge_enter_drop_pct: float = 12.0
    lunge_leave_drop_pct: float = 6.0
    # Against the deepest repetition of the clip: shallower excursions are set-up motion. Lunges,
    # whose signal has an absolute scale, allow shallower faulty repetitions beside deep ones.
    min_relative_depth: float = 0.35
    lunge_min_relative_depth: float = 0.25
    min_duration_s: float = 0.5
    max_duration_s: float = 12.0
    # A repetition runs from standing to standing: its window reaches out to where the signal is
    # within rest_share of the range from the standing level, and standing_pad_s further.
    rest_share: float = 0.1
    standing_pad_s: float = 0.3
    # Aligning the views: correlation given up per second of lag (see align_offset).
    lag_penalty_per_s: float = 0.05


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

    name: str  # "knee flexion", "hip drop" or "trunk lean"
    time_s: np.ndarray
    value: np.ndarray  # degrees (percent for the hip drop), NaN where nobody was found
    hip_drop: np.ndarray  # share of the standing hip height lost, NaN where nobody was found
    # Whether the value means the same in either view (the hip drop does; image-plane angles in one
    # view and MediaPipe's 3D angles in the other do not), so that the two views can be combined.
    view_independent: bool = False


def movement_signal(view: ViewAnalysis, exercise: str) -> MovementSignal:
    """Knee flexion (squat), hip drop (lunges) or trunk lean (deadlift) over the view's timeline.

    The lateral view's image-plane angles are exact for sagittal motion; a frontal camera sees the
    knees bend toward it, so the frontal view uses MediaPipe's 3D angles.
    """
    suffix = "" if view.view == "lateral" else "_3d"
    drop = hip_drop(view.timeline.landmarks, (view.source.width, view.source.height))
    if exercise == "lunges":
        return MovementSignal("hip drop", view.timeline.time_s, 100.0 * drop, drop, view_independent=True)
    if exercise == "deadlift":
        name, value = "trunk lean", view.angles[f"trunk_lean{suffix}"]
    else:
        knees = np.stack([view.angles[f"left_knee{suffix}"], view.angles[f"right_knee{suffix}"]])
        name, value = "knee flexion", 180.0 - np.mean(knees, axis=0)
    return MovementSignal(name, view.timeline.time_s, value, drop)


def hip_drop(landmarks: np.ndarray, image_size: tuple[int, int]) -> np.ndarray:
    """Per frame, 1 - (hip height above the ankles) / (its standing value, the 90th percentile),
    both measured in torso lengths (shoulders to hips), so that walking toward the camera, which
    makes the whole body larger, does not read as standing up."""
    xy = landmarks[..., :2] * np.asarray(image_size, dtype=np.float64)

    def middle(part: str) -> np.ndarray:
        return (xy[:, LANDMARK[f"left_{part}"]] + xy[:, LANDMARK[f"right_{part}"]]) / 2

    hips = middle("hip")
    torso = np.linalg.norm(middle("shoulder") - hips, axis=1)
    height = (middle("ankle")[:, 1] - hips[:, 1]) / np.where(torso > 0, torso, np.nan)
    if not np.isfinite(height).any():
        return np.full(len(height), np.nan)
    standing = np.nanpercentile(height, 90)
    return 1.0 - height / max(standing, 1e-6)


def combined(lead: MovementSignal, other: MovementSignal, offset_s: float) -> MovementSignal:
    """The lead view's signal where the other view agrees: per moment the smaller of the two (the
    other view's read ``offset_s`` later), so that only movement both views see remains."""
    other_value = _at(other.time_s, other.value, lead.time_s + offset_s)
    other_drop = _at(other.time_s, other.hip_drop, lead.time_s + offset_s)
    return replace(lead, value=_smaller(lead.value, other_value), hip_drop=_smaller(lead.hip_drop, other_drop))


def _at(time_s: np.ndarray, values: np.ndarray, when: np.ndarray) -> np.ndarray:
    """``values`` interpolated at ``when``; NaN outside the other clip or where nobody was found."""
    filled = fill_gaps(values)
    if not np.isfinite(filled).all() or len(time_s) < 2:
        return np.full(len(when), np.nan)
    inside = (when >= time_s[0]) & (when <= time_s[-1])
    return np.where(inside, np.interp(when, time_s, filled), np.nan)


def _smaller(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Element-wise minimum that keeps whichever of the two is known (NaN only where both are)."""
    return np.fmin(np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64))


def segment(signal: MovementSignal, exercise: str, config: RepConfig = DEFAULT_REPS) -> list[Repetition]:
    """The repetitions in one view's signal, in time order. Frames before the person is first
    seen and after they are last seen (a title card, an empty gym) are left out, and a window
    seen in less than half its frames is not a repetition."""
    seen = np.flatnonzero(np.isfinite(signal.value))
    if len(seen) < 3:
        return []
    inside = slice(int(seen[0]), int(seen[-1]) + 1)
    signal = replace(signal, time_s=np.asarray(signal.time_s[inside], dtype=np.float64),
                     value=np.asarray(signal.value[inside], dtype=np.float64), hip_drop=signal.hip_drop[inside])
    time_s = signal.time_s
    observed = np.isfinite(signal.value)
    value = cleaned(signal.value, time_s, config)
    if len(time_s) < 3 or not np.isfinite(value).all():
        return []
    standing = float(np.percentile(value, 10))
    span = float(value.max()) - standing
    # A lunge's excursion already rose past an absolute threshold; from where it starts it must
    # at least climb from the low threshold to the high one.
    min_depth = {"deadlift": config.min_trunk_lean_deg,
                 "lunges": config.lunge_enter_drop_pct - config.lunge_leave_drop_pct,
                 }.get(exercise, config.min_knee_flexion_deg)
    if span < min_depth:
        return []
    if exercise == "lunges":
        enter, leave = standing + config.lunge_enter_drop_pct, standing + config.lunge_leave_drop_pct
    else:
        enter, leave = standing + config.enter_share * span, standing + config.leave_share * span
    drop = cleaned(signal.hip_drop, time_s, config)
    windows = hysteresis_windows(value, enter, leave)
    if exercise != "deadlift":
        windows = merged_while_down(windows, value, drop, config.min_hip_drop)
    found = []
    for start, end in windows:
        bottom = start + int(np.argmax(value[start:end + 1]))
        depth = float(value[bottom] - standing)
        duration = time_s[end] - time_s[start]
        hips_dropped = exercise == "deadlift" or not np.isfinite(drop[bottom]) or drop[bottom] >= config.min_hip_drop
        mostly_seen = observed[start:end + 1].mean() >= 0.5
        if (depth >= min_depth and config.min_duration_s <= duration <= config.max_duration_s and hips_dropped
                and mostly_seen):
            found.append((start, bottom, end, depth))
    deepest = max((rep[3] for rep in found), default=0.0)
    relative = config.lunge_min_relative_depth if exercise == "lunges" else config.min_relative_depth
    found = [rep for rep in found if rep[3] >= relative * deepest]
    edges = standing_edges([(start, end) for start, _, end, _ in found], value, standing + config.rest_share * span,
                           round(config.standing_pad_s / (float(np.median(np.diff(time_s))) or 1.0)))
    return [Repetition(float(time_s[first]), float(time_s[bottom]), float(time_s[last]), depth)
            for (first, last), (_, bottom, _, depth) in zip(edges, found)]


def standing_edges(windows: list[tuple[int, int]], value: np.ndarray, rest: float, pad: int) -> list[tuple[int, int]]:
    """Each window widened to standing on both sides, as a repetition of the published dataset
    runs from standing to standing: back to where the signal was last at the ``rest`` level and
    on to where it is next, then ``pad`` frames more; never past the middle of the gap to a
    neighbouring repetition, nor the clip's ends."""
    widened = []
    last = len(value) - 1
    for i, (start, end) in enumerate(windows):
        low = (windows[i - 1][1] + start + 1) // 2 if i else 0
        high = (end + windows[i + 1][0]) // 2 if i + 1 < len(windows) else last
        before = np.flatnonzero(value[low:start + 1] <= rest)
        after = np.flatnonzero(value[end:high + 1] <= rest)
        first = low + int(before[-1]) if len(before) else low
        final = end + int(after[0]) if len(after) else high
        widened.append((max(low, first - pad), min(high, final + pad)))
    return widened


def merged_while_down(windows: list[tuple[int, int]], value: np.ndarray, drop: np.ndarray,
                      min_drop: float) -> list[tuple[int, int]]:
    """Neighbouring windows whose hips never rose between their bottoms are one repetition.

    At the bottom of a deep squat the thigh covers the calf in a lateral view, and MediaPipe can
    straighten the leg for a few frames: the knee signal dips and one repetition looks like two.
    The hips, which stay down, tell them apart from two repetitions with a stand between.
    """
    if not np.isfinite(drop).all():
        return windows
    merged: list[tuple[int, int]] = []
    for start, end in windows:
        if merged:
            previous_start, previous_end = merged[-1]
            bottoms = (previous_start + int(np.argmax(value[previous_start:previous_end + 1])),
                       start + int(np.argmax(value[start:end + 1])))
            if drop[bottoms[0]:bottoms[1] + 1].min() >= min_drop:
                merged[-1] = (previous_start, end)
                continue
        merged.append((start, end))
    return merged


def cleaned(values: np.ndarray, time_s: np.ndarray, config: RepConfig = DEFAULT_REPS) -> np.ndarray:
    """Gaps bridged, one-frame glitches removed (rolling median), then smoothed."""
    values = fill_gaps(values)
    if len(values) < 3 or not np.isfinite(values).all():
        return values
    step = float(np.median(np.diff(time_s))) or 1.0
    window = max(1, int(round(config.median_s / step)) // 2 * 2 + 1)
    return smooth(median_filter(values, size=window, mode="nearest"), time_s, config.smooth_s)


def hysteresis_windows(value: np.ndarray, enter: float, leave: float) -> list[tuple[int, int]]:
    """(start, end) positions of the excursions above `enter`, each widened to where the signal
    was last and is next below `leave`. An excursion already above `leave` when the clip starts,
    or still above it when the clip ends, counts only if the signal there is below `enter` and at
    least half-way from the bottom to `leave` (a clip cut just after the athlete set off, or as
    they stand up); otherwise it is incomplete and left out."""
    windows = []
    position = 0
    n = len(value)
    while position < n:
        above = np.flatnonzero(value[position:] > enter)
        if not len(above):
            break
        crossing = position + int(above[0])
        before = np.flatnonzero(value[:crossing] <= leave)
        after = np.flatnonzero(value[crossing:] <= leave)
        if len(after):
            end = crossing + int(after[0])
        elif _nearly_back(value[-1], value[crossing:].max(), enter, leave):
            end = n - 1
        else:
            break
        if len(before):
            start = int(before[-1])
        elif _nearly_back(value[0], value[:end + 1].max(), enter, leave):
            start = 0
        else:
            position = end + 1
            continue
        if not windows or start >= windows[-1][1]:
            windows.append((start, end))
        position = end + 1
    return windows


def _nearly_back(edge: float, peak: float, enter: float, leave: float) -> bool:
    """Whether a clip edge cuts a repetition close enough to standing for it to count."""
    return edge <= enter and edge <= (peak + leave) / 2


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


def align_offset(reference: MovementSignal, other: MovementSignal, max_lag_s: float,
                 config: RepConfig = DEFAULT_REPS) -> float:
    """Seconds to add to a time in the reference view to get the same moment in the other view.

    The lag whose overlap correlates the two views' movement signals best (Pearson, so that the
    2D angles of one view and the 3D angles of the other compare), less a small penalty per second
    of lag: repetitions look alike, so a lag of one repetition can correlate almost as well, and
    two cameras started by hand are seconds apart, not repetitions.
    """
    rate = 30.0
    grid_a, a = _resampled(reference, rate, config)
    grid_b, b = _resampled(other, rate, config)
    max_lag = int(max_lag_s * rate)
    best, best_score = 0, -np.inf
    for lag in range(-max_lag, max_lag + 1):
        # a[i] is compared with b[i + lag]
        lo, hi = max(0, -lag), min(len(a), len(b) - lag)
        if hi - lo < rate:  # at least a second of overlap
            continue
        x, y = a[lo:hi], b[lo + lag:hi + lag]
        if x.std() == 0 or y.std() == 0:
            continue
        score = float(np.corrcoef(x, y)[0, 1]) - config.lag_penalty_per_s * abs(lag) / rate
        if score > best_score:
            best, best_score = lag, score
    if not np.isfinite(best_score):
        return 0.0
    return best / rate + float(grid_b[0] - grid_a[0])


def _resampled(signal: MovementSignal, rate: float, config: RepConfig) -> tuple[np.ndarray, np.ndarray]:
    values = cleaned(signal.value, signal.time_s, config)
    if not np.isfinite(values).all() or len(values) < 2:
        return np.empty(0), np.empty(0)
    grid = np.arange(signal.time_s[0], signal.time_s[-1], 1.0 / rate)
    return grid, np.interp(grid, signal.time_s, values)
