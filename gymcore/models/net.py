"""One general network for every criteria model, and the builders that configure it.

A model is a set of streams (pose features, video, or both), each seeing the frontal and the
lateral view with its own encoder per view. One stream feeds the standalone head; two streams each
pass a feature head and meet in the fusion head, as in the paper's Figures 3, 4 and 6.

A model may also be built for one view alone (``views=("lateral",)``): the same design with one
encoder per stream, for the clips a coach films from one side only (docs/architecture.md).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from gymcore.criteria import VIEWS
from gymcore.errors import InputError
from gymcore.models.blocks import PoseEncoder, VideoEncoder, feature_head, fusion_head, standalone_head
from gymcore.models.inputs import INPUT_CHANNELS

FROZEN_PREFIX = "frozen_"


def check_views(views: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """``views`` in the canonical order (frontal, lateral), each known and named once."""
    unknown = [view for view in views if view not in VIEWS]
    if unknown or not views or len(set(views)) != len(views):
        raise InputError(f"A model reads the frontal view, the lateral view or both, not {', '.join(views) or 'none'}.")
    return tuple(view for view in VIEWS if view in views)


class ViewStreams(nn.Module):
    """The same encoder design applied to each view it reads (separate weights, one submodule per
    view, named by it), outputs concatenated in the order of ``VIEWS``."""

    def __init__(self, make_encoder: Callable[[], nn.Module], views: tuple[str, ...] = VIEWS) -> None:
        super().__init__()
        self.views = check_views(views)
        for view in self.views:
            self.add_module(view, make_encoder())
        self.out_features = len(self.views) * getattr(self, self.views[0]).out_channels

    def forward(self, *inputs: torch.Tensor) -> torch.Tensor:
        """One input per view, in the order of ``views``."""
        return torch.cat([getattr(self, view)(x) for view, x in zip(self.views, inputs, strict=True)], dim=1)

    def forward_from_frozen(self, *inputs: torch.Tensor) -> torch.Tensor:
        """The same, from the outputs of each video encoder's frozen stages."""
        return torch.cat([getattr(self, view).forward_from_frozen(x) for view, x in zip(self.views, inputs, strict=True)],
                         dim=1)


class CriteriaNet(nn.Module):
    """Streams keyed by input kind -> one logit per criterion.

    ``forward`` takes ``{f"{kind}_{view}": tensor}``: pose kinds (B, T, C), video (B, 3, T, H, W);
    or, in place of video, ``{f"frozen_video_{view}": tensor}``, the output of the video encoders'
    frozen stages (see ``frozen_video_inputs``), which training computes once.
    """

    def __init__(self, streams: dict[str, ViewStreams], n_outputs: int,
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

    @property
    def views(self) -> tuple[str, ...]:
        """The views every stream reads (all streams of a model read the same ones)."""
        return next(iter(self.streams.values())).views

    def forward(self, inputs: dict[str, torch.Tensor]) -> torch.Tensor:
        parts = []
        for kind, stream in self.streams.items():
            if f"{FROZEN_PREFIX}{kind}_{stream.views[0]}" in inputs:
                features = stream.forward_from_frozen(*(inputs[f"{FROZEN_PREFIX}{kind}_{view}"] for view in stream.views))
            else:
                features = stream(*(inputs[f"{kind}_{view}"] for view in stream.views))
            parts.append(self.projections[kind](features) if self.projections is not None else features)
        return self.head(torch.cat(parts, dim=1))


def frozen_video_inputs(net: CriteriaNet, arrays: dict[str, np.ndarray], batch_size: int = 16,
                        device: str | None = None) -> dict[str, np.ndarray]:
    """Replace each ``video_{view}`` array of uint8 frames by ``frozen_video_{view}``, the output of
    that view's frozen video stages (float16, to halve the memory): those stages never change in
    training, so computing them once makes a video model's epoch several times cheaper. ``net`` is
    on ``device`` (the CPU by default); the arrays stay in memory."""
    from gymcore.models.inputs import to_tensors

    if "video" not in net.streams:
        return arrays
    out = {key: array for key, array in arrays.items() if not key.startswith("video_")}
    for view in net.views:
        encoder = getattr(net.streams["video"], view)
        encoder.eval()
        parts = []
        with torch.inference_mode():
            for start in range(0, len(arrays[f"video_{view}"]), batch_size):
                frames = to_tensors({"video": arrays[f"video_{view}"][start:start + batch_size]}, device)["video"]
                parts.append(encoder.frozen_stages(frames).to(torch.float16).cpu().numpy())
        out[f"{FROZEN_PREFIX}video_{view}"] = np.concatenate(parts)
    return out


@dataclass(frozen=True)
class Variant:
    """Widths and input size of a family of models. ``paper`` is the published architecture."""

    name: str
    pose_hidden: int
    pose_out: int
    image_size: int
    video_layers: tuple[int, int, int, int]
    video_widths: tuple[int, int, int, int]
    description: str


VARIANTS: dict[str, Variant] = {
    "paper": Variant("paper", 256, 512, 224, (2, 2, 2, 2), (64, 128, 256, 512),
                     "the published architecture: pose streams 256/512 wide, two full ResNet3D-18 streams, 224 x 224"),
    "compact": Variant("compact", 64, 128, 64, (1, 1, 1, 1), (32, 64, 128, 256),
                       "the same design, smaller: pose streams 64/128 wide, ResNet3D with one block per stage and"
                       " stage widths 32/64/128/256 (torchvision's VideoResNet blocks), 64 x 64 frames; the heads keep"
                       " the paper's structure on the narrower features (vision head 512-256-128, fusion 1024-768-"
                       "384-192-96); sized for 2 CPU cores and the 150 MB weights budget"),
}
"""The variants, and what the compact one saves (measured on this project's 2-core machine, shared,
batch 16, training step of one view's video trunk at 64 x 64; squat heads):

============================  ===========  ==========  =====================
compact video trunk            parameters   fp16 size   train step, one view
============================  ===========  ==========  =====================
widths 64-128-256-512, 1-1-1-1  14,361,792     28.7 MB   6.3 s
widths 32-64-128-256, 1-1-1-1    3,598,944      7.2 MB   2.7 s (kept)
widths 16-32-64-128, 1-1-1-1       903,984      1.8 MB   1.8 s
============================  ===========  ==========  =====================

Whole compact models (squat): pose 2,466,758 (4.9 MB), vision 7,363,398 (14.7 MB), fusion
11,197,350 (22.4 MB); the paper's are 11.8 M, 67.0 M and 79.7 M parameters. Pose, vision and
fusion for the three exercises and the classifier come to about 126 MB in fp16, within the 150 MB
budget. The paper variant is untouched: its parameter counts are tested against the published ones.

Training cost on SynthGym (squat: 204 training repetitions), 1 thread of the shared machine: the
frozen stages (stem, layer1, layer2: most of the trunk's arithmetic) are computed once per run
(``frozen_video_inputs``), so a compact vision epoch takes about 9.5 s and a fusion epoch about
12 s, against roughly 150 s for a vision epoch running the whole trunk (the step timings above, two
views, 13 steps).
"""


def pose_stream(kind: str, variant: Variant, views: tuple[str, ...] = VIEWS) -> ViewStreams:
    return ViewStreams(lambda: PoseEncoder(INPUT_CHANNELS[kind], variant.pose_hidden, variant.pose_out), views)


def video_stream(variant: Variant, views: tuple[str, ...] = VIEWS) -> ViewStreams:
    return ViewStreams(lambda: VideoEncoder(variant.video_layers, variant.video_widths), views)


def pose_net(n_outputs: int, variant: Variant, kind: str = "features", views: tuple[str, ...] = VIEWS) -> CriteriaNet:
    """The pose model; ``kind`` picks Table 4's input: features, distances, angles or landmarks."""
    return CriteriaNet({kind: pose_stream(kind, variant, views)}, n_outputs)


def vision_net(n_outputs: int, variant: Variant, views: tuple[str, ...] = VIEWS) -> CriteriaNet:
    return CriteriaNet({"video": video_stream(variant, views)}, n_outputs, standalone_dropouts=(0.3, 0.21))


def fusion_net(n_outputs: int, variant: Variant, views: tuple[str, ...] = VIEWS) -> CriteriaNet:
    return CriteriaNet({"video": video_stream(variant, views), "features": pose_stream("features", variant, views)},
                       n_outputs)
