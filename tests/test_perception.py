import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from gymcore.cli.main import main
from gymcore.errors import NoPersonError
from gymcore.perception.analysis import analyse_clips, analyse_view
from gymcore.perception.angles import ANGLE_NAMES
from gymcore.perception.pose import LANDMARK, PoseTrack, shared_estimator, track_in_parallel
from gymcore.perception.trackcheck import quality_report, upside_down
from gymcore.perception.video import probe_clip, read_frames, write_video


@pytest.fixture(scope="module")
def perception(squat_pair):
    return analyse_clips(*squat_pair)


@pytest.mark.slow  # renders the squat pair and tracks it (MediaPipe)
def test_both_views_are_tracked(perception, squat_pair):
    for view in perception.views().values():
        assert view.quality.detection_rate >= 0.95
        assert view.sampled.landmarks.shape == (16, 33, 3)
        assert view.features.shape == (16, 5984)
        assert np.isfinite(view.features[view.sampled.detected]).all()
        # 15 fps is under the 30 fps timeline rate: every frame is on the timeline.
        assert len(view.timeline) == view.source.frame_count == 45
        assert len(view.images) == 16 and view.images[0].shape == (480, 640, 3)
    assert perception.flags == []


@pytest.mark.slow  # MediaPipe on the squat pair
def test_sampled_frames_follow_the_paper(perception):
    lateral = perception.lateral
    assert lateral.sampled.frame_indices.tolist() == np.floor(np.arange(16) * 45 / 16).astype(int).tolist()


@pytest.mark.slow  # MediaPipe on the squat pair
def test_knee_angle_follows_the_squat(perception):
    for view_name in ("lateral",):
        knee = perception.views()[view_name].angles["left_knee"]
        # Standing at the start, well bent at the bottom of the repetition.
        assert np.nanmax(knee) > 160
        assert np.nanmin(knee) < 120
        assert set(ANGLE_NAMES) <= set(perception.lateral.angles)


@pytest.mark.slow  # MediaPipe on the squat pair
def test_sampled_and_timeline_poses_agree(perception):
    view = perception.lateral
    position = np.searchsorted(view.timeline.frame_indices, view.sampled.frame_indices)
    np.testing.assert_array_equal(view.timeline.landmarks[position], view.sampled.landmarks)


@pytest.mark.slow  # MediaPipe on the squat pair
def test_same_file_for_both_views_is_allowed_but_flagged(squat_pair):
    result = analyse_clips(squat_pair[1], squat_pair[1])
    assert [flag.code for flag in result.flags] == ["same_clip"]


def test_nobody_in_frame_is_a_clear_error(empty_room_clip):
    with pytest.raises(NoPersonError, match="Nobody was found in empty_room.mp4"):
        analyse_view(empty_room_clip, "frontal")


@pytest.mark.slow  # MediaPipe on the squat pair
def test_frames_without_a_person_are_marked_not_dropped(tmp_path, squat_pair):
    info = probe_clip(squat_pair[1])
    frames = [frame.image for frame in read_frames(info, range(info.frame_count))]
    frames[20:30] = [np.full_like(frames[0], 90)] * 10
    view = analyse_view(write_video(tmp_path / "gap.mp4", frames, fps=15), "lateral")
    missing = ~view.timeline.detected
    assert len(view.timeline) == 45 and 8 <= missing.sum() <= 12
    assert np.isnan(view.timeline.landmarks[missing]).all()
    assert np.isnan(view.angles["left_knee"][missing]).all()
    assert "missed_frames" in [flag.code for flag in view.quality.flags]


def test_a_body_read_upside_down_is_taken_as_missed_and_said(squat_perception) -> None:
    """A body whose shoulders read below its hips is a tracker's misread (no squat, lunge or hinge
    turns the trunk past about 100 degrees): those frames count as missed, and the view says so."""
    track = squat_perception.lateral.timeline
    flipped = np.zeros(len(track), dtype=bool)
    flipped[5:9] = True
    world = track.world.copy()
    world[flipped, :, 1] *= -1  # the skeleton mirrored top to bottom about the hips
    read = PoseTrack(track.frame_indices, track.time_s, track.landmarks, track.visibility, world, track.detected)
    assert (upside_down(read) == (flipped & track.detected)).all() and upside_down(read)[5:9].all()
    kept = read.marked_missing(upside_down(read))
    assert not kept.detected[5:9].any() and np.isnan(kept.landmarks[5:9]).all() and np.isnan(kept.world[5:9]).all()
    assert (kept.detected[~flipped] == track.detected[~flipped]).all()
    flags = {flag.code: flag for flag in quality_report(kept, (640, 480), upside_down(read)).flags}
    assert flags["upside_down"].times_s == tuple(np.round(track.time_s[5:9], 2).tolist())
    assert "missed_frames" not in flags or len(flags["missed_frames"].times_s) == int((~track.detected).sum())


@pytest.mark.slow  # MediaPipe on the squat pair
def test_a_clip_playing_upside_down_is_refused_with_why(tmp_path, squat_pair) -> None:
    info = probe_clip(squat_pair[1])
    turned = [np.ascontiguousarray(np.rot90(frame.image, 2)) for frame in read_frames(info, range(info.frame_count))]
    with pytest.raises(NoPersonError, match="reads upside down in every frame of flipped.mp4"):
        analyse_view(write_video(tmp_path / "flipped.mp4", turned, fps=15), "lateral")


@pytest.mark.slow  # MediaPipe on the squat pair
def test_rotated_phone_clip_gives_upright_poses(tmp_path, squat_pair, perception):
    info = probe_clip(squat_pair[1])
    upright = [frame.image for frame in read_frames(info, range(info.frame_count))]
    # Stored turned a quarter anticlockwise, with a flag asking players to turn it back.
    sideways = [np.ascontiguousarray(np.rot90(image, 1)) for image in upright]
    view = analyse_view(write_video(tmp_path / "phone.mp4", sideways, fps=15, rotation=90), "lateral")
    assert view.source.rotation == 90 and (view.source.width, view.source.height) == (640, 480)
    both = view.sampled.detected & perception.lateral.sampled.detected
    hips_knees = [LANDMARK[n] for n in ("left_hip", "right_hip", "left_knee", "right_knee")]
    difference = view.sampled.landmarks[both][:, hips_knees, :2] - perception.lateral.sampled.landmarks[both][:, hips_knees, :2]
    assert np.abs(difference).mean() < 0.02


def test_estimators_are_built_once_per_view():
    assert shared_estimator("frontal") is shared_estimator("frontal")
    assert shared_estimator("frontal") is not shared_estimator("lateral")


# The command line: JSON as the README documents it, one sentence for bad input.

@pytest.mark.slow  # MediaPipe on the squat pair
def test_pose_command_writes_the_documented_json(tmp_path, squat_pair, capsys):
    out = tmp_path / "pose.json"
    assert main(["pose", "--front", str(squat_pair[0]), "--side", str(squat_pair[1]), "--json", str(out)]) == 0
    assert f"wrote {out}" in capsys.readouterr().out
    data = json.loads(out.read_text())
    for view in ("frontal", "lateral"):
        block = data[view]
        assert set(block["source"]) == {"fps", "frame_count", "duration_s", "width", "height", "rotation"}
        assert len(block["sampled_frames"]) == 16
        assert np.array(block["landmarks"], dtype=float).shape == (16, 33, 3)
        assert np.array(block["visibility"], dtype=float).shape == (16, 33)
        assert len(block["detected"]) == 16 and all(isinstance(d, bool) for d in block["detected"])
        assert isinstance(block["quality"]["flags"], list)
        timeline = data["timelines"][view]
        assert set(timeline["angles_deg"]) == set(ANGLE_NAMES)
        assert len(timeline["time_s"]) == len(timeline["angles_deg"]["left_knee"]) == 45


@pytest.mark.slow  # MediaPipe on the squat pair
def test_pose_command_with_one_view(tmp_path, squat_pair):
    out = tmp_path / "side.json"
    assert main(["pose", "--side", str(squat_pair[1]), "--json", str(out)]) == 0
    data = json.loads(out.read_text())
    assert "lateral" in data and "frontal" not in data and list(data["timelines"]) == ["lateral"]


@pytest.mark.parametrize("case", ["text", "missing", "nobody", "no_clip"])
def test_bad_input_exits_2_with_one_sentence(tmp_path, empty_room_clip, capsys, case):
    text = tmp_path / "notes.mp4"
    text.write_text("not a video")
    args = {
        "text": ["--side", str(text)],
        "missing": ["--front", str(tmp_path / "absent.mov")],
        "nobody": ["--front", str(empty_room_clip)],
        "no_clip": [],
    }[case]
    assert main(["pose", *args, "--json", str(tmp_path / "out.json")]) == 2
    assert_one_sentence(capsys.readouterr().err)
    assert not (tmp_path / "out.json").exists()


def test_mediapipe_chatter_stays_off_the_terminal(empty_room_clip, tmp_path):
    """MediaPipe's C++ side writes to file descriptor 2 itself, which only a separate process shows."""
    root = Path(__file__).resolve().parent.parent
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(root), os.environ.get("PYTHONPATH")]))}
    result = subprocess.run(
        [sys.executable, "-m", "gymcore", "pose", "--front", str(empty_room_clip), "--json", str(tmp_path / "out.json")],
        capture_output=True, text=True, cwd=root, env=env,
    )
    assert result.returncode == 2
    assert_one_sentence(result.stderr)


def assert_one_sentence(stderr: str) -> None:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in stderr, stderr
    assert lines[0].endswith(".")


@pytest.mark.slow  # MediaPipe on the squat pair
def test_tracking_in_chunks_on_two_estimators_matches_one_pass(squat_pair):
    from gymcore.perception.pose import PoseEstimator

    clip = probe_clip(squat_pair[1])
    frames = list(read_frames(clip, np.arange(clip.frame_count)))
    whole = shared_estimator("lateral").track(frames)
    chunked = track_in_parallel(frames, [shared_estimator("lateral"), PoseEstimator()], chunk_frames=10)
    assert np.array_equal(chunked.frame_indices, whole.frame_indices)
    assert np.array_equal(chunked.time_s, whole.time_s)
    assert chunked.detected.all() and whole.detected.all()
    # Each chunk finds the person afresh: the hips and knees land within 2 % of the image of one pass.
    joints = [LANDMARK[name] for name in ("left_hip", "right_hip", "left_knee", "right_knee")]
    assert np.abs(chunked.landmarks[:, joints, :2] - whole.landmarks[:, joints, :2]).max() < 0.02


@pytest.mark.slow  # MediaPipe on the squat pair
def test_a_single_clip_is_analysed_with_both_estimators(squat_pair, monkeypatch):
    import gymcore.perception.analysis as perception_module

    used = []

    def spying(frames, estimators, chunk_frames=90):
        used.append(estimators)
        return track_in_parallel(frames, estimators, chunk_frames)

    monkeypatch.setattr(perception_module, "track_in_parallel", spying)
    alone = analyse_clips(side=squat_pair[1])
    assert used == [[shared_estimator("lateral"), shared_estimator("frontal")]]
    assert alone.frontal is None and len(alone.lateral.timeline) == 45
    assert alone.lateral.quality.detection_rate >= 0.95
    assert analyse_clips(side=squat_pair[1], parallel=False) and len(used) == 1  # one pass when asked


def test_only_mediapipe_start_up_is_silenced_not_tracking(squat_pair, capfd):
    from gymcore.perception.pose import PoseEstimator

    frames = read_frames(probe_clip(squat_pair[1]), range(12))
    capfd.readouterr()

    def saying(frames):
        # Another thread of a server writing while a clip is tracked: as each frame goes in.
        for frame in frames:
            os.write(2, f"frame {frame.index}\n".encode())
            yield frame

    PoseEstimator().track(saying(frames))
    assert capfd.readouterr().err.splitlines() == [f"frame {index}" for index in range(12)]
