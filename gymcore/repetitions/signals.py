"""The movement signal of a view (knee flexion, hip drop or trunk lean over its timeline), its
cleaning (rolling median, gaps filled, Gaussian smoothing), and two views' signals combined."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from gymcore.perception.analysis import ViewAnalysis
from gymcore.perception.pose import LANDMARK
from gymcore.repetitions.types import DEFAULT_REPS, MovementSignal, RepConfig


def movement_signal(view: ViewAnalysis, exercise: str) -> MovementSignal:
    """Knee flexion (squat), hip drop (lunges) or trunk lean (deadlift) over the view's timeline.

    The lateral view's image-plane angles are exact for sagittal motion; a frontal camera sees the
    knees bend toward it, so the frontal view uses MediaPipe's 3D angles.
    """
    suffix = "" if view.view == "lateral" else "_3d"
    drop = hip_drop(view.timeline.world if view.view == "frontal" else view.timeline_pixels())
    if exercise == "lunges":
        return MovementSignal("hip drop", view.timeline.time_s, 100.0 * drop, drop, view_independent=True)
    if exercise == "deadlift":
        name, value = "trunk lean", view.angles[f"trunk_lean{suffix}"]
    else:
        knees = np.stack([view.angles[f"left_knee{suffix}"], view.angles[f"right_knee{suffix}"]])
        name, value = "knee flexion", 180.0 - np.mean(knees, axis=0)
    return MovementSignal(name, view.timeline.time_s, value, drop)


def hip_drop(points: np.ndarray) -> np.ndarray:
    """Per frame, 1 - (hip height above the ankles) / (its standing value, the 90th percentile),
    both measured in torso lengths (shoulders to hips), so that walking toward the camera, which
    makes the whole body larger, does not read as standing up. ``points``: (frames, 33, 2) landmarks
    in pixels, or MediaPipe's (frames, 33, 3) 3D landmarks in metres.

    A frontal view reads it from the 3D landmarks: there a trunk leaning toward the camera shortens
    the pictured torso about as much as the hips' drop shortens their height, and a real air squat
    read 0% down in the picture against 25% in 3D (the real-clip benchmark's tuning half,
    docs/real-benchmark.md)."""

    def middle(part: str) -> np.ndarray:
        return (points[:, LANDMARK[f"left_{part}"]] + points[:, LANDMARK[f"right_{part}"]]) / 2

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


def cleaned(values: np.ndarray, time_s: np.ndarray, config: RepConfig = DEFAULT_REPS) -> np.ndarray:
    """Gaps bridged, one-frame glitches removed (rolling median), then smoothed."""
    values = fill_gaps(values)
    if len(values) < 3 or not np.isfinite(values).all():
        return values
    step = float(np.median(np.diff(time_s))) or 1.0
    window = max(1, int(round(config.median_s / step)) // 2 * 2 + 1)
    return smooth(rolling_median(values, window), time_s, config.smooth_s)


def rolling_median(values: np.ndarray, size: int) -> np.ndarray:
    """Median over a centred window of ``size`` (odd) samples, the ends repeated beyond the edges.

    The same values as ``scipy.ndimage.median_filter(values, size, mode="nearest")``, written with
    numpy because importing ``scipy.ndimage`` costs the dashboard's first page about 0.25 s.
    """
    if size % 2 == 0:
        raise ValueError(f"a rolling median needs an odd window, not {size}")
    half = size // 2
    return np.median(sliding_window_view(np.pad(values, half, mode="edge"), size), axis=1)


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
