"""Weights files, their model cards and ``weights/manifest.json``.

Weights are safetensors (never unpickled), stored in fp16 unless a card says otherwise, and
checked against the sha256 the manifest records before they are loaded. The card says what a
reader needs to trust a figure: architecture and variant, input size, storage
precision, training data, split, command, test metrics, date.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

import torch
from safetensors.torch import load_file, save_file

from gymcore.errors import GymError

WEIGHTS_DIR = Path(__file__).resolve().parents[2] / "weights"
MANIFEST_NAME = "manifest.json"
STORAGE_DTYPES = {"float16": torch.float16, "float32": torch.float32, "bfloat16": torch.bfloat16}


class WeightsError(GymError):
    """A weights file is missing, corrupt or does not fit the model it is meant for."""


@dataclass
class ModelCard:
    model: str
    exercise: str
    variant: str
    architecture: str
    parameters: int
    input: dict[str, object]
    storage_precision: str
    training_data: dict[str, object]
    split: dict[str, object]
    command: str
    test_metrics: dict[str, object]
    date: str
    training: dict[str, object] = field(default_factory=dict)
    notes: str = ""

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


@dataclass
class ManifestEntry:
    file: str
    sha256: str
    model: str
    exercise: str
    variant: str
    card: dict[str, object] = field(default_factory=dict)

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def read_manifest(weights_dir: Path = WEIGHTS_DIR) -> list[ManifestEntry]:
    path = Path(weights_dir) / MANIFEST_NAME
    if not path.exists():
        return []
    entries = json.loads(path.read_text(encoding="utf-8")).get("models", [])
    return [ManifestEntry(**entry) for entry in entries]


def find_entry(model: str, exercise: str, weights_dir: Path = WEIGHTS_DIR) -> ManifestEntry | None:
    """The manifest's entry serving ``model`` for ``exercise`` (the last one listed wins)."""
    matches = [entry for entry in read_manifest(weights_dir) if entry.model == model and entry.exercise == exercise]
    return matches[-1] if matches else None


def write_manifest(entries: list[ManifestEntry], weights_dir: Path = WEIGHTS_DIR) -> Path:
    path = Path(weights_dir) / MANIFEST_NAME
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"models": [entry.to_dict() for entry in entries]}, indent=1) + "\n", encoding="utf-8")
    return path


def record_in_manifest(entry: ManifestEntry, weights_dir: Path = WEIGHTS_DIR) -> Path:
    """Add ``entry``, replacing the one for the same model and exercise."""
    kept = [old for old in read_manifest(weights_dir) if (old.model, old.exercise) != (entry.model, entry.exercise)]
    return write_manifest(kept + [entry], weights_dir)


def save_weights(module: torch.nn.Module, path: Path, precision: str = "float16") -> str:
    """Write the state dict as safetensors, floating tensors in ``precision``; returns the sha256."""
    dtype = STORAGE_DTYPES[precision]
    tensors = {name: (tensor.detach().to(dtype) if tensor.is_floating_point() else tensor.detach()).contiguous()
               for name, tensor in module.state_dict().items()}
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    save_file(tensors, str(path))
    return sha256_of(path)


def load_weights(module: torch.nn.Module, entry: ManifestEntry, weights_dir: Path = WEIGHTS_DIR) -> torch.nn.Module:
    """Fill ``module`` from the file ``entry`` names, after checking the file's sha256."""
    path = Path(weights_dir) / entry.file
    if not path.exists():
        raise WeightsError(f"The weights file {path} of the {entry.model} model for {entry.exercise} is missing;"
                           f" train it with `python -m gymcore train` or restore the file.")
    if sha256_of(path) != entry.sha256:
        raise WeightsError(f"The weights file {path} does not match the sha256 in the manifest (it is corrupt or"
                           f" was replaced); restore it or retrain the {entry.model} model for {entry.exercise}.")
    expected = module.state_dict()
    stored = load_file(str(path))
    if set(stored) != set(expected) or any(stored[k].shape != expected[k].shape for k in expected):
        raise WeightsError(f"The weights file {path} does not fit the {entry.variant} {entry.model} model for"
                           f" {entry.exercise}; retrain it with this version of gymcore.")
    module.load_state_dict({name: tensor.to(expected[name].dtype) for name, tensor in stored.items()})
    return module
