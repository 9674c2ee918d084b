"""The Compare models page: published tables beside our figures, each labelled with its data."""

import json

from app_helpers import open_page

from gymcore.criteria import criteria_for


def evaluation_report() -> dict:
    """An evaluation report of the shape ``python -m gymcore evaluate --json`` writes."""
    per_criterion = {item.id: {"hamming_loss": 0.1 * (k % 3), "f1": 0.9}
                     for k, item in enumerate(criteria_for("squat"))}
    metrics = {"hamming_loss": 0.1, "f1_paper": 0.88, "f1_macro": 0.85, "exact_match": 0.5, "n_samples": 20,
               "per_criterion": per_criterion}
    return {"dataset": {"name": "SynthGym", "version": "1.0", "split": "test", "split_seed": 0, "path": "/data"},
            "results": {"squat": {"rules": metrics | {"weights": None}}}}


def test_published_tables_and_a_sentence_for_missing_figures(monkeypatch, tmp_path):
    monkeypatch.setattr("gymcore.models.weights.WEIGHTS_DIR", tmp_path)
    app = open_page("compare")
    assert not app.exception and not app.error
    table4 = app.dataframe[0].value
    assert "Multi-Modal (Proposed)" in set(table4["Model"]) and "Squat HL" in table4.columns
    assert any("ALEX-GYM-1 test split" in c.value for c in app.caption)
    assert any("No trained weights" in i.value for i in app.info)
    latency = next(frame.value for frame in app.dataframe if "Seconds per sample" in frame.value.columns)
    assert list(latency["Model"]) == ["Pose-Based", "Vision-Based", "Multi-Modal"]
    assert any("Raspberry Pi 4" in c.value for c in app.caption)


def test_an_uploaded_evaluation_report_is_shown_apart_with_its_data():
    app = open_page("compare")
    app.radio(key="figures_source").set_value("An evaluation report").run()
    uploader = app.file_uploader[0]
    uploader.set_value(("evaluation.json", json.dumps(evaluation_report()).encode(), "application/json"))
    app.run()
    assert not app.exception and not app.error
    ours = app.dataframe[1].value
    assert list(ours["Model"]) == ["Rules (hand-written thresholds)"]
    assert ours["Squat HL"].tolist() == [0.1]
    assert any(c.value.startswith("Measured on: SynthGym 1.0, test split") for c in app.caption)
    charts = app.get("plotly_chart")  # published, ours, and the calibration of a shipped model
    assert len(charts) == 3 and "Measured by this project" in charts[1].proto.spec


def test_a_file_that_is_not_a_report_gets_a_sentence():
    app = open_page("compare")
    app.radio(key="figures_source").set_value("An evaluation report").run()
    app.file_uploader[0].set_value(("notes.json", b"{\"hello\": 1}", "application/json"))
    app.run()
    assert not app.exception
    assert any("not an evaluation report" in i.value for i in app.info)


def test_the_real_clip_figures_of_the_committed_run_say_their_data_and_a_bad_report_gets_a_sentence():
    app = open_page("compare")
    assert not app.exception and not app.error
    # The project's committed run (benchmarks/real/results) is shown by default, apart from any
    # published figure, with the clips, half and protocol it was measured on.
    criteria = next(frame.value for frame in app.dataframe if "False alarms" in frame.value.columns)
    assert {"Rules (hand-written thresholds)"} <= set(criteria["Model"]) and set(criteria["Half"]) == {"tuning"}
    assert any(c.value.startswith("Measured on 120 labelled clips of gymcore real-clip benchmark") and
               "labelled blind by the protocol of docs/real-benchmark.md" in c.value and
               "pose judged them with one-view weights" in c.value for c in app.caption)
    # The newest committed run, one half at a time (benchmarks/real/results/2026-12-02-run5-both-halves-120-clips.json).
    assert real_summary(app)["Counted exactly"] == "55/60"
    app.multiselect(key="real_models").set_value(["Pose (Angles+Distances)"]).run()
    pose = next(frame.value for frame in app.dataframe if "False alarms" in frame.value.columns)
    assert set(pose["Model"]) == {"Pose (Angles+Distances)"} and not pose["Not assessable"].str.startswith("1.00").all()
    app.segmented_control(key="real_half").set_value("held_out").run()
    assert real_summary(app)["Counted exactly"] == "40/60" and real_summary(app)["Recognised"] == "48/60"
    # The run before clips without a whole repetition were refused.
    app.radio(key="real_figures_source").set_value("This project's run: 2026-12-02-run4-both-halves-120-clips").run()
    app.segmented_control(key="real_half").set_value("held_out").run()
    assert real_summary(app)["Counted exactly"] == "39/60" and real_summary(app)["Recognised"] == "49/60"
    # The run before the benchmark grew to 120 clips.
    app.radio(key="real_figures_source").set_value("This project's run: 2026-12-02-both-halves-one-view-pose").run()
    app.segmented_control(key="real_half").set_value("held_out").run()
    assert real_summary(app)["Counted exactly"] == "32/49" and real_summary(app)["Recognised"] == "40/49"
    # The earlier run, before one-view weights: the learned models declined every repetition.
    app.radio(key="real_figures_source").set_value("This project's run: 2026-12-01-both-halves").run()
    assert any("declined every repetition of these clips" in c.value for c in app.caption)
    app.segmented_control(key="real_half").set_value("held_out").run()
    assert real_summary(app)["Counted exactly"] == "31/49" and real_summary(app)["Recognised"] == "39/49"
    app.radio(key="real_figures_source").set_value("A report (JSON)").run()
    app.file_uploader(key="real_figures_upload").set_value(("notes.json", b"{\"hello\": 1}", "application/json")).run()
    assert not app.exception
    assert any("notes.json is not a report of `python -m gymcore evaluate --clips" in i.value for i in app.info)


def real_summary(app) -> dict:
    """The shown half's row over all exercises in the real-clip summary table."""
    summary = next(frame.value for frame in app.dataframe if "Counted exactly" in frame.value.columns)
    (row,) = summary[summary["Exercise"] == "all"].to_dict("records")
    return row


def test_the_calibration_of_the_shipped_models_is_shown_with_its_data(monkeypatch, tmp_path):
    app = open_page("compare")
    assert not app.exception and not app.error
    # The vision and fusion models' validation splits are too small to calibrate on (MIN_VALIDATION).
    assert app.selectbox(key="calibration_model").options == ["Pose", "Pose (lateral view alone)",
                                                               "Pose (frontal view alone)"]
    table = next(frame.value for frame in app.dataframe if "ECE after" in frame.value.columns)
    assert list(table["Criterion"]) == [item.name for item in criteria_for("squat")]
    assert (table["Temperature"] > 0).all() and (table["ECE after"] <= 1).all()
    assert any(c.value.startswith("Measured on: SynthGym 1.0 (seed 12000, noise-model landmarks), test split (seed 0),"
                                  " model card of pose_squat_compact.safetensors") for c in app.caption)
    assert any("Pose, after calibration" in chart.proto.spec for chart in app.get("plotly_chart"))
    monkeypatch.setattr("gymcore.models.weights.WEIGHTS_DIR", tmp_path)  # nothing trained, nothing calibrated
    app = open_page("compare")
    assert any("No calibrated model of the squat" in i.value for i in app.info)
