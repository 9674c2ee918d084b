"""Weights files, their model cards and ``weights/manifest.json``.

Weights are safetensors (never unpickled), stored in fp16 unless a card says otherwise, and
checked against the sha256 the manifest records before they are loaded. The card says what a
reader needs to trust a figure: architecture and variant, input size, storage
precision, training data, split, command, test metrics, date.

The weights folder is ``weights/`` beside the package, or the folder named by the environment
variable ``GYMCORE_WEIGHTS`` (read once, when this module is imported, like ``GYMCORE_CACHE``):
``assess``, the dashboard and the classifier all read ``WEIGHTS_DIR``.

Nothing the manifest says is trusted: every way the manifest or a weights file can be wrong is one
``WeightsError`` sentence naming the file, and the caller decides what goes on without it (the
rules never read the manifest). The manifest is read strictly, unknown keys included: only
gymcore writes it (``write_manifest``), so a key it does not know is a typo or another version's
manifest, and a key that changes how a file is to be read must not be skipped silently. An entry
names a file inside the weights folder only (no absolute path, no ``..``, no symlink leading
out), a regular file that is read once into memory, so that the bytes hashed are the bytes loaded.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
from dataclasses import asdict, dataclass, field
from pathlib import Path, PurePosixPath, PureWindowsPath

import torch
from safetensors import SafetensorError
from safetensors.torch import load as load_safetensors
from safetensors.torch import save_file

from gymcore.criteria import VIEWS
from gymcore.errors import GymError, InputError
from gymcore.models.calibration import calibration_is_sound
from gymcore.models.net import VARIANTS, check_views
from gymcore.serialize import atomic_output

SHIPPED_WEIGHTS_DIR = Path(__file__).resolve().parents[2] / "weights"
WEIGHTS_DIR = Path(os.environ.get("GYMCORE_WEIGHTS") or SHIPPED_WEIGHTS_DIR)
MANIFEST_NAME = "manifest.json"
STORAGE_DTYPES = {"float16": torch.float16, "float32": torch.float32, "bfloat16": torch.bfloat16}
# The shipped manifest is about 250 kB (the cards' reliability curves) and the largest weights file
# (the paper's fusion model in fp16) about 100 MB: anything far beyond is not gymcore's, and is
# refused before it is read.
MANIFEST_MAX_BYTES = 16 << 20
WEIGHTS_MAX_BYTES = 1 << 30
# safetensors: an 8-byte little-endian header length, then that many bytes of JSON, then the data;
# the library itself refuses headers over 100 MB.
SAFETENSORS_LENGTH_BYTES = 8
SAFETENSORS_HEADER_MAX = 100 << 20
ENTRY_FIELDS: dict[str, type] = {"file": str, "sha256": str, "model": str, "exercise": str, "variant": str,
                                 "card": dict, "views": list}
# An entry without ``views`` reads both (every manifest written before one-view models).
OPTIONAL_FIELDS = {"card", "views"}
SHA256_TEXT = re.compile(r"[0-9a-f]{64}")
RETRAIN = "restore the weights folder from the repository or retrain with `python -m gymcore train`"


class WeightsError(GymError):
    """A weights file or the manifest is missing, corrupt, not where it may be, or does not fit the
    model it is meant for."""


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
    calibration: dict[str, object] = field(default_factory=dict)  # gymcore.models.calibration.calibration_card

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
    views: list[str] = field(default_factory=lambda: list(VIEWS))

    @property
    def key(self) -> tuple[str, str, tuple[str, ...]]:
        """What the entry serves: one model of one exercise, reading these views."""
        return self.model, self.exercise, tuple(self.views)

    def to_dict(self) -> dict[str, object]:
        """The manifest's entry; ``views`` only when not both, as manifests before it were written."""
        entry = asdict(self)
        if tuple(self.views) == VIEWS:
            del entry["views"]
        return entry


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def manifest_path(weights_dir: Path = WEIGHTS_DIR) -> Path:
    return Path(weights_dir) / MANIFEST_NAME


def read_manifest(weights_dir: Path = WEIGHTS_DIR) -> list[ManifestEntry]:
    """Every entry of the manifest (none when there is no manifest); WeightsError when any is wrong."""
    path = manifest_path(weights_dir)
    return [parse_entry(item, index, path) for index, item in enumerate(manifest_items(path))]


def find_entry(model: str, exercise: str, weights_dir: Path = WEIGHTS_DIR,
               views: tuple[str, ...] = VIEWS) -> ManifestEntry | None:
    """The manifest's entry serving ``model`` for ``exercise`` from ``views`` (the last one listed
    wins), None when none is listed.

    Only that entry is checked in full, so that a broken entry makes its own model unavailable and
    no other; an entry that does not say which model and exercise it serves could be any model's,
    and makes the whole manifest unusable."""
    path = manifest_path(weights_dir)
    matches = [(index, item) for index, item in enumerate(manifest_items(path))
               if served_by(item, index, path) == (model, exercise, tuple(views))]
    if not matches:
        return None
    index, item = matches[-1]
    return parse_entry(item, index, path)


def manifest_items(path: Path) -> list[object]:
    """The raw entries of the manifest at ``path``: a JSON object whose only key, ``models``, is a list."""
    if not path.exists():
        return []
    document = _manifest_json(path)
    if not isinstance(document, dict) or "models" not in document:
        raise WeightsError(f"The weights manifest {path} is not an object with a 'models' list, as gymcore writes"
                           f" it; {RETRAIN}.")
    unknown = sorted(set(document) - {"models"})
    if unknown:
        raise WeightsError(f"The weights manifest {path} has keys gymcore does not know"
                           f" ({', '.join(map(repr, unknown))}) beside 'models'; {RETRAIN}.")
    if not isinstance(document["models"], list):
        raise WeightsError(f"The 'models' of the weights manifest {path} is not a list of entries; {RETRAIN}.")
    return document["models"]


def _manifest_json(path: Path) -> object:
    """The parsed manifest; a FIFO or directory is refused before it is opened (reading a FIFO waits forever)."""
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            raise WeightsError(f"The weights manifest {path} is not a regular file; {RETRAIN}.")
        if info.st_size > MANIFEST_MAX_BYTES:
            raise WeightsError(f"The weights manifest {path} holds {info.st_size} bytes, far more than any manifest"
                               f" gymcore writes; {RETRAIN}.")
        text = path.read_bytes().decode("utf-8")
    except OSError as error:
        raise WeightsError(f"The weights manifest {path} cannot be read ({error.strerror or error});"
                           f" {RETRAIN}.") from error
    except UnicodeDecodeError as error:
        raise WeightsError(f"The weights manifest {path} is not UTF-8 text; {RETRAIN}.") from error
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise WeightsError(f"The weights manifest {path} is not valid JSON ({error.msg} at line {error.lineno},"
                           f" column {error.colno}); {RETRAIN}.") from error
    except RecursionError as error:
        raise WeightsError(f"The weights manifest {path} is not valid JSON (nested too deep); {RETRAIN}.") from error


def served_by(item: object, index: int, path: Path) -> tuple[str, str, tuple[str, ...]]:
    """The (model, exercise, views) an entry serves; both views when it names none."""
    if not (isinstance(item, dict) and isinstance(item.get("model"), str) and isinstance(item.get("exercise"), str)):
        raise WeightsError(f"Entry {index + 1} of the weights manifest {path} does not say which model and exercise"
                           f" it serves (an object with the texts 'model' and 'exercise'); {RETRAIN}.")
    views = item.get("views", list(VIEWS))
    try:
        if not isinstance(views, list) or not all(isinstance(view, str) for view in views):
            raise InputError("not a list of texts")
        read = check_views(views)
    except InputError as error:
        raise WeightsError(f"Entry {index + 1} of the weights manifest {path} gives 'views' that are not"
                           f" ['frontal'], ['lateral'] or both; {RETRAIN}.") from error
    if tuple(views) != read:
        raise WeightsError(f"Entry {index + 1} of the weights manifest {path} lists its views out of order"
                           f" (frontal before lateral); {RETRAIN}.")
    return item["model"], item["exercise"], read


def parse_entry(item: object, index: int, path: Path) -> ManifestEntry:
    """One manifest entry, every key known, present (``card`` may be left out) and of its type."""
    model, exercise, _ = served_by(item, index, path)
    where = f"The entry for the {model!r} model of {exercise!r} (entry {index + 1}) in the weights manifest {path}"
    missing = [key for key in ENTRY_FIELDS if key not in item and key not in OPTIONAL_FIELDS]
    if missing:
        raise WeightsError(f"{where} lacks {', '.join(map(repr, missing))}; {RETRAIN}.")
    unknown = sorted(set(item) - set(ENTRY_FIELDS))
    if unknown:
        raise WeightsError(f"{where} has keys gymcore does not know ({', '.join(map(repr, unknown))}); it reads only"
                           f" {', '.join(map(repr, ENTRY_FIELDS))}; {RETRAIN}.")
    wrong = [key for key, kind in ENTRY_FIELDS.items() if key in item and not isinstance(item[key], kind)]
    if wrong:
        described = ", ".join(f"{key!r} not a {_type_word(ENTRY_FIELDS[key])}" for key in wrong)
        raise WeightsError(f"{where} has {described}; {RETRAIN}.")
    if not SHA256_TEXT.fullmatch(item["sha256"]):
        raise WeightsError(f"{where} gives a sha256 that is not 64 lowercase hexadecimal digits; {RETRAIN}.")
    check_plain_name(item["file"], path)
    if item["variant"] not in VARIANTS:
        raise WeightsError(f"{where} names the variant {item['variant']!r}; gymcore builds {', '.join(VARIANTS)};"
                           f" {RETRAIN}.")
    _check_card(item.get("card", {}), where)
    return ManifestEntry(**item)


def _check_card(card: dict[str, object], where: str) -> None:
    """The card's fields that the weights' description reads (``weights_info``) have their types,
    and its calibration, which changes the probabilities shown, holds a positive finite temperature
    per criterion."""
    if not isinstance(card.get("training_data", {}), dict):
        raise WeightsError(f"{where} has a card whose 'training_data' is not an object; {RETRAIN}.")
    if not isinstance(card.get("date"), str | None):
        raise WeightsError(f"{where} has a card whose 'date' is not a text; {RETRAIN}.")
    if not calibration_is_sound(card.get("calibration", {})):
        raise WeightsError(f"{where} has a card whose 'calibration' does not give every criterion a positive finite"
                           f" temperature; calibrate again with `python -m gymcore calibrate`, or {RETRAIN}.")


def _type_word(kind: type) -> str:
    return {str: "text", dict: "JSON object", list: "list"}[kind]


def write_manifest(entries: list[ManifestEntry], weights_dir: Path = WEIGHTS_DIR) -> Path:
    """The manifest, written whole or not at all: a dashboard reading it while a model is trained
    or calibrated sees the old one or the new one, never half of one."""
    path = manifest_path(weights_dir)
    with atomic_output(path) as temporary:
        temporary.write_text(json.dumps({"models": [entry.to_dict() for entry in entries]}, indent=1) + "\n",
                             encoding="utf-8")
    return path


def write_card(entry: ManifestEntry, weights_dir: Path = WEIGHTS_DIR) -> Path:
    """The entry's card beside its weights file (``NAME.card.json``), written whole or not at all."""
    path = Path(weights_dir) / (PurePosixPath(entry.file).stem + ".card.json")
    with atomic_output(path) as temporary:
        temporary.write_text(json.dumps(entry.card, indent=1) + "\n", encoding="utf-8")
    return path


def record_in_manifest(entry: ManifestEntry, weights_dir: Path = WEIGHTS_DIR) -> Path:
    """Add ``entry``, replacing the one for the same model, exercise and views (a broken manifest is
    refused, not overwritten: its other entries would be lost)."""
    kept = [old for old in read_manifest(weights_dir) if old.key != entry.key]
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


def weights_path(entry: ManifestEntry, weights_dir: Path = WEIGHTS_DIR) -> Path:
    """The file ``entry`` names, resolved; it must lie inside ``weights_dir`` (symlinks followed)."""
    folder = Path(weights_dir)
    check_plain_name(entry.file, manifest_path(folder))
    try:
        root = folder.resolve()
        resolved = (folder / entry.file).resolve()
    except (OSError, RuntimeError) as error:  # a symlink loop
        raise WeightsError(f"The weights file {folder / entry.file} cannot be resolved (a symlink loop?); {RETRAIN}.") \
            from error
    if not resolved.is_relative_to(root):
        raise WeightsError(f"The weights file {folder / entry.file} leads to {resolved}, outside {folder}; weights are"
                           f" only read from that folder; {RETRAIN}.")
    return resolved


def check_plain_name(file: str, manifest: Path) -> None:
    """A weights file is named relative to the manifest's folder, never absolute nor through ``..``
    (nor with control characters, which would reach the sentences and the terminal)."""
    pure = PurePosixPath(file)
    if not file or any(ord(char) < 32 for char in file) or pure.is_absolute() or PureWindowsPath(file).drive \
            or ".." in pure.parts:
        raise WeightsError(f"The manifest {manifest} names the weights file {file!r}, which is not a plain name"
                           f" inside {manifest.parent}; weights are only read from that folder; {RETRAIN}.")


def load_weights(module: torch.nn.Module, entry: ManifestEntry, weights_dir: Path = WEIGHTS_DIR) -> torch.nn.Module:
    """Fill ``module`` from the file ``entry`` names, after checking where it is, that it is a
    safetensors file and its sha256."""
    path = weights_path(entry, weights_dir)
    data = _weights_bytes(path, entry)
    check_safetensors_layout(data, path)
    if hashlib.sha256(data).hexdigest() != entry.sha256:
        raise WeightsError(f"The weights file {path} does not match the sha256 in the manifest (it is corrupt or"
                           f" was replaced); restore it or retrain the {entry.model} model for {entry.exercise}.")
    try:
        stored = load_safetensors(data)
    except SafetensorError as error:
        raise WeightsError(f"The weights file {path} is not a readable safetensors file ({error}); {RETRAIN}.") \
            from error
    expected = module.state_dict()
    if set(stored) != set(expected) or any(stored[k].shape != expected[k].shape for k in expected):
        raise WeightsError(f"The weights file {path} does not fit the {entry.variant} {entry.model} model for"
                           f" {entry.exercise}; retrain it with this version of gymcore.")
    if any(t.is_floating_point() and not bool(torch.isfinite(t).all()) for t in stored.values()):
        raise WeightsError(f"The weights file {path} holds NaN or infinite values (training diverged); retrain the"
                           f" {entry.model} model for {entry.exercise}.")
    module.load_state_dict({name: tensor.to(expected[name].dtype) for name, tensor in stored.items()})
    return module


def _weights_bytes(path: Path, entry: ManifestEntry) -> bytes:
    """The whole file, read once; opened without blocking and checked to be a regular file of a
    sane size before any byte is read (a FIFO would block, a device never end)."""
    if not path.exists():
        raise WeightsError(f"The weights file {path} of the {entry.model} model for {entry.exercise} is missing;"
                           f" train it with `python -m gymcore train` or restore the file.")
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as error:
        raise WeightsError(f"The weights file {path} cannot be opened ({error.strerror or error});"
                           f" {RETRAIN}.") from error
    try:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode):
            raise WeightsError(f"The weights file {path} is not a regular file (a folder, a pipe or a device);"
                               f" {RETRAIN}.")
        if info.st_size > WEIGHTS_MAX_BYTES:
            raise WeightsError(f"The weights file {path} holds {info.st_size} bytes, more than any gymcore model"
                               f" ({WEIGHTS_MAX_BYTES} at most); {RETRAIN}.")
        with open(descriptor, "rb", closefd=False) as handle:
            return handle.read()
    except OSError as error:
        raise WeightsError(f"The weights file {path} cannot be read ({error.strerror or error});"
                           f" {RETRAIN}.") from error
    finally:
        os.close(descriptor)


def check_safetensors_layout(data: bytes, path: Path) -> None:
    """The 8-byte header length fits the file and a JSON object follows: what any safetensors
    file starts with, and what a pickle or a torch.save zip never does."""
    header_length = int.from_bytes(data[:SAFETENSORS_LENGTH_BYTES], "little")
    fits = (len(data) >= SAFETENSORS_LENGTH_BYTES + 2 and 2 <= header_length <= SAFETENSORS_HEADER_MAX
            and SAFETENSORS_LENGTH_BYTES + header_length <= len(data))
    if not fits or data[SAFETENSORS_LENGTH_BYTES:SAFETENSORS_LENGTH_BYTES + 1] != b"{":
        raise WeightsError(f"The weights file {path} is not a safetensors file (its first bytes announce no header"
                           f" that fits its {len(data)} bytes); gymcore reads only safetensors, never pickled"
                           f" weights such as torch.save files; {RETRAIN}.")
