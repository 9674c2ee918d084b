"""Keep the figures of a real-clip run, without its per-clip details, to commit beside the manifest.

`python -m gymcore evaluate --clips benchmarks/real/clips.json --root DIR --json REPORT` writes every
clip's score and disagreements (megabytes with the learned models); the Compare page reads only the
figures, which this writes:

    python benchmarks/real/figures.py REPORT benchmarks/real/results/NAME.json
"""

from __future__ import annotations

import argparse
from pathlib import Path

from gymcore.evaluation.clips import read_clips_figures
from gymcore.serialize import write_json


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("report", type=Path, help="the JSON written by gymcore evaluate --clips")
    parser.add_argument("out", type=Path, help="where the figures go")
    arguments = parser.parse_args()
    figures = read_clips_figures(arguments.report.read_bytes(), str(arguments.report))
    write_json(arguments.out, figures.figures_dict())


if __name__ == "__main__":
    main()
