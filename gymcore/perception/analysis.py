"""From two clips to poses, features and angle timelines (SPEC.md, pipeline steps 1 to 4).

Each view is decoded once: the 16 model frames and the timeline frames are read in one pass and
run through one MediaPipe track, so tracking carries from frame to frame. The same pass keeps what
later stages would otherwise decode again: every timeline frame at the learned models' input size
(their repetitions are only known after segmentation). The annotated clip is not on that path: it
is a second pass (``annotate_view``), drawn from the tracked poses after the verdicts are out, as a
page shows it. The two views run in parallel threads on their own estimators
(MediaPipe and FFmpeg release the GIL while they work). Afterwards the 16 model frames are searched
for anyone besides the tracked person (gymcore.perception.people).
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from gymcore.config import DEFAULT_LIMITS, MODEL_FRAMES, ClipLimits
from gymcore.criteria import VIEWS
from gymcore.errors import ClipEndedEarly, InputError, NoPersonError
from gymcore.perception.angles import ANGLE_NAMES, ANGLE_NAMES_3D, image_angles, world_angles
from gymcore.perception.draw import AnnotatedClip
from gymcore.perception.features import pose_features
from gymcore.perception.people import PersonDetector, others_in_frame, shared_detector
from gymcore.perception.pose import PoseEstimator, PoseTrack, shared_estimator, track_in_parallel
from gymcore.perception.trackcheck import (
    QualityFlag,
    QualityReport,
    quality_report,
    second_person_flags,
    truncation_flags,
    upside_down,
)
from gymcore.perception.video import (
    ClipInfo,
    DecodeCount,
    DecodedFrame,
    check_length,
    iter_frames,
    probe_clip,
    resize_frames,
    timeline_indices,
    uniform_indices,
    with_decoded_count,
)

# A clip whose last few packets never decode (common in edited phone clips) is read as the frames
# that do decode; below this share of the announced frames the file is treated as truncated.
MIN_DECODABLE_SHARE = 0.9
# Of the 16 sampled frames, every this many is searched for other people in tiles as well (frames
# 2, 6, 10 and 14): 32 detector runs per view, a fixed cost of 0.65 to 1.1 s per view measured on two
# busy cores, where tracking the 73 frames of a bundled 5 s clip takes 3.5 s.
TILED_EVERY = 4


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
    decoded: DecodeCount = field(default_factory=DecodeCount)  # what reading the clip cost
    # Every timeline frame as the learned models read it, (T, S, S, 3) RGB uint8 squeezed to their
    # input side S (gymcore.perception.video.resize_frames); None unless asked for (``keep_frames``).
    timeline_frames: np.ndarray | None = None

    def timeline_pixels(self) -> np.ndarray:
        """(T, 33, 2) the timeline's image landmarks in pixels of the frames the pose was read on."""
        size = np.array([self.source.width, self.source.height], dtype=np.float64)
        return np.asarray(self.timeline.landmarks, dtype=np.float64)[..., :2] * size

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
    keep_frames: int | None = None,
) -> ViewAnalysis:
    """Probe, decode, track and measure one clip seen from `view` ("frontal" or "lateral").

    With ``helpers`` (more estimators), the clip is tracked in chunks on all of them at once.
    ``keep_frames`` (a side in pixels) keeps every timeline frame squeezed to that side, for the
    learned models that read frames.
    """
    if view not in VIEWS:
        raise InputError(f"Unknown view {view!r}: use 'frontal' or 'lateral'.")
    started = time.perf_counter()
    decoded = DecodeCount()
    info = probe_clip(path, limits, decoded)
    estimators = [estimator or shared_estimator(view), *helpers]
    probed = time.perf_counter()
    decode_clock = _Stopwatch()
    try:
        clip = _read_clip(info, estimators, limits, keep_frames, decoded, decode_clock)
    except ClipEndedEarly as short:
        if short.decoded < MIN_DECODABLE_SHARE * info.frame_count:
            raise
        info = with_decoded_count(info, short.decoded)
        check_length(info, limits)
        clip = _read_clip(info, estimators, limits, keep_frames, decoded, decode_clock)
    tracked = time.perf_counter()
    misread = upside_down(clip.track)
    track = clip.track.marked_missing(misread)
    if not track.detected.any():
        raise NoPersonError(
            f"The body reads upside down in every frame of {Path(info.path).name} ({view} view): if the"
            " clip plays upside down, turn it the right way up and try again." if misread.any() else
            f"Nobody was found in {Path(info.path).name} ({view} view): make sure the whole body is"
            " in frame, lit from the front, and try again."
        )
    position = {index: pos for pos, index in enumerate(track.frame_indices)}
    sampled = track.subset(np.array([position[i] for i in clip.model_idx]))
    timeline_at = np.searchsorted(track.frame_indices, clip.timeline_idx)
    timeline = track.subset(timeline_at)
    features = pose_features(sampled.landmarks)
    featured = time.perf_counter()
    width, height = _pose_frame_size(clip.model_images, info)
    angles = {**image_angles(timeline.landmarks, width, height), **world_angles(timeline.world)}
    images = [clip.model_images[i] for i in clip.model_idx]
    quality = quality_report(timeline, (width, height), misread[timeline_at])
    searching = time.perf_counter()
    others = others_seen(shared_detector(view), images, sampled)
    searched = time.perf_counter()
    searched_frames = len(np.unique(sampled.frame_indices))
    # What the file and the frames say comes before what the track says: the track's own flags
    # (a jump, missed frames) are often their consequence.
    quality.flags[:0] = [*truncation_flags(info, limits.min_announced_share),
                         *second_person_flags(others, searched_frames)]
    return ViewAnalysis(
        view=view, source=info, sampled=sampled, images=images,
        features=features, timeline=timeline, angles=angles, quality=quality,
        timing_s={
            "probe": probed - started,
            "decode": decode_clock.total,
            # With helpers, tracking overlaps decoding: this is the part not hidden behind it.
            "pose": tracked - probed - decode_clock.total,
            "features": featured - tracked,
            "people": searched - searching,
            "total": time.perf_counter() - started,
        },
        decoded=decoded, timeline_frames=clip.timeline_frames,
    )


def annotate_view(view: ViewAnalysis, path: str | Path, limits: ClipLimits = DEFAULT_LIMITS) -> Path:
    """The view's clip with its tracked skeleton drawn on every timeline frame, written to ``path``
    (H.264, at the timeline's rate so that it lasts as long as the original). A second decoding pass,
    so that drawing and encoding it never delay the verdicts: a page runs it once they are shown."""
    timeline = view.timeline
    position = {int(index): pos for pos, index in enumerate(timeline.frame_indices)}
    fps = view.source.fps * len(timeline) / view.source.frame_count
    with AnnotatedClip(Path(path), fps, timeline.frame_indices) as annotated:
        for frame in iter_frames(view.source, timeline.frame_indices, limits.pose_long_side_px):
            at = position[frame.index]
            annotated.add(frame, timeline.landmarks[at], timeline.visibility[at])
    return annotated.path


def others_seen(detector: PersonDetector, images: list[np.ndarray], sampled: PoseTrack) -> list[float]:
    """The times (s) of the sampled frames in which someone besides the tracked person is found.

    Every sampled frame is searched whole, every ``TILED_EVERY``-th in tiles too (smaller people, at
    five times the cost); a frame sampled twice (clips of under 16 frames) is searched once."""
    times = []
    for order, position in enumerate(np.unique(sampled.frame_indices, return_index=True)[1]):
        image = images[position]
        detections = detector.detect(image, tiled=order % TILED_EVERY == TILED_EVERY // 2)
        if others_in_frame(detections, sampled.landmarks[position], (image.shape[1], image.shape[0])):
            times.append(float(sampled.time_s[position]))
    return times


@dataclass
class _ClipPass:
    """What one decoding pass over a clip yields."""

    track: PoseTrack  # the model and timeline frames, in order
    model_idx: np.ndarray
    timeline_idx: np.ndarray
    model_images: dict[int, np.ndarray]  # frame index -> RGB at pose resolution
    timeline_frames: np.ndarray | None  # (T, S, S, 3), when frames were kept


def _read_clip(
    info: ClipInfo, estimators: list[PoseEstimator], limits: ClipLimits, keep_frames: int | None,
    decoded: DecodeCount, decode_clock: _Stopwatch,
) -> _ClipPass:
    """One decoding pass over the model and timeline frames, tracked as one video (in chunks
    when there are several estimators), keeping the model frames' images, the timeline frames at
    ``keep_frames`` px."""
    model_idx = uniform_indices(info.frame_count, MODEL_FRAMES)
    timeline_idx = timeline_indices(info.frame_count, info.fps, limits.timeline_max_fps)
    model_images: dict[int, np.ndarray] = {}
    timeline_frames = None
    frames = iter_frames(info, np.union1d(model_idx, timeline_idx), limits.pose_long_side_px, decoded)
    frames = _keeping(frames, set(model_idx.tolist()), model_images)
    if keep_frames is not None:
        timeline_frames = np.zeros((len(timeline_idx), keep_frames, keep_frames, 3), dtype=np.uint8)
        frames = _squeezing(frames, timeline_idx, timeline_frames)
    frames = decode_clock.timed(frames)
    track = track_in_parallel(frames, estimators) if len(estimators) > 1 else estimators[0].track(frames)
    return _ClipPass(track, model_idx, timeline_idx, model_images, timeline_frames)


def analyse_clips(
    front: str | Path | None = None, side: str | Path | None = None,
    limits: ClipLimits = DEFAULT_LIMITS, parallel: bool = True,
    keep_frames: int | None = None,
) -> Perception:
    """Analyse a frontal and a lateral clip of one performance; either may be omitted.

    ``keep_frames`` as in ``analyse_view``."""
    if front is None and side is None:
        raise InputError("Give at least one clip: a frontal view, a lateral view, or both.")
    started = time.perf_counter()
    jobs = {view: path for view, path in (("frontal", front), ("lateral", side)) if path is not None}

    def analyse(view: str, helpers: Sequence[PoseEstimator] = ()) -> ViewAnalysis:
        return analyse_view(jobs[view], view, None, limits, helpers, keep_frames)

    if parallel and len(jobs) == 2:
        with ThreadPoolExecutor(max_workers=2) as pool:
            futures = {view: pool.submit(analyse, view) for view in jobs}
            results = {view: future.result() for view, future in futures.items()}
    elif parallel:
        # One clip: the idle view's estimator tracks every other chunk of it.
        view, = jobs
        spare = shared_estimator("lateral" if view == "frontal" else "frontal")
        results = {view: analyse(view, helpers=[spare])}
    else:
        results = {view: analyse(view) for view in jobs}
    perception = Perception(frontal=results.get("frontal"), lateral=results.get("lateral"))
    perception.flags.extend(pair_flags(perception))
    perception.wall_s = time.perf_counter() - started
    return perception


def build_estimators() -> None:
    """Build this process's pose estimator and person detector of each view, those ``analyse_clips``
    uses, so that a worker pays for them (a second or more each) before its first clip."""
    for view in VIEWS:
        shared_estimator(view)
        shared_detector(view)


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


def _squeezing(frames: Iterator[DecodedFrame], timeline_idx: np.ndarray, out: np.ndarray) -> Iterator[DecodedFrame]:
    """Store each timeline frame in ``out`` exactly as the learned models will read it: once the
    repetitions are known, their frames are picked from here instead of being decoded again."""
    position = {int(index): pos for pos, index in enumerate(timeline_idx)}
    side = out.shape[1]
    for frame in frames:
        if frame.index in position:
            out[position[frame.index]] = resize_frames(frame.image[np.newaxis], side)[0]
        yield frame


def _pose_frame_size(images: dict[int, np.ndarray], info: ClipInfo) -> tuple[int, int]:
    first = next(iter(images.values()), None)
    if first is None:
        return info.width, info.height
    return first.shape[1], first.shape[0]
