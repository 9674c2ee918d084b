"""Reading and writing clips: probing, frame sampling, rotation, H.264 output.

Decoding goes through PyAV (FFmpeg), which opens every container a phone or camera writes and
exposes the display matrix that phones use to mark portrait clips. Frame counts and rates come from
the packets actually in the file and are confirmed by decoding, never taken from the container's
header alone (headers of phone and screen-recorded clips are often wrong).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, replace
from fractions import Fraction
from pathlib import Path

import av
import cv2
import numpy as np

from gymcore.config import DEFAULT_LIMITS, MODEL_FRAMES, ClipLimits
from gymcore.errors import ClipEndedEarly, ClipError

VIDEO_EXTENSIONS = (".mp4", ".mov", ".m4v", ".avi", ".webm", ".mkv")


@dataclass(frozen=True)
class ClipInfo:
    """What a clip is, measured from its packets; width and height are as displayed (rotated)."""

    path: str
    fps: float
    frame_count: int
    duration_s: float
    width: int
    height: int
    rotation: int  # degrees clockwise applied for display (90 for a typical portrait phone clip)
    file_bytes: int
    sha256: str

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


@dataclass
class DecodeCount:
    """What reading a clip cost: containers opened and frames decoded (including frames decoded
    only to reach a wanted one), so that a second pass over a clip shows up."""

    opens: int = 0
    frames: int = 0


@dataclass(frozen=True)
class DecodedFrame:
    index: int
    time_s: float
    image: np.ndarray  # RGB uint8, upright


def probe_clip(path: str | Path, limits: ClipLimits = DEFAULT_LIMITS, count: DecodeCount | None = None) -> ClipInfo:
    """Open a clip, count its frames from the packets, and check it against the limits."""
    path = Path(path)
    count = count if count is not None else DecodeCount()
    file_bytes = _check_file(path, limits)
    with _open_container(path) as container:
        count.opens += 1
        first = _first_frame(container, path)
        count.frames += 1
    # FFmpeg reports the display matrix counter-clockwise; phones and users think clockwise.
    rotation = int(round(-(first.rotation or 0) / 90)) % 4 * 90
    coded_w, coded_h = first.width, first.height
    with _open_container(path) as container:
        count.opens += 1
        times = _packet_times(container, container.streams.video[0], path)
    frame_count = len(times)
    duration_s = _duration_from_times(times)
    fps = frame_count / duration_s if duration_s > 0 else 30.0
    width, height = (coded_h, coded_w) if rotation in (90, 270) else (coded_w, coded_h)
    info = ClipInfo(
        path=str(path), fps=round(fps, 3), frame_count=frame_count, duration_s=round(duration_s, 3),
        width=width, height=height, rotation=rotation, file_bytes=file_bytes,
        sha256=_sha256(path),
    )
    _check_limits(info, limits)
    return info


def uniform_indices(frame_count: int, n: int = MODEL_FRAMES) -> np.ndarray:
    """The paper's sampling: n frames at intervals of duration / n, starting at the first frame.

    Clips shorter than n frames repeat frames, so the models always see n of them.
    """
    if frame_count <= 0:
        raise ClipError("The clip has no frames to sample.")
    return np.floor(np.arange(n) * frame_count / n).astype(int)


def timeline_indices(frame_count: int, fps: float, max_fps: float) -> np.ndarray:
    """Every frame up to max_fps; faster clips are thinned evenly to about max_fps."""
    if fps <= max_fps:
        return np.arange(frame_count)
    picked = np.round(np.arange(0, frame_count, fps / max_fps)).astype(int)
    return np.unique(picked[picked < frame_count])


def iter_frames(
    info: ClipInfo, indices: Iterable[int], long_side: int | None = None, count: DecodeCount | None = None,
) -> Iterator[DecodedFrame]:
    """Decode the wanted frames, in order, upright and as RGB, scaled so the long side is at most
    ``long_side`` pixels. Raises ClipError if the file ends before the last wanted frame.

    ``count`` adds up the container opened and every frame decoded, wanted or not."""
    wanted = sorted(set(int(i) for i in indices))
    if not wanted:
        return
    count = count if count is not None else DecodeCount()
    out_w, out_h = _output_size(info, long_side)
    # Scale before rotating: the decoder's frame is in coded (unrotated) orientation.
    coded_w, coded_h = (out_h, out_w) if info.rotation in (90, 270) else (out_w, out_h)
    turns = (-info.rotation // 90) % 4
    position = 0
    decoded = 0
    first_time: float | None = None
    with _open_container(Path(info.path)) as container:
        count.opens += 1
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        try:
            for frame in container.decode(stream):
                frame_time = float(frame.time) if frame.time is not None else decoded / info.fps
                first_time = frame_time if first_time is None else first_time
                decoded += 1
                count.frames += 1
                if decoded - 1 != wanted[position]:
                    continue
                # Fast bilinear halves the cost of scaling and colour conversion, the dearest part
                # of decoding; MediaPipe resamples its input to 256 px anyway.
                rgb = frame.reformat(
                    width=coded_w, height=coded_h, format="rgb24", interpolation="FAST_BILINEAR",
                ).to_ndarray()
                image = np.ascontiguousarray(np.rot90(rgb, turns)) if turns else rgb
                yield DecodedFrame(index=decoded - 1, time_s=frame_time - first_time, image=image)
                position += 1
                if position == len(wanted):
                    return
        except av.error.FFmpegError as error:
            raise ClipError(
                f"{Path(info.path).name} could not be decoded past frame {decoded} ({error.strerror}):"
                " the file looks damaged or truncated; copy or export it again."
            ) from None
    raise ClipEndedEarly(
        f"{Path(info.path).name} ends after {decoded} decodable frames although its packets announce"
        f" {info.frame_count}: the file looks truncated; copy or export it again.",
        decoded,
    )


def with_decoded_count(info: ClipInfo, decoded: int) -> ClipInfo:
    """The clip as its decodable frames describe it (edited phone clips often carry a few packets
    past the end that never decode)."""
    return replace(info, frame_count=decoded, duration_s=round(decoded / info.fps, 3))


def read_frames(info: ClipInfo, indices: Iterable[int], long_side: int | None = None) -> list[DecodedFrame]:
    return list(iter_frames(info, indices, long_side))


def resize_frames(images: np.ndarray, size: int) -> np.ndarray:
    """(T, H, W, 3) uint8 -> (T, size, size, 3) uint8, squeezed like the paper (no crop)."""
    if images.shape[1:3] == (size, size):
        return np.ascontiguousarray(images)
    return np.stack([cv2.resize(frame, (size, size), interpolation=cv2.INTER_AREA) for frame in images])


def write_video(
    path: str | Path, frames: Iterable[np.ndarray], fps: float, crf: int = 23, rotation: int = 0
) -> Path:
    """Write RGB frames as H.264 (yuv420p, fast start), which every browser plays in an MP4;
    a ``.webm`` path gets VP9 instead, as that container requires.

    ``rotation`` (clockwise degrees) stores a display matrix as phones do, without turning pixels.
    """
    with VideoWriter(path, fps, crf, rotation) as writer:
        for image in frames:
            writer.write(image)
    return writer.path


class VideoWriter:
    """``write_video`` one frame at a time, for frames that arrive while other work goes on.

    Use it as a context manager; leaving the block without an error finishes the file, which
    needs at least one frame.
    """

    def __init__(self, path: str | Path, fps: float, crf: int = 23, rotation: int = 0) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        webm = self.path.suffix.lower() == ".webm"
        options = {} if webm else {"movflags": "+faststart"}
        self._container = av.open(str(self.path), mode="w", options=options)
        stream = self._container.add_stream("libvpx-vp9" if webm else "libx264", rate=Fraction(fps).limit_denominator(1001))
        stream.pix_fmt = "yuv420p"
        stream.options = {"crf": str(crf), "b": "0"} if webm else {"crf": str(crf), "preset": "veryfast"}
        if rotation:
            stream.set_display_rotation(-rotation)
        self._stream = stream
        self._size: tuple[int, int] | None = None

    def write(self, image: np.ndarray) -> None:
        image = _even_sized(np.asarray(image, dtype=np.uint8))
        if self._size is None:
            self._size = image.shape[1], image.shape[0]
            self._stream.width, self._stream.height = self._size
        elif (image.shape[1], image.shape[0]) != self._size:
            raise ValueError("All frames of a clip must have the same size.")
        for packet in self._stream.encode(av.VideoFrame.from_ndarray(image, format="rgb24")):
            self._container.mux(packet)

    def __enter__(self) -> VideoWriter:
        return self

    def __exit__(self, error_type: type[BaseException] | None, *_: object) -> None:
        with self._container:
            if error_type is not None:
                return
            if self._size is None:
                raise ValueError("write_video needs at least one frame.")
            for packet in self._stream.encode():
                self._container.mux(packet)


def _check_file(path: Path, limits: ClipLimits) -> int:
    if not path.exists():
        raise ClipError(f"No file at {path}: check the path and try again.")
    if not path.is_file():
        raise ClipError(f"{path} is a folder, not a video file: give the path of the clip itself.")
    size = path.stat().st_size
    if size == 0:
        raise ClipError(f"{path.name} is empty (0 bytes): record or export the clip again.")
    if size > limits.max_file_bytes:
        raise ClipError(
            f"{path.name} is {size / 2**20:.0f} MB, over the {limits.max_file_bytes / 2**20:.0f} MB limit:"
            " trim the clip to the exercise or export it at a lower bitrate."
        )
    return size


def _open_container(path: Path) -> av.container.InputContainer:
    try:
        container = av.open(str(path), mode="r")
    except (av.error.FFmpegError, UnicodeDecodeError):
        raise ClipError(
            f"{path.name} is not a readable video (it may be another kind of file, or damaged):"
            f" give an {', '.join(VIDEO_EXTENSIONS)} clip."
        ) from None
    if not container.streams.video:
        container.close()
        raise ClipError(
            f"{path.name} holds no video frames: give a clip with video in it, not an audio or image file."
        )
    return container


def _packet_times(container: av.container.InputContainer, stream: av.VideoStream, path: Path) -> np.ndarray:
    """Presentation times (s) of every frame packet, sorted; demuxing only, no decoding."""
    base = stream.time_base
    times: list[float] = []
    try:
        for packet in container.demux(stream):
            if packet.size and packet.pts is not None:
                times.append(float(packet.pts * base))
    except av.error.FFmpegError:
        raise ClipError(
            f"{path.name} breaks off after {len(times)} frames: the file looks truncated or damaged;"
            " copy or export it again."
        ) from None
    return np.sort(np.asarray(times))


def _duration_from_times(times: np.ndarray) -> float:
    if len(times) < 2:
        return 1 / 30
    span = float(times[-1] - times[0])
    # The last frame lasts one frame interval too.
    return span * len(times) / (len(times) - 1)


def _first_frame(container: av.container.InputContainer, path: Path) -> av.VideoFrame:
    """The first decodable frame: proof that the file is a video, and its display matrix."""
    try:
        return next(container.decode(container.streams.video[0]))
    except StopIteration:
        raise ClipError(f"{path.name} holds no video frames: record or export the clip again.") from None
    except av.error.FFmpegError:
        raise ClipError(
            f"{path.name} could not be decoded: the file looks damaged or truncated; copy or export it again."
        ) from None


def _output_size(info: ClipInfo, long_side: int | None) -> tuple[int, int]:
    scale = 1.0 if long_side is None else min(1.0, long_side / max(info.width, info.height))
    return _even(info.width * scale), _even(info.height * scale)


def _even(value: float) -> int:
    return max(2, int(round(value / 2)) * 2)


def _even_sized(image: np.ndarray) -> np.ndarray:
    height, width = image.shape[:2]
    return image[: height - height % 2, : width - width % 2]


def _check_limits(info: ClipInfo, limits: ClipLimits) -> None:
    name = Path(info.path).name
    if info.duration_s > limits.max_duration_s:
        raise ClipError(
            f"{name} lasts {info.duration_s:.0f} s, over the {limits.max_duration_s:.0f} s limit:"
            " trim it to the set you want assessed."
        )
    short_side = min(info.width, info.height)
    if short_side < limits.min_short_side_px:
        raise ClipError(
            f"{name} is only {info.width}x{info.height} pixels; at least {limits.min_short_side_px} px on"
            " the short side is needed to find the joints: record at a higher resolution."
        )


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
