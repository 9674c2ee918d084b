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


def test_video_trunk_is_resnet3d_18_under_torchvision_names():
    """torchvision's r3d_18 has 33,371,472 parameters, 205,200 of them its 400-class classifier; its
    state-dict names are kept so that weights move between the two."""
    from gymcore.models.blocks import VideoResNet

    with torch.device("meta"):
        trunk = VideoResNet((2, 2, 2, 2), (64, 128, 256, 512))
    assert count_parameters(trunk) == 33_371_472 - 205_200
    names = set(trunk.state_dict())
    assert {"stem.0.weight", "stem.1.running_var", "layer1.0.conv1.0.weight", "layer1.1.conv2.1.bias",
            "layer2.0.downsample.0.weight", "layer4.1.conv2.0.weight"} <= names
    assert not any(name.startswith("layer1.0.downsample") for name in names)  # same width, stride 1
    trunk = VideoResNet((1, 1, 1, 1), (8, 8, 16, 16)).eval()
    with torch.inference_mode():
        assert trunk(torch.rand(2, 3, 16, 32, 32)).shape == (2, 16)
        assert trunk.layer4(trunk.layer3(trunk.layer2(trunk.layer1(trunk.stem(torch.rand(1, 3, 16, 32, 32)))))).shape \
            == (1, 16, 2, 2, 2)  # the stem halves space only, layers 2-4 halve time and space


def test_compact_vision_stream_is_a_narrow_resnet3d_with_the_paper_freezing():
    from gymcore.models.net import VARIANTS

    with torch.device("meta"):
        net = build_model("vision", "squat", "compact")
    trunk = net.streams["video"].frontal.trunk
    widths = VARIANTS["compact"].video_widths
    assert [getattr(trunk, f"layer{i}")[0].conv1[0].out_channels for i in range(1, 5)] == list(widths)
    assert net.streams["video"].out_features == 2 * widths[-1] and net.head[0].in_features == 2 * widths[-1]
    assert not any(p.requires_grad for p in trunk.layer2.parameters())
    assert all(p.requires_grad for p in trunk.layer3.parameters())


def test_frozen_stages_stay_fixed_in_training_and_can_be_computed_once():
    from gymcore.models.inputs import to_tensors
    from gymcore.models.net import frozen_video_inputs

    torch.manual_seed(0)
    net = build_model("fusion", "squat", "compact").train()
    trunk = net.streams["video"].lateral.trunk
    assert not trunk.stem.training and not trunk.layer2.training and trunk.layer3.training
    rng = np.random.default_rng(0)
    arrays = {f"video_{view}": rng.integers(0, 256, (3, 16, 32, 32, 3), dtype=np.uint8)
              for view in ("frontal", "lateral")}
    arrays |= {f"features_{view}": rng.normal(size=(3, 16, 5984)).astype(np.float32) for view in ("frontal", "lateral")}
    precomputed = frozen_video_inputs(net, arrays)
    assert set(precomputed) == {"frozen_video_frontal", "frozen_video_lateral", "features_frontal", "features_lateral"}
    net.eval()
    with torch.inference_mode():
        full, fast = net(to_tensors(arrays)), net(to_tensors(precomputed))
    assert torch.allclose(full, fast, atol=1e-3)
