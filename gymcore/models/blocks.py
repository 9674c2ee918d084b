"""Building blocks of the paper's networks (SPEC.md step 6), written once and shared by every model.

A pose stream reads a view's (16, C) feature sequence as a (C, 16, 1) image, so that every
convolution runs along time only: kernel (3, 1). A video stream is torchvision's ResNet3D-18 trunk,
built without pretrained weights because none can be downloaded here.
"""

from __future__ import annotations

import torch
from torch import nn
from torchvision.models.video import r3d_18
from torchvision.models.video.resnet import BasicBlock, BasicStem, Conv3DSimple, VideoResNet


class BottleneckBlock(nn.Module):
    """1x1 reduce to out/2, 3x1 temporal conv (carrying the stride), 1x1 expand, each with
    BatchNorm; a 1x1 conv shortcut when the shape changes; ReLU after the sum."""

    def __init__(self, in_channels: int, out_channels: int, stride: int = 1, dropout: float = 0.2) -> None:
        super().__init__()
        mid = out_channels // 2
        self.main = nn.Sequential(
            nn.Conv2d(in_channels, mid, kernel_size=1),
            nn.BatchNorm2d(mid),
            nn.ReLU(),
            nn.Conv2d(mid, mid, kernel_size=(3, 1), stride=(stride, 1), padding=(1, 0)),
            nn.BatchNorm2d(mid),
            nn.ReLU(),
            nn.Conv2d(mid, out_channels, kernel_size=1),
            nn.BatchNorm2d(out_channels),
            nn.Dropout(dropout),
        )
        self.shortcut: nn.Module = nn.Identity()
        if stride != 1 or in_channels != out_channels:
            self.shortcut = nn.Sequential(
                nn.Conv2d(in_channels, out_channels, kernel_size=1, stride=(stride, 1)),
                nn.BatchNorm2d(out_channels),
            )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.relu(self.main(x) + self.shortcut(x))


class PoseEncoder(nn.Module):
    """One view's feature sequence (B, T, C) -> (B, out_channels): a strided temporal conv, two
    bottleneck blocks and average pooling over time."""

    def __init__(self, in_channels: int, hidden: int = 256, out_channels: int = 512) -> None:
        super().__init__()
        self.stem = nn.Sequential(
            nn.Conv2d(in_channels, hidden, kernel_size=(3, 1), stride=(2, 1), padding=(1, 0)),
            nn.BatchNorm2d(hidden),
            nn.ReLU(),
            nn.Dropout(0.2),
        )
        self.blocks = nn.Sequential(
            BottleneckBlock(hidden, 2 * hidden, stride=2),
            BottleneckBlock(2 * hidden, out_channels, stride=1),
        )
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.out_channels = out_channels

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x.transpose(1, 2).unsqueeze(-1)  # (B, C, T, 1): channels are features, height is time
        return self.pool(self.blocks(self.stem(x))).flatten(1)


FROZEN_VIDEO_PARTS = ("stem", "layer1", "layer2")


PAPER_VIDEO_LAYERS = (2, 2, 2, 2)


class VideoEncoder(nn.Module):
    """ResNet3D-18 without its classifier: (B, 3, T, H, W) in [0, 1] -> (B, 512). Stem, layer1
    and layer2 are frozen as in the paper (here they keep their seeded random initialisation).

    ``layers`` other than (2, 2, 2, 2) builds the same torchvision VideoResNet with fewer blocks
    per stage, for the compact variant."""

    def __init__(self, layers: tuple[int, int, int, int] = PAPER_VIDEO_LAYERS,
                 freeze: tuple[str, ...] = FROZEN_VIDEO_PARTS) -> None:
        super().__init__()
        if tuple(layers) == PAPER_VIDEO_LAYERS:
            self.trunk = r3d_18(weights=None)
        else:
            self.trunk = VideoResNet(BasicBlock, [Conv3DSimple] * 4, list(layers), BasicStem)
        self.trunk.fc = nn.Identity()
        for part in freeze:
            getattr(self.trunk, part).requires_grad_(False)
        self.out_channels = 512

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.trunk(x)


def standalone_head(in_features: int, n_outputs: int, dropouts: tuple[float, float]) -> nn.Sequential:
    """in -> in/2 (BatchNorm, ReLU, Dropout) -> in/4 (ReLU, Dropout) -> logits."""
    half, quarter = in_features // 2, in_features // 4
    return nn.Sequential(
        nn.Linear(in_features, half), nn.BatchNorm1d(half), nn.ReLU(), nn.Dropout(dropouts[0]),
        nn.Linear(half, quarter), nn.ReLU(), nn.Dropout(dropouts[1]),
        nn.Linear(quarter, n_outputs),
    )


def feature_head(in_features: int, out_features: int, dropout: float) -> nn.Sequential:
    """A stream's contribution to fusion: Linear, BatchNorm, ReLU, Dropout."""
    return nn.Sequential(nn.Linear(in_features, out_features), nn.BatchNorm1d(out_features), nn.ReLU(),
                         nn.Dropout(dropout))


def fusion_head(in_features: int, n_outputs: int, widths: tuple[int, ...] = (768, 384, 192, 96)) -> nn.Sequential:
    """The multi-stage fusion network: Linear+BatchNorm+ReLU+Dropout stages (0.3, 0.25, 0.2), then
    Linear+ReLU+Dropout(0.2) and the logits."""
    layers: list[nn.Module] = []
    dropouts = (0.3, 0.25, 0.2)
    size = in_features
    for width, dropout in zip(widths[:-1], dropouts):
        layers += [nn.Linear(size, width), nn.BatchNorm1d(width), nn.ReLU(), nn.Dropout(dropout)]
        size = width
    layers += [nn.Linear(size, widths[-1]), nn.ReLU(), nn.Dropout(0.2), nn.Linear(widths[-1], n_outputs)]
    return nn.Sequential(*layers)
