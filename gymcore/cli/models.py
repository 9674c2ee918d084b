"""``gymcore models``: every model gymcore can build, and the weights serving it (``gymcore.models.list_models``)."""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("models", help="list the models gymcore can build and the weights it ships")
    parser.add_argument("--json", action="store_true", help="print the list as JSON")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    import torch

    from gymcore.models.catalogue import list_models

    torch.set_num_threads(1)
    rows = list_models()
    if args.json:
        print(json.dumps([asdict(row) for row in rows], indent=1))
        return 0
    for row in rows:
        views = "both" if len(row.views) > 1 else row.views[0]
        print(f"{row.model:<15} {row.exercise:<9} {row.variant:<8} {views:<8} {row.parameters:>12,}  {row.weights or '-'}")
    return 0
