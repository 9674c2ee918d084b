"""``gymcore synth-noise``: fit the landmark noise model on a tracked SynthGym set, or check one on another."""

from __future__ import annotations

import argparse
from pathlib import Path

from gymcore.errors import InputError


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "synth-noise", help="fit MediaPipe's landmark errors on a SynthGym set (the noise model `synth --landmarks"
                            " noise-model` draws from), or check a model against MediaPipe on another set")
    task = parser.add_mutually_exclusive_group(required=True)
    task.add_argument("--fit", type=Path, metavar="DATA", help="a SynthGym set written with MediaPipe's landmarks")
    task.add_argument("--check", type=Path, metavar="DATA",
                      help="a SynthGym set written with MediaPipe's landmarks that the model was not fitted on")
    parser.add_argument("--out", type=Path, help="where --fit writes the model (JSON)")
    parser.add_argument("--model", type=Path, help="the model --check reads (default: the one bundled with gymcore)")
    parser.add_argument("--seed", type=int, default=0, help="the seed of --check's draws")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from gymcore.synth.dataset.writer import TRACKER
    from gymcore.synth.noise import BUNDLED, LandmarkNoise, check_landmark_noise, fit_landmark_noise

    if args.fit is not None:
        if args.out is None:
            raise InputError("Say where to write the fitted model with --out FILE.")
        noise = fit_landmark_noise(args.fit, TRACKER)
        noise.save(args.out)
        print(f"fitted on {sum(noise.fitted_on['repetitions'].values())} repetition views of {args.fit};"
              f" wrote {args.out}")
        return 0
    rows = check_landmark_noise(LandmarkNoise.load(args.model or BUNDLED), args.check, seed=args.seed)
    print(f"{args.check}: MediaPipe | the noise model's draws for the same repetitions (errors in body heights;"
          " spreads are medians over landmarks and axes, distances percentiles over landmarks and frames;"
          " angle error: median joint-angle error in degrees; explained: the share of MediaPipe's x, y error"
          " variance here that the model's pose term predicts)")
    print(f"{'view':<9}{'reps':>5}{'missed':>16}{'rep sd':>16}{'frame sd':>16}{'distance p50':>16}"
          f"{'distance p90':>16}{'distance p99':>16}{'angle error':>16}{'explained':>11}")
    for row in rows:
        pairs = (row.missed, row.rep_sd, row.frame_sd, *zip(*row.distance), row.angle_error)
        cells = "".join(f"{a:>8.4f}{b:>8.4f}" for a, b in pairs)
        print(f"{row.view:<9}{row.repetitions:>5}{cells}{row.explained:>11.3f}")
    return 0
