"""Damaged clips: the bundled samples with bytes overwritten, cut short, zeroed or swapped at seeded
random offsets. Probing (and reading the sampled frames) and the ``pose`` command either give a
valid result or refuse with one GymError sentence; no other exception escapes."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from gymcore.cli.main import main
from gymcore.errors import GymError
from gymcore.perception.video import ClipInfo, probe_clip, read_frames, uniform_indices

SAMPLES = sorted((Path(__file__).resolve().parent.parent / "gymcore" / "samples").glob("*.mp4"))
DAMAGES = ("overwrite", "truncate", "zero", "swap")
PROBED = 20  # cases 0-19 are probed; 20-23 go through the pose command (MediaPipe)
CASES = range(24)


@dataclass(frozen=True)
class Damage:
    sample: Path
    kind: str
    seed: int

    def apply(self, data: bytes) -> bytes:
        rng = np.random.default_rng(self.seed)
        out = bytearray(data)
        n = len(out)
        if self.kind == "overwrite":
            for offset in rng.integers(0, n, size=int(rng.integers(1, 40))):
                out[offset] = int(rng.integers(0, 256))
        elif self.kind == "truncate":
            del out[int(rng.integers(1, n)):]
        elif self.kind == "zero":
            start, size = int(rng.integers(0, n)), int(rng.integers(16, 4096))
            out[start:start + size] = bytes(len(out[start:start + size]))
        else:
            # One block from each half of the file, so that they never overlap.
            size = int(rng.integers(16, 2048))
            a, b = int(rng.integers(0, n // 2 - size)), int(rng.integers(n // 2, n - size))
            out[a:a + size], out[b:b + size] = out[b:b + size], out[a:a + size]
        return bytes(out)


def damage(case: int) -> Damage:
    return Damage(SAMPLES[case % len(SAMPLES)], DAMAGES[case % len(DAMAGES)], seed=1000 + case)


def damaged_clip(case: int, folder: Path) -> Path:
    spec = damage(case)
    path = folder / f"{spec.kind}_{spec.seed}_{spec.sample.name}"
    path.write_bytes(spec.apply(spec.sample.read_bytes()))
    return path


def assert_one_sentence(message: str) -> None:
    assert message.endswith(".") and "\n" not in message and "Traceback" not in message, message


def assert_valid(info: ClipInfo) -> None:
    assert info.frame_count >= 1 and min(info.width, info.height) >= 160
    assert math.isfinite(info.fps) and info.fps > 0 and math.isfinite(info.duration_s) and info.duration_s > 0


def probe_and_sample(path: Path) -> ClipInfo | GymError:
    """The clip's info with its 16 sampled frames decoded, or the GymError that refused it."""
    try:
        info = probe_clip(path)
        frames = read_frames(info, uniform_indices(info.frame_count), long_side=640)
    except GymError as error:
        return error
    assert len(frames) == len(set(uniform_indices(info.frame_count).tolist()))
    return info


def test_the_damage_changes_the_clip_and_is_the_same_for_a_seed() -> None:
    for case in CASES:
        spec = damage(case)
        data = spec.sample.read_bytes()
        assert spec.apply(data) != data and spec.apply(data) == spec.apply(data)


def test_some_damaged_clips_are_refused_and_some_still_read(tmp_path) -> None:
    """Otherwise the fuzz would be probing only one side of the checks."""
    outcomes = {type(probe_and_sample(damaged_clip(case, tmp_path))).__name__ == "ClipInfo" for case in range(PROBED)}
    assert outcomes == {True, False}


@pytest.mark.parametrize("case", CASES[:PROBED], ids=lambda case: f"{damage(case).kind}-{case}")
def test_probing_a_damaged_clip_gives_its_info_or_one_sentence(case: int, tmp_path) -> None:
    outcome = probe_and_sample(damaged_clip(case, tmp_path))
    if isinstance(outcome, GymError):
        assert_one_sentence(str(outcome))
    else:
        assert_valid(outcome)


@pytest.mark.slow  # MediaPipe over a clip, 2-5 s each
@pytest.mark.parametrize("case", CASES[PROBED:], ids=lambda case: f"{damage(case).kind}-{case}")
def test_the_pose_command_on_a_damaged_clip_writes_poses_or_one_sentence(case: int, tmp_path, capsys) -> None:
    clip, out = damaged_clip(case, tmp_path), tmp_path / "out" / "poses.json"
    code = main(["pose", "--front" if case % 2 else "--side", str(clip), "--json", str(out)])
    err = capsys.readouterr().err
    if code == 0:
        assert json.loads(out.read_text())["frontal" if case % 2 else "lateral"]["sampled_frames"]
    else:
        assert code == 2
        assert_one_sentence(err.strip())
        assert not out.parent.exists()
