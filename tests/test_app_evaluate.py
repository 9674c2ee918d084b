"""The Evaluate page on a tiny dataset in the published layout, read only inside the data root."""

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from app_helpers import button, open_page
from tinygym import write_tiny_dataset

from gymcore.data.dataset import load_exercise, rep_samples
from gymcore.judging.gate import judge_gated, refusals
from gymcore.judging.registry import ASSESS_MODELS, has_weights, model_title
from gymcore.judging.rules.model import DEFAULT_RULES_MODEL

SAMPLES = Path(__file__).resolve().parent.parent / "gymcore" / "samples"
SQUAT = ("feet_flat", "hip_knee_bend", "hips_backward", "neutral_back", "hips_below_knee", "feet_angled")


@pytest.fixture(autouse=True)
def data_root(tmp_path_factory, monkeypatch):
    """Every test's folders (and the session's demo clips) lie under the test run's temporary folder."""
    root = tmp_path_factory.getbasetemp()
    monkeypatch.setenv("GYMFORM_DATA_ROOT", str(root))
    return root


def rules_hamming_loss(root) -> float:
    """The rules' Hamming loss on every squat repetition, computed here rather than by the evaluation
    engine the page runs: the view gate, the rules' verdicts, and a refused or declined criterion
    counted as wrong (the page's stated policy)."""
    rows = load_exercise(root, "squat")
    samples = rep_samples(rows)
    verdicts = judge_gated(DEFAULT_RULES_MODEL, "squat", samples, [refusals("squat", s) for s in samples])
    right = [verdict.assessable and verdict.passed == bool(label)
             for rep, labels in zip(verdicts, rows.labels) for verdict, label in zip(
                 (rep[cid] for cid in rows.criterion_ids), labels)]
    return 1.0 - float(np.mean(right))


@pytest.mark.slow  # runs the four shipped models (~20-30 s)
def test_evaluation_with_progress_results_and_disagreements(tmp_path, gymcore_cache):
    root = write_tiny_dataset(tmp_path / "tiny", exercises=("squat",), participants=4, reps=2)
    app = open_page("evaluate")
    assert not app.exception
    assert button(app, "Run the evaluation").disabled
    app.text_input(key="dataset_folder").set_value(str(root)).run()
    app.selectbox(key="evaluation_split").set_value("all").run()
    button(app, "Run the evaluation").click().run()
    assert not app.exception and not app.error
    results = app.dataframe[0].value
    assert results.loc[0, "Model"] == "Rules (hand-written thresholds)" and results.loc[0, "Repetitions"] == 8
    assert results.loc[0, "Hamming loss"] == pytest.approx(rules_hamming_loss(root), abs=5e-5)  # shown to 4 places
    # The browser shows the truth beside every model that could judge (rules, and each learned
    # model whose weights are installed).
    verdicts = app.table[0].value
    expected = [model_title(name) for name in ASSESS_MODELS if has_weights(name, "squat")]
    assert list(verdicts.columns) == ["Truth", *expected]
    assert len(app.get("image")) == 32  # 16 frames of each view side by side
    assert "evaluation_report" in app.session_state
    # The features were cached in gymcore's cache, not in the dataset folder.
    assert not list(root.rglob("*.npy")) and list((gymcore_cache / "datasets").rglob("squat_*.npy"))


def test_a_folder_outside_the_data_root_is_refused_with_a_sentence(tmp_path, monkeypatch):
    root = write_tiny_dataset(tmp_path / "tiny", exercises=("squat",), participants=4, reps=2)
    monkeypatch.setenv("GYMFORM_DATA_ROOT", str(tmp_path / "data"))
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "linked").symlink_to(root)
    app = open_page("evaluate")
    for folder in (str(root), str(tmp_path / "data" / ".." / "tiny"), "linked", "/"):
        app.text_input(key="dataset_folder").set_value(folder).run()
        button(app, "Run the evaluation").click().run()
        assert not app.exception and not app.dataframe
        assert len(app.error) == 1
        assert app.error[0].value.startswith(f"{folder} is outside the data folder {(tmp_path / 'data').resolve()}")
    app.text_input(key="demo_folder").set_value(str(root)).run()
    button(app, "Count repetitions").click().run()
    assert any("is outside the data folder" in error.value for error in app.error)


def test_a_folder_without_a_dataset_gets_a_sentence(tmp_path):
    app = open_page("evaluate")
    app.text_input(key="dataset_folder").set_value(str(tmp_path)).run()
    button(app, "Run the evaluation").click().run()
    assert not app.exception
    assert len(app.error) == 1 and "holds no exercise sheet" in app.error[0].value


def test_an_empty_split_gets_a_sentence(tmp_path):
    root = write_tiny_dataset(tmp_path / "tiny", exercises=("squat",), participants=1, reps=2)
    app = open_page("evaluate")
    app.text_input(key="dataset_folder").set_value(str(root)).run()
    button(app, "Run the evaluation").click().run()
    assert not app.exception
    assert "split of the squat repetitions is empty" in app.error[0].value


@pytest.mark.slow  # renders and tracks the lunge demo clips
def test_repetition_counting_on_demo_clips(lunge_demo_clips, lunge_demo_count, tmp_path, monkeypatch):
    # The page counts with gymcore.evaluation.repcount.count_repetitions; for the demo folder it gets the
    # session's result (test_reps checks the counting itself) instead of tracking the four clips again.
    # Any other folder goes to the real function, and every call is recorded.
    from gymcore.evaluation import repcount

    calls = []
    count = repcount.count_repetitions

    def shared_count(folders):
        calls.append(list(folders))
        return lunge_demo_count if list(folders) == [lunge_demo_clips] else count(folders)

    monkeypatch.setattr(repcount, "count_repetitions", shared_count)
    app = open_page("evaluate", timeout=120)
    assert button(app, "Count repetitions").disabled
    app.text_input(key="demo_folder").set_value(str(tmp_path)).run()
    button(app, "Count repetitions").click().run()
    assert "python -m gymcore synth --demo-clips" in app.error[0].value
    app.text_input(key="demo_folder").set_value(str(lunge_demo_clips)).run()
    button(app, "Count repetitions").click().run()
    assert not app.exception and not app.error
    table = app.dataframe[-1].value
    assert list(table["True repetitions"]) == [2, 2] and list(table["Found"]) == [2, 2]
    assert list(table["Recognised as"]) == ["Lunge", "Lunge"] and list(table["Exact"]) == ["yes", "yes"]
    assert calls == [[tmp_path], [lunge_demo_clips]]  # the folders typed in, as paths


def labelled_manifest(folder: Path, **entry: object) -> Path:
    """A manifest of one lateral clip of the faulty sample squat (copied beside it, not linked: a link
    leading out of the data folder is refused), its one repetition labelled as passing everything, so
    the rules disagree with it."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(SAMPLES / "squat_faulty_lateral.mp4", folder / "squat.mp4")
    clip = {"id": "squat-side", "split": "tuning", "view": "lateral", "exercise": "squat", "file": "squat.mp4",
            "reps": [{"start_s": 1.0, "end_s": 4.333, "labels": dict.fromkeys(SQUAT, "pass")}], **entry}
    path = folder / "clips.json"
    path.write_text(json.dumps({"schema": 1, "name": "the page test's sample clip", "protocol": "docs/real-benchmark.md",
                                "held_out_runs": 0, "clips": [clip]}))
    return path


@pytest.mark.slow  # MediaPipe over one sample clip (~5-10 s)
def test_labelled_clips_tables_disagreements_and_their_frame(tmp_path, gymcore_cache):
    manifest = labelled_manifest(tmp_path / "labelled")
    app = open_page("evaluate", timeout=120)
    assert button(app, "Evaluate the labelled clips").disabled
    assert app.selectbox(key="clips_split").value == "tuning" and app.multiselect(key="clips_models").value == ["rules"]
    assert not any("held_out_runs" in warning.value for warning in app.warning)
    app.text_input(key="clips_manifest").set_value(str(manifest)).run()
    button(app, "Evaluate the labelled clips").click().run()
    assert not app.exception and not app.error
    summary = next(frame.value for frame in app.dataframe if "Counted exactly" in frame.value.columns)
    assert list(summary["Clips"]) == [1, 1] and list(summary["Exercise"]) == ["Squat", "all"]
    criteria = next(frame.value for frame in app.dataframe if "False alarms" in frame.value.columns)
    assert set(criteria["Criterion"]) <= set(SQUAT) and all("(n=" in text for text in criteria["Agreement"])
    measured = [caption.value for caption in app.caption if caption.value.startswith("Measured on")]
    assert len(measured) == 2
    assert all(f"1 labelled clip of the page test's sample clip ({manifest.name}), the tuning half" in text
               and "labelled blind by the protocol of docs/real-benchmark.md" in text for text in measured)
    # The rules fail the faulty squat somewhere: a disagreement with its clip's frame.
    assert app.selectbox(key="clips_disagree_clip").value == "squat-side"
    listed = next(frame.value for frame in app.dataframe if "Verdict" in frame.value.columns)
    assert len(listed) >= 1 and set(listed["Label"]) == {"pass"}
    first = app.get("image")
    assert len(first) == 1
    assert ("where the rule measured" if listed["Why"][0].startswith("measured ") else "the middle of the labelled repetition") \
        in first[0].proto.imgs[0].caption
    # Picking another disagreement reads the kept report: a manifest broken since is not read again.
    # A verdict with the rule's evidence shows the frame the rule measured on.
    manifest.write_text("not a manifest")
    measured_rows = [k for k, why in enumerate(listed["Why"]) if why.startswith("measured ")]
    assert measured_rows, "the rules fail the faulty squat with their evidence"
    app.selectbox(key="clips_disagree_row").set_value(measured_rows[0]).run()
    assert not app.exception and not app.error
    images = app.get("image")
    assert len(images) == 1 and "where the rule measured" in images[0].proto.imgs[0].caption


def test_a_labelled_manifest_or_clip_outside_the_data_root_is_refused_with_a_sentence(tmp_path, monkeypatch):
    outside = labelled_manifest(tmp_path / "outside")
    (tmp_path / "data").mkdir()
    monkeypatch.setenv("GYMFORM_DATA_ROOT", str(tmp_path / "data"))
    inside = labelled_manifest(tmp_path / "data" / "clips", file="../../outside/squat.mp4")
    app = open_page("evaluate")
    for manifest, refused in ((str(outside), str(outside)), (str(inside), str(tmp_path / "outside" / "squat.mp4"))):
        app.text_input(key="clips_manifest").set_value(manifest).run()
        button(app, "Evaluate the labelled clips").click().run()
        assert not app.exception and "clips_report" not in app.session_state
        assert [error.value for error in app.error] == [
            f"{refused} is outside the data folder {(tmp_path / 'data').resolve()}, and the dashboard reads only"
            f" folders inside it. Move or copy the data under {(tmp_path / 'data').resolve()} (a link there leading"
            " back out is refused too), or start the dashboard with GYMFORM_DATA_ROOT set to a folder that holds it."]
    # A file that is no manifest gets the reader's sentence; the held-out half says it is counted.
    (tmp_path / "data" / "bad.json").write_text("{")
    app.text_input(key="clips_manifest").set_value("bad.json").run()
    app.selectbox(key="clips_split").set_value("held_out").run()
    assert any("adds one to the manifest's `held_out_runs`" in warning.value for warning in app.warning)
    button(app, "Evaluate the labelled clips").click().run()
    assert not app.exception and "is not a readable labelled-clips manifest" in app.error[0].value
