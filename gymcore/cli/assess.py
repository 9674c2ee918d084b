"""``gymcore assess``: judge each repetition of a frontal and a lateral clip (``gymcore.assess``), or of
every item of a manifest or folder (``--batch``, ``gymcore.assess_batch``)."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from gymcore.cli.parallel import add_parallel_options
from gymcore.criteria import EXERCISES
from gymcore.errors import InputError
from gymcore.models.names import ASSESS_MODELS, ENGINES

if TYPE_CHECKING:
    from gymcore.pipeline.record import AssessmentRecord


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
    parser.add_argument("--report", metavar="FILE", help="where to write the report: FILE.html or FILE.pdf")
    batch = parser.add_argument_group("many assessments at once")
    batch.add_argument("--batch", metavar="MANIFEST_OR_FOLDER",
                       help="a CSV manifest (id,front,side,exercise; paths relative to it) or a folder of clips"
                            " (NAME_front and NAME_side paired): one assessment per item, instead of --front/--side")
    batch.add_argument("--out", metavar="DIR", help="with --batch: where to write ID.json per item and summary.csv")
    add_parallel_options(batch, None, "items")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from gymcore.pipeline.assess import assess
    from gymcore.serialize import atomic_output, write_json

    models = parse_models(args.models)
    if args.batch or args.out:
        return run_batch(args, models)
    check_outputs(args)
    record = assess(front=args.front, side=args.side, exercise=args.exercise, models=models,
                    engine=args.engine).record()
    print(describe(record))
    if args.json_out:
        write_json(args.json_out, record.to_dict())
        print(f"wrote {args.json_out}")
    if args.report:
        from gymcore.records.reports import write_report

        with atomic_output(args.report) as temporary:
            write_report(record, temporary)
        print(f"wrote {args.report}")
    return 0


def run_batch(args: argparse.Namespace, models: list[str]) -> int:
    """Every item of ``--batch`` into ``--out``; status 2 when an item failed (its sentence is printed
    and in summary.csv)."""
    from gymcore.pipeline.batch import SUMMARY_NAME, assess_batch

    if not (args.batch and args.out):
        raise InputError("Give --batch with --out: the manifest or folder of clips, and the folder to write into.")
    if args.front or args.side or args.json_out or args.report:
        raise InputError("--batch takes its clips from the manifest or folder and writes into --out: leave out"
                         " --front, --side, --json and --report.")
    report = assess_batch(args.batch, args.out, models=models, exercise=args.exercise, engine=args.engine,
                          workers=args.workers, address=args.address, progress="assessments")
    for row in report.failed:
        print(f"{row.id}: {row.error}", file=sys.stderr)
    kept = f", {report.kept} kept from an earlier run" if report.kept else ""
    print(f"{len(report.rows) - len(report.failed)} of {len(report.rows)} items assessed{kept}, {len(report.failed)}"
          f" failed, in {report.wall_s:.0f} s; wrote {report.out / SUMMARY_NAME}")
    return 2 if report.failed else 0


def parse_models(text: str) -> list[str]:
    """The model names of ``--models``, refused before the clips are read if one is unknown."""
    from gymcore.judging.registry import check_model_name

    names = [name.strip() for name in text.split(",") if name.strip()]
    if not names:
        raise InputError(f"Name at least one model with --models: choose from {', '.join(ASSESS_MODELS)}.")
    return [check_model_name(name, ASSESS_MODELS) for name in names]


def check_outputs(args: argparse.Namespace) -> None:
    """Refuse an output that cannot be written before the clips are read, not after the analysis."""
    from gymcore.serialize import check_output_path

    if args.json_out:
        check_output_path(args.json_out, "the assessment", "assessment.json")
    if args.report:
        # Imported only for a report (matplotlib, fpdf).
        from gymcore.records.reports import check_report_path

        check_report_path(args.report)
        check_output_path(args.report, "the report", "report.html")


def describe(record: AssessmentRecord) -> str:
    """A few lines a coach can read in a terminal; every caution and flag the page shows too."""
    from gymcore.records.presentation import warning_lines

    ex = record.exercise
    lines = [f"exercise: {ex.exercise} ({ex.method}, confidence {ex.confidence:.2f})"]
    lines += [f"warning: {line}" for line in warning_lines(record)]
    for name, info in record.weights.items():
        if not info.loaded:
            lines.append(f"model {name}: {info.reason}")
    for rep in record.reps:
        score = "n/a" if rep.score is None else f"{rep.score:.2f}"
        failed = [cid for cid, by_model in rep.verdicts.items()
                  if any(v.assessable and not v.passed for v in by_model.values())]
        lines.append(f"rep {rep.index + 1}: {rep.start_s:5.1f}-{rep.end_s:5.1f} s (bottom {rep.bottom_s:.1f} s)"
                     f" score {score}" + (f"  failed: {', '.join(failed)}" if failed else ""))
    summary = record.summary
    if summary.mean_score is not None:
        lines.append(f"{summary.repetitions} repetitions, mean score {summary.mean_score:.2f},"
                     f" worst repetition {summary.worst_rep + 1}")
    for item in summary.most_failed[:3]:
        lines.append(f"  {item.name}: failed {item.failed} of {item.assessed} - {item.cue}")
    lines.append(f"time: {record.timing_s['total']:.1f} s")
    return "\n".join(lines)

