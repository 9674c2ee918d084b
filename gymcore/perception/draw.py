"""Drawing poses over frames (for contact sheets, the dashboard and annotated clips)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import cv2
import numpy as np

from gymcore.perception.pose import SKELETON
from gymcore.perception.analysis import ViewAnalysis
from gymcore.perception.video import iter_frames, write_video

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



def annotated_clip(view: ViewAnalysis, out: Path) -> Path:
    """Decode the frames the timeline tracked and draw their poses; the clip plays at the
    timeline's rate so that its length matches the original's."""
    timeline = view.timeline
    position = {int(index): i for i, index in enumerate(timeline.frame_indices)}
    duration = float(timeline.time_s[-1] - timeline.time_s[0]) if len(timeline) > 1 else 0.0
    fps = (len(timeline) - 1) / duration if duration > 0 else view.source.fps
    frames = (
        draw_skeleton(frame.image, timeline.landmarks[position[frame.index]], timeline.visibility[position[frame.index]])
        for frame in iter_frames(view.source, timeline.frame_indices, ANNOTATED_LONG_SIDE)
    )
    return write_video(out, frames, fps=fps)
