"""``gymcore`` (or ``python -m gymcore``): the library's functions as commands, word for word.

Every command turns a gymcore error into one sentence on stderr and exit status 2.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import NoReturn

from gymcore.cli import assess, bench, calibrate, criteria, evaluate, models, noise, pose, synth, train
from gymcore.errors import GymError

COMMANDS: list[Callable[[argparse._SubParsersAction], None]] = [
    criteria.register, pose.register, bench.register, assess.register, train.register, evaluate.register,
    models.register, synth.register, noise.register, calibrate.register,
]


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except GymError as error:
        print(str(error), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("Stopped.", file=sys.stderr)
        return 130


class Parser(argparse.ArgumentParser):
    """argparse's parser, reporting a mistyped command line as one sentence like every other error
    (argparse's own usage block is what ``--help`` prints); its sub-commands' parsers are of this class too."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: {message}; see {self.prog} --help.\n")


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="gymcore", description="Exercise form assessment from paired-view clips.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for register in COMMANDS:
        register(commands)
    return parser
