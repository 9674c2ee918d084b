"""Which exercise a clip shows (squat, lunges, deadlift), from pose sequences alone, so that a user
need not name it. One view-agnostic pose encoder reads each available view; the views' logits are
averaged."""

from __future__ import annotations

import torch
from torch import nn

from gymcore.criteria import EXERCISES
from gymcore.models.blocks import PoseEncoder
from gymcore.perception.features import N_DISTANCES

CLASSIFIER_INPUT = "scaled_distances"


class ExerciseClassifier(nn.Module):
    """``{"scaled_distances": (B, T, 528)}`` of one view -> (B, 3) logits in ``EXERCISES`` order."""

    def __init__(self, hidden: int = 64, out_channels: int = 128) -> None:
        super().__init__()
        self.encoder = PoseEncoder(N_DISTANCES, hidden, out_channels)
        self.head = nn.Sequential(nn.Dropout(0.2), nn.Linear(out_channels, len(EXERCISES)))
        self.classes = EXERCISES

    def forward(self, inputs: dict[str, torch.Tensor]) -> torch.Tensor:
        return self.head(self.encoder(inputs[CLASSIFIER_INPUT]))
