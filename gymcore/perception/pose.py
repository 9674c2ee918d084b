"""MediaPipe Pose over decoded frames (SPEC.md, pipeline step 3).

MediaPipe 0.10.21 carries its pose model inside the wheel, so the legacy ``solutions.pose`` API runs
with no network. It is used in video mode: the landmark model follows the person from frame to frame
and the person detector only runs when the track is lost, which is both faster and steadier than
detecting every frame anew.
"""

from __future__ import annotations

import os
import queue
import sys
import threading
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from itertools import islice

import numpy as np

from gymcore.config import SAMPLES_DIR
from gymcore.perception.video import DecodedFrame, probe_clip, read_frames

N_LANDMARKS = 33
LANDMARK_NAMES: tuple[str, ...] = (
    "nose", "left_eye_inner", "left_eye", "left_eye_outer", "right_eye_inner", "right_eye",
    "right_eye_outer", "left_ear", "right_ear", "mouth_left", "mouth_right", "left_shoulder",
    "right_shoulder", "left_elbow", "right_elbow", "left_wrist", "right_wrist", "left_pinky",
    "right_pinky", "left_index", "right_index", "left_thumb", "right_thumb", "left_hip", "right_hip",
    "left_knee", "right_knee", "left_ankle", "right_ankle", "left_heel", "right_heel",
    "left_foot_index", "right_foot_index",
)
LANDMARK = {name: index for index, name in enumerate(LANDMARK_NAMES)}
# A bundled clip whose first frame shows a whole person standing: the estimator's warm-up frame.
WARM_UP_CLIP = SAMPLES_DIR / "squat_clean_frontal.mp4"
# The skeleton as MediaPipe draws it (mediapipe.solutions.pose.POSE_CONNECTIONS), kept here so that
# drawing does not need MediaPipe.
SKELETON: tuple[tuple[int, int], ...] = (
    (0, 1), (1, 2), (2, 3), (3, 7), (0, 4), (4, 5), (5, 6), (6, 8), (9, 10), (11, 12), (11, 13),
    (13, 15), (15, 17), (15, 19), (15, 21), (17, 19), (12, 14), (14, 16), (16, 18), (16, 20),
    (16, 22), (18, 20), (11, 23), (12, 24), (23, 24), (23, 25), (24, 26), (25, 27), (26, 28),
    (27, 29), (28, 30), (29, 31), (30, 32), (27, 31), (28, 32),
)


@dataclass
class PoseTrack:
    """Poses of selected frames of one clip. Frames where nobody was found hold NaN, and
    ``detected`` is False there: missing frames are marked, never dropped or zero-filled."""

    frame_indices: np.ndarray  # (N,) int
    time_s: np.ndarray  # (N,) float
    landmarks: np.ndarray  # (N, 33, 3) normalised image x, y (0..1) and MediaPipe's relative z
    visibility: np.ndarray  # (N, 33) in 0..1
    world: np.ndarray  # (N, 33, 3) metres, origin between the hips, y pointing down
    detected: np.ndarray  # (N,) bool

    def __len__(self) -> int:
        return len(self.frame_indices)

    @property
    def detection_rate(self) -> float:
        return float(self.detected.mean()) if len(self) else 0.0

    def subset(self, positions: np.ndarray) -> PoseTrack:
        """The poses at the given positions of this track (not frame indices)."""
        return PoseTrack(
            frame_indices=self.frame_indices[positions], time_s=self.time_s[positions],
            landmarks=self.landmarks[positions], visibility=self.visibility[positions],
            world=self.world[positions], detected=self.detected[positions],
        )

    def marked_missing(self, positions: np.ndarray) -> PoseTrack:
        """This track with the poses at the given positions (a boolean mask) taken as not found."""
        def blanked(values: np.ndarray) -> np.ndarray:
            values = values.copy()
            values[positions] = np.nan
            return values

        return PoseTrack(
            frame_indices=self.frame_indices, time_s=self.time_s, landmarks=blanked(self.landmarks),
            visibility=blanked(self.visibility), world=blanked(self.world), detected=self.detected & ~positions,
        )

    @classmethod
    def joined(cls, tracks: list[PoseTrack]) -> PoseTrack:
        """Consecutive tracks of one clip as one track, in order."""
        return cls(
            frame_indices=np.concatenate([t.frame_indices for t in tracks]),
            time_s=np.concatenate([t.time_s for t in tracks]),
            landmarks=np.concatenate([t.landmarks for t in tracks]),
            visibility=np.concatenate([t.visibility for t in tracks]),
            world=np.concatenate([t.world for t in tracks]),
            detected=np.concatenate([t.detected for t in tracks]),
        )


class PoseEstimator:
    """One MediaPipe Pose graph. Build it once and reuse it: building costs far more than a frame.

    A graph tracks one clip at a time; ``track`` resets it first, so a clip never inherits the
    previous clip's person. Calls from several threads are serialised.
    """

    def __init__(
        self, model_complexity: int = 1, min_detection_confidence: float = 0.5,
        min_tracking_confidence: float = 0.5,
    ) -> None:
        from mediapipe.python.solutions import pose as mp_pose

        with silenced_native_stderr():
            self._graph = mp_pose.Pose(
                static_image_mode=False, model_complexity=model_complexity, smooth_landmarks=True,
                enable_segmentation=False, min_detection_confidence=min_detection_confidence,
                min_tracking_confidence=min_tracking_confidence,
            )
            # MediaPipe opens its models on the first frame, from threads of its own, and warns once
            # per process on its first person found: a frame with a person runs all of that here.
            self._graph.process(_warm_up_image())
        self._lock = threading.Lock()

    def track(self, frames: Iterable[DecodedFrame]) -> PoseTrack:
        """Run the frames, in order, through the graph as one video."""
        indices: list[int] = []
        times: list[float] = []
        landmarks: list[np.ndarray] = []
        visibility: list[np.ndarray] = []
        world: list[np.ndarray] = []
        detected: list[bool] = []
        missing = np.full((N_LANDMARKS, 4), np.nan)
        with self._lock:
            for frame, result in self._results(frames):
                found = result.pose_landmarks is not None
                image_points = _as_array(result.pose_landmarks) if found else missing
                world_points = _as_array(result.pose_world_landmarks) if found else missing
                indices.append(frame.index)
                times.append(frame.time_s)
                landmarks.append(image_points[:, :3])
                visibility.append(image_points[:, 3])
                world.append(world_points[:, :3])
                detected.append(found)
        return PoseTrack(
            frame_indices=np.asarray(indices, dtype=int),
            time_s=np.asarray(times, dtype=float),
            landmarks=np.asarray(landmarks, dtype=np.float32).reshape(-1, N_LANDMARKS, 3),
            visibility=np.asarray(visibility, dtype=np.float32).reshape(-1, N_LANDMARKS),
            world=np.asarray(world, dtype=np.float32).reshape(-1, N_LANDMARKS, 3),
            detected=np.asarray(detected, dtype=bool),
        )

    def _results(self, frames: Iterable[DecodedFrame]) -> Iterator[tuple[DecodedFrame, object]]:
        """Each frame with MediaPipe's result, the graph reset before the first so that a clip
        never inherits the previous clip's person.

        A reset reopens MediaPipe's models, which log from the graph's threads until the first
        frame is through: only that span is silenced, and the first frame is decoded before it.
        """
        frames = iter(frames)
        first = next(frames, None)
        with silenced_native_stderr():
            self._graph.reset()
            if first is None:
                return
            result = self._graph.process(first.image)
        yield first, result
        for frame in frames:
            yield frame, self._graph.process(frame.image)

    def close(self) -> None:
        self._graph.close()


_SHARED: dict[str, PoseEstimator] = {}
_SHARED_LOCK = threading.Lock()


def track_in_parallel(frames: Iterable[DecodedFrame], estimators: list[PoseEstimator],
                      chunk_frames: int = 90) -> PoseTrack:
    """Track a clip's frames on several estimators at once, in consecutive chunks.

    One clip on one graph uses one core. Cut into chunks of a few seconds, handed in turn to
    whichever estimator is free, it uses them all, while this thread decodes the next chunk. Each
    chunk starts tracking afresh (the detector finds the person again, a few milliseconds once per
    chunk). At most two chunks per estimator are held in memory.
    """
    free: queue.Queue[PoseEstimator] = queue.Queue()
    for estimator in estimators:
        free.put(estimator)

    def track_chunk(chunk: list[DecodedFrame]) -> PoseTrack:
        estimator = free.get()
        try:
            return estimator.track(chunk)
        finally:
            free.put(estimator)

    pending: deque[Future[PoseTrack]] = deque()
    tracks: list[PoseTrack] = []

    def finish_oldest() -> None:
        tracks.append(pending.popleft().result())

    frames = iter(frames)
    with ThreadPoolExecutor(max_workers=len(estimators)) as pool:
        while chunk := list(islice(frames, chunk_frames)):
            pending.append(pool.submit(track_chunk, chunk))
            if len(pending) >= 2 * len(estimators):
                finish_oldest()
        while pending:
            finish_oldest()
    if not tracks:
        return estimators[0].track([])
    return PoseTrack.joined(tracks)


def shared_estimator(slot: str = "default") -> PoseEstimator:
    """A process-wide estimator per slot (one per camera view, so two views can run at once)."""
    with _SHARED_LOCK:
        if slot not in _SHARED:
            _SHARED[slot] = PoseEstimator()
        return _SHARED[slot]


_STDERR_LOCK = threading.Lock()
_STDERR_USERS = 0
_SAVED_STDERR = -1


@contextmanager
def silenced_native_stderr() -> Iterator[None]:
    """Send file descriptor 2 to /dev/null while MediaPipe opens its models.

    MediaPipe's C++ side (absl, TFLite) writes start-up chatter straight to the descriptor, which no
    Python setting reaches; left alone it would bury the one-sentence messages our CLI prints. The
    descriptor is the whole process's, so every thread of a server goes quiet meanwhile: keep the
    span to the opening (a graph built, or reset, and its first frame). Counted, so that the two
    views' threads can overlap.
    """
    global _STDERR_USERS, _SAVED_STDERR
    with _STDERR_LOCK:
        if _STDERR_USERS == 0:
            sys.stderr.flush()
            _SAVED_STDERR = os.dup(2)
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, 2)
            os.close(devnull)
        _STDERR_USERS += 1
    try:
        yield
    finally:
        with _STDERR_LOCK:
            _STDERR_USERS -= 1
            if _STDERR_USERS == 0:
                os.dup2(_SAVED_STDERR, 2)
                os.close(_SAVED_STDERR)


@lru_cache(maxsize=1)
def _warm_up_image() -> np.ndarray:
    return read_frames(probe_clip(WARM_UP_CLIP), [0], long_side=256)[0].image


def _as_array(landmark_list: object) -> np.ndarray:
    return np.array(
        [(p.x, p.y, p.z, p.visibility) for p in landmark_list.landmark], dtype=np.float64
    )
