import av
import numpy as np
import pytest

from gymcore.config import ClipLimits
from gymcore.errors import ClipEndedEarly, ClipError
from gymcore.perception.video import (
    DecodeCount,
    VideoWriter,
    iter_frames,
    probe_clip,
    read_frames,
    timeline_indices,
    uniform_indices,
    write_video,
)


def marked_frames(n: int, width: int = 320, height: int = 240) -> list[np.ndarray]:
    """Grey frames with a red bar on the left edge and the frame number encoded in brightness."""
    frames = []
    for i in range(n):
        image = np.full((height, width, 3), 40 + (i * 5) % 200, np.uint8)
        image[:, :24] = (255, 0, 0)
        frames.append(image)
    return frames


@pytest.mark.parametrize("suffix", [".mp4", ".mov", ".avi", ".webm", ".mkv"])
def test_every_container_opens_with_frames_counted(tmp_path, suffix):
    path = write_video(tmp_path / f"clip{suffix}", marked_frames(25), fps=25)
    info = probe_clip(path)
    assert info.frame_count == 25
    assert info.fps == pytest.approx(25, rel=0.02)
    assert info.duration_s == pytest.approx(1.0, rel=0.02)
    assert (info.width, info.height, info.rotation) == (320, 240, 0)
    frames = read_frames(info, [0, 12, 24])
    assert [f.index for f in frames] == [0, 12, 24]
    assert frames[1].time_s == pytest.approx(12 / 25, abs=0.01)


def test_writer_makes_h264_that_browsers_play(tmp_path):
    path = write_video(tmp_path / "out.mp4", marked_frames(10, 321, 241), fps=30)
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        assert stream.codec_context.name == "h264"
        assert stream.codec_context.pix_fmt == "yuv420p"
        assert (stream.codec_context.width, stream.codec_context.height) == (320, 240)


def test_phone_rotation_flag_is_honoured(tmp_path):
    path = write_video(tmp_path / "portrait.mp4", marked_frames(8), fps=12, rotation=90)
    info = probe_clip(path)
    assert info.rotation == 90
    assert (info.width, info.height) == (240, 320)
    image = read_frames(info, [0])[0].image
    assert image.shape == (320, 240, 3)
    # Turned a quarter clockwise for display, the bar on the stored frame's left edge is on top.
    assert image[:10, :, 0].mean() > 200 and image[:10, :, 1].mean() < 60
    assert image[-10:, :, 0].mean() < 150


@pytest.mark.parametrize("rotation", [90, 180, 270])
def test_every_rotation_flag_turns_the_stored_frame_for_display(tmp_path, rotation):
    stored = marked_frames(8)
    stored[0][:40, -60:] = (0, 0, 255)  # a blue corner, so that each quarter turn looks different
    path = write_video(tmp_path / f"turned{rotation}.mp4", stored, fps=12, rotation=rotation)
    shown = read_frames(probe_clip(path), [0])[0].image.astype(int)
    # Shown turned clockwise by the flag: np.rot90 turns anticlockwise.
    expected = np.rot90(stored[0], -rotation // 90).astype(int)
    assert shown.shape == expected.shape and np.abs(shown - expected).mean() < 3


def test_decoding_scales_to_the_long_side(tmp_path):
    info = probe_clip(write_video(tmp_path / "c.mp4", marked_frames(8, 640, 480), fps=12))
    frame = read_frames(info, [1], long_side=320)[0]
    assert frame.image.shape == (240, 320, 3)


def test_uniform_sampling_follows_duration_over_16():
    assert uniform_indices(160).tolist() == list(range(0, 160, 10))
    assert uniform_indices(100).tolist()[:4] == [0, 6, 12, 18]
    short = uniform_indices(8)
    assert len(short) == 16 and short.max() == 7


def test_timeline_keeps_every_frame_up_to_30_fps():
    assert timeline_indices(90, fps=30, max_fps=30).tolist() == list(range(90))
    thinned = timeline_indices(120, fps=60, max_fps=30)
    assert len(thinned) == 60 and np.all(np.diff(thinned) == 2)


def test_sixty_fps_clip(tmp_path):
    info = probe_clip(write_video(tmp_path / "fast.mp4", marked_frames(120), fps=60))
    assert info.fps == pytest.approx(60, rel=0.02) and info.frame_count == 120


# Bad input: each gets one plain sentence.

def test_text_renamed_mp4(tmp_path):
    path = tmp_path / "notes.mp4"
    path.write_text("these are my training notes, not a video\n" * 50)
    with pytest.raises(ClipError, match="not a readable video"):
        probe_clip(path)


def test_empty_file(tmp_path):
    path = tmp_path / "empty.mp4"
    path.touch()
    with pytest.raises(ClipError, match="is empty"):
        probe_clip(path)


def test_zero_frame_clip(tmp_path):
    path = tmp_path / "noframes.mp4"
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=30)
        stream.width, stream.height, stream.pix_fmt = 320, 240, "yuv420p"
        container.start_encoding()
    with pytest.raises(ClipError, match="holds no video frames"):
        probe_clip(path)


def test_truncated_file_keeps_what_its_header_announced(tmp_path):
    path = write_video(tmp_path / "full.mp4", marked_frames(60, 640, 480), fps=30, crf=10)
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    info = probe_clip(cut)
    # The header (written first, for fast start) still announces the whole clip; the packets do not.
    assert info.announced_duration_s == pytest.approx(2.0, abs=0.05)
    assert info.duration_s < 0.7 * info.announced_duration_s
    with pytest.raises(ClipEndedEarly, match="truncated") as ended:
        read_frames(info, range(info.frame_count))
    assert 0 < ended.value.decoded < info.frame_count


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(ClipError, match="No file at"):
        probe_clip(tmp_path / "nowhere.mp4")
    with pytest.raises(ClipError, match="is a folder"):
        probe_clip(tmp_path)


def test_limits_are_enforced_with_a_reason(tmp_path):
    path = write_video(tmp_path / "long.mp4", marked_frames(60), fps=30)
    with pytest.raises(ClipError, match="over the 1 s limit"):
        probe_clip(path, ClipLimits(max_duration_s=1.0))
    with pytest.raises(ClipError, match="MB limit"):
        probe_clip(path, ClipLimits(max_file_bytes=1000))
    tiny = write_video(tmp_path / "tiny.mp4", marked_frames(10, 160, 120), fps=30)
    with pytest.raises(ClipError, match="at least 160 px"):
        probe_clip(tiny)


def test_iter_frames_stops_early_when_done(tmp_path):
    count = DecodeCount()
    info = probe_clip(write_video(tmp_path / "c.mp4", marked_frames(30), fps=30), count=count)
    assert (count.opens, count.frames) == (2, 1)  # the packets, and the first frame for its rotation
    assert [f.index for f in iter_frames(info, [2, 3], count=count)] == [2, 3]
    assert (count.opens, count.frames) == (3, 5)  # frames 0 and 1 are decoded to reach 2
    assert list(iter_frames(info, [], count=count)) == []
    assert count.opens == 3


def test_a_clip_needs_a_frame_and_a_failed_writing_keeps_the_error(tmp_path):
    with pytest.raises(ValueError, match="at least one frame"):
        write_video(tmp_path / "empty.mp4", [], fps=12)
    with pytest.raises(ValueError, match="same size"):
        with VideoWriter(tmp_path / "mixed.mp4", fps=12) as writer:
            writer.write(marked_frames(1)[0])
            writer.write(marked_frames(1, 160, 120)[0])
