"""What a user can get wrong on the command line: every case ends in one sentence on stderr and
exit status 2, with no traceback and no partial output, and (but for the image) before any
tracking or rendering starts."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from tinygym import write_tiny_dataset

from gymcore.cli.main import main
from gymcore.errors import InputError
from gymcore.serialize import atomic_output, removed_on_failure, write_json

SAMPLES = Path(__file__).resolve().parent.parent / "gymcore" / "samples"


@dataclass(frozen=True)
class Case:
    name: str
    argv: tuple[str, ...]  # {placeholders} name the paths of the ``inputs`` fixture and {out}
    says: str  # a phrase the sentence must hold, so that the right check refused the input


PAIR = ("--front", "{front}", "--side", "{side}")
EVALUATE = ("evaluate", "--models", "rules", "--split", "all", "--json", "{out}/evaluation.json", "--data")
COUNT = ("evaluate", "--json", "{out}/evaluation.json", "--demo-clips")
SYNTH = ("synth", "--participants", "1", "--exercises", "squat", "--no-clips", "--out")

CASES = [
    # The command line itself (argparse), in one line too.
    Case("unknown command", ("frobnicate",), "invalid choice: 'frobnicate'"),
    Case("unknown exercise", ("assess", *PAIR, "--exercise", "plank"), "invalid choice: 'plank'"),
    Case("unknown engine", ("assess", *PAIR, "--engine", "tensorrt"), "invalid choice: 'tensorrt'"),
    Case("pose without --json", ("pose", "--front", "{front}"), "required: --json"),
    # Clips.
    Case("unknown model", ("assess", *PAIR, "--models", "rules,nosuch"), "no model called 'nosuch'"),
    Case("no model", ("assess", *PAIR, "--models", ","), "at least one model"),
    # One clip each: beside a good clip, the refusal waits for the good one to be tracked (analysis.py).
    Case("missing file", ("assess", "--front", "{out}/absent.mp4"), "No file at"),
    Case("empty file", ("assess", "--side", "{empty}"), "is empty"),
    Case("text named .mp4", ("assess", "--front", "{text}"), "not a readable video"),
    Case("folder as a clip", ("assess", "--front", "{folder}"), "is a folder"),
    Case("image file", ("assess", "--front", "{image}"), "image.png"),  # its one frame through MediaPipe, ~2 s
    Case("clip under 160 px", ("pose", "--side", "{tiny}", "--json", "{out}/poses.json"), "at least 160 px"),
    Case("both clips omitted", ("assess",), "at least one clip"),
    Case("pose both clips omitted", ("pose", "--json", "{out}/poses.json"), "at least one clip"),
    # Output paths, refused before the clips are read.
    Case("report with a bad suffix", ("assess", *PAIR, "--report", "{out}/report.docx"), "HTML or PDF"),
    Case("report names a folder", ("assess", *PAIR, "--report", "{out}/report.html/"), "is a folder"),
    Case("assess --json a folder", ("assess", *PAIR, "--json", "{folder}"), "is a folder"),
    Case("assess --json unwritable", ("assess", *PAIR, "--json", "{unwritable}/a.json"), "not writable"),
    Case("assess --json under a file", ("assess", *PAIR, "--json", "{text}/a.json"), "is a file, not a folder"),
    Case("pose --json a folder", ("pose", "--front", "{front}", "--json", "{folder}"), "is a folder"),
    # Replacing the output whole would put a plain file in place of the device node.
    Case("pose --json a device", ("pose", "--front", "{front}", "--json", "/dev/null"), "not a regular file"),
    Case("pose --json unwritable", ("pose", "--front", "{front}", "--json", "{unwritable}/p.json"), "not writable"),
    Case("evaluate --json a folder", ("evaluate", "--data", "{data_good}", "--json", "{folder}"), "is a folder"),
    Case("evaluate --json unwritable", ("evaluate", "--demo-clips", "{demo_good}", "--json", "{unwritable}/e.json"),
         "not writable"),
    # synth, refused before a folder is made.
    Case("synth --fps 0", (*SYNTH, "{out}/set", "--fps", "0"), "frame rate"),
    Case("synth --fps nan", (*SYNTH, "{out}/set", "--fps", "nan"), "frame rate"),
    Case("synth --demo-reps 0", ("synth", "--demo-clips", "--demo-reps", "0", "--out", "{out}/demo"),
         "at least one repetition"),
    Case("synth --out a file", (*SYNTH, "{text}"), "is a file, not a folder"),
    Case("synth --out unwritable", (*SYNTH, "{unwritable}/set"), "not writable"),
    Case("synth --participants 0", (*SYNTH[:1], "--participants", "0", "--out", "{out}/set"), "at least one participant"),
    Case("synth --size too small", (*SYNTH, "{out}/set", "--size", "100x100"), "between 160 and 3840 pixels (MediaPipe"),
    Case("synth --size too small for anyone", (*SYNTH, "{out}/set", "--size", "20x20", "--landmarks", "noise-model"),
         "between 32 and 3840 pixels, not 20"),
    Case("synth --size too large", (*SYNTH, "{out}/set", "--size", "9000x480"), "frame width"),
    Case("synth --seed -1", (*SYNTH, "{out}/set", "--seed", "-1"), "seed"),
    Case("synth endless repetitions", (*SYNTH, "{out}/set", "--reps-per-participant", "squat=inf"),
         "repetitions per participant"),
    Case("synth unknown exercise", ("synth", "--exercises", "plank", "--out", "{out}/set"), "plank"),
    Case("synth --workers 0", (*SYNTH, "{out}/set", "--workers", "0"), "at least 1"),
    # assess --batch, refused before any clip is read.
    Case("batch without --out", ("assess", "--batch", "{folder}"), "Give --batch with --out"),
    Case("batch with --front", ("assess", "--batch", "{folder}", "--out", "{out}/b", *PAIR), "leave out --front"),
    Case("batch --out a file", ("assess", "--batch", "{folder}", "--out", "{text}"), "is a file, not a folder"),
    Case("batch of a missing folder", ("assess", "--batch", "{out}/absent", "--out", "{out}/b"), "No folder or manifest"),
    Case("batch folder without clips", ("assess", "--batch", "{folder}", "--out", "{out}/b"), "holds no clip"),
    Case("batch manifest header", ("assess", "--batch", "{manifest_header}", "--out", "{out}/b"), "header id,front"),
    Case("batch manifest id twice", ("assess", "--batch", "{manifest_twice}", "--out", "{out}/b"), "'a' twice"),
    Case("batch manifest without clips", ("assess", "--batch", "{manifest_no_clip}", "--out", "{out}/b"),
         "line 2 names no clip"),
    Case("batch manifest exercise", ("assess", "--batch", "{manifest_plank}", "--out", "{out}/b"), "'plank'"),
    Case("batch --workers 0", ("assess", "--batch", "{folder}", "--out", "{out}/b", "--workers", "0"), "at least 1"),
    # Other commands' options.
    Case("train --threads 0", ("train", "--data", "{data_good}", "--threads", "0"), "at least one thread"),
    Case("train --epochs 0", ("train", "--data", "{data_good}", "--epochs", "0"), "at least one epoch"),
    Case("train --weights-dir a file", ("train", "--data", "{data_good}", "--weights-dir", "{text}"),
         "is a file, not a folder"),
    Case("bench --runs 0", ("bench", "--runs", "0"), "at least once"),
    Case("bench --phone not a video", ("bench", "--only", "targets", "--phone", "{text}"), "is not a readable video"),
    Case("evaluate --seed -1", ("evaluate", "--models", "rules", "--seed", "-1", "--json", "{out}/e.json", "--data",
                                "{data_good}"), "seed must be 0 or more"),
    # Malformed datasets.
    Case("sheet is not a workbook", (*EVALUATE, "{data_text_sheet}"), "squat.xlsx is not a readable Excel"),
    Case("sheet is a damaged workbook", (*EVALUATE, "{data_cut_sheet}"), "squat.xlsx is not a readable Excel"),
    Case("sheet lacks a column", (*EVALUATE, "{data_no_column}"), "lacks the column(s) feet_flat"),
    Case("sheet has a word for a video", (*EVALUATE, "{data_word_video}"), "'abc' in the column frontal_video"),
    Case("sheet has a fraction for a rep", (*EVALUATE, "{data_fraction_rep}"), "column rep"),
    Case("sheet has a blank label", (*EVALUATE, "{data_blank_label}"), "column feet_flat"),
    Case("landmark file missing", (*EVALUATE, "{data_no_landmarks}"), "front_pose_squat.json"),
    Case("landmark file not JSON", (*EVALUATE, "{data_bad_landmarks}"), "front_pose_squat.json is not readable JSON"),
    Case("landmark file not a list", (*EVALUATE, "{data_dict_landmarks}"), "not a list"),
    Case("landmark frame wrong shape", (*EVALUATE, "{data_short_frame}"), "not 33 landmarks"),
    Case("dataset card not JSON", (*EVALUATE, "{data_bad_card}"), "dataset.json is not readable JSON"),
    Case("demo manifest not JSON", (*COUNT, "{demo_bad_json}"), "manifest.json is not readable JSON"),
    Case("demo manifest lacks clips", (*COUNT, "{demo_no_clips}"), "non-empty list of clips"),
    Case("demo manifest clip lacks files", (*COUNT, "{demo_no_files}"), "clip 1 lacks the file names"),
    Case("demo manifest wrong labels", (*COUNT, "{demo_bad_labels}"), "0/1 label"),
]


def can_create_in(folder: Path) -> bool:
    try:
        (folder / "probe").touch()
    except OSError:
        return False
    (folder / "probe").unlink()
    return True


@pytest.fixture(scope="module")
def unwritable(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("unwritable")
    folder.chmod(0o555)
    if can_create_in(folder):  # root ignores permissions, but not sysfs, which makes no files
        folder = Path("/sys")
        if not folder.is_dir() or can_create_in(folder):
            pytest.skip("no folder here that this user cannot write in")
    return folder


@pytest.fixture(scope="module")
def inputs(tmp_path_factory, unwritable) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("inputs")
    paths = {"front": SAMPLES / "squat_clean_frontal.mp4", "side": SAMPLES / "squat_clean_lateral.mp4",
             "unwritable": unwritable}
    paths["text"] = root / "notes.mp4"
    paths["text"].write_text("not a video")
    paths["empty"] = root / "empty.mp4"
    paths["empty"].touch()
    paths["folder"] = root / "folder.mp4"
    paths["folder"].mkdir()
    paths |= {"image": write_image(root / "image.png"), "tiny": write_tiny_clip(root / "tiny.mp4")}
    paths |= broken_datasets(root)
    paths |= broken_manifests(root)
    paths |= broken_demo_folders(root)
    return paths


def write_image(path: Path) -> Path:
    import cv2

    cv2.imwrite(str(path), np.full((240, 320, 3), 90, dtype=np.uint8))
    return path


def write_tiny_clip(path: Path) -> Path:
    from gymcore.perception.video import write_video

    return write_video(path, [np.full((96, 128, 3), 90, dtype=np.uint8)] * 12, fps=12)


def broken_datasets(root: Path) -> dict[str, Path]:
    good = write_tiny_dataset(root / "data_good", participants=3, reps=1)

    def copy(name: str) -> Path:
        return Path(shutil.copytree(good, root / name))

    def edit_sheet(name: str, change) -> Path:
        folder = copy(name)
        sheet = pd.read_excel(folder / "squat.xlsx")
        change(sheet).to_excel(folder / "squat.xlsx", index=False)
        return folder

    folders = {"data_good": good}
    folders["data_text_sheet"] = copy("data_text_sheet")
    (folders["data_text_sheet"] / "squat.xlsx").write_text("participant,rep\nP01,0\n")
    folders["data_cut_sheet"] = copy("data_cut_sheet")
    workbook = (good / "squat.xlsx").read_bytes()
    (folders["data_cut_sheet"] / "squat.xlsx").write_bytes(workbook[: len(workbook) // 2])
    folders["data_no_column"] = edit_sheet("data_no_column", lambda s: s.drop(columns=["feet_flat"]))
    folders["data_word_video"] = edit_sheet("data_word_video", lambda s: s.astype({"frontal_video": object})
                                            .assign(frontal_video=["abc", 3, 5]))
    folders["data_fraction_rep"] = edit_sheet("data_fraction_rep", lambda s: s.assign(rep=[0, 0.5, 0]))
    folders["data_blank_label"] = edit_sheet("data_blank_label", lambda s: s.assign(feet_flat=[1, None, 0]))
    folders["data_no_landmarks"] = copy("data_no_landmarks")
    (folders["data_no_landmarks"] / "front_pose_squat.json").unlink()
    folders["data_bad_landmarks"] = copy("data_bad_landmarks")
    (folders["data_bad_landmarks"] / "front_pose_squat.json").write_text("[[[0.5, 0.5")
    folders["data_dict_landmarks"] = copy("data_dict_landmarks")
    (folders["data_dict_landmarks"] / "front_pose_squat.json").write_text('{"rows": []}')
    folders["data_short_frame"] = copy("data_short_frame")
    entries = json.loads((good / "front_pose_squat.json").read_text())
    entries[1][3] = entries[1][3][:20]
    (folders["data_short_frame"] / "front_pose_squat.json").write_text(json.dumps(entries))
    folders["data_bad_card"] = copy("data_bad_card")
    (folders["data_bad_card"] / "dataset.json").write_text("{'name': 'single quotes'}")
    return folders


def broken_manifests(root: Path) -> dict[str, Path]:
    """Batch manifests (gymcore.pipeline.batch) that cannot be read."""
    texts = {"manifest_header": "name,front,side\na,a.mp4,b.mp4\n",
             "manifest_twice": "id,front,side,exercise\na,a.mp4,,\na,b.mp4,,\n",
             "manifest_no_clip": "id,front,side,exercise\na,,,squat\n",
             "manifest_plank": "id,front,side,exercise\na,a.mp4,,plank\n"}
    paths = {}
    for name, text in texts.items():
        paths[name] = root / f"{name}.csv"
        paths[name].write_text(text)
    return paths


def broken_demo_folders(root: Path) -> dict[str, Path]:
    good = json.loads((SAMPLES / "manifest.json").read_text())
    manifests: dict[str, object] = {
        "demo_good": good,
        "demo_no_clips": {"name": "demo"},
        "demo_no_files": {"clips": [{k: v for k, v in good["clips"][0].items() if k != "files"}]},
        "demo_bad_labels": {"clips": [good["clips"][0] | {"reps": [{"labels": {"depth": 1}}]}]},
    }
    folders = {}
    for name, manifest in manifests.items():
        folders[name] = root / name
        folders[name].mkdir()
        (folders[name] / "manifest.json").write_text(json.dumps(manifest))
    folders["demo_bad_json"] = root / "demo_bad_json"
    (folders["demo_bad_json"] / "one").mkdir(parents=True)  # a folder of demo folders, searched one level down
    (folders["demo_bad_json"] / "one" / "manifest.json").write_text('{"clips": [')
    return folders


def every_path(*folders: Path) -> set[Path]:
    return {path for folder in folders for path in folder.rglob("*")}


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_bad_input_is_one_sentence_and_leaves_nothing(case: Case, inputs, tmp_path, capsys) -> None:
    out = tmp_path / "out"
    out.mkdir()
    argv = [part.format(out=out, **inputs) for part in case.argv]
    before = every_path(inputs["text"].parent)
    try:
        code = main(argv)
    except SystemExit as stop:  # argparse's refusals exit from inside parse_args
        code = stop.code
    err = capsys.readouterr().err
    assert code == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].endswith(".") and "Traceback" not in err, err
    assert case.says in lines[0]
    assert every_path(inputs["text"].parent) == before
    assert not any(out.iterdir()), list(out.iterdir())


def test_a_failed_write_leaves_neither_a_partial_file_nor_the_folders_made_for_it(tmp_path) -> None:
    target = tmp_path / "new" / "deeper" / "out.json"
    with pytest.raises(RuntimeError), atomic_output(target) as temporary:
        temporary.write_text('{"half": ')
        raise RuntimeError("the writer failed half way")
    assert not (tmp_path / "new").exists()
    kept = write_json(tmp_path / "kept.json", {"a": 1})
    with pytest.raises(KeyboardInterrupt), atomic_output(kept) as temporary:
        temporary.write_text('{"b": ')
        raise KeyboardInterrupt
    assert json.loads(kept.read_text()) == {"a": 1}
    assert [path.name for path in tmp_path.iterdir()] == ["kept.json"]


def test_an_os_error_while_writing_becomes_a_sentence_naming_the_file(tmp_path) -> None:
    target = tmp_path / "out.json"
    with pytest.raises(InputError, match=r"Could not write .*out.json: no space left on device\."), \
            atomic_output(target):
        raise OSError(28, "No space left on device")
    assert not any(tmp_path.iterdir())


def test_a_failed_run_takes_back_what_it_added_to_a_folder(tmp_path) -> None:
    folder = tmp_path / "existing"
    (folder / "old").mkdir(parents=True)
    (folder / "old" / "keep.txt").write_text("mine")
    with pytest.raises(RuntimeError), removed_on_failure(folder):
        (folder / "old" / "added.txt").write_text("partial")
        (folder / "new" / "deep").mkdir(parents=True)
        (folder / "new" / "deep" / "frame.jpg").write_bytes(b"\xff\xd8")
        raise RuntimeError("rendering failed")
    assert every_path(folder) == {folder / "old", folder / "old" / "keep.txt"}
    made = tmp_path / "made" / "set"
    with pytest.raises(RuntimeError), removed_on_failure(made):
        made.mkdir(parents=True)
        raise RuntimeError("rendering failed")
    assert not (tmp_path / "made").exists()


def test_an_interrupted_dataset_leaves_no_folder_behind(tmp_path, monkeypatch) -> None:
    from gymcore.synth.dataset import writer
    from gymcore.synth.dataset.plan import Settings

    def interrupted(task, plan):
        (task.out / "Squat_frames" / "1_idx_0_1.jpg").write_bytes(b"\xff\xd8 half a frame")
        raise KeyboardInterrupt

    monkeypatch.setattr(writer.RenderTask, "setup", lambda task: None)
    monkeypatch.setattr(writer.RenderTask, "run", interrupted)
    with pytest.raises(KeyboardInterrupt):
        writer.generate_dataset(Settings(participants=1, exercises=("squat",), clips=False, workers=1),
                                tmp_path / "synth" / "set")
    assert not any(tmp_path.iterdir())
