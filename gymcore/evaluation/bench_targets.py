"""``python -m gymcore bench --only targets``: the assess path against the physical floor.

The floor is MediaPipe's bundled full pose model (``solutions.pose``, model complexity 1, video
mode) tracking the 130 frames of one 4.3 s, 30 fps view at 640 x 360 in one plain sequential pass,
frames decoded beforehand: what one view's poses cost at the least, on this machine, now. Every
figure is timed in the same rounds as the floor, each round running each measurement once in
turn, so that another job's load falls on all of them alike and the ratio holds on a busy machine.
"""

from __future__ import annotations

import statistics
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from gymcore.evaluation.bench import interleaved_times, render_squat_pair
from gymcore.models.names import ASSESS_MODELS
from gymcore.perception.pose import silenced_native_stderr
from gymcore.perception.video import VideoWriter, probe_clip, read_frames

FLOOR_SECONDS = 130 / 30
FLOOR_LONG_SIDE = 640
PAIR_SIZE = (1280, 720)
PHONE_SECONDS = 52.0
PHONE_SIZE = (1080, 1920)  # as displayed: portrait, stored landscape with a rotation flag as phones do


@dataclass
class TargetRow:
    """One target: its figure and the floor timed in the same rounds (medians), and the ratio asked."""

    name: str
    seconds: float
    floor_s: float
    target_ratio: float
    note: str = ""

    @property
    def ratio(self) -> float:
        return self.seconds / self.floor_s

    @property
    def met(self) -> bool:
        return self.ratio <= self.target_ratio


@dataclass
class TargetTable:
    rows: list[TargetRow] = field(default_factory=list)
    footer: list[str] = field(default_factory=list)

    def to_markdown(self) -> str:
        lines = ["### Speed targets: the assess path against MediaPipe's floor", "",
                 "| target | median s | floor s | ratio | target | met | note |", "|---|---:|---:|---:|---:|---|---|"]
        lines += [f"| {row.name} | {row.seconds:.2f} | {row.floor_s:.2f} | {row.ratio:.2f}x | {row.target_ratio:.1f}x"
                  f" | {'yes' if row.met else 'no'} | {row.note} |" for row in self.rows]
        return "\n".join(lines + [""] + self.footer)


def run_target_bench(runs: int = 3, phone: str | Path | None = None) -> TargetTable:
    """Time the two speed targets against the floor: the four-model verdict on a paired 4.3 s
    720p squat clip, and the rules' verdict on a 52 s 1080p portrait phone clip (rendered unless
    ``phone`` is given), with the phone clip's peak memory."""
    from gymcore.pipeline.assess import assess

    given = probe_clip(phone) if phone is not None else None  # a clip that cannot be read fails before any work
    with tempfile.TemporaryDirectory(prefix="gymtargets-") as scratch:
        front, side = render_squat_pair(Path(scratch), seconds=FLOOR_SECONDS, fps=30, size=PAIR_SIZE, seed=0)
        phone = Path(phone) if phone is not None else render_phone_clip(Path(scratch) / "phone.mp4")
        phone_info = given or probe_clip(phone)  # here: a rendered clip goes with the scratch folder
        side_info = probe_clip(side)
        floor_frames = [frame.image for frame in read_frames(side_info, range(side_info.frame_count), FLOOR_LONG_SIDE)]
        floor_graph = PoseFloor(floor_frames)
        assess(front, side, models=ASSESS_MODELS)  # warm-up: loads the models and builds the estimators
        memory = PeakMemory()
        times = interleaved_times({
            "floor": floor_graph.run,
            "pair": lambda: assess(front, side, models=ASSESS_MODELS),
            "phone": lambda: memory.during(lambda: assess(side=phone, exercise="squat")),
        }, runs)
        floor_graph.close()
    floor = statistics.median(times["floor"])
    return TargetTable(
        rows=[
            TargetRow("1. paired 4.3 s 720p squat, rules + pose + vision + fusion", statistics.median(times["pair"]),
                      floor, 1.0, "models warm, exercise recognised"),
            TargetRow(f"2. {phone_info.duration_s:.0f} s {phone_info.width}x{phone_info.height} phone clip, rules",
                      statistics.median(times["phone"]), floor, 4.0,
                      f"peak memory +{memory.peak_mb:.0f} MB over the process before the call"),
        ],
        footer=[
            f"Floor: MediaPipe full pose model, video mode, {len(floor_frames)} frames at"
            f" {floor_frames[0].shape[1]}x{floor_frames[0].shape[0]} decoded beforehand, one sequential pass"
            f" ({1000 * floor / len(floor_frames):.1f} ms a frame).",
            f"Medians of {runs} rounds; each round times the floor and both targets once, in turn.",
            f"Phone clip: {phone.name}, {phone_info.frame_count} frames,"
            f" {phone_info.fps:.0f} fps, rotation {phone_info.rotation}.",
        ],
    )


class PoseFloor:
    """MediaPipe's pose graph as a user's own script would run it: one plain sequential pass over
    frames already decoded. Built once (opening its models is a cost of the graph, not of the
    frames); each pass resets it first, as the product does for every clip."""

    def __init__(self, frames: list[np.ndarray]) -> None:
        from mediapipe.python.solutions import pose as mp_pose

        self.frames = frames
        with silenced_native_stderr():
            self._graph = mp_pose.Pose(static_image_mode=False, model_complexity=1, smooth_landmarks=True)
            self._graph.process(frames[0])  # the graph opens its models on its first frame

    def run(self) -> None:
        """One pass over the frames."""
        with silenced_native_stderr():  # a reset reopens the models, which log until the first frame is through
            self._graph.reset()
            self._graph.process(self.frames[0])
        for image in self.frames[1:]:
            self._graph.process(image)

    def close(self) -> None:
        self._graph.close()


def render_phone_clip(path: Path, seconds: float = PHONE_SECONDS, size: tuple[int, int] = PHONE_SIZE,
                      seed: int = 1) -> Path:
    """A portrait phone clip of ``phone_frames``, stored turned a quarter (landscape) with a 90 degree
    rotation flag, as phones do."""
    upright = phone_frames(seconds, size, seed)
    with VideoWriter(path, 30, rotation=90) as writer:
        for index in range(round(seconds * 30)):
            writer.write(np.ascontiguousarray(np.rot90(upright[index % len(upright)], 1)))
    return path


def phone_frames(seconds: float, size: tuple[int, int], seed: int) -> list[np.ndarray]:
    """Upright ``size`` frames of one synthetic participant squatting, seen side-on, at 30 fps: a 6.4 s
    set of two repetitions (or its first ``seconds``), to be played over and over. Rendered at half
    size and scaled up: rendering 1,560 full-size frames would take minutes."""
    import cv2

    from gymcore.synth import Participant, camera_for_view, render_clip, squat_sequence

    rng = np.random.default_rng(seed)
    participant = Participant.sample(rng)
    poses = squat_sequence(participant, n_reps=2, fps=30, rng=rng, setup_s=0.3)[:round(seconds * 30)]
    width, height = size
    camera = camera_for_view("lateral", participant, rng, width=width // 2, height=height // 2)
    return [cv2.resize(image, (width, height), interpolation=cv2.INTER_LINEAR)
            for image in render_clip(participant, poses, camera, rng=rng)]


class PeakMemory:
    """The most resident memory a call added to the process (MB), sampled every 10 ms."""

    def __init__(self) -> None:
        self.peak_mb = 0.0

    def during(self, work: Callable[[], object]) -> object:
        import psutil

        process = psutil.Process()
        before = process.memory_info().rss
        peak = before
        done = threading.Event()

        def sample() -> None:
            nonlocal peak
            while not done.wait(0.01):
                peak = max(peak, process.memory_info().rss)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        try:
            return work()
        finally:
            done.set()
            sampler.join()
            self.peak_mb = max(self.peak_mb, (peak - before) / 2**20)
