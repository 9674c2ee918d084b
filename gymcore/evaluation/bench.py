"""``python -m gymcore bench``: stage times of the pipeline, as a table, with a baseline.

Performance targets live here rather than in timed unit tests, which are flaky on shared machines.
Each figure is the median of several runs; the baseline is measured in the same run, so the ratio
holds even when the machine is busy.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from gymcore.config import DEFAULT_LIMITS
from gymcore.perception.analysis import Perception, analyse_clips, analyse_view
from gymcore.perception.pose import PoseEstimator

STAGES = ("probe", "decode", "pose", "features")


@dataclass
class BenchRow:
    name: str
    seconds: float
    note: str = ""


@dataclass
class BenchTable:
    title: str
    rows: list[BenchRow] = field(default_factory=list)
    footer: list[str] = field(default_factory=list)

    def to_markdown(self) -> str:
        lines = [f"### {self.title}", "", "| stage | median s | note |", "|---|---:|---|"]
        lines += [f"| {row.name} | {row.seconds:.3f} | {row.note} |" for row in self.rows]
        return "\n".join(lines + [""] + self.footer)


def run_bench(front: str | Path | None = None, side: str | Path | None = None, runs: int = 5) -> BenchTable:
    """Time perception on a pair of clips (by default a rendered 5 s 720p pair)."""
    with tempfile.TemporaryDirectory(prefix="gymbench-") as scratch:
        if front is None or side is None:
            front, side = render_bench_pair(Path(scratch))
        analyse_clips(front, side)  # warm-up: builds the shared estimators once
        optimised = [analyse_clips(front, side) for _ in range(runs)]
        half_rate = replace(DEFAULT_LIMITS, timeline_max_fps=DEFAULT_LIMITS.timeline_max_fps / 2)
        thinned = median_time(lambda: analyse_clips(front, side, limits=half_rate), runs)
        alone = interleaved_medians({"chunks": lambda: analyse_clips(side=side),
                                     "one pass": lambda: analyse_clips(side=side, parallel=False)}, runs)
        baseline = median_time(lambda: _plain_perception(front, side), max(1, runs // 2))
    table = _perception_table(optimised, baseline, runs)
    table.rows.insert(-1, BenchRow(
        "both views, timeline at half rate", thinned,
        f"as above with the timeline thinned to {half_rate.timeline_max_fps:.0f} fps",
    ))
    table.rows.insert(-1, BenchRow(
        "lateral view alone, wall clock", alone["chunks"],
        f"tracked in chunks on both cores; {alone['one pass']:.3f} s in one pass on one core"
        f" ({alone['one pass'] / alone['chunks']:.2f}x)",
    ))
    return table


def render_bench_pair(folder: Path) -> tuple[Path, Path]:
    """A 5 s, 30 fps, 1280 x 720 frontal and lateral squat clip of one synthetic participant."""
    return render_squat_pair(folder, seconds=5.0, fps=30, size=(1280, 720), seed=0)


def render_squat_pair(
    folder: Path, seconds: float, fps: float, size: tuple[int, int], seed: int,
) -> tuple[Path, Path]:
    """A frontal and a lateral H.264 clip of one synthetic participant squatting, same motion."""
    from gymcore.perception.video import write_video
    from gymcore.synth import Participant, camera_for_view, render_clip, squat_sequence

    rng = np.random.default_rng(seed)
    participant = Participant.sample(rng)
    n_frames = round(seconds * fps)
    poses = squat_sequence(participant, n_reps=max(1, round(seconds / 3.2)), fps=fps, rng=rng, setup_s=0.5)
    poses = (poses + poses[-1:] * n_frames)[:n_frames]
    paths = []
    for view in ("frontal", "lateral"):
        camera = camera_for_view(view, participant, rng, width=size[0], height=size[1])
        frames = render_clip(participant, poses, camera, rng=rng)
        paths.append(write_video(folder / f"squat_{view}_{seed}.mp4", frames, fps))
    return paths[0], paths[1]


def _plain_perception(front: str | Path, side: str | Path) -> None:
    """The same work done plainly: one view after the other, a new estimator per clip, frames
    decoded at full resolution."""
    full_size = replace(DEFAULT_LIMITS, pose_long_side_px=None)
    for path, view in ((front, "frontal"), (side, "lateral")):
        estimator = PoseEstimator()
        analyse_view(path, view, estimator, full_size)
        estimator.close()


def median_time(work: Callable[[], object], runs: int, warm_up: bool = False) -> float:
    """Median wall-clock seconds of ``runs`` calls, after one untimed call if ``warm_up``."""
    if warm_up:
        work()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def interleaved_medians(works: dict[str, Callable[[], object]], runs: int) -> dict[str, float]:
    """Median wall-clock seconds of each work over ``runs`` rounds (``interleaved_times``)."""
    return {name: statistics.median(values) for name, values in interleaved_times(works, runs).items()}


def interleaved_times(works: dict[str, Callable[[], object]], runs: int) -> dict[str, list[float]]:
    """Wall-clock seconds of each work over ``runs`` rounds, every round running each once in turn,
    so that another job's load on a shared machine falls on all of them alike."""
    times: dict[str, list[float]] = {name: [] for name in works}
    for _ in range(runs):
        for name, work in works.items():
            started = time.perf_counter()
            work()
            times[name].append(time.perf_counter() - started)
    return times


def _perception_table(results: list[Perception], baseline_s: float, runs: int) -> BenchTable:
    first = results[0]
    table = BenchTable(title="Perception: both views, 16 model frames plus the timeline")
    for view_name, view in first.views().items():
        samples = [r.views()[view_name] for r in results]
        for stage in STAGES:
            table.rows.append(BenchRow(
                f"{view_name} {stage}", statistics.median(s.timing_s[stage] for s in samples),
                f"{len(view.timeline)} timeline frames" if stage == "pose" else "",
            ))
    wall = statistics.median(r.wall_s for r in results)
    table.rows.append(BenchRow("both views, wall clock", wall, "views in parallel, shared estimators, frames scaled to 640 px"))
    table.rows.append(BenchRow("baseline, wall clock", baseline_s, "one view after the other, new estimator, full-size frames"))
    sources = [v.source for v in first.views().values()]
    table.footer = [
        f"Speed-up over the baseline: {baseline_s / wall:.2f}x. Target: under 2.0 s wall clock on 2 cores.",
        "Clips: " + "; ".join(f"{Path(s.path).name} {s.width}x{s.height} {s.fps:.0f} fps {s.duration_s:.1f} s" for s in sources),
        f"Median of {runs} runs (baseline: {max(1, runs // 2)}).",
    ]
    return table
