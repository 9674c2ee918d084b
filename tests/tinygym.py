"""A tiny dataset in the ALEX-GYM-1 layout, written by the tests that need one.

Landmarks are a stick figure whose pose depends on the exercise and whose criteria are visible:
criterion j moves landmark group j sideways when it fails, so a model can learn them. Frames are
small JPEGs with the landmarks drawn, so that the vision stream has something to see.
"""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pandas as pd

from gymcore.criteria import criteria_for
from gymcore.data.layout import (COLUMN_EXERCISE, COLUMN_PARTICIPANT, COLUMN_REP, COLUMN_VIDEO, DATASET_CARD,
                             FRAME_FOLDERS, FRAME_NAME, POSE_FILES, SHEETS)

EXERCISE_SHIFT = {"squat": (0.0, 0.15), "lunges": (0.15, 0.0), "deadlift": (-0.15, -0.1)}


def tiny_landmarks(rng: np.random.Generator, exercise: str, labels: np.ndarray, view: int) -> np.ndarray:
    base = np.stack([np.linspace(0.3, 0.7, 33), np.linspace(0.2, 0.8, 33), np.zeros(33)], axis=1)
    base[::2, 0] += 0.1 * (view + 1)
    t = np.linspace(0, np.pi, 16)
    dx, dy = EXERCISE_SHIFT[exercise]
    frames = np.repeat(base[None], 16, axis=0)
    frames[:, 20:, 0] += dx * np.sin(t)[:, None]
    frames[:, 20:, 1] += dy * np.sin(t)[:, None]
    for j, passed in enumerate(labels):
        if not passed:
            frames[:, 3 * j:3 * j + 3, 0] += 0.12
    frames[..., :2] = frames[..., :2] * rng.uniform(0.9, 1.1) + rng.normal(0, 0.005, (16, 33, 2))
    return frames.astype(np.float32)


def draw_frame(points: np.ndarray, size: int) -> np.ndarray:
    image = np.full((size, size, 3), 40, dtype=np.uint8)
    for k, (x, y, _) in enumerate(points):
        cv2.circle(image, (int(x * size), int(y * size)), 1, (255, 8 * k % 256, 120), -1)
    return image


def write_tiny_dataset(root: Path, exercises: tuple[str, ...] = ("squat",), participants: int = 10, reps: int = 2,
                       frame_size: int = 32, seed: int = 0, missing_frames: bool = True) -> Path:
    rng = np.random.default_rng(seed)
    root.mkdir(parents=True, exist_ok=True)
    (root / DATASET_CARD).write_text(json.dumps({"name": "TinyGym", "version": "test", "seed": seed}))
    for exercise in exercises:
        ids = [c.id for c in criteria_for(exercise)]
        folder = root / FRAME_FOLDERS[exercise]
        folder.mkdir(exist_ok=True)
        rows, poses = [], {"frontal": [], "lateral": []}
        for p in range(participants):
            for rep in range(reps):
                labels = rng.integers(0, 2, len(ids))
                row = {COLUMN_PARTICIPANT: f"P{p:02d}", COLUMN_VIDEO["frontal"]: 2 * p + 1,
                       COLUMN_VIDEO["lateral"]: 2 * p + 2, COLUMN_REP: rep, COLUMN_EXERCISE: exercise}
                row.update({cid: int(v) for cid, v in zip(ids, labels)})
                rows.append(row)
                for v, view in enumerate(("frontal", "lateral")):
                    points = tiny_landmarks(rng, exercise, labels, v)
                    entry = points.tolist()
                    if missing_frames and rep == 1 and v == 0:
                        entry[5] = None
                    poses[view].append(entry)
                    for f in range(16):
                        name = FRAME_NAME.format(video=row[COLUMN_VIDEO[view]], rep=rep, frame=f + 1)
                        cv2.imwrite(str(folder / name), draw_frame(points[f], frame_size)[..., ::-1])
        pd.DataFrame(rows).to_excel(root / SHEETS[exercise], index=False)
        for view, entries in poses.items():
            (root / POSE_FILES[view].format(exercise=exercise)).write_text(json.dumps(entries))
    return root
