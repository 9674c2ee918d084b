"""The paper's model input per repetition: 16 frames of each view sampled uniformly over it."""

from __future__ import annotations

import numpy as np

from gymcore.config import MODEL_FRAMES
from gymcore.errors import InputError
from gymcore.judging.rules.config import DEFAULT_RULES
from gymcore.judging.types import RepSample, ViewSample
from gymcore.perception.analysis import Perception, ViewAnalysis
from gymcore.perception.features import pose_features
from gymcore.perception.trackcheck import orientation, width_ratio
from gymcore.perception.turned import VIRTUAL_SIZE, turned, turns
from gymcore.perception.video import uniform_indices
from gymcore.repetitions.types import Repetition


def rep_sample(perception: Perception, windows: dict[str, Repetition], needs_images: bool) -> RepSample:
    views = perception.views()
    samples = {name: view_sample(views[name], rep, needs_images) for name, rep in windows.items()}
    lead = next(iter(windows.values()))
    return RepSample(start_s=lead.start_s, end_s=lead.end_s, views=samples)

def view_sample(view: ViewAnalysis, rep: Repetition, needs_images: bool) -> ViewSample:
    """16 frames of the view's timeline spaced uniformly over the repetition.

    Their images come from the timeline frames perception kept at the models' input size, so a
    repetition's frames are never decoded again."""
    timeline = view.timeline
    inside = np.flatnonzero((timeline.time_s >= rep.start_s) & (timeline.time_s <= rep.end_s))
    if not len(inside):
        inside = np.array([int(np.argmin(np.abs(timeline.time_s - rep.bottom_s)))])
    positions = inside[uniform_indices(len(inside), MODEL_FRAMES)]
    track = timeline.subset(positions)
    images = None
    if needs_images:
        if view.timeline_frames is None:
            raise InputError(
                f"The {view.view} view was analysed without keeping its frames, which the vision and fusion"
                " models read: analyse the clips with keep_frames set to the models' image size"
                " (gymcore.pipeline.assess.perceive does), or judge with the rules or the pose model."
            )
        images = view.timeline_frames[positions]
    landmarks, image_size = track.landmarks, (view.source.width, view.source.height)
    turned_from = _turned_from(view.view, landmarks, image_size)
    if turned_from:
        landmarks, image_size = turned(track.world, view.view), VIRTUAL_SIZE
    return ViewSample(
        view=view.view, frame_indices=track.frame_indices, time_s=track.time_s, landmarks=landmarks,
        visibility=track.visibility, features=pose_features(landmarks), images=images, image_size=image_size,
        turned_from=turned_from,
    )


def _turned_from(view: str, landmarks: np.ndarray, image_size: tuple[int, int]) -> str:
    """How the repetition's frames show the body when they are turned to ``view`` rather than
    refused ("oblique", or "frontal" for a lateral clip: gymcore.perception.turned.turns), else ""."""
    detected = np.isfinite(landmarks[:, :, :2]).all(axis=(1, 2))
    facing = orientation(width_ratio(landmarks[detected], image_size), DEFAULT_RULES.view)
    return facing if turns(view, facing) else ""
