"""``gymcore criteria``: the criteria of each exercise (``gymcore.criteria``)."""

from __future__ import annotations

import argparse
import json


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("criteria", help="list the criteria of each exercise")
    parser.add_argument("--json", action="store_true", help="print the catalogue as JSON")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from gymcore.criteria import catalogue_dict

    catalogue = catalogue_dict()
    if args.json:
        print(json.dumps(catalogue, indent=1, ensure_ascii=False))
        return 0
    for exercise, items in catalogue.items():
        print(exercise)
        for item in items:
            print(f"  {item['id']:<18} {item['name']:<16} [{item['view']}] {item['cue']}")
    return 0
