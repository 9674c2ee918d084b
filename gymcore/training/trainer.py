"""Training: the paper's protocol (docs/architecture.md, step 7) for every model gymcore builds.

Batch 16, Adam (lr 1e-4, weight decay 1e-5), ReduceLROnPlateau (0.5, patience 5) on the validation
loss, gradient clipping at norm 1.0, early stopping with patience 10, the best validation epoch
kept. A checkpoint after every epoch (weights, optimiser, scheduler, epoch, random state) lets an
interrupted run resume where it stopped. At the end the weights are
stored (safetensors), measured on the test split *as stored*, and described by a model card in
``weights/manifest.json``; the training curves go beside them as CSV and JSON.

Presets: ``paper`` trains the exact architecture at 224 x 224 for up to 100 epochs (a GPU job);
``cpu`` trains the compact variant (see gymcore.models.net.VARIANTS: 64 x 64 frames) for up to 150
epochs: with a few hundred repetitions an epoch is only a dozen steps, and the pose models were still
improving at 30 epochs on SynthGym; a pose epoch takes seconds on 2 cores, early stopping usually
ends the run sooner, and ``--epochs`` caps the video models (their cards record the command).

Under torchrun every model trains with DistributedDataParallel and ends as the single-process run
would, up to floating-point noise (gymcore.training.distributed says how); the card records the
number of processes (``training.world_size``).

``init_streams`` starts a fusion model's streams from the trained vision and pose models of the same
exercise and variant (their shipped weights, sha256-checked), so that fusion starts from streams that
already see the criteria and mostly has to learn how to combine them. The card says so.
"""

from __future__ import annotations

import csv
import json
import sys
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from gymcore.criteria import EXERCISES, VIEWS
from gymcore.errors import InputError
from gymcore.models.names import views_option
from gymcore.training.presets import PRESETS, Preset

if TYPE_CHECKING:
    from gymcore.data.dataset import ExerciseSet
    from gymcore.training.distributed import Run


@dataclass
class EpochRecord:
    epoch: int
    train_loss: float
    val_loss: float
    lr: float
    seconds: float


@dataclass
class TrainResult:
    weights_file: Path
    card: dict[str, object]
    history: list[EpochRecord] = field(default_factory=list)


@dataclass
class Split:
    inputs: dict[str, np.ndarray]
    targets: np.ndarray
    participants: int

    def __len__(self) -> int:
        return len(self.targets)


def train(data: str | Path, exercise: str, model: str, preset: str = "cpu", seed: int = 0,
          weights_dir: str | Path | None = None, work_dir: str | Path | None = None, resume: bool = True,
          max_epochs: int | None = None, progress: bool = True, command: str = "",
          init_streams: bool = False, views: tuple[str, ...] = VIEWS) -> TrainResult:
    """Train ``model`` for ``exercise`` on the dataset in ``data`` (``exercise`` is ignored by the
    exercise classifier, which learns from every exercise present), reading ``views``: both, or one
    alone for the clips filmed from one side only (the classifier reads each view on its own anyway)."""
    import torch

    from gymcore.data.dataset import dataset_info
    from gymcore.models.names import CLASSIFIER
    from gymcore.models.net import check_views
    from gymcore.models.weights import WEIGHTS_DIR
    from gymcore.training import distributed

    settings = PRESETS[preset] if preset in PRESETS else _unknown_preset(preset)
    with distributed.session() as run:
        torch.manual_seed(seed)
        np.random.seed(seed)
        is_classifier = model == CLASSIFIER
        exercise = "all" if is_classifier else exercise
        views = check_views(views)
        if is_classifier and views != VIEWS:
            raise InputError("The exercise classifier learns from each view on its own already; train it without --views.")
        with distributed.leader_first(run):
            net, splits, kinds_note = (_classifier_task(Path(data), seed) if is_classifier
                                       else _criteria_task(Path(data), exercise, model, settings, seed, views))
        distributed.check_world(run, len(splits["train"]), settings.batch_size, str(data))
        weights_dir = Path(weights_dir) if weights_dir is not None else WEIGHTS_DIR
        if init_streams:
            kinds_note["initialised_from"] = initialise_streams(net, model, exercise, settings.variant, weights_dir,
                                                                views)
        stem = weights_stem(model, exercise, settings.variant, views)
        work_dir = Path(work_dir) if work_dir is not None else Path("runs") / stem
        loss_fn = torch.nn.CrossEntropyLoss() if is_classifier else torch.nn.BCEWithLogitsLoss()
        history = _fit(net, loss_fn, splits, settings, max_epochs or settings.max_epochs, seed, work_dir, resume,
                       progress, is_classifier, run)
        command = command or _command(data, exercise, model, preset, seed, max_epochs, init_streams, views,
                                      distributed.launcher(run))
        shipped = (_ship(net, model, exercise, settings, splits, history, dataset_info(Path(data)), seed, weights_dir,
                         work_dir, stem, command, kinds_note, run.world_size) if run.leader else None)
        return distributed.from_leader(run, shipped)


def weights_stem(model: str, exercise: str, variant: str, views: tuple[str, ...] = VIEWS) -> str:
    """The name of a model's weights, card and curves files (and of its checkpoint folder): a
    one-view model's ends in its view."""
    return f"{model}_{exercise}_{variant}" + ("" if views == VIEWS else f"_{'_'.join(views)}")


def _unknown_preset(name: str) -> Preset:
    raise InputError(f"There is no preset called {name!r}; choose one of {', '.join(PRESETS)}.")


STREAM_SOURCES = {"video": "vision", "features": "pose"}


def initialise_streams(net, model: str, exercise: str, variant: str, weights_dir: Path,
                       views: tuple[str, ...] = VIEWS) -> list[str]:
    """Copy each stream of a fusion ``net`` from the trained single-stream model of the same
    exercise, variant and views; returns the weights files used."""
    from gymcore.models.registry import build_model
    from gymcore.models.weights import find_entry, load_weights

    if model != "fusion":
        raise InputError(f"Only the fusion model starts from trained streams; {model} trains from scratch.")
    used = []
    state = net.state_dict()
    for kind, source in STREAM_SOURCES.items():
        entry = find_entry(source, exercise, weights_dir, views)
        if entry is None or entry.variant != variant:
            raise InputError(f"Starting fusion from trained streams needs the {variant} {source} model for {exercise}"
                             f" in {weights_dir}; train it first with `python -m gymcore train --model {source}"
                             f" --exercise {exercise}{views_option(views)}`.")
        trained = load_weights(build_model(source, exercise, variant, views), entry, weights_dir).state_dict()
        prefix = f"streams.{kind}."
        state.update({name: tensor for name, tensor in trained.items() if name.startswith(prefix)})
        used.append(entry.file)
    net.load_state_dict(state)
    return used


def model_splits(parts: dict[str, ExerciseSet], net, image_size: int) -> dict[str, Split]:
    """Each split's inputs for ``net`` (its input kinds and views), labels and participants."""
    from gymcore.data.dataset import model_arrays

    return {name: Split(model_arrays(part, net.input_kinds, image_size, net.views), part.labels,
                        len(set(part.participants))) for name, part in parts.items()}


def _criteria_task(data: Path, exercise: str, model: str, settings: Preset, seed: int, views: tuple[str, ...]):
    from gymcore.data.dataset import load_exercise, split_exercise
    from gymcore.models.registry import build_model, variant_named

    net = build_model(model, exercise, settings.variant, views)
    image_size = variant_named(settings.variant).image_size
    splits = model_splits(split_exercise(load_exercise(data, exercise), seed), net, image_size)
    _require_rows(splits, data, exercise)
    uses_video = "video" in net.input_kinds
    note = {"pose_input": [k for k in net.input_kinds if k != "video"], "image_size": image_size if uses_video else None}
    return net, splits, note


def _classifier_task(data: Path, seed: int):
    from gymcore.data.dataset import VIEWS, available_exercises, load_exercise, split_exercise
    from gymcore.models.classifier import CLASSIFIER_INPUT, ExerciseClassifier
    from gymcore.models.inputs import scale_free_distances

    exercises = available_exercises(data)
    if len(exercises) < 2:
        raise InputError(f"The exercise classifier needs at least two exercises in {data}; found {exercises or 'none'}.")
    gathered: dict[str, list] = {name: [] for name in ("train", "val", "test")}
    for exercise in exercises:
        for name, part in split_exercise(load_exercise(data, exercise), seed).items():
            for view in VIEWS:
                for points, who in zip(part.landmarks[view], part.participants):
                    gathered[name].append((scale_free_distances(points), EXERCISES.index(exercise), who))
    splits = {name: Split({CLASSIFIER_INPUT: np.stack([g[0] for g in rows]) if rows else np.zeros((0, 16, 528), np.float32)},
                          np.array([g[1] for g in rows], dtype=np.int64), len({g[2] for g in rows}))
              for name, rows in gathered.items()}
    _require_rows(splits, data, "the exercise classifier")
    return ExerciseClassifier(), splits, {"pose_input": [CLASSIFIER_INPUT], "image_size": None}


def _require_rows(splits: dict[str, Split], data: Path, what: str) -> None:
    empty = [name for name, split in splits.items() if len(split) < (2 if name == "train" else 1)]
    if empty:
        raise InputError(f"The {', '.join(empty)} split of {data} for {what} is (nearly) empty; the dataset needs"
                         f" more participants (at least 3, ideally 20 or more).")


def _fit(net, loss_fn, splits: dict[str, Split], settings: Preset, max_epochs: int, seed: int, work_dir: Path,
         resume: bool, progress: bool, is_classifier: bool, run: Run) -> list[EpochRecord]:
    """Train ``net`` (in this process, or as one of the processes of ``run``) and leave the best
    validation epoch's weights in it."""
    import torch
    from tqdm import tqdm

    from gymcore.models.inputs import to_tensors
    from gymcore.training import distributed

    state = {"epoch": 0, "best_loss": float("inf"), "best_state": None, "bad_epochs": 0, "history": []}
    checkpoint = work_dir / "checkpoint.pt"
    saved = torch.load(checkpoint, weights_only=True, map_location="cpu") if resume and checkpoint.exists() else None
    if saved is not None:
        net.load_state_dict(saved["model"])
        state = saved["state"]
    replica = distributed.replicate(net, run)
    trainable = [p for p in replica.local.parameters() if p.requires_grad]
    optimizer = torch.optim.Adam(trainable, lr=settings.lr, weight_decay=settings.weight_decay)
    scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, factor=settings.plateau_factor,
                                                           patience=settings.plateau_patience)
    if saved is not None:
        optimizer.load_state_dict(saved["optimizer"])
        scheduler.load_state_dict(saved["scheduler"])
        if "rng" in saved:  # checkpoints written before the random state was kept resume with fresh masks
            distributed.restore_rng(saved["rng"], run.device)
    history = [EpochRecord(**record) for record in state["history"]]
    train_split = _with_frozen_video(replica.local, splits["train"], run.device)
    val_split = _with_frozen_video(replica.local, splits["val"], run.device)
    target_dtype = torch.long if is_classifier else torch.float32
    epochs = tqdm(range(state["epoch"], max_epochs), desc="epochs", disable=not (progress and run.leader),
                  file=sys.stderr, initial=state["epoch"], total=max_epochs)
    for epoch in epochs:
        started = time.perf_counter()
        replica.module.train()
        order = np.random.default_rng(seed + epoch).permutation(len(train_split))
        losses = []
        for start in range(0, len(order), settings.batch_size):
            rows = order[start:start + settings.batch_size]
            if len(rows) < 2:  # BatchNorm cannot train on a batch of one
                continue
            mine = replica.rows(rows)
            inputs = to_tensors({key: array[mine] for key, array in train_split.inputs.items()}, run.device)
            targets = torch.as_tensor(train_split.targets[mine], dtype=target_dtype, device=run.device)
            loss = replica.loss(loss_fn, replica.module(inputs), targets, len(rows))
            optimizer.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(trainable, settings.grad_clip)
            optimizer.step()
            losses.append(float(loss.detach()))
        losses = replica.global_losses(losses)
        val_loss = replica.on_leader(lambda: _split_loss(replica.local, loss_fn, val_split, target_dtype, run.device))
        scheduler.step(val_loss)
        history.append(EpochRecord(epoch + 1, float(np.mean(losses)) if losses else float("nan"), val_loss,
                                   optimizer.param_groups[0]["lr"], round(time.perf_counter() - started, 2)))
        if val_loss < state["best_loss"]:
            state.update(best_loss=val_loss, bad_epochs=0,
                         best_state={k: v.detach().clone() for k, v in replica.local.state_dict().items()})
        else:
            state["bad_epochs"] += 1
        state.update(epoch=epoch + 1, history=[asdict(record) for record in history])
        epochs.set_postfix(train=f"{history[-1].train_loss:.4f}", val=f"{val_loss:.4f}")
        if run.leader:
            _save_checkpoint(checkpoint, {"model": replica.local.state_dict(), "optimizer": optimizer.state_dict(),
                                          "scheduler": scheduler.state_dict(), "state": state,
                                          "rng": distributed.rng_state(run.device)})
        if state["bad_epochs"] >= settings.early_stopping_patience:
            break
    if state["best_state"] is not None:
        replica.local.load_state_dict(state["best_state"])
    replica.copy_to(net)
    return history


def _save_checkpoint(path: Path, contents: dict[str, object]) -> None:
    """Written whole or not at all: a run stopped while writing (under torchrun, one process failing
    stops the others) keeps the previous epoch's checkpoint."""
    import torch

    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    torch.save(contents, partial)
    partial.replace(path)


def _with_frozen_video(net, split: Split, device: str) -> Split:
    """The split with its frames replaced by the output of the frozen video stages, computed once
    (after any resume or stream initialisation, so with the weights that train)."""
    from gymcore.models.net import CriteriaNet, frozen_video_inputs

    if not isinstance(net, CriteriaNet) or "video" not in net.streams:
        return split
    return Split(frozen_video_inputs(net, split.inputs, device=device), split.targets, split.participants)


def _split_loss(net, loss_fn, split: Split, target_dtype, device: str) -> float:
    import torch

    from gymcore.models.inputs import batched_logits

    logits = torch.from_numpy(batched_logits(net, split.inputs, device=device))
    return float(loss_fn(logits, torch.as_tensor(split.targets, dtype=target_dtype)))


def _ship(net, model: str, exercise: str, settings: Preset, splits: dict[str, Split], history: list[EpochRecord],
          data_info: dict[str, object], seed: int, weights_dir: Path, work_dir: Path, stem: str, command: str,
          inputs_note: dict[str, object], world_size: int) -> TrainResult:
    from gymcore.data.dataset import landmark_source
    from gymcore.models.inputs import batched_logits
    from gymcore.models.registry import count_parameters, variant_named
    from gymcore.models.weights import (
        ManifestEntry,
        ModelCard,
        load_weights,
        record_in_manifest,
        save_weights,
        write_card,
    )

    file_name = f"{stem}.safetensors"
    sha = save_weights(net, weights_dir / file_name, settings.storage_precision)
    views = list(getattr(net, "views", VIEWS))  # the classifier reads each view on its own
    entry = ManifestEntry(file=file_name, sha256=sha, model=model, exercise=exercise, variant=settings.variant,
                          views=views)
    stored = load_weights(net, entry, weights_dir)  # measure the weights as shipped (after fp16 rounding)
    test_logits = batched_logits(stored, splits["test"].inputs)
    test_metrics = test_split_metrics(test_logits, exercise, splits["test"])
    calibration = ({} if exercise == "all" or not calibration_possible(splits)
                   else split_calibration(stored, exercise, splits, test_logits))
    card = ModelCard(
        model=model, exercise=exercise, variant=settings.variant,
        architecture=variant_named(settings.variant).description, parameters=count_parameters(net),
        input={**inputs_note, "frames": 16, "views": views},
        storage_precision=settings.storage_precision,
        training_data={key: data_info.get(key) for key in ("name", "version", "seed")}
        | {"size": sum(len(split) for split in splits.values()), "landmarks": landmark_source(data_info)},
        split={"by": "participant", "seed": seed, "fractions": [0.7, 0.15, 0.15],
               **{f"{name}_samples": len(split) for name, split in splits.items()},
               **{f"{name}_participants": split.participants for name, split in splits.items()}},
        command=command, test_metrics=test_metrics,
        date=datetime.now(UTC).strftime("%Y-%m-%d"),
        training={"epochs": len(history), "best_epoch": _best_epoch(history),
                  "seconds_per_epoch": round(float(np.mean([r.seconds for r in history])), 1) if history else None,
                  "threads": torch_threads(), "world_size": world_size,
                  "initialised_from": inputs_note.get("initialised_from")},
        notes=f"Trained by gymcore with preset {settings.name} ({len(history)} epochs)."
              + (" The frozen ResNet3D layers keep their seeded random initialisation: no pretrained weights"
                 " can be downloaded here." if inputs_note.get("image_size") else "")
              + (" Its streams started from the trained vision and pose models of the same exercise"
                 f" ({', '.join(inputs_note['initialised_from'])})." if inputs_note.get("initialised_from") else ""),
        calibration=calibration,
    ).to_dict()
    entry.card = card
    record_in_manifest(entry, weights_dir)
    write_card(entry, weights_dir)
    _write_curves(history, weights_dir, f"{stem}.curves")
    return TrainResult(weights_dir / file_name, card, history)


def split_calibration(net, exercise: str, splits: dict[str, Split], test_logits: np.ndarray) -> dict[str, object]:
    """The card's calibration: per criterion, a temperature fitted on the validation split and the
    test split's reliability (``test_logits`` are ``net``'s on it) before and after it
    (gymcore.models.calibration)."""
    from gymcore.criteria import criteria_for
    from gymcore.models.calibration import calibrate, calibration_card
    from gymcore.models.inputs import batched_logits

    ids = [criterion.id for criterion in criteria_for(exercise)]
    val, test = splits["val"], splits["test"]
    fitted = calibrate(batched_logits(net, val.inputs), val.targets, test_logits, test.targets, ids)
    return calibration_card(fitted, len(val), len(test))


def calibration_possible(splits: dict[str, Split]) -> bool:
    """Whether the validation split is large enough to fit temperatures on (MIN_VALIDATION)."""
    from gymcore.models import calibration

    return len(splits["val"]) >= calibration.MIN_VALIDATION


def calibrate_shipped(data: str | Path, exercise: str, model: str, weights_dir: str | Path | None = None,
                      views: tuple[str, ...] = VIEWS) -> dict[str, object]:
    """Calibrate trained weights after the fact, on the validation split of the data they were
    trained on (the card's split seed), and record it in their card and the manifest; the weights
    file is untouched. Returns the calibration."""
    from gymcore.data.dataset import load_exercise, split_exercise
    from gymcore.models.inputs import batched_logits
    from gymcore.models.registry import build_model, variant_named
    from gymcore.models.weights import WEIGHTS_DIR, find_entry, load_weights, record_in_manifest, write_card

    folder = Path(weights_dir) if weights_dir is not None else WEIGHTS_DIR
    entry = find_entry(model, exercise, folder, views)
    if entry is None:
        raise InputError(f"No weights of the {model} model of {exercise} reading the {' and '.join(views)} view"
                         f"{'s' if len(views) > 1 else ''} are listed in {folder}; train them first"
                         f" (`python -m gymcore train --model {model} --exercise {exercise}{views_option(views)}`).")
    rows = load_exercise(Path(data), exercise)
    check_same_data(entry.card, Path(data), len(rows))
    net = load_weights(build_model(model, exercise, entry.variant, views), entry, folder)
    parts = split_exercise(rows, int(entry.card.get("split", {}).get("seed", 0)))
    splits = model_splits({name: parts[name] for name in ("val", "test")}, net, variant_named(entry.variant).image_size)
    if not calibration_possible(splits):
        from gymcore.models.calibration import MIN_VALIDATION

        raise InputError(f"The validation split of {data} holds {len(splits['val'])} {exercise} repetitions, fewer than"
                         f" the {MIN_VALIDATION} a temperature needs not to be fitted to noise; calibrate on a larger set"
                         " (train on it first).")
    entry.card["calibration"] = split_calibration(net, exercise, splits, batched_logits(net, splits["test"].inputs))
    record_in_manifest(entry, folder)
    write_card(entry, folder)
    return entry.card["calibration"]


def check_same_data(card: dict[str, object], data: Path, size: int) -> None:
    """The data at ``data`` (``size`` repetitions of the card's exercise) is the set the card says
    the weights were trained on, so that its validation split is the one training held out."""
    from gymcore.data.dataset import dataset_info

    info = dataset_info(data)
    seen = {"name": info.get("name"), "version": info.get("version"), "seed": info.get("seed"), "size": size}
    trained_on = card.get("training_data", {})
    wanted = {key: trained_on.get(key) for key in seen}
    if seen != wanted:
        raise InputError(f"{data} is not the data these weights were trained on (their card: {wanted}; this folder:"
                         f" {seen}); calibrate on the same set, so that its validation split is the one training"
                         " held out.")


def test_split_metrics(logits: np.ndarray, exercise: str, split: Split) -> dict[str, object]:
    """The card's figures from the model's ``logits`` on the test split: the paper's metrics for
    criteria models, accuracy for the classifier."""
    from gymcore.criteria import criteria_for
    from gymcore.evaluation.metrics import multilabel_metrics

    if exercise == "all":
        return {"accuracy": float((logits.argmax(axis=1) == split.targets).mean()), "n_samples": len(split)}
    ids = [criterion.id for criterion in criteria_for(exercise)]
    return multilabel_metrics(split.targets, (logits > 0).astype(int), ids).to_dict()


def _best_epoch(history: list[EpochRecord]) -> int | None:
    return min(history, key=lambda record: record.val_loss).epoch if history else None


def torch_threads() -> int:
    import torch

    return torch.get_num_threads()


def _write_curves(history: list[EpochRecord], folder: Path, stem: str) -> None:
    rows = [asdict(record) for record in history]
    (folder / f"{stem}.json").write_text(json.dumps(rows, indent=1) + "\n", encoding="utf-8")
    with open(folder / f"{stem}.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=["epoch", "train_loss", "val_loss", "lr", "seconds"])
        writer.writeheader()
        writer.writerows(rows)


def _command(data, exercise: str, model: str, preset: str, seed: int, max_epochs: int | None,
             init_streams: bool, views: tuple[str, ...], launcher: str) -> str:
    target = "" if exercise == "all" else f" --exercise {exercise}"
    extras = (f" --epochs {max_epochs}" if max_epochs else "") + (" --init-streams" if init_streams else "")
    extras += views_option(views)
    return f"{launcher} -m gymcore train --data {data}{target} --model {model} --preset {preset} --seed {seed}{extras}"
