"""From two clips to poses, features and angle timelines (SPEC.md, pipeline steps 1 to 4).

Each view is decoded once: the 16 model frames and the timeline frames are read in one pass and
run through one MediaPipe track, so tracking carries from frame to frame. The two views run in
parallel threads on their own estimators (MediaPipe and FFmpeg release the GIL while they work).
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from gymcore.perception.angles import ANGLE_NAMES, ANGLE_NAMES_3D, image_angles, world_angles
from gymcore.config import DEFAULT_LIMITS, MODEL_FRAMES, ClipLimits
from gymcore.errors import ClipEndedEarly, InputError, NoPersonError
from gymcore.perception.features import pose_features
from gymcore.perception.pose import PoseEstimator, PoseTrack, shared_estimator, track_in_parallel
from gymcore.perception.trackcheck import QualityFlag, QualityReport, quality_report
from gymcore.perception.video import (
    ClipInfo, DecodedFrame, iter_frames, probe_clip, timeline_indices, uniform_indices, with_decoded_count,
)

VIEWS = ("frontal", "lateral")
# A clip whose last few packets never decode (common in edited phone clips) is read as the frames
# that do decode; below this share of the announced frames the file is treated as truncated.
MIN_DECODABLE_SHARE = 0.9


@dataclass
class ViewAnalysis:
    """Everything perception learns from one view's clip."""

    view: str
    source: ClipInfo
    sampled: PoseTrack  # the 16 model frames
    images: list[np.ndarray]  # the 16 model frames, RGB, at pose resolution
    features: np.ndarray  # (16, 5984) of the sampled frames
    timeline: PoseTrack  # every frame up to the timeline rate
    angles: dict[str, np.ndarray]  # over the timeline: 2D angles, then the `_3d` ones
    quality: QualityReport
    timing_s: dict[str, float]

    def angles_2d(self) -> dict[str, np.ndarray]:
        return {name: self.angles[name] for name in ANGLE_NAMES}

    def angles_3d(self) -> dict[str, np.ndarray]:
        return {name: self.angles[name] for name in ANGLE_NAMES_3D}

    def to_dict(self) -> dict[str, object]:
        """The view as ``python -m gymcore pose`` writes it (see the README)."""
        source = self.source.to_dict()
        return {
            "source": {key: source[key] for key in ("fps", "frame_count", "duration_s", "width", "height", "rotation")},
            "file": {"name": Path(self.source.path).name, "bytes": self.source.file_bytes, "sha256": self.source.sha256},
            "sampled_frames": self.sampled.frame_indices,
            "sampled_times_s": self.sampled.time_s,
            "landmarks": self.sampled.landmarks,
            "visibility": self.sampled.visibility,
            "world_landmarks": self.sampled.world,
            "detected": self.sampled.detected,
            "quality": self.quality.to_dict(),
            "timing_s": self.timing_s,
        }

    def timeline_dict(self) -> dict[str, object]:
        return {"time_s": self.timeline.time_s, "angles_deg": self.angles_2d(), "angles_3d_deg": self.angles_3d()}


@dataclass
class Perception:
    """The analysed views of one performance (either may be missing) and pair-level flags."""

    frontal: ViewAnalysis | None
    lateral: ViewAnalysis | None
    flags: list[QualityFlag] = field(default_factory=list)
    wall_s: float = 0.0

    def views(self) -> dict[str, ViewAnalysis]:
        return {v.view: v for v in (self.frontal, self.lateral) if v is not None}

    def to_dict(self) -> dict[str, object]:
        views = self.views()
        return {
            **{name: view.to_dict() for name, view in views.items()},
            "timelines": {name: view.timeline_dict() for name, view in views.items()},
            "pair_flags": [flag.to_dict() for flag in self.flags],
            "wall_s": self.wall_s,
        }


def analyse_view(
    path: str | Path, view: str, estimator: PoseEstimator | None = None,
    limits: ClipLimits = DEFAULT_LIMITS, helpers: Sequence[PoseEstimator] = (),
) -> ViewAnalysis:
    """Probe, decode, track and measure one clip seen from `view` ("frontal" or "lateral").

    With ``helpers`` (more estimators), the clip is tracked in chunks on all of them at once.
    """
    if view not in VIEWS:
        raise InputError(f"Unknown view {view!r}: use 'frontal' or 'lateral'.")
    started = time.perf_counter()
    info = probe_clip(path, limits)
    estimators = [estimator or shared_estimator(view), *helpers]
    probed = time.perf_counter()
    decode_clock = _Stopwatch()
    try:
        track, kept_images, model_idx, timeline_idx = _track_clip(info, estimators, limits, decode_clock)
    except ClipEndedEarly as short:
        if short.decoded < MIN_DECODABLE_SHARE * info.frame_count:
            raise
        info = with_decoded_count(info, short.decoded)
        track, kept_images, model_idx, timeline_idx = _track_clip(info, estimators, limits, decode_clock)
    tracked = time.perf_counter()
    if not track.detected.any():
        raise NoPersonError(
            f"Nobody was found in {Path(info.path).name} ({view} view): make sure the whole body is"
            " in frame, lit from the front, and try again."
        )
    position = {index: pos for pos, index in enumerate(track.frame_indices)}
    sampled = track.subset(np.array([position[i] for i in model_idx]))
    timeline = track.subset(np.searchsorted(track.frame_indices, timeline_idx))
    features = pose_features(sampled.landmarks)
    featured = time.perf_counter()
    width, height = _pose_frame_size(kept_images, info)
    angles = {**image_angles(timeline.landmarks, width, height), **world_angles(timeline.world)}
    return ViewAnalysis(
        view=view, source=info, sampled=sampled,
        images=[kept_images[i] for i in model_idx],
        features=features, timeline=timeline, angles=angles,
        quality=quality_report(timeline, (width, height)),
        timing_s={
            "probe": probed - started,
            "decode": decode_clock.total,
            # With helpers, tracking overlaps decoding: this is the part not hidden behind it.
            "pose": tracked - probed - decode_clock.total,
            "features": featured - tracked,
            "total": time.perf_counter() - started,
        },
    )


def _track_clip(
    info: ClipInfo, estimators: list[PoseEstimator], limits: ClipLimits, decode_clock: _Stopwatch,
) -> tuple[PoseTrack, dict[int, np.ndarray], np.ndarray, np.ndarray]:
    """One decoding pass over the model and timeline frames, tracked as one video (in chunks
    when there are several estimators); the model frames' images are kept."""
    model_idx = uniform_indices(info.frame_count, MODEL_FRAMES)
    timeline_idx = timeline_indices(info.frame_count, info.fps, limits.timeline_max_fps)
    kept_images: dict[int, np.ndarray] = {}
    frames = decode_clock.timed(iter_frames(info, np.union1d(model_idx, timeline_idx), limits.pose_long_side_px))
    frames = _keeping(frames, set(model_idx.tolist()), kept_images)
    track = track_in_parallel(frames, estimators) if len(estimators) > 1 else estimators[0].track(frames)
    return track, kept_images, model_idx, timeline_idx


def analyse_clips(
    front: str | Path | None = None, side: str | Path | None = None,
    limits: ClipLimits = DEFAULT_LIMITS, parallel: bool = True,
) -> Perception:
    """Analyse a frontal and a lateral clip of one performance; either may be omitted."""
    if front is None and side is None:
        raise InputError("Give at least one clip: a frontal view, a lateral view, or both.")
    started = time.perf_counter()
    jobs = {view: path for view, path in (("frontal", front), ("lateral", side)) if path is not None}
    if parallel and len(jobs) == 2:
        with ThreadPoolExecutor(max_workers=2) as pool:
            futures = {view: pool.submit(analyse_view, path, view, None, limits) for view, path in jobs.items()}
            results = {view: future.result() for view, future in futures.items()}
    elif parallel:
        # One clip: the idle view's estimator tracks every other chunk of it.
        (view, path), = jobs.items()
        spare = shared_estimator("lateral" if view == "frontal" else "frontal")
        results = {view: analyse_view(path, view, None, limits, helpers=[spare])}
    else:
        results = {view: analyse_view(path, view, None, limits) for view, path in jobs.items()}
    perception = Perception(frontal=results.get("frontal"), lateral=results.get("lateral"))
    perception.flags.extend(pair_flags(perception))
    perception.wall_s = time.perf_counter() - started
    return perception


def pair_flags(perception: Perception) -> list[QualityFlag]:
    """Warnings about the two views together."""
    front, side = perception.frontal, perception.lateral
    if front is None or side is None:
        return []
    flags = []
    if front.source.sha256 == side.source.sha256:
        flags.append(QualityFlag(
            "same_clip",
            "The same file was given for the frontal and the lateral view: criteria that need the"
            " other view will be judged from the wrong angle. Upload one clip per camera.",
        ))
    ratio = max(front.source.duration_s, side.source.duration_s) / max(
        min(front.source.duration_s, side.source.duration_s), 1e-6)
    if ratio > 1.5:
        flags.append(QualityFlag(
            "duration_mismatch",
            f"The two clips differ in length ({front.source.duration_s:.1f} s and"
            f" {side.source.duration_s:.1f} s): they may not show the same performance.",
        ))
    return flags


class _Stopwatch:
    """Adds up the time an iterator spends producing its items."""

    def __init__(self) -> None:
        self.total = 0.0

    def timed(self, items: Iterator[DecodedFrame]) -> Iterator[DecodedFrame]:
        while True:
            started = time.perf_counter()
            try:
                item = next(items)
            except StopIteration:
                self.total += time.perf_counter() - started
                return
            self.total += time.perf_counter() - started
            yield item


def _keeping(frames: Iterator[DecodedFrame], keep: set[int], store: dict[int, np.ndarray]) -> Iterator[DecodedFrame]:
    for frame in frames:
        if frame.index in keep:
            store[frame.index] = frame.image
        yield frame


def _pose_frame_size(images: dict[int, np.ndarray], info: ClipInfo) -> tuple[int, int]:
    first = next(iter(images.values()), None)
    if first is None:
        return info.width, info.height
    return first.shape[1], first.shape[0]
