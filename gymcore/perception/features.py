"""The paper's 5984 pose features per frame (docs/architecture.md, step 4).

Per frame: the 528 Euclidean distances of all landmark pairs (i < j, in
``itertools.combinations(range(33), 2)`` order), then the 5456 cosines of the angle at the middle
landmark j of every triplet (i < j < k, ``itertools.combinations(range(33), 3)`` order). Weights
trained on the published data expect exactly this order.
"""

from __future__ import annotations

from itertools import combinations

import numpy as np

N_LANDMARKS = 33
_PAIRS = np.array(list(combinations(range(N_LANDMARKS), 2)), dtype=np.intp)
_TRIPLETS = np.array(list(combinations(range(N_LANDMARKS), 3)), dtype=np.intp)
N_DISTANCES = len(_PAIRS)
N_ANGLES = len(_TRIPLETS)
N_FEATURES = N_DISTANCES + N_ANGLES
_EPS = 1e-8

# Flat indices into a frame's (33, 33) difference-norm matrix and its (33, 33, 33) Gram tensor, so
# that one gather per frame replaces a Python loop over pairs and triplets.
_PAIR_FLAT = _PAIRS[:, 0] * N_LANDMARKS + _PAIRS[:, 1]
_I, _J, _K = _TRIPLETS.T
_GRAM_FLAT = (_J * N_LANDMARKS + _I) * N_LANDMARKS + _K
_NORM_JI = _J * N_LANDMARKS + _I
_NORM_JK = _J * N_LANDMARKS + _K


def pose_features(landmarks: np.ndarray) -> np.ndarray:
    """Distances then angle cosines for each frame: (T, 33, 3) -> (T, 5984) float32.

    A frame with missing landmarks (NaN) yields NaN features, so that a frame where nobody was
    detected stays visibly missing instead of turning into plausible numbers.
    """
    points = np.asarray(landmarks, dtype=np.float64)
    if points.ndim != 3 or points.shape[1:] != (N_LANDMARKS, 3):
        raise ValueError(f"pose_features expects landmarks of shape (T, 33, 3), got {points.shape}.")
    n_frames = points.shape[0]
    # diff[t, j, i] = p_i - p_j: the vector from the middle landmark j to landmark i.
    diff = points[:, None, :, :] - points[:, :, None, :]
    norms = np.sqrt(np.einsum("tjic,tjic->tji", diff, diff)).reshape(n_frames, -1)
    gram = np.matmul(diff, diff.transpose(0, 1, 3, 2)).reshape(n_frames, -1)
    out = np.empty((n_frames, N_FEATURES), dtype=np.float32)
    out[:, :N_DISTANCES] = norms[:, _PAIR_FLAT]
    out[:, N_DISTANCES:] = gram[:, _GRAM_FLAT] / (norms[:, _NORM_JI] * norms[:, _NORM_JK] + _EPS)
    return out


def feature_names() -> list[str]:
    """Readable names in feature order, e.g. ``dist_11_23`` and ``cos_11_23_25`` (angle at 23)."""
    return [f"dist_{i}_{j}" for i, j in _PAIRS] + [f"cos_{i}_{j}_{k}" for i, j, k in _TRIPLETS]
