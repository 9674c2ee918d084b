"""The Evaluate page on a tiny dataset in the published layout, read only inside the data root."""

import numpy as np
import pytest
from app_helpers import button, open_page
from tinygym import write_tiny_dataset

from gymcore.data.dataset import load_exercise, rep_samples
from gymcore.judging.gate import judge_gated, refusals
from gymcore.judging.registry import ASSESS_MODELS, has_weights, model_title
from gymcore.judging.rules.model import DEFAULT_RULES_MODEL


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
