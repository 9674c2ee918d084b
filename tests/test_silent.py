"""Nothing lost, nothing leaked, no wrong answer given silently: a file cut short, a clip too short, too
long, too fast or too large, a path that is no file, a named exercise the pose contradicts, and a
second person in view each get a sentence, in the assessment, the CLI and the record."""

import os
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest

import gymcore.perception.video as video
from gymcore.cli.assess import describe
from gymcore.cli.main import main
from gymcore.config import SAMPLES_DIR, ClipLimits
from gymcore.errors import ClipError
from gymcore.perception.analysis import analyse_view
from gymcore.perception.people import PersonDetection, PersonDetector, others_in_frame
from gymcore.perception.pose import LANDMARK
from gymcore.perception.trackcheck import second_person_flags, truncation_flags
from gymcore.perception.video import check_length, probe_clip, read_frames, with_decoded_count, write_video
from gymcore.pipeline.assess import assess, perceive
from gymcore.pipeline.record import AssessmentRecord
from gymcore.recognition.pose_rule import Recognition, decide
from gymcore.repetitions.types import RepConfig

SQUAT_FRONT = SAMPLES_DIR / "squat_clean_frontal.mp4"
SQUAT_SIDE = SAMPLES_DIR / "squat_clean_lateral.mp4"


def grey_frames(n: int, width: int = 320, height: int = 240) -> list[np.ndarray]:
    return [np.full((height, width, 3), 40 + (i * 5) % 200, np.uint8) for i in range(n)]


def cut_in_half(source: Path, folder: Path) -> Path:
    """The first half of a clip's bytes, as an interrupted copy or upload leaves it."""
    data = source.read_bytes()
    cut = folder / source.name
    cut.write_bytes(data[: len(data) // 2])
    return cut


def clip_at_times(path: Path, times_s: list[float], size: tuple[int, int] = (320, 240)) -> Path:
    """A Matroska clip whose frames are shown at the given times (s): a few frames can span a day
    (MP4 muxing refuses such gaps)."""
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=1)
        stream.width, stream.height, stream.pix_fmt = *size, "yuv420p"
        stream.time_base = Fraction(1, 1000)
        for time_s, image in zip(times_s, grey_frames(len(times_s), *size)):
            frame = av.VideoFrame.from_ndarray(image, format="rgb24")
            frame.pts, frame.time_base = int(time_s * 1000), Fraction(1, 1000)
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


# 1. A file cut short is read as far as it decodes, and said to be cut short.

def test_a_file_cut_short_is_told_from_a_short_clip(tmp_path):
    cut = probe_clip(cut_in_half(SQUAT_FRONT, tmp_path))
    whole = probe_clip(SQUAT_FRONT)
    assert cut.announced_duration_s == whole.announced_duration_s == pytest.approx(whole.duration_s, abs=0.01)
    flag, = truncation_flags(cut, ClipLimits().min_announced_share)
    assert flag.code == "truncated"
    assert flag.message.startswith(f"squat_clean_frontal.mp4 holds {cut.duration_s:.1f} s of the 4.9 s its header"
                                   " announces: the file looks cut short")
    assert truncation_flags(whole, ClipLimits().min_announced_share) == []
    # A clip a few packets short of its header (edited phone clips) is not called cut short.
    assert truncation_flags(with_decoded_count(whole, whole.frame_count - 3), 0.9) == []


@pytest.mark.slow  # MediaPipe on half a bundled clip, then the CLI on it
def test_a_file_cut_short_is_assessed_with_a_warning_that_reaches_the_cli(tmp_path, capsys):
    cut = cut_in_half(SQUAT_SIDE, tmp_path)
    view = analyse_view(cut, "lateral")
    assert view.source.duration_s < 0.6 * view.source.announced_duration_s
    assert [flag.code for flag in view.quality.flags][0] == "truncated"
    assert main(["pose", "--side", str(cut), "--json", str(tmp_path / "pose.json")]) == 0
    assert "the file looks cut short" in capsys.readouterr().out


# 2. Too short to show a repetition.

def test_a_single_frame_clip_is_refused_with_a_sentence(tmp_path):
    one = write_video(tmp_path / "photo.mp4", grey_frames(1), fps=30)
    with pytest.raises(ClipError, match=r"^photo.mp4 has 1 frame; at least 8 are needed to see a repetition"):
        probe_clip(one)
    few = write_video(tmp_path / "few.mp4", grey_frames(5), fps=10)
    with pytest.raises(ClipError, match="has 5 frames; at least 8"):
        probe_clip(few)
    blink = write_video(tmp_path / "blink.mp4", grey_frames(8), fps=20)
    with pytest.raises(ClipError, match=r"lasts 0.40 s; a repetition takes at least 0.5 s"):
        probe_clip(blink)
    # The limits are the deployment's to change.
    assert probe_clip(one, ClipLimits(min_frames=1, min_duration_s=0.0)).frame_count == 1


def test_the_minimum_length_is_the_shortest_repetition_and_holds_after_decoding(tmp_path):
    assert ClipLimits().min_duration_s == RepConfig().min_duration_s
    info = probe_clip(write_video(tmp_path / "clip.mp4", grey_frames(12), fps=12))
    check_length(info)
    with pytest.raises(ClipError, match="has 3 frames"):
        check_length(with_decoded_count(info, 3))


# 3. Limits read from the header, before the packets are read or the file hashed.

@pytest.fixture
def no_full_read(monkeypatch):
    """Reading every packet or hashing the file fails the test: the header must decide first."""
    def forbidden(*args, **kwargs):
        raise AssertionError("the whole file was read before the header's limits were checked")

    monkeypatch.setattr(video, "_packet_times", forbidden)
    monkeypatch.setattr(video, "_sha256", forbidden)


def test_a_day_long_clip_is_refused_from_its_header(tmp_path, no_full_read):
    day = clip_at_times(tmp_path / "day.mkv", [0.0, 1.0, 86_399.0])
    with pytest.raises(ClipError, match=r"^day.mkv lasts 86400 s, over the 120 s limit: trim it"):
        probe_clip(day)


def test_a_thousand_fps_clip_is_refused_from_its_header(tmp_path, no_full_read):
    fast = write_video(tmp_path / "fast.mp4", grey_frames(40), fps=1000)
    with pytest.raises(ClipError, match="runs at 1000 frames a second, over the 240 fps limit"):
        probe_clip(fast)


def test_frames_too_large_are_refused_from_the_header(tmp_path, no_full_read):
    wide = write_video(tmp_path / "wide.mp4", grey_frames(8, 4160, 176), fps=12)
    with pytest.raises(ClipError, match="4160x176 pixels, over the limit of 4096 px on the long side"):
        probe_clip(wide)
    square = write_video(tmp_path / "square.mp4", grey_frames(8, 640, 640), fps=12)
    with pytest.raises(ClipError, match="640x640 pixels, over the limit"):
        probe_clip(square, ClipLimits(max_frame_pixels=640 * 480))


def test_a_header_announcing_too_many_frames_is_refused(tmp_path, no_full_read, monkeypatch):
    monkeypatch.setattr(video, "read_header", lambda container: video.ClipHeader(None, 100_000, None, 320, 240))
    clip = write_video(tmp_path / "many.mp4", grey_frames(8), fps=12)
    with pytest.raises(ClipError, match=r"holds 100000 frames, over the limit of 28800 \(120 s at 240 fps\)"):
        probe_clip(clip)


def test_the_packets_stop_a_clip_whose_header_says_nothing(tmp_path, monkeypatch):
    monkeypatch.setattr(video, "read_header", lambda container: video.ClipHeader(None, None, None, 0, 0))
    long = write_video(tmp_path / "long.mp4", grey_frames(60), fps=30)
    with pytest.raises(ClipError, match="^long.mp4 runs past the 1 s limit"):
        probe_clip(long, ClipLimits(max_duration_s=1.0))
    with pytest.raises(ClipError, match="^long.mp4 holds more than 40 frames"):
        probe_clip(long, ClipLimits(max_duration_s=4.0, max_fps=10.0))


# 4. Paths that are no regular file.

def test_a_named_pipe_is_not_called_a_folder(tmp_path):
    pipe = tmp_path / "clip.mp4"
    os.mkfifo(pipe)
    with pytest.raises(ClipError, match=r"clip.mp4 is not a regular file \(a pipe, socket or device\)"):
        probe_clip(pipe)
    with pytest.raises(ClipError, match="is not a regular file"):
        probe_clip("/dev/null")


# 5. A named exercise the pose contradicts.

def test_a_named_exercise_the_pose_contradicts_comes_with_a_caution():
    squat = decide(free_leg_lift=0.02, foot_split=0.05, trunk_lean_deg=20)
    named = Recognition("lunges", 1.0, "given", {}, seen=squat)
    assert squat.confidence >= 0.75
    assert named.caution.startswith("The exercise was named a lunge, but the pose looks like a squat (pose rule,")
    assert named.to_dict()["caution"] == named.caution
    assert named.to_dict()["pose_rule"]["name"] == "squat"
    agreed = Recognition("squat", 1.0, "given", {}, seen=squat)
    assert agreed.caution == "" and "pose_rule" not in agreed.to_dict()
    unsure = decide(free_leg_lift=0.05, foot_split=0.36, trunk_lean_deg=30)
    assert unsure.confidence < 0.75 and Recognition("deadlift", 1.0, "given", {}, seen=unsure).caution == ""


@pytest.mark.slow  # MediaPipe on the bundled squat pair
def test_a_squat_assessed_as_lunges_is_judged_as_named_with_a_caution(tmp_path):
    perception = perceive(SQUAT_FRONT, SQUAT_SIDE)
    as_lunges = assess(exercise="lunges", perception=perception)
    assert as_lunges.exercise.exercise == "lunges" and as_lunges.exercise.seen.exercise == "squat"
    assert "looks like a squat" in as_lunges.exercise.caution
    record = as_lunges.record()
    assert AssessmentRecord.from_dict(record.to_dict()).exercise.caution == as_lunges.exercise.caution
    assert f"warning: {as_lunges.exercise.caution}" in describe(record)
    assert assess(exercise="squat", perception=perception).exercise.caution == ""


# 6. A second person in view.

def tracked_at(hips: tuple[float, float], image_size: tuple[int, int], height: float = 200.0) -> np.ndarray:
    """(33, 3) normalised landmarks of a person standing with the hip centre at ``hips`` (pixels)."""
    points = np.zeros((33, 3))
    points[:, 0] = hips[0] + np.linspace(-height / 5, height / 5, 33)
    points[:, 1] = np.linspace(hips[1] - height / 2, hips[1] + height / 2, 33)
    points[LANDMARK["left_hip"], :2] = points[LANDMARK["right_hip"], :2] = hips
    points[:, :2] /= image_size
    return points


def person(hips: tuple[float, float], shoulders: tuple[float, float], score: float = 0.9,
           radius: float = 100.0) -> PersonDetection:
    return PersonDetection(score, np.asarray(hips, float), np.asarray(shoulders, float), radius)


def test_people_beside_the_tracked_athlete_are_counted_once():
    size = (640, 480)
    athlete = tracked_at((320, 240), size)
    itself = person((322, 238), (320, 170))
    legs = person((318, 320), (320, 250))  # the detector taking the athlete's legs for a person
    other = person((100, 250), (100, 180))
    other_in_a_tile = person((104, 246), (101, 178), score=0.8)
    ghost = person((540, 250), (540, 180), score=0.6)
    assert others_in_frame([itself, legs, ghost], athlete, size) == 0
    assert others_in_frame([itself, other, other_in_a_tile, legs], athlete, size) == 1
    # The tracker lost the athlete in this frame: the best detection is taken to be them.
    lost = np.full((33, 3), np.nan)
    assert others_in_frame([other], lost, size) == 0 and others_in_frame([itself, other], lost, size) == 1
    flag, = second_person_flags([1.25, 3.5], 16)
    assert flag.code == "second_person" and flag.times_s == (1.25, 3.5)
    assert flag.message.startswith("Someone besides the athlete is in view in 2 of the 16 frames searched"
                                   " (first at 1.2 s)")
    assert second_person_flags([], 16) == []


def side_by_side(left: Path, right: Path) -> list[np.ndarray]:
    a, b = probe_clip(left), probe_clip(right)
    n = min(a.frame_count, b.frame_count)
    pairs = zip(read_frames(a, range(n)), read_frames(b, range(n)))
    return [np.concatenate([x.image, y.image], axis=1) for x, y in pairs]


def test_the_detector_finds_two_people_side_by_side_in_tiles():
    frame = side_by_side(SQUAT_FRONT, SAMPLES_DIR / "lunges_faulty_lateral.mp4")[36]
    found = PersonDetector().detect(frame, tiled=True)
    confident = [d for d in found if d.score >= 0.75]
    assert len({int(d.hips[0] > frame.shape[1] / 2) for d in confident}) == 2


@pytest.mark.slow  # MediaPipe on a two-person clip and on the bundled squat
def test_a_second_person_in_view_is_flagged_and_one_is_not(tmp_path):
    two = write_video(tmp_path / "two.mp4", side_by_side(SQUAT_FRONT, SAMPLES_DIR / "lunges_faulty_lateral.mp4"),
                      fps=15)
    flags = {flag.code: flag for flag in analyse_view(two, "frontal").quality.flags}
    assert "second_person" in flags and len(flags["second_person"].times_s) >= 2
    alone = analyse_view(SQUAT_FRONT, "frontal")
    assert "second_person" not in [flag.code for flag in alone.quality.flags]


# 7. Everything above reaches the CLI's summary, with the pair's flags.

def test_the_cli_summary_tells_every_flag_and_caution():
    record = AssessmentRecord.from_dict({
        "exercise": {"name": "lunges", "confidence": 1.0, "method": "given", "evidence": {},
                     "pose_rule": {"name": "squat", "confidence": 0.9, "evidence": {"foot_split": 0.05}}},
        "reps": [], "summary": {"repetitions": 0, "mean_score": None, "most_failed": [], "worst_rep": None,
                                "model": "rules"},
        "timing_s": {"total": 1.0}, "weights": {"rules": {"status": "loaded"}},
        "views": {"frontal": {"view": "frontal", "orientation": "frontal", "width_ratio": 0.5, "detected_share": 1.0,
                              "in_frame_share": 1.0, "jump_times_s": [], "problems": [],
                              "flags": [{"code": "second_person", "message": "Someone besides the athlete is in view.",
                                         "times_s": [1.0]}]}},
        "segmentation": {"view": "frontal", "signal": "knee flexion", "segmented": True},
        "pair_flags": [{"code": "duration_mismatch", "message": "The two clips differ in length."}],
    })
    lines = describe(record).splitlines()
    assert lines[1].startswith("warning: The exercise was named a lunge, but the pose looks like a squat")
    assert "warning: The two clips differ in length." in lines
    assert "warning: Frontal view: Someone besides the athlete is in view." in lines
    again = AssessmentRecord.from_dict(record.to_dict())
    assert again.views["frontal"].flags == record.views["frontal"].flags and again.exercise == record.exercise


def test_a_record_saved_before_flags_and_pose_rule_reads_as_before():
    record = AssessmentRecord.from_dict({
        "exercise": {"name": "squat", "confidence": 1.0, "method": "given", "evidence": {}},
        "reps": [], "summary": {"repetitions": 0, "mean_score": None, "most_failed": [], "worst_rep": None,
                                "model": "rules"},
        "timing_s": {"total": 1.0}, "weights": {},
        "views": {"lateral": {"view": "lateral", "orientation": "lateral", "width_ratio": 0.1, "detected_share": 1.0,
                              "in_frame_share": 1.0, "jump_times_s": [], "problems": []}},
        "segmentation": {"view": "lateral", "signal": "knee flexion", "segmented": True}, "pair_flags": [],
    })
    assert record.views["lateral"].flags == [] and record.exercise.seen is None and record.exercise.caution == ""
