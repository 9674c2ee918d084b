"""The speed targets' bench (``bench --only targets``): what it renders, measures and reports. Its
figures are timings and stay out of the tests; what is checked is that each piece measures the
right thing."""

import time

import numpy as np
import pytest

from gymcore.evaluation.bench import interleaved_times
from gymcore.evaluation.bench_targets import PeakMemory, TargetRow, TargetTable, phone_frames, render_phone_clip
from gymcore.perception.video import probe_clip, read_frames


def test_phone_clip_is_portrait_stored_turned_with_a_rotation_flag(tmp_path):
    info = probe_clip(render_phone_clip(tmp_path / "phone.mp4", seconds=1.0, size=(360, 640)))
    assert (info.width, info.height, info.rotation, info.frame_count, info.fps) == (360, 640, 90, 30, 30.0)
    shown = read_frames(info, [0])[0].image.astype(float)
    upright = phone_frames(1.0, (360, 640), seed=1)[0].astype(float)
    assert np.abs(shown - upright).mean() < 4 < np.abs(shown - upright[::-1, ::-1]).mean()


def test_peak_memory_sees_what_a_call_holds_and_frees():
    memory = PeakMemory()

    def hold_300_mb() -> int:
        block = np.ones(300 * 2**20, dtype=np.uint8)
        return int(block[::4096].sum())

    assert memory.during(hold_300_mb) == 300 * 256
    assert 250 < memory.peak_mb < 400


def test_interleaved_times_run_each_work_once_a_round_in_turn():
    order = []
    times = interleaved_times({"a": lambda: order.append("a"), "b": lambda: order.append("b") or time.sleep(0.05)}, 3)
    assert order == ["a", "b"] * 3
    assert len(times["a"]) == len(times["b"]) == 3 and all(t >= 0.05 for t in times["b"]) and max(times["a"]) < 0.05


def test_a_target_is_met_at_or_under_its_ratio_to_the_floor():
    met, missed = TargetRow("a", 3.0, 3.0, 1.0), TargetRow("b", 13.0, 3.0, 4.0)
    assert met.met and met.ratio == pytest.approx(1.0)
    assert not missed.met and missed.ratio == pytest.approx(13 / 3)
    text = TargetTable([met, missed]).to_markdown()
    assert "| a | 3.00 | 3.00 | 1.00x | 1.0x | yes |" in text and "| b | 13.00 | 3.00 | 4.33x | 4.0x | no |" in text
