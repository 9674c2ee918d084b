"""``gymcore assess``: judge each repetition of a frontal and a lateral clip (``gymcore.assess``)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from gymcore.criteria import EXERCISES
from gymcore.models.names import ASSESS_MODELS, ENGINES

if TYPE_CHECKING:
    from gymcore.pipeline.result import Assessment


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("assess", help="judge each repetition of a frontal and a lateral clip")
    parser.add_argument("--front", help="frontal clip")
    parser.add_argument("--side", help="lateral clip")
    parser.add_argument("--exercise", default="auto", choices=("auto", *EXERCISES),
                        help="the exercise, or auto to recognise it from the pose (default)")
    parser.add_argument("--models", default="rules", help=f"comma-separated, from {','.join(ASSESS_MODELS)} (default: rules)")
    parser.add_argument("--engine", default="torch", choices=ENGINES,
                        help="run the learned models in PyTorch (default) or OpenVINO (faster on the CPU)")
    parser.add_argument("--json", dest="json_out", metavar="OUT", help="where to write the assessment as JSON")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from gymcore.pipeline.assess import assess
    from gymcore.serialize import write_json

    models = [name.strip() for name in args.models.split(",") if name.strip()]
    result = assess(front=args.front, side=args.side, exercise=args.exercise, models=models, engine=args.engine)
    if args.json_out:
        write_json(args.json_out, result.to_dict())
    print(describe(result))
    if args.json_out:
        print(f"wrote {args.json_out}")
    return 0


def describe(result: Assessment) -> str:
    """A few lines a coach can read in a terminal."""
    ex = result.exercise
    lines = [f"exercise: {ex.exercise} ({ex.method}, confidence {ex.confidence:.2f})"]
    if ex.caution:
        lines.append(ex.caution)
    for name, info in result.weights.items():
        if not info.loaded:
            lines.append(f"model {name}: {info.reason}")
    for view, check in result.views.items():
        for problem in check.problems:
            lines.append(f"{view} view: {problem}")
    if "note" in result.segmentation:
        lines.append(str(result.segmentation["note"]))
    for rep in result.reps:
        score = "n/a" if rep.score is None else f"{rep.score:.2f}"
        failed = [cid for cid, by_model in rep.verdicts.items()
                  if any(v.assessable and not v.passed for v in by_model.values())]
        lines.append(f"rep {rep.index + 1}: {rep.start_s:5.1f}-{rep.end_s:5.1f} s (bottom {rep.bottom_s:.1f} s)"
                     f" score {score}" + (f"  failed: {', '.join(failed)}" if failed else ""))
    summary = result.summary
    if summary.mean_score is not None:
        lines.append(f"{summary.repetitions} repetitions, mean score {summary.mean_score:.2f},"
                     f" worst repetition {summary.worst_rep + 1}")
    for item in summary.most_failed[:3]:
        lines.append(f"  {item['name']}: failed {item['failed']} of {item['assessed']} - {item['cue']}")
    lines.append(f"time: {result.timing_s['total']:.1f} s")
    return "\n".join(lines)

