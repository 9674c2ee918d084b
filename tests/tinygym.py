"""A tiny dataset in the ALEX-GYM-1 layout, written by the tests that need one.

Landmarks are a schematic body seen from the front (frontal view) or the side (lateral view), so
that the view gate (gymcore.judging.gate) accepts every repetition and evaluations measure the
models, not the gate. The exercise moves the upper body in its own direction, so that the
exercise classifier can learn it; criterion j moves landmark group j sideways when it fails, so
that a criteria model can learn it. The groups leave the shoulders and hips alone (the gate reads
the view's orientation from their widths). Frames are small JPEGs with the landmarks drawn, so
that the vision stream has something to see.
"""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pandas as pd

from gymcore.criteria import criteria_for
from gymcore.data.layout import (
    COLUMN_EXERCISE,
    COLUMN_PARTICIPANT,
    COLUMN_REP,
    COLUMN_VIDEO,
    DATASET_CARD,
    FRAME_FOLDERS,
    FRAME_NAME,
    POSE_FILES,
    SHEETS,
)

# (x, y) of MediaPipe's 33 landmarks, standing. Frontal: shoulders and hips about 0.5 torso
# lengths wide, as a person facing the camera; lateral: edge on (about 0.04), facing right.
FRONTAL = [(0.50, 0.14), (0.51, 0.12), (0.52, 0.12), (0.53, 0.12), (0.49, 0.12), (0.48, 0.12), (0.47, 0.12),
           (0.54, 0.13), (0.46, 0.13), (0.51, 0.17), (0.49, 0.17), (0.58, 0.28), (0.42, 0.28), (0.62, 0.40),
           (0.38, 0.40), (0.63, 0.50), (0.37, 0.50), (0.64, 0.53), (0.36, 0.53), (0.64, 0.53), (0.36, 0.53),
           (0.63, 0.52), (0.37, 0.52), (0.55, 0.53), (0.45, 0.53), (0.55, 0.70), (0.45, 0.70), (0.55, 0.86),
           (0.45, 0.86), (0.55, 0.88), (0.45, 0.88), (0.56, 0.90), (0.44, 0.90)]
LATERAL = [(0.55, 0.14), (0.54, 0.12), (0.54, 0.12), (0.53, 0.12), (0.54, 0.12), (0.54, 0.12), (0.53, 0.12),
           (0.50, 0.13), (0.50, 0.13), (0.54, 0.17), (0.54, 0.17), (0.505, 0.28), (0.495, 0.28), (0.52, 0.40),
           (0.52, 0.40), (0.54, 0.50), (0.54, 0.50), (0.55, 0.53), (0.55, 0.53), (0.55, 0.53), (0.55, 0.53),
           (0.54, 0.52), (0.54, 0.52), (0.505, 0.53), (0.495, 0.53), (0.52, 0.70), (0.52, 0.70), (0.50, 0.86),
           (0.50, 0.86), (0.48, 0.88), (0.48, 0.88), (0.56, 0.90), (0.56, 0.90)]
UPPER_BODY = slice(0, 23)  # head, shoulders, arms and hands: what the exercise moves
EXERCISE_SHIFT = {"squat": (0.0, 0.08), "lunges": (0.08, 0.0), "deadlift": (-0.08, 0.04)}
# Criterion j's landmarks: every landmark but the shoulders and hips, three at a time.
CRITERION_GROUPS = np.array([k for k in range(33) if k not in (11, 12, 23, 24)])[:27].reshape(9, 3)
FAULT_SHIFT = 0.12


def tiny_landmarks(rng: np.random.Generator, exercise: str, labels: np.ndarray, view: int) -> np.ndarray:
    base = np.array(FRONTAL if view == 0 else LATERAL, dtype=np.float64)
    base = np.concatenate([base, np.zeros((33, 1))], axis=1)
    t = np.linspace(0, np.pi, 16)
    dx, dy = EXERCISE_SHIFT[exercise]
    frames = np.repeat(base[None], 16, axis=0)
    frames[:, UPPER_BODY, 0] += dx * np.sin(t)[:, None]
    frames[:, UPPER_BODY, 1] += dy * np.sin(t)[:, None]
    for j, passed in enumerate(labels):
        if not passed:
            frames[:, CRITERION_GROUPS[j], 0] += FAULT_SHIFT
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
