"""Reading a dataset in the published ALEX-GYM-1 layout (SynthGym writes the same layout).

Every name of the layout (folders, files, columns) comes from gymcore.data.layout, the one place that
SynthGym's writer and this loader share. A missing file or column fails with a message that
names it.

Derived inputs are cached under gymcore's cache (``gymcore.config.cache_root()/datasets``), one folder
per dataset named by a hash of its resolved path, never inside the dataset's own folder (which may be
read-only or someone else's): the 5984 pose features per view (missing frames interpolated as in
inference, see gymcore.models.inputs) and frames resized to a model's input size. Cache files carry a
fingerprint of what they were computed from and are rebuilt when it changes.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field, replace
from pathlib import Path

import cv2
import numpy as np
import pandas as pd

from gymcore.config import cache_root
from gymcore.criteria import EXERCISES, criteria_for
from gymcore.data.layout import (
    COLUMN_PARTICIPANT,
    COLUMN_REP,
    COLUMN_VIDEO,
    DATASET_CARD,
    FIRST_FRAME,
    FRAME_FOLDERS,
    FRAME_NAME,
    FRAMES_PER_REP,
    LABEL_THRESHOLD,
    POSE_FILES,
    SHEETS,
    VIEWS,
)
from gymcore.errors import InputError
from gymcore.judging.types import RepSample, ViewSample
from gymcore.models.inputs import fill_missing_frames, select_features
from gymcore.perception.features import N_FEATURES, pose_features
from gymcore.perception.video import resize_frames

SPLITS = ("train", "val", "test")
SPLIT_FRACTIONS = (0.70, 0.15, 0.15)


@dataclass
class ExerciseSet:
    """The repetitions of one exercise: labels, landmarks and where their frames are."""

    root: Path
    exercise: str
    participants: np.ndarray  # (N,) str
    videos: dict[str, np.ndarray]  # view -> (N,) int
    reps: np.ndarray  # (N,) int
    labels: np.ndarray  # (N, L) float32, 1 = criterion satisfied
    landmarks: dict[str, np.ndarray]  # view -> (N, 16, 33, 3) float32, NaN for undetected frames
    rows: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=int))  # indices into the sheet

    def __len__(self) -> int:
        return len(self.reps)

    @property
    def criterion_ids(self) -> list[str]:
        return [criterion.id for criterion in criteria_for(self.exercise)]

    def subset(self, indices: np.ndarray) -> ExerciseSet:
        indices = np.asarray(indices, dtype=int)
        return replace(
            self,
            participants=self.participants[indices],
            videos={view: videos[indices] for view, videos in self.videos.items()},
            reps=self.reps[indices],
            labels=self.labels[indices],
            landmarks={view: points[indices] for view, points in self.landmarks.items()},
            rows=self.rows[indices],
        )

    def frame_paths(self, index: int, view: str) -> list[Path]:
        folder = self.root / FRAME_FOLDERS[self.exercise]
        video, rep = int(self.videos[view][index]), int(self.reps[index])
        return [folder / FRAME_NAME.format(video=video, rep=rep, frame=frame)
                for frame in range(FIRST_FRAME, FIRST_FRAME + FRAMES_PER_REP)]


def dataset_info(root: Path) -> dict[str, object]:
    """Name, version and seed from ``dataset.json``; a dataset without one is named by its folder."""
    root = Path(root)
    card = root / DATASET_CARD
    info: dict[str, object] = {"name": root.name, "version": None, "seed": None}
    if card.exists():
        info.update(_read_card(card))
    info["path"] = str(root)
    return info


def landmark_source(info: dict[str, object]) -> str:
    """Where a dataset's landmarks came from: MediaPipe (the published data, and SynthGym unless its
    card's generator says otherwise) or SynthGym's noise model."""
    generator = info.get("generator")
    return str(generator.get("landmarks", "mediapipe")) if isinstance(generator, dict) else "mediapipe"


def _read_card(path: Path) -> dict[str, object]:
    card = _read_json(path, "the dataset's name, version and seed")
    if not isinstance(card, dict):
        raise InputError(f"{path} is not a dataset card: it should hold a JSON object with the dataset's name,"
                         " version and seed.")
    return card


def _read_json(path: Path, holds: str) -> object:
    """The JSON in ``path``, or an InputError naming the file, which should hold ``holds``."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:  # ValueError: not JSON, or not UTF-8 text
        raise InputError(f"{path} is not readable JSON ({error}); it should hold {holds}.") from None


def available_exercises(root: Path) -> list[str]:
    """Exercises whose sheet exists in ``root``."""
    return [exercise for exercise in EXERCISES if (Path(root) / SHEETS[exercise]).exists()]


def load_exercise(root: Path, exercise: str) -> ExerciseSet:
    root = Path(root)
    if not root.is_dir():
        raise InputError(f"The dataset folder {root} does not exist; pass the folder that holds {SHEETS[exercise]}.")
    sheet = _read_sheet(root, exercise)
    ids = [criterion.id for criterion in criteria_for(exercise)]
    _require_columns(sheet, [COLUMN_PARTICIPANT, COLUMN_VIDEO["frontal"], COLUMN_VIDEO["lateral"], COLUMN_REP, *ids],
                     root / SHEETS[exercise])
    path = root / SHEETS[exercise]
    videos = {view: _whole_numbers(sheet, COLUMN_VIDEO[view], path) for view in VIEWS}
    reps = _whole_numbers(sheet, COLUMN_REP, path)
    labels = np.stack([_numbers(sheet, cid, path) for cid in ids], axis=1)
    landmarks = {view: _read_landmarks(root / POSE_FILES[view].format(exercise=exercise), len(sheet)) for view in VIEWS}
    return ExerciseSet(
        root=root,
        exercise=exercise,
        participants=sheet[COLUMN_PARTICIPANT].astype(str).to_numpy(),
        videos=videos,
        reps=reps,
        labels=(labels >= LABEL_THRESHOLD).astype(np.float32),
        landmarks=landmarks,
        rows=np.arange(len(sheet)),
    )


def _read_sheet(root: Path, exercise: str) -> pd.DataFrame:
    path = root / SHEETS[exercise]
    if not path.exists():
        raise InputError(f"The dataset has no {SHEETS[exercise]} (looked for {path}); it lists the {exercise}"
                         f" repetitions and their labels.")
    try:
        return pd.read_excel(path)
    except Exception as error:
        # openpyxl and zipfile fail on a damaged workbook in many ways (BadZipFile, zlib.error, KeyError,
        # ValueError, XML errors) and say so in their own terms; the person needs the file to replace.
        raise InputError(f"{path} is not a readable Excel workbook (it may be another kind of file, or damaged):"
                         f" save the {exercise} sheet again as .xlsx.") from error


def _numbers(sheet: pd.DataFrame, column: str, path: Path) -> np.ndarray:
    """The column as floats; a blank or a word in it is an InputError naming the cell."""
    values = pd.to_numeric(sheet[column], errors="coerce").to_numpy(dtype=float)
    _refuse_cell(sheet, column, path, ~np.isfinite(values), "numbers")
    return values


def _whole_numbers(sheet: pd.DataFrame, column: str, path: Path) -> np.ndarray:
    """The column as ints; a fraction would silently name another video or repetition, so it is refused."""
    values = _numbers(sheet, column, path)
    _refuse_cell(sheet, column, path, values != np.round(values), "whole numbers")
    return values.astype(int)


def _refuse_cell(sheet: pd.DataFrame, column: str, path: Path, bad: np.ndarray, holds: str) -> None:
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        # Row 1 of the workbook is the header, so data row 0 is row 2 in a spreadsheet program.
        raise InputError(f"{path.name} has {sheet[column].iloc[row]!r} in the column {column} at row {row + 2}"
                         f" ({int(bad.sum())} such cell(s)); that column holds {holds}.")


def _require_columns(sheet: pd.DataFrame, columns: list[str], path: Path) -> None:
    missing = [column for column in columns if column not in sheet.columns]
    if missing:
        raise InputError(f"{path.name} lacks the column(s) {', '.join(missing)}; found {', '.join(map(str, sheet.columns))}.")


def _read_landmarks(path: Path, n_rows: int) -> np.ndarray:
    """One (16, 33, 3) entry per sheet row; a null frame (nobody detected) becomes NaN."""
    if not path.exists():
        raise InputError(f"The dataset has no {path.name} (looked for {path}); it holds the landmarks of each repetition.")
    entries = _read_json(path, "a list with the landmarks of each repetition")
    if not isinstance(entries, list):
        raise InputError(f"{path} holds a JSON {type(entries).__name__}, not a list with the landmarks of each repetition.")
    if len(entries) != n_rows:
        raise InputError(f"{path.name} holds {len(entries)} entries but the sheet has {n_rows} rows; they must match row by row.")
    out = np.full((n_rows, FRAMES_PER_REP, 33, 3), np.nan, dtype=np.float32)
    for row, entry in enumerate(entries):
        if entry is None:
            continue
        if not isinstance(entry, list):
            raise InputError(f"Entry {row} of {path.name} is a {type(entry).__name__}, not a list of frames (or null).")
        for frame, points in enumerate(entry[:FRAMES_PER_REP]):
            if points is not None:
                out[row, frame] = _frame_points(points, path, row, frame)
    return out


def _frame_points(points: object, path: Path, row: int, frame: int) -> np.ndarray:
    """(33, 3) x, y, z of one frame's landmarks (a fourth value, visibility, is dropped)."""
    try:
        array = np.asarray(points, dtype=np.float32)
    except (TypeError, ValueError):  # ragged lists, words
        array = None
    if array is None or array.ndim != 2 or array.shape[0] != 33 or array.shape[1] < 3:
        raise InputError(f"Frame {frame} of entry {row} in {path.name} is not 33 landmarks of (x, y, z) numbers;"
                         " a frame is such a list, or null where nobody was detected.")
    return array[:, :3]


def all_participants(root: Path) -> np.ndarray:
    """Participant ids over every exercise sheet present, so that one split serves all models."""
    ids: set[str] = set()
    for exercise in available_exercises(root):
        sheet = _read_sheet(Path(root), exercise)
        _require_columns(sheet, [COLUMN_PARTICIPANT], Path(root) / SHEETS[exercise])
        ids.update(sheet[COLUMN_PARTICIPANT].astype(str))
    return np.array(sorted(ids))


def participant_split(participants: np.ndarray, seed: int = 0) -> dict[str, set[str]]:
    """70/15/15 of the participants (not of the repetitions), shuffled with ``seed``."""
    if seed < 0:
        raise InputError(f"The split's seed must be 0 or more, not {seed}.")
    order = np.random.default_rng(seed).permutation(np.asarray(sorted(set(participants))))
    n = len(order)
    n_val = max(1, round(SPLIT_FRACTIONS[1] * n)) if n >= 3 else 0
    n_test = max(1, round(SPLIT_FRACTIONS[2] * n)) if n >= 3 else 0
    n_train = n - n_val - n_test
    return {"train": set(order[:n_train]), "val": set(order[n_train:n_train + n_val]), "test": set(order[n_train + n_val:])}


def split_exercise(data: ExerciseSet, seed: int = 0) -> dict[str, ExerciseSet]:
    groups = participant_split(all_participants(data.root), seed)
    return {name: data.subset(np.flatnonzero(np.isin(data.participants, sorted(members))))
            for name, members in groups.items()}


def dataset_cache_folder(root: Path) -> Path:
    """The cache folder of the dataset at ``root``: one per dataset, named by its resolved path."""
    key = hashlib.sha256(str(Path(root).resolve()).encode()).hexdigest()[:16]
    return cache_root() / "datasets" / key


def _cache_path(data: ExerciseSet, name: str, payload: bytes) -> Path:
    fingerprint = hashlib.sha256(payload).hexdigest()[:16]
    folder = dataset_cache_folder(data.root)
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{data.exercise}_{name}_{fingerprint}.npy"


def cached_features(data: ExerciseSet, view: str) -> np.ndarray:
    """(N, 16, 5984) float32 pose features of ``view``, missing frames interpolated."""
    points = data.landmarks[view]
    path = _cache_path(data, f"{view}_features", points.tobytes())
    if path.exists():
        return np.load(path)
    features = np.stack([pose_features(fill_missing_frames(sequence)[0]) for sequence in points]) if len(points) else \
        np.zeros((0, FRAMES_PER_REP, N_FEATURES), dtype=np.float32)
    np.save(path, features)
    return features


def cached_frames(data: ExerciseSet, view: str, size: int) -> np.ndarray:
    """(N, 16, size, size, 3) RGB uint8 frames of ``view`` resized to the model's input size."""
    names = "\n".join(str(p) for i in range(len(data)) for p in data.frame_paths(i, view))
    path = _cache_path(data, f"{view}_frames{size}", names.encode())
    if path.exists():
        return np.load(path)
    frames = np.stack([load_frames(data.frame_paths(i, view), size) for i in range(len(data))]) if len(data) else \
        np.zeros((0, FRAMES_PER_REP, size, size, 3), dtype=np.uint8)
    np.save(path, frames)
    return frames


def load_frames(paths: list[Path], size: int) -> np.ndarray:
    """Read the JPEG frames of one repetition as (16, size, size, 3) RGB uint8."""
    frames = []
    for path in paths:
        image = cv2.imread(str(path), cv2.IMREAD_COLOR)
        if image is None:
            raise InputError(f"The frame {path} is missing or unreadable; every repetition needs its {FRAMES_PER_REP} frames.")
        frames.append(cv2.cvtColor(image, cv2.COLOR_BGR2RGB))
    return np.stack([resize_frames(frame[None], size)[0] for frame in frames])


def model_arrays(data: ExerciseSet, kinds: tuple[str, ...], image_size: int,
                 views: tuple[str, ...] = VIEWS) -> dict[str, np.ndarray]:
    """The inputs of a model reading ``kinds`` from ``views`` for every repetition:
    ``{f"{kind}_{view}": array}``."""
    arrays: dict[str, np.ndarray] = {}
    for view in views:
        for kind in kinds:
            if kind == "video":
                arrays[f"video_{view}"] = cached_frames(data, view, image_size)
            elif kind == "landmarks":
                arrays[f"landmarks_{view}"] = np.stack(
                    [fill_missing_frames(points)[0].reshape(FRAMES_PER_REP, -1) for points in data.landmarks[view]])
            else:
                arrays[f"{kind}_{view}"] = select_features(cached_features(data, view), kind)
    return arrays


def rep_samples(data: ExerciseSet, image_size: int | None = None) -> list[RepSample]:
    """The rows as the CriteriaModel interface takes them; frames (resized to ``image_size``) only
    when asked for. Times are not in the layout, so frames are spaced one sixteenth of a unit apart."""
    samples = []
    frames = {view: cached_frames(data, view, image_size) for view in VIEWS} if image_size else {}
    for i in range(len(data)):
        views = {}
        for view in VIEWS:
            points = data.landmarks[view][i]
            views[view] = ViewSample(
                view=view,
                frame_indices=np.arange(FRAMES_PER_REP),
                time_s=np.arange(FRAMES_PER_REP) / FRAMES_PER_REP,
                landmarks=points,
                visibility=np.isfinite(points).all(axis=2).astype(np.float32),
                features=pose_features(points),
                images=frames[view][i] if frames else None,
                image_size=_frame_size(data, i, view),
            )
        samples.append(RepSample(start_s=0.0, end_s=1.0, views=views))
    return samples


def _frame_size(data: ExerciseSet, index: int, view: str) -> tuple[int, int]:
    """(width, height) of the repetition's first frame, which the normalised landmarks refer to."""
    first = data.frame_paths(index, view)[0]
    image = cv2.imread(str(first), cv2.IMREAD_UNCHANGED)
    if image is None:
        raise InputError(f"The frame {first} is missing or unreadable; every repetition needs its {FRAMES_PER_REP} frames.")
    return int(image.shape[1]), int(image.shape[0])
