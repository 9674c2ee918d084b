"""Reading and writing clips: probing, frame sampling, rotation, H.264 output.

Decoding goes through PyAV (FFmpeg), which opens every container a phone or camera writes and
exposes the display matrix that phones use to mark portrait clips. Frame counts and rates come from
the packets actually in the file and are confirmed by decoding, never taken from the container's
header alone (headers of phone and screen-recorded clips are often wrong). The header still serves
twice: its announced size, rate and length refuse a clip outside the limits before a single packet
is read, and its announced duration tells a file cut short from a short clip.
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
# Quarter turns anticlockwise (np.rot90's k) as OpenCV's rotations: the same pixels, written twelve
# times faster than np.rot90 and a copy (0.23 ms against 2.9 ms for a 640 x 360 frame), which on a
# 52 s portrait phone clip was 4 s of its decoding.
_CV2_TURNS = {1: cv2.ROTATE_90_COUNTERCLOCKWISE, 2: cv2.ROTATE_180, 3: cv2.ROTATE_90_CLOCKWISE}


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
    # What the container's header announces, None when it does not say: a file holding clearly
    # less than this was cut short (gymcore.perception.trackcheck.truncation_flags).
    announced_duration_s: float | None = None

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


@dataclass
class DecodeCount:
    """What reading a clip cost: containers opened and frames decoded (including frames decoded
    only to reach a wanted one), so that a second pass over a clip shows up."""

    opens: int = 0
    frames: int = 0


@dataclass(frozen=True)
class ClipHeader:
    """What the container's header announces about the video, read without touching a packet;
    None where the header does not say. Sizes are as coded (before rotation)."""

    duration_s: float | None
    frames: int | None
    fps: float | None
    width: int
    height: int


@dataclass(frozen=True)
class DecodedFrame:
    index: int
    time_s: float
    image: np.ndarray  # RGB uint8, upright


def probe_clip(path: str | Path, limits: ClipLimits = DEFAULT_LIMITS, count: DecodeCount | None = None) -> ClipInfo:
    """Open a clip, check its header against the limits, count its frames from the packets, and
    check those against the limits again; the file is hashed only once it passed."""
    path = Path(path)
    count = count if count is not None else DecodeCount()
    file_bytes = _check_file(path, limits)
    with _open_container(path) as container:
        count.opens += 1
        header = read_header(container)
        check_header(header, path.name, limits)
        first = _first_frame(container, path)
        count.frames += 1
    # FFmpeg reports the display matrix counter-clockwise; phones and users think clockwise.
    rotation = int(round(-(first.rotation or 0) / 90)) % 4 * 90
    coded_w, coded_h = first.width, first.height
    with _open_container(path) as container:
        count.opens += 1
        times = _packet_times(container, container.streams.video[0], path, limits)
    frame_count = len(times)
    duration_s = _duration_from_times(times)
    fps = frame_count / duration_s if duration_s > 0 else 30.0
    width, height = (coded_h, coded_w) if rotation in (90, 270) else (coded_w, coded_h)
    info = ClipInfo(
        path=str(path), fps=round(fps, 3), frame_count=frame_count, duration_s=round(duration_s, 3),
        width=width, height=height, rotation=rotation, file_bytes=file_bytes, sha256="",
        announced_duration_s=None if header.duration_s is None else round(header.duration_s, 3),
    )
    _check_limits(info, limits)
    return replace(info, sha256=_sha256(path))


def read_header(container: av.container.InputContainer) -> ClipHeader:
    """The video stream's duration, frame count, rate and size as the header announces them.

    The stream's own duration comes first: the container's may include a longer audio track."""
    stream = container.streams.video[0]
    duration_s = None
    if stream.duration and stream.duration > 0 and stream.time_base:
        duration_s = float(stream.duration * stream.time_base)
    elif container.duration and container.duration > 0:
        duration_s = container.duration / av.time_base
    frames = stream.frames if stream.frames and stream.frames > 0 else None
    fps = float(stream.average_rate) if stream.average_rate and stream.average_rate > 0 else None
    if duration_s is None and frames is not None and fps is not None:
        duration_s = frames / fps
    return ClipHeader(duration_s=duration_s, frames=frames, fps=fps,
                      width=stream.codec_context.width, height=stream.codec_context.height)


def check_header(header: ClipHeader, name: str, limits: ClipLimits = DEFAULT_LIMITS) -> None:
    """Refuse a clip whose header announces more than the limits allow, before any packet is read:
    a day-long or a 1000 fps clip would otherwise be demuxed, hashed and decoded first."""
    if header.duration_s is not None and header.duration_s > limits.max_duration_s:
        raise ClipError(_too_long(name, header.duration_s, limits))
    if header.fps is not None and header.fps > limits.max_fps:
        raise ClipError(_too_fast(name, header.fps, limits))
    if header.frames is not None and header.frames > limits.max_frames:
        raise ClipError(_too_many_frames(name, str(header.frames), limits))
    if header.width and header.height:
        _check_size(name, header.width, header.height, limits)


def check_length(info: ClipInfo, limits: ClipLimits = DEFAULT_LIMITS) -> None:
    """Refuse a clip too short to show a repetition (a single photo-like frame, a blink)."""
    name = Path(info.path).name
    if info.frame_count < limits.min_frames:
        plural = "frame" if info.frame_count == 1 else "frames"
        raise ClipError(
            f"{name} has {info.frame_count} {plural}; at least {limits.min_frames} are needed to see a"
            " repetition: record the whole set."
        )
    if info.duration_s < limits.min_duration_s:
        raise ClipError(
            f"{name} lasts {info.duration_s:.2f} s; a repetition takes at least {limits.min_duration_s:g} s:"
            " record the whole set."
        )


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
                image = cv2.rotate(rgb, _CV2_TURNS[turns]) if turns else rgb
                yield DecodedFrame(index=decoded - 1, time_s=frame_time - first_time, image=image)
                position += 1
                if position == len(wanted):
                    return
        except av.error.FFmpegError as error:
            # Like a file that simply ends: a clip cut mid-packet breaks off in the decoder, and the
            # caller decides whether what decoded before is enough.
            raise ClipEndedEarly(
                f"{Path(info.path).name} could not be decoded past frame {decoded} ({error.strerror}):"
                " the file looks damaged or truncated; copy or export it again.",
                decoded,
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
    if path.is_dir():
        raise ClipError(f"{path} is a folder, not a video file: give the path of the clip itself.")
    if not path.is_file():
        # A named pipe, socket or device: reading it could block forever or never end.
        raise ClipError(f"{path} is not a regular file (a pipe, socket or device): save the clip to a file"
                        " and give its path.")
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


def _packet_times(container: av.container.InputContainer, stream: av.VideoStream, path: Path,
                  limits: ClipLimits) -> np.ndarray:
    """Presentation times (s) of every frame packet, sorted; demuxing only, no decoding.

    Stops with the limit's sentence as soon as the packets pass the frame or duration cap: a header
    that understates them does not buy a full read of a huge file."""
    base = stream.time_base
    times: list[float] = []
    earliest = float("inf")
    try:
        for packet in container.demux(stream):
            if packet.size and packet.pts is not None:
                times.append(float(packet.pts * base))
                earliest = min(earliest, times[-1])
                if len(times) > limits.max_frames:
                    raise ClipError(_too_many_frames(path.name, f"more than {limits.max_frames}", limits))
                if times[-1] - earliest > limits.max_duration_s:
                    raise ClipError(_too_long(path.name, None, limits))
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
    """The limits again, from the packets counted and the first frame decoded. The length comes
    before the rate: two frames a millisecond apart are a clip too short, not one too fast."""
    name = Path(info.path).name
    if info.duration_s > limits.max_duration_s:
        raise ClipError(_too_long(name, info.duration_s, limits))
    _check_size(name, info.width, info.height, limits)
    check_length(info, limits)
    if info.fps > limits.max_fps:
        raise ClipError(_too_fast(name, info.fps, limits))


def _check_size(name: str, width: int, height: int, limits: ClipLimits) -> None:
    if max(width, height) > limits.max_long_side_px or width * height > limits.max_frame_pixels:
        raise ClipError(
            f"{name} is {width}x{height} pixels, over the limit of {limits.max_long_side_px} px on the long"
            f" side and {limits.max_frame_pixels / 1e6:.1f} megapixels: export it at 4K (3840x2160) or less."
        )
    if min(width, height) < limits.min_short_side_px:
        raise ClipError(
            f"{name} is only {width}x{height} pixels; at least {limits.min_short_side_px} px on"
            " the short side is needed to find the joints: record at a higher resolution."
        )


def _too_long(name: str, duration_s: float | None, limits: ClipLimits) -> str:
    """The sentence for a clip over the duration limit; None for a length only known to be over it."""
    lasts = "runs past" if duration_s is None else f"lasts {duration_s:.0f} s, over"
    return f"{name} {lasts} the {limits.max_duration_s:.0f} s limit: trim it to the set you want assessed."


def _too_fast(name: str, fps: float, limits: ClipLimits) -> str:
    return (f"{name} runs at {fps:.0f} frames a second, over the {limits.max_fps:.0f} fps limit: export it at"
            " normal speed (60 fps or less is plenty to judge form).")


def _too_many_frames(name: str, frames: str, limits: ClipLimits) -> str:
    return (f"{name} holds {frames} frames, over the limit of {limits.max_frames} ({limits.max_duration_s:.0f} s"
            f" at {limits.max_fps:.0f} fps): trim it or export it at a lower frame rate.")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
