"""``gymcore train``: train a pose, vision, fusion or classifier model (``gymcore.training.trainer.train``);
under ``torchrun --nproc_per_node N -m gymcore train ...`` on N processes (gymcore.training.distributed)."""

from __future__ import annotations

import argparse
import json

from gymcore.criteria import EXERCISES, VIEWS
from gymcore.errors import InputError
from gymcore.models.names import CLASSIFIER, LEARNED_MODELS
from gymcore.training.presets import PRESETS


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("train", help="train a pose, vision, fusion or classifier model on a dataset")
    parser.add_argument("--data", required=True, help="dataset folder in the ALEX-GYM-1 layout")
    parser.add_argument("--exercise", choices=EXERCISES, default="squat")
    parser.add_argument("--model", choices=[*LEARNED_MODELS, CLASSIFIER], default="pose")
    parser.add_argument("--preset", choices=list(PRESETS), default="cpu")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--epochs", type=int, help="at most this many epochs (default: the preset's)")
    parser.add_argument("--weights-dir", help="where to write weights, card and curves (default: weights/)")
    parser.add_argument("--work-dir", help="checkpoints (default: runs/MODEL_EXERCISE_VARIANT)")
    parser.add_argument("--restart", action="store_true", help="ignore an existing checkpoint")
    parser.add_argument("--threads", type=int, default=2, help="CPU threads for torch (per process under torchrun)")
    parser.add_argument("--init-streams", action="store_true",
                        help="fusion only: start its streams from the trained vision and pose models of the exercise")
    parser.add_argument("--views", type=views_list, default=VIEWS, metavar="VIEWS",
                        help="the views the model reads: frontal,lateral (default), or frontal or lateral alone, for"
                             " the clips a coach films from one side only")
    parser.set_defaults(run=run)


def views_list(text: str) -> tuple[str, ...]:
    """``--views frontal,lateral`` -> ("frontal", "lateral"); the trainer checks the names."""
    return tuple(part.strip() for part in text.split(",") if part.strip())


def run(args: argparse.Namespace) -> int:
    import torch

    from gymcore.training.distributed import leader_process
    from gymcore.training.trainer import train

    check_options(args)
    torch.set_num_threads(args.threads)
    result = train(args.data, args.exercise, args.model, args.preset, args.seed, args.weights_dir, args.work_dir,
                   resume=not args.restart, max_epochs=args.epochs, init_streams=args.init_streams, views=args.views)
    if leader_process():  # under torchrun every process returns the same result; one report is enough
        print(f"wrote {result.weights_file}")
        print(json.dumps(result.card["test_metrics"], indent=1))
    return 0


def check_options(args: argparse.Namespace) -> None:
    """Refuse what would fail only after the data is loaded, or after the first epoch's checkpoint."""
    from gymcore.models.weights import WEIGHTS_DIR
    from gymcore.serialize import check_output_folder

    if args.threads < 1:
        raise InputError(f"Give torch at least one thread (--threads), not {args.threads}.")
    if args.epochs is not None and args.epochs < 1:
        raise InputError(f"Train for at least one epoch (--epochs), not {args.epochs}.")
    check_output_folder(args.weights_dir or WEIGHTS_DIR, "the trained weights")
    # The checkpoints go in a folder under runs/ by default; the trainer names it.
    check_output_folder(args.work_dir or "runs", "the checkpoints")
