"""Each clip is decoded once per assessment: poses and the vision model's frames both come from
perception's one pass (counted here independently of gymcore's own count). The annotated clip is a
second pass, after the verdicts."""

from __future__ import annotations

import json
from dataclasses import replace

import av
import numpy as np
import pytest

from gymcore.config import DEFAULT_LIMITS
from gymcore.errors import InputError
from gymcore.judging.learned import LearnedCriteriaModel
from gymcore.perception.analysis import Perception, annotate_view
from gymcore.perception.draw import draw_skeleton
from gymcore.perception.pose import shared_estimator
from gymcore.perception.video import iter_frames, probe_clip, read_frames, resize_frames, write_video
from gymcore.pipeline.assess import assess, perceive

MODELS = ("rules", "vision")


class CountingContainer:
    """An input container that counts the frames decoded from it."""

    def __init__(self, container: av.container.InputContainer, counts: dict[str, int]) -> None:
        self._container = container
        self._counts = counts

    def __getattr__(self, name: str) -> object:
        return getattr(self._container, name)

    def __enter__(self) -> CountingContainer:
        return self

    def __exit__(self, *error: object) -> None:
        self._container.__exit__(*error)

    def decode(self, *args: object, **kwargs: object):
        for frame in self._container.decode(*args, **kwargs):
            self._counts["frames"] += 1
            yield frame


@pytest.fixture
def decoding_counts(monkeypatch) -> dict[str, int]:
    """Every container opened for reading and every frame decoded from then on, in any module."""
    counts = {"opens": 0, "frames": 0}
    real_open = av.open

    def counting_open(*args: object, **kwargs: object):
        container = real_open(*args, **kwargs)
        if kwargs.get("mode", "r") != "r":
            return container
        counts["opens"] += 1
        return CountingContainer(container, counts)

    # Built once per process, the estimators decode a warm-up frame of a bundled clip: not the
    # assessment's doing.
    shared_estimator("frontal"), shared_estimator("lateral")
    monkeypatch.setattr(av, "open", counting_open)
    return counts


@pytest.fixture(scope="module")
def lunge_pair(lunge_demo_clips) -> dict[str, object]:
    manifest = json.loads((lunge_demo_clips / "manifest.json").read_text())
    files = manifest["clips"][0]["files"]
    return {view: lunge_demo_clips / name for view, name in files.items()}


@pytest.fixture(scope="module")
def lunge_perception(lunge_pair) -> Perception:
    return perceive(lunge_pair["frontal"], lunge_pair["lateral"], MODELS, "lunges")


def test_an_assessment_decodes_each_frame_once(lunge_pair, decoding_counts):
    perception = perceive(lunge_pair["frontal"], lunge_pair["lateral"], MODELS, "auto")
    assessment = assess(models=MODELS, perception=perception)
    counted = dict(decoding_counts)
    clip_frames = sum(view.source.frame_count for view in perception.views().values())
    assert len(assessment.reps) >= 2
    assert assessment.weights["vision"].loaded
    assert counted["frames"] <= 1.05 * clip_frames
    assert counted["opens"] == 6  # per clip: two to probe it, one to decode it
    timing = assessment.timing_s
    assert (timing["decoded_frames"], timing["container_opens"]) == (counted["frames"], counted["opens"])
    assert timing["clip_frames"] == clip_frames
    for name, view in perception.views().items():
        assert timing[f"{name}_decoded_frames"] == view.source.frame_count + 1  # + the probe's first frame


def test_the_vision_model_reads_the_frames_the_decoding_path_gave(lunge_perception, monkeypatch):
    judged: list = []
    inputs: list[dict[str, np.ndarray]] = []
    real_judge, real_logits = LearnedCriteriaModel.judge, LearnedCriteriaModel.logits

    def judge(self, exercise, reps):
        judged.extend(reps)
        return real_judge(self, exercise, reps)

    def logits(self, arrays):
        inputs.append(arrays)
        return real_logits(self, arrays)

    monkeypatch.setattr(LearnedCriteriaModel, "judge", judge)
    monkeypatch.setattr(LearnedCriteriaModel, "logits", logits)
    assessment = assess(exercise="lunges", models=MODELS, perception=lunge_perception)
    views = lunge_perception.views()
    assert len(inputs) == 1 and len(judged) == len(assessment.reps) >= 2
    for view_name, view in views.items():
        for rep, model_frames in zip(judged, inputs[0][f"video_{view_name}"], strict=True):
            indices = rep.views[view_name].frame_indices
            # What judging used to do: decode the repetition's frames again, then squeeze them.
            decoded = {f.index: f.image for f in read_frames(view.source, indices, DEFAULT_LIMITS.pose_long_side_px)}
            expected = resize_frames(np.stack([decoded[int(i)] for i in indices]), 64)
            assert model_frames.shape == (16, 64, 64, 3)
            assert np.array_equal(model_frames, expected)


def test_the_annotated_clip_is_the_tracked_skeleton_over_every_timeline_frame(lunge_pair, tmp_path):
    view = perceive(side=lunge_pair["lateral"]).lateral
    timeline = view.timeline
    made = probe_clip(annotate_view(view, tmp_path / "lateral.mp4"))
    assert made.frame_count == len(timeline) and (made.width, made.height) == (640, 480)
    assert made.fps == pytest.approx(view.source.fps, rel=0.01)
    drawn = (draw_skeleton(frame.image, timeline.landmarks[i], timeline.visibility[i])
             for i, frame in enumerate(iter_frames(view.source, timeline.frame_indices, 640)))
    expected = probe_clip(write_video(tmp_path / "expected.mp4", drawn, fps=made.fps))
    middle = [len(timeline) // 2]
    made_image = read_frames(made, middle)[0].image.astype(int)
    expected_image = read_frames(expected, middle)[0].image.astype(int)
    source_image = read_frames(view.source, middle)[0].image.astype(int)
    assert np.array_equal(made_image, expected_image)
    assert np.abs(made_image - source_image).max() > 100  # the skeleton is there


def test_frame_models_on_a_perception_without_kept_frames_are_a_clear_error(lunge_perception):
    views = (lunge_perception.frontal, lunge_perception.lateral)
    bare = Perception(*(replace(view, timeline_frames=None) for view in views))
    assert assess(models=("rules",), perception=bare).reps
    with pytest.raises(InputError, match="analysed without keeping its frames"):
        assess(models=MODELS, perception=bare)
