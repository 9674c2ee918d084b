"""``gymcore calibrate``: temperature-scale trained weights on the validation split of the data
they were trained on (``gymcore.training.trainer.calibrate_shipped``); training does it itself."""

from __future__ import annotations

import argparse

from gymcore.cli.train import views_list
from gymcore.criteria import EXERCISES, VIEWS
from gymcore.models.names import LEARNED_MODELS


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("calibrate", help="calibrate a trained model's probabilities (its verdicts stay)")
    parser.add_argument("--data", required=True, help="the dataset the weights were trained on (their card says which)")
    parser.add_argument("--exercise", choices=EXERCISES, default="squat")
    parser.add_argument("--model", choices=list(LEARNED_MODELS), default="pose")
    parser.add_argument("--views", type=views_list, default=VIEWS, metavar="VIEWS",
                        help="the weights reading frontal,lateral (default), or one view alone")
    parser.add_argument("--weights-dir", help="default: weights/")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    import torch

    from gymcore.models.net import check_views
    from gymcore.training.trainer import calibrate_shipped

    torch.set_num_threads(2)
    calibration = calibrate_shipped(args.data, args.exercise, args.model, args.weights_dir, check_views(args.views))
    print(f"{'criterion':<16} {'temperature':>11}  ECE before -> after ({calibration['measured_on']})")
    for cid, item in calibration["criteria"].items():
        print(f"{cid:<16} {item['temperature']:>11.3f}  {item['before']['ece']:.3f} -> {item['after']['ece']:.3f}")
    return 0
