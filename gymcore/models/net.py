"""One general network for every criteria model, and the builders that configure it.

A model is a set of streams (pose features, video, or both), each seeing the frontal and the
lateral view with its own encoder per view. One stream feeds the standalone head; two streams each
pass a feature head and meet in the fusion head, as in the paper's Figures 3, 4 and 6.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import nn

from gymcore.models.blocks import PoseEncoder, VideoEncoder, feature_head, fusion_head, standalone_head
from gymcore.models.inputs import INPUT_CHANNELS

VIEWS = ("frontal", "lateral")


class DualViewStream(nn.Module):
    """The same encoder design applied to each view (separate weights), outputs concatenated."""

    def __init__(self, make_encoder: Callable[[], nn.Module]) -> None:
        super().__init__()
        self.frontal = make_encoder()
        self.lateral = make_encoder()
        self.out_features = 2 * self.frontal.out_channels

    def forward(self, frontal: torch.Tensor, lateral: torch.Tensor) -> torch.Tensor:
        return torch.cat((self.frontal(frontal), self.lateral(lateral)), dim=1)


class CriteriaNet(nn.Module):
    """Streams keyed by input kind -> one logit per criterion.

    ``forward`` takes ``{f"{kind}_{view}": tensor}``: pose kinds (B, T, C), video (B, 3, T, H, W).
    """

    def __init__(self, streams: dict[str, DualViewStream], n_outputs: int,
                 standalone_dropouts: tuple[float, float] = (0.3, 0.2), fusion_width: int = 512) -> None:
        super().__init__()
        self.streams = nn.ModuleDict(streams)
        if len(streams) == 1:
            (stream,) = streams.values()
            self.projections = None
            self.head = standalone_head(stream.out_features, n_outputs, standalone_dropouts)
        else:
            self.projections = nn.ModuleDict({
                kind: feature_head(stream.out_features, fusion_width, 0.21 if kind == "video" else 0.2)
                for kind, stream in streams.items()
            })
            self.head = fusion_head(fusion_width * len(streams), n_outputs)

    @property
    def input_kinds(self) -> tuple[str, ...]:
        return tuple(self.streams.keys())

    def forward(self, inputs: dict[str, torch.Tensor]) -> torch.Tensor:
        parts = []
        for kind, stream in self.streams.items():
            features = stream(inputs[f"{kind}_frontal"], inputs[f"{kind}_lateral"])
            parts.append(self.projections[kind](features) if self.projections is not None else features)
        return self.head(torch.cat(parts, dim=1))


@dataclass(frozen=True)
class Variant:
    """Widths and input size of a family of models. ``paper`` is the published architecture."""

    name: str
    pose_hidden: int
    pose_out: int
    image_size: int
    video_layers: tuple[int, int, int, int]
    description: str


VARIANTS: dict[str, Variant] = {
    "paper": Variant("paper", 256, 512, 224, (2, 2, 2, 2),
                     "the published architecture: pose streams 256/512 wide, two full ResNet3D-18 streams, 224 x 224"),
    "compact": Variant("compact", 64, 128, 64, (1, 1, 1, 1),
                       "the same design, smaller: pose streams 64/128 wide, ResNet3D with one block per stage"
                       " (torchvision VideoResNet, layers 1-1-1-1), 64 x 64 frames; sized for 2 CPU cores"
                       " and the 150 MB weights budget"),
}


def pose_stream(kind: str, variant: Variant) -> DualViewStream:
    return DualViewStream(lambda: PoseEncoder(INPUT_CHANNELS[kind], variant.pose_hidden, variant.pose_out))


def video_stream(variant: Variant) -> DualViewStream:
    return DualViewStream(lambda: VideoEncoder(variant.video_layers))


def pose_net(n_outputs: int, variant: Variant, kind: str = "features") -> CriteriaNet:
    """The pose model; ``kind`` picks Table 4's input: features, distances, angles or landmarks."""
    return CriteriaNet({kind: pose_stream(kind, variant)}, n_outputs)


def vision_net(n_outputs: int, variant: Variant) -> CriteriaNet:
    return CriteriaNet({"video": video_stream(variant)}, n_outputs, standalone_dropouts=(0.3, 0.21))


def fusion_net(n_outputs: int, variant: Variant) -> CriteriaNet:
    return CriteriaNet({"video": video_stream(variant), "features": pose_stream("features", variant)}, n_outputs)
