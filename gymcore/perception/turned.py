"""A view the camera did not film: MediaPipe's world landmarks turned to face a virtual camera.

MediaPipe estimates every pose in 3D as well (world landmarks: metres, origin between the hips, y
down), whatever the camera's angle. Turned about the vertical axis so that the hip line points at
a virtual camera (side-on) or runs across it (facing), and projected orthographically, they give
the landmarks a lateral or frontal camera would have seen, up to MediaPipe's error in depth. An
oblique clip (30-60 degrees, which neither a frontal nor a lateral criterion is judged from) is
judged through them (``turns``, gymcore.judging.sampling). The depth MediaPipe guesses from one camera is its
least precise coordinate, so these views are noisier than a real side-on or frontal clip.
"""

from __future__ import annotations

import numpy as np

from gymcore.perception.pose import LANDMARK

# The virtual picture: a square this many metres wide around the hips, in pixels.
FIELD_M = 2.6
VIRTUAL_SIZE = (1000, 1000)


def turns(view: str, facing: str) -> bool:
    """Whether a clip given as ``view`` whose frames show the body ``facing`` (gymcore.perception.
    trackcheck.orientation) is judged through its landmarks turned to ``view``: an oblique one, and
    one given as lateral that reads frontal (real clips filmed 35-45 degrees from the front read
    0.39-0.50 torso lengths wide, past the frontal bound). Not one given as frontal that reads
    lateral: nothing measured supports the frontal criteria (the feet's angle, the knees' track)
    from MediaPipe's depth of a side-on clip."""
    return facing == "oblique" or (view == "lateral" and facing == "frontal")


def turned(world: np.ndarray, view: str) -> np.ndarray:
    """Normalised landmarks (N, 33, 3) of ``world`` (N, 33, 3) seen by an orthographic camera side-on
    (``view`` "lateral", the athlete facing the picture's right) or facing the athlete ("frontal"),
    in a VIRTUAL_SIZE picture; NaN where ``world`` is."""
    across = _hip_line(world)
    forward = np.array([-across[1], across[0]])
    if _facing_sign(world, forward) < 0:
        forward = -forward
    floor = world[..., [0, 2]]
    along_forward = floor @ forward
    along_across = floor @ across
    horizontal, depth = (along_forward, along_across) if view == "lateral" else (-along_across, -along_forward)
    return np.stack([0.5 + horizontal / FIELD_M, 0.5 + world[..., 1] / FIELD_M, depth / FIELD_M], axis=-1)


def _hip_line(world: np.ndarray) -> np.ndarray:
    """The unit direction from the right hip to the left in the floor plane (x, z), averaged over
    frames as unit vectors (an average, unlike a median per coordinate, turns with the body)."""
    lines = (world[:, LANDMARK["left_hip"]] - world[:, LANDMARK["right_hip"]])[:, [0, 2]]
    lengths = np.linalg.norm(lines, axis=1, keepdims=True)
    line = np.nanmean(np.where(lengths > 0, lines / np.where(lengths > 0, lengths, 1.0), np.nan), axis=0)
    norm = float(np.hypot(*line)) if np.isfinite(line).all() else 0.0
    return line / norm if norm > 0 else np.array([1.0, 0.0])


def _facing_sign(world: np.ndarray, forward: np.ndarray) -> float:
    """Positive when the toes point along ``forward`` (heel to toe, both feet, median over frames)."""
    toes = [world[:, LANDMARK[f"{side}_foot_index"]] - world[:, LANDMARK[f"{side}_heel"]] for side in ("left", "right")]
    pointing = np.nanmedian(np.concatenate(toes)[:, [0, 2]], axis=0)
    return float(pointing @ forward) if np.isfinite(pointing).all() else 1.0
