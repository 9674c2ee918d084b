"""What a model's input tensors are made of, the same in training and in inference.

Missing frames (MediaPipe found nobody, landmarks NaN) are filled by linear interpolation over
time from the frames where the person was seen, holding the nearest seen frame at the ends; a view
with no detection at all becomes zeros. The fraction of seen frames travels alongside so that
callers can refuse to judge a view that is mostly guessed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from gymcore.perception.features import N_DISTANCES, N_FEATURES, pose_features

if TYPE_CHECKING:
    import torch

# Input kinds of the pose stream: the paper's features and Table 4's ablations.
INPUT_CHANNELS: dict[str, int] = {
    "features": N_FEATURES,
    "distances": N_DISTANCES,
    "angles": N_FEATURES - N_DISTANCES,
    "landmarks": 33 * 3,
}


def fill_missing_frames(landmarks: np.ndarray) -> tuple[np.ndarray, float]:
    """(T, 33, 3) with NaN rows -> (T, 33, 3) interpolated over time, and the fraction of seen frames."""
    points = np.asarray(landmarks, dtype=np.float32)
    seen = np.isfinite(points).all(axis=(1, 2))
    if not seen.any():
        return np.zeros_like(points), 0.0
    if seen.all():
        return points.copy(), 1.0
    times = np.arange(len(points))
    flat = points.reshape(len(points), -1)
    filled = np.stack([np.interp(times, times[seen], flat[seen, c]) for c in range(flat.shape[1])], axis=1)
    return filled.reshape(points.shape).astype(np.float32), float(seen.mean())


def pose_input(landmarks: np.ndarray, kind: str) -> np.ndarray:
    """A view's (T, 33, 3) landmarks -> the (T, C) sequence a pose stream of ``kind`` reads."""
    filled, _ = fill_missing_frames(landmarks)
    if kind == "landmarks":
        return filled.reshape(len(filled), -1)
    features = pose_features(filled)
    return select_features(features, kind)


def select_features(features: np.ndarray, kind: str) -> np.ndarray:
    """Cut a (..., 5984) feature array down to what ``kind`` reads (distances come first)."""
    if kind == "features":
        return features
    if kind == "distances":
        return features[..., :N_DISTANCES]
    if kind == "angles":
        return features[..., N_DISTANCES:]
    raise ValueError(f"Unknown pose input kind {kind!r}; expected one of {sorted(INPUT_CHANNELS)}.")


def scale_free_distances(landmarks: np.ndarray) -> np.ndarray:
    """Distances divided by their mean over the sequence, so that the person's size in the picture
    does not matter (the exercise classifier's input)."""
    distances = pose_input(landmarks, "distances")
    return distances / (float(distances.mean()) + 1e-6)


def to_tensors(arrays: dict[str, np.ndarray], device: str | None = None) -> dict[str, torch.Tensor]:
    """Batched numpy inputs -> model tensors (on ``device``, the CPU by default): pose kinds stay
    (B, T, C) float32; ``video_*`` arrays of (B, T, S, S, 3) uint8 become (B, 3, T, S, S) float32 in [0, 1]."""
    import torch

    out = {}
    for key, array in arrays.items():
        if key.startswith("video"):
            tensor = torch.from_numpy(np.ascontiguousarray(array)).permute(0, 4, 1, 2, 3).float().div_(255.0)
        else:
            tensor = torch.from_numpy(np.ascontiguousarray(array, dtype=np.float32))
        out[key] = tensor if device is None else tensor.to(device)
    return out


def batched_logits(model: torch.nn.Module, arrays: dict[str, np.ndarray], batch_size: int = 16,
                   device: str | None = None) -> np.ndarray:
    """Run ``model`` (on ``device``, the CPU by default) in eval mode over every row of ``arrays``
    -> (N, outputs) float32 logits."""
    import torch

    n_rows = len(next(iter(arrays.values())))
    model.eval()
    outputs = []
    with torch.inference_mode():
        for start in range(0, n_rows, batch_size):
            batch = {key: array[start:start + batch_size] for key, array in arrays.items()}
            outputs.append(model(to_tensors(batch, device)).float().cpu().numpy())
    return np.concatenate(outputs) if outputs else np.zeros((0, 0), dtype=np.float32)
