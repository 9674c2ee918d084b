"""The architectures: the paper's parameter counts, frozen layers, shapes, missing-frame filling."""

import numpy as np
import pytest
import torch

from gymcore.criteria import EXERCISES, criteria_for
from gymcore.models import build_model, count_parameters
from gymcore.models.inputs import INPUT_CHANNELS, fill_missing_frames, pose_input

PAPER_COUNTS = {
    "pose": {"squat": 11_833_094, "deadlift": 11_832_837, "lunges": 11_833_351},
    "fusion": {"squat": 79_736_806, "deadlift": 79_736_709, "lunges": 79_736_903},
}


@pytest.mark.parametrize("model", sorted(PAPER_COUNTS))
@pytest.mark.parametrize("exercise", EXERCISES)
def test_paper_variant_has_the_published_parameter_count(model, exercise):
    with torch.device("meta"):
        net = build_model(model, exercise, "paper")
    assert count_parameters(net) == PAPER_COUNTS[model][exercise]


def test_vision_stream_freezes_stem_layer1_layer2_only():
    with torch.device("meta"):
        net = build_model("vision", "squat", "paper")
    trunk = net.streams["video"].frontal.trunk
    for part, trainable in (("stem", False), ("layer1", False), ("layer2", False), ("layer3", True), ("layer4", True)):
        assert all(p.requires_grad == trainable for p in getattr(trunk, part).parameters()), part


@pytest.mark.parametrize("model", ["pose", "pose_raw", "pose_distances", "pose_angles"])
def test_pose_models_give_one_logit_per_criterion(model):
    torch.manual_seed(0)
    net = build_model(model, "lunges", "compact").eval()
    (kind,) = net.input_kinds
    inputs = {f"{kind}_{view}": torch.randn(3, 16, INPUT_CHANNELS[kind]) for view in ("frontal", "lateral")}
    assert net(inputs).shape == (3, len(criteria_for("lunges")))


def test_fusion_reads_video_and_pose_features():
    torch.manual_seed(0)
    net = build_model("fusion", "deadlift", "compact").eval()
    inputs = {}
    for view in ("frontal", "lateral"):
        inputs[f"video_{view}"] = torch.rand(2, 3, 16, 32, 32)
        inputs[f"features_{view}"] = torch.randn(2, 16, 5984)
    with torch.inference_mode():
        out = net(inputs)
    assert out.shape == (2, 5) and torch.isfinite(out).all()


def test_missing_frames_are_interpolated_between_seen_frames():
    points = np.zeros((16, 33, 3), dtype=np.float32)
    points[:, :, 0] = np.arange(16)[:, None]
    points[[0, 5, 6, 15]] = np.nan
    filled, seen = fill_missing_frames(points)
    assert seen == pytest.approx(12 / 16)
    assert np.allclose(filled[5:7, :, 0], [[5.0], [6.0]])  # linear between frames 4 and 7
    assert np.allclose(filled[0, :, 0], 1.0) and np.allclose(filled[15, :, 0], 14.0)  # nearest seen at the ends


def test_a_view_without_any_detection_becomes_zero_features():
    features = pose_input(np.full((16, 33, 3), np.nan, dtype=np.float32), "features")
    assert features.shape == (16, 5984) and np.isfinite(features).all() and not features[:, :528].any()
