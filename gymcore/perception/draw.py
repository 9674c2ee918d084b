"""Drawing poses over frames (for contact sheets, the dashboard and annotated clips)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from pathlib import Path

import cv2
import numpy as np

from gymcore.perception.pose import SKELETON
from gymcore.perception.video import DecodedFrame, VideoWriter

_BONE = (0, 220, 120)
_JOINT = (255, 255, 255)
_HIDDEN = (150, 150, 150)
# Annotated clips are for watching in a page, not measuring: 640 px keeps them small and quick.
ANNOTATED_LONG_SIDE = 640


def draw_skeleton(
    image: np.ndarray, landmarks: np.ndarray, visibility: np.ndarray | None = None,
    min_visibility: float = 0.5,
) -> np.ndarray:
    """A copy of the RGB image with the 33-landmark skeleton drawn; joints MediaPipe deems hidden
    are drawn grey. A frame without a person (NaN landmarks) comes back unmarked."""
    out = image.copy()
    points = np.asarray(landmarks, dtype=np.float64)
    if np.isnan(points).all():
        return out
    height, width = out.shape[:2]
    pixels = np.round(points[:, :2] * (width, height)).astype(int)
    visible = np.ones(len(points), bool) if visibility is None else np.asarray(visibility) >= min_visibility
    thickness = max(1, round(min(width, height) / 160))
    for a, b in SKELETON:
        colour = _BONE if visible[a] and visible[b] else _HIDDEN
        cv2.line(out, tuple(pixels[a]), tuple(pixels[b]), colour, thickness, cv2.LINE_AA)
    for index, (x, y) in enumerate(pixels):
        cv2.circle(out, (x, y), thickness + 1, _JOINT if visible[index] else _HIDDEN, -1, cv2.LINE_AA)
    return out


def contact_sheet(images: Sequence[np.ndarray], columns: int, tile_width: int = 320) -> np.ndarray:
    """Images tiled row by row at a common width, blank-padded to a full last row."""
    tiles = [cv2.resize(im, (tile_width, round(im.shape[0] * tile_width / im.shape[1]))) for im in images]
    tile_h = max(t.shape[0] for t in tiles)
    tiles = [np.pad(t, ((0, tile_h - t.shape[0]), (0, 0), (0, 0))) for t in tiles]
    tiles += [np.zeros_like(tiles[0])] * (-len(tiles) % columns)
    rows = [np.concatenate(tiles[i:i + columns], axis=1) for i in range(0, len(tiles), columns)]
    return np.concatenate(rows, axis=0)


class AnnotatedClip:
    """The clip with its skeleton drawn on every timeline frame, encoded frame by frame as tracking
    hands the poses over, so that it needs no decoding pass of its own.

    Frames off the timeline (model frames of a thinned fast clip) are left out, so the clip plays
    at the timeline's rate with the original's length. Use it as a context manager.
    """

    def __init__(self, path: Path, fps: float, timeline_indices: Collection[int]) -> None:
        self._wanted = {int(index) for index in timeline_indices}
        self._writer = VideoWriter(path, fps)
        self.path = self._writer.path

    def add(self, frame: DecodedFrame, landmarks: np.ndarray, visibility: np.ndarray) -> None:
        if frame.index in self._wanted:
            self._writer.write(draw_skeleton(_annotated_size(frame.image), landmarks, visibility))

    def __enter__(self) -> AnnotatedClip:
        return self

    def __exit__(self, *error: object) -> None:
        self._writer.__exit__(*error)


def _annotated_size(image: np.ndarray) -> np.ndarray:
    height, width = image.shape[:2]
    scale = ANNOTATED_LONG_SIDE / max(height, width)
    if scale >= 1:
        return image
    size = (max(2, round(width * scale / 2) * 2), max(2, round(height * scale / 2) * 2))
    return cv2.resize(image, size, interpolation=cv2.INTER_AREA)
