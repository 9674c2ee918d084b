"""Building blocks of the paper's networks (docs/architecture.md, step 6), written once and shared by every model.

A pose stream reads a view's (16, C) feature sequence as a (C, 16, 1) image, so that every
convolution runs along time only: kernel (3, 1). A video stream is a ResNet3D-18 trunk (torchvision's design),
built without pretrained weights because none can be downloaded here.
"""

from __future__ import annotations

import torch
from torch import nn


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
PAPER_VIDEO_WIDTHS = (64, 128, 256, 512)


class VideoBasicBlock(nn.Module):
    """Two 3x3x3 convolutions with BatchNorm, the first carrying the stride; a 1x1x1 convolution
    shortcut when the shape changes; ReLU after the sum. torchvision's BasicBlock with its
    Conv3DSimple, under the same parameter names, so that weights move between the two."""

    def __init__(self, in_planes: int, planes: int, stride: int = 1) -> None:
        super().__init__()
        self.conv1 = nn.Sequential(
            nn.Conv3d(in_planes, planes, kernel_size=3, stride=stride, padding=1, bias=False),
            nn.BatchNorm3d(planes),
            nn.ReLU(inplace=True),
        )
        self.conv2 = nn.Sequential(
            nn.Conv3d(planes, planes, kernel_size=3, padding=1, bias=False),
            nn.BatchNorm3d(planes),
        )
        self.relu = nn.ReLU(inplace=True)
        self.downsample: nn.Module | None = None
        if stride != 1 or in_planes != planes:
            self.downsample = nn.Sequential(
                nn.Conv3d(in_planes, planes, kernel_size=1, stride=stride, bias=False),
                nn.BatchNorm3d(planes),
            )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        shortcut = x if self.downsample is None else self.downsample(x)
        return self.relu(self.conv2(self.conv1(x)) + shortcut)


class VideoResNet(nn.Module):
    """ResNet3D-18's design (Tran et al., 2018; torchvision's ``r3d_18``) without its classifier:
    a (3, 7, 7) stem striding space only, four stages of ``layers`` basic blocks of ``widths``
    channels, the last three halving time and space, and global average pooling. The paper's
    trunk is (2, 2, 2, 2) x (64, 128, 256, 512); the compact variant narrows it.

    Written here rather than taken from torchvision: its PyPI wheels need PyPI's CUDA build of torch
    (several GB of CUDA libraries), where the CPU build installs without them. Module and
    parameter names are torchvision's, so that weights move between the two."""

    def __init__(self, layers: tuple[int, int, int, int], widths: tuple[int, int, int, int]) -> None:
        super().__init__()
        self.stem = nn.Sequential(
            nn.Conv3d(3, widths[0], kernel_size=(3, 7, 7), stride=(1, 2, 2), padding=(1, 3, 3), bias=False),
            nn.BatchNorm3d(widths[0]),
            nn.ReLU(inplace=True),
        )
        in_planes = widths[0]
        for index, (blocks, planes) in enumerate(zip(layers, widths)):
            stride = 1 if index == 0 else 2
            stage = [VideoBasicBlock(in_planes, planes, stride)]
            stage += [VideoBasicBlock(planes, planes) for _ in range(1, blocks)]
            setattr(self, f"layer{index + 1}", nn.Sequential(*stage))
            in_planes = planes
        self.avgpool = nn.AdaptiveAvgPool3d((1, 1, 1))
        for module in self.modules():  # torchvision's initialisation
            if isinstance(module, nn.Conv3d):
                nn.init.kaiming_normal_(module.weight, mode="fan_out", nonlinearity="relu")
            elif isinstance(module, nn.BatchNorm3d):
                nn.init.constant_(module.weight, 1)
                nn.init.constant_(module.bias, 0)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for part in VIDEO_STAGES:
            x = getattr(self, part)(x)
        return self.avgpool(x).flatten(1)


VIDEO_STAGES = ("stem", "layer1", "layer2", "layer3", "layer4")


class VideoEncoder(nn.Module):
    """ResNet3D-18 without its classifier: (B, 3, T, H, W) in [0, 1] -> (B, widths[-1]). Stem,
    layer1 and layer2 are frozen as in the paper (here they keep their seeded random initialisation),
    their BatchNorm statistics included: they stay in eval mode when the model trains, so that the
    frozen stages are a fixed function whose output training may compute once (``frozen_stages``,
    then ``forward_from_frozen``).

    Other ``layers`` or ``widths`` than the paper's build the same design with fewer blocks per
    stage or narrower stages, for the compact variant."""

    def __init__(self, layers: tuple[int, int, int, int] = PAPER_VIDEO_LAYERS,
                 widths: tuple[int, int, int, int] = PAPER_VIDEO_WIDTHS,
                 freeze: tuple[str, ...] = FROZEN_VIDEO_PARTS) -> None:
        super().__init__()
        self.trunk = VideoResNet(layers, widths)
        if tuple(freeze) != VIDEO_STAGES[:len(freeze)]:
            raise ValueError(f"Only leading stages can be frozen, in order: {VIDEO_STAGES}; got {freeze}.")
        self.frozen = tuple(freeze)
        for part in freeze:
            getattr(self.trunk, part).requires_grad_(False)
        self.out_channels = widths[-1]

    def train(self, mode: bool = True) -> VideoEncoder:
        super().train(mode)
        for part in self.frozen:
            getattr(self.trunk, part).eval()
        return self

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.forward_from_frozen(self.frozen_stages(x))

    def frozen_stages(self, x: torch.Tensor) -> torch.Tensor:
        for part in self.frozen:
            x = getattr(self.trunk, part)(x)
        return x

    def forward_from_frozen(self, x: torch.Tensor) -> torch.Tensor:
        for part in VIDEO_STAGES[len(self.frozen):]:
            x = getattr(self.trunk, part)(x)
        return self.trunk.avgpool(x).flatten(1)


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
