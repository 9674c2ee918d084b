"""``gymcore synth``: write a SynthGym dataset, or demo clips with set-up motion."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from gymcore.cli.parallel import add_parallel_options
from gymcore.config import SYNTH_LANDMARK_SOURCES, SYNTH_PARTICIPANTS, SYNTH_REPS_PER_PARTICIPANT
from gymcore.criteria import EXERCISES
from gymcore.errors import InputError

if TYPE_CHECKING:
    from gymcore.synth.dataset.plan import Settings


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("synth", help="generate the SynthGym dataset (ALEX-GYM-1 layout) or demo clips")
    parser.add_argument("--out", type=Path, required=True, help="folder to write into")
    parser.add_argument("--participants", type=int, default=SYNTH_PARTICIPANTS)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--exercises", default=",".join(EXERCISES), help="comma-separated subset of "
                        + ", ".join(EXERCISES))
    parser.add_argument("--reps-per-participant", default=_format_reps(SYNTH_REPS_PER_PARTICIPANT),
                        help="mean repetitions per participant, e.g. squat=6.5,lunges=2.4,deadlift=6")
    add_parallel_options(parser, 2, "participants")
    parser.add_argument("--fps", type=float, default=12.0)
    parser.add_argument("--size", default="640x480", help="frame size WIDTHxHEIGHT (at least 160 with MediaPipe's"
                        " landmarks; with the noise model as small as the models read, e.g. 96x72)")
    parser.add_argument("--landmarks", choices=SYNTH_LANDMARK_SOURCES, default="mediapipe",
                        help="track the rendered frames with MediaPipe, or draw MediaPipe's errors from the fitted"
                             " noise model around the true joints (gymcore.synth.noise; with frames at 96x72, about"
                             " 7x less work a repetition)")
    parser.add_argument("--no-clips", action="store_true", help="skip the MP4 clips (render only sampled frames)")
    parser.add_argument("--no-walk-in", action="store_true", help="start each set standing in place")
    parser.add_argument("--demo-clips", action="store_true",
                        help="instead of a dataset, write one clean and one faulty multi-repetition paired clip per"
                             " exercise with set-up motion and their ground truth (repetition boundaries)")
    parser.add_argument("--demo-reps", type=int, default=3, help="repetitions per demo clip")
    parser.set_defaults(run=run)


def _format_reps(reps: dict[str, float]) -> str:
    return ",".join(f"{exercise}={count:g}" for exercise, count in reps.items())


def parse_exercises(text: str) -> tuple[str, ...]:
    names = tuple(name.strip() for name in text.split(",") if name.strip())
    unknown = [name for name in names if name not in EXERCISES]
    if unknown or not names:
        raise InputError(f"Unknown exercise(s) {', '.join(unknown) or '(none given)'}: choose from {', '.join(EXERCISES)}.")
    return names


def parse_reps(text: str) -> dict[str, float]:
    reps = dict(SYNTH_REPS_PER_PARTICIPANT)
    for item in filter(None, (part.strip() for part in text.split(","))):
        name, _, value = item.partition("=")
        try:
            count = float(value)
        except ValueError:
            raise InputError(f"Cannot read {item!r}: write repetitions as exercise=number, e.g. squat=6.5.") from None
        if name not in EXERCISES or count <= 0:
            raise InputError(f"Cannot use {item!r}: name one of {', '.join(EXERCISES)} with a positive number.")
        reps[name] = count
    return reps


def parse_size(text: str) -> tuple[int, int]:
    width, _, height = text.lower().partition("x")
    if not (width.isdigit() and height.isdigit()):
        raise InputError(f"Cannot read the size {text!r}: write WIDTHxHEIGHT, e.g. 640x480.")
    return int(width), int(height)


def run(args: argparse.Namespace) -> int:
    from gymcore.serialize import check_output_folder
    from gymcore.synth.dataset.demo import write_demo_clips
    from gymcore.synth.dataset.writer import generate_dataset

    settings = settings_from(args)
    check_output_folder(args.out, "the demo clips" if args.demo_clips else "the dataset")
    if args.demo_clips:
        manifest = write_demo_clips(args.out, settings, reps=args.demo_reps)
        print(f"wrote {len(manifest['clips'])} demo clips to {args.out}")
        return 0
    summary = generate_dataset(settings, args.out, address=args.address, progress="SynthGym participants")
    if summary.kept:
        print(f"kept {summary.kept} participants written by an earlier run into {args.out}")
    reps = ", ".join(f"{count} {exercise}" for exercise, count in summary.reps.items())
    detection = ", ".join(f"{view} {rate:.1%}" for view, rate in summary.detection_rate.items())
    found = "MediaPipe found the person in" if settings.landmarks == "mediapipe" else \
        "the noise model drew the person as found in"
    print(f"wrote {reps} repetitions to {args.out} in {summary.wall_s:.0f} s; {found} {detection}")
    print("time per stage (s, summed over workers): "
          + ", ".join(f"{stage} {seconds:.0f}" for stage, seconds in summary.seconds.items()))
    return 0


def settings_from(args: argparse.Namespace) -> Settings:
    """The generator's settings from the options; Settings refuses what cannot make a dataset."""
    from gymcore.synth.dataset.plan import Settings

    width, height = parse_size(args.size)
    return Settings(
        seed=args.seed, participants=args.participants, exercises=parse_exercises(args.exercises),
        reps_per_participant=parse_reps(args.reps_per_participant), fps=args.fps, width=width, height=height,
        clips=not args.no_clips, walk_in=not args.no_walk_in, workers=args.workers, landmarks=args.landmarks,
    )
