"""Aligning the frontal and lateral views: the lag that best matches their movement signals."""

from __future__ import annotations

import numpy as np

from gymcore.repetitions.signals import cleaned
from gymcore.repetitions.types import DEFAULT_REPS, MovementSignal, RepConfig


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
