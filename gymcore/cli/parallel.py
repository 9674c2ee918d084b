"""The options every command that runs on the parallel engine (gymcore.parallel.engine) shares."""

from __future__ import annotations

import argparse


def add_parallel_options(parser: argparse.ArgumentParser, default_workers: int | None, items: str) -> None:
    """``--workers`` and ``--address``; ``items`` names what the workers share out ("participants")."""
    default = "one per two cores" if default_workers is None else str(default_workers)
    parser.add_argument("--workers", type=_workers, default=default_workers,
                        help=f"workers taking the {items} in turn (default: {default}); 1 runs in this process"
                             " without Ray, more start a local Ray instance")
    parser.add_argument("--address", help="a Ray cluster to run on, e.g. ray://host:10001 (default: the RAY_ADDRESS"
                        " environment variable, else this machine); its workers must reach the same files")


def _workers(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"the number of workers must be a whole number of at least 1, not {text!r}")
    return int(text)
