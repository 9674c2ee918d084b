"""The training presets: the paper's protocol, and a compact one that fits a CPU.

Apart from the trainer (which loads numpy and torch), so that the command line can list them.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Preset:
    name: str
    variant: str
    max_epochs: int
    batch_size: int = 16
    lr: float = 1e-4
    weight_decay: float = 1e-5
    plateau_factor: float = 0.5
    plateau_patience: int = 5
    early_stopping_patience: int = 10
    grad_clip: float = 1.0
    storage_precision: str = "float16"


PRESETS = {
    "paper": Preset("paper", "paper", max_epochs=100),
    "cpu": Preset("cpu", "compact", max_epochs=150),
}
