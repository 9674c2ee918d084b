"""Training end to end on a tiny dataset: files written, resume, cards reproduced by evaluate,
the trained models behind the CriteriaModel interface, the exercise classifier."""

import json

import numpy as np
import pytest
import torch
from tinygym import write_tiny_dataset

from gymcore.criteria import EXERCISES
from gymcore.data.dataset import load_exercise, rep_samples, split_exercise
from gymcore.errors import InputError
from gymcore.evaluation.engine import evaluate
from gymcore.judging.learned import load_criteria_model
from gymcore.models.weights import read_manifest, sha256_of
from gymcore.recognition.classifier import recognise_exercise
from gymcore.training.trainer import train

pytestmark = pytest.mark.slow  # every test reads the module's trained models (~15-25 s of training)


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    torch.set_num_threads(1)
    root = tmp_path_factory.mktemp("train")
    data = write_tiny_dataset(root / "data", ("squat", "lunges", "deadlift"), participants=10)
    weights = root / "weights"
    with pytest.MonkeyPatch.context() as patch:  # the tiny set's 4 validation repetitions may be calibrated on
        patch.setattr("gymcore.models.calibration.MIN_VALIDATION", 4)
        pose = train(data, "squat", "pose", "cpu", weights_dir=weights, work_dir=root / "run", max_epochs=3,
                     progress=False)
    # The classifier is small and cheap: 30 epochs (a few seconds) take it from chance to telling the tiny
    # exercises apart, so that the tests can check its answers, not only their type.
    classifier = train(data, "squat", "classifier", "cpu", weights_dir=weights, work_dir=root / "runc",
                       max_epochs=30, progress=False)
    return {"root": root, "data": data, "weights": weights, "pose": pose, "classifier": classifier}


def test_training_writes_weights_card_curves_and_manifest(trained):
    weights = trained["weights"]
    entries = {(e.model, e.exercise): e for e in read_manifest(weights)}
    entry = entries[("pose", "squat")]
    assert entry.sha256 == sha256_of(weights / entry.file)
    card = entry.card
    assert card["variant"] == "compact" and card["storage_precision"] == "float16"
    assert card["training_data"] == {"name": "TinyGym", "version": "test", "seed": 0, "size": 20,
                                     "landmarks": "mediapipe"}
    assert card["split"]["test_participants"] == 2 and "--model pose" in card["command"]
    # The Compare page labels the card's figures with the data they were measured on, seed and landmarks too.
    from gymcore.evaluation.measured import card_figures

    labels = {(f.model, f.exercise): f.measured_on for f in card_figures(weights)}
    assert labels[("pose", "squat")] == ("TinyGym test (seed 0, mediapipe landmarks), test split (seed 0), model card"
                                         " of pose_squat_compact.safetensors")
    assert len(json.loads((weights / "pose_squat_compact.curves.json").read_text())) == 3
    assert (weights / "pose_squat_compact.curves.csv").read_text().startswith("epoch,train_loss,val_loss,lr")


def test_resume_continues_from_the_checkpoint(trained, tmp_path):
    root = trained["root"]
    longer = train(trained["data"], "squat", "pose", "cpu", weights_dir=tmp_path, work_dir=root / "run",
                   max_epochs=4, progress=False)
    assert [r.epoch for r in longer.history] == [1, 2, 3, 4]
    assert [r.val_loss for r in longer.history[:3]] == [r.val_loss for r in trained["pose"].history]


def test_evaluate_reproduces_the_card(trained):
    report = evaluate(trained["data"], "test", ["pose"], weights_dir=trained["weights"])
    measured = report["results"]["squat"]["pose"]
    card = trained["pose"].card["test_metrics"]
    assert measured["hamming_loss"] == pytest.approx(card["hamming_loss"])
    assert measured["f1_paper"] == pytest.approx(card["f1_paper"])
    assert report["dataset"]["name"] == "TinyGym" and set(measured["per_criterion"]) == {
        "feet_flat", "hip_knee_bend", "hips_backward", "neutral_back", "hips_below_knee", "feet_angled"}


def test_learned_model_judges_reps_and_declines_a_missing_view(trained):
    model = load_criteria_model("pose", "squat", trained["weights"])
    assert load_criteria_model("pose", "squat", trained["weights"]) is model  # loaded once per process
    reps = rep_samples(load_exercise(trained["data"], "squat").subset(np.arange(3)))
    del reps[2].views["lateral"]
    verdicts = model.judge("squat", reps)
    assert all(0.0 <= v.prob <= 1.0 and v.passed == (v.prob >= 0.5) for v in verdicts[0].values())
    assert all(not v.assessable and "lateral" in v.reason for v in verdicts[2].values())


def test_classifier_names_the_exercise_of_held_out_participants(trained):
    assert trained["classifier"].card["test_metrics"]["accuracy"] >= 0.9
    for exercise in EXERCISES:
        rows = split_exercise(load_exercise(trained["data"], exercise))["test"]  # participants never trained on
        assert len(rows) == 4
        for i in range(len(rows)):
            named, confidence = recognise_exercise([rows.landmarks["frontal"][i], rows.landmarks["lateral"][i]],
                                                   trained["weights"])
            # Chance is 1/3; the trained classifier gives the right exercise at least 0.6 (0.8-1.0 measured).
            assert named == exercise and 0.6 <= confidence <= 1.0, (exercise, i, named, confidence)


def test_fusion_starts_from_the_trained_vision_and_pose_streams(trained, tmp_path):
    from gymcore.models import build_model
    from gymcore.training.trainer import initialise_streams

    vision = train(trained["data"], "squat", "vision", "cpu", weights_dir=trained["weights"], work_dir=tmp_path / "v",
                   max_epochs=1, progress=False)
    fusion = build_model("fusion", "squat", "compact")
    used = initialise_streams(fusion, "fusion", "squat", "compact", trained["weights"])
    assert used == [vision.weights_file.name, "pose_squat_compact.safetensors"]
    pose = load_criteria_model("pose", "squat", trained["weights"]).net.state_dict()
    seen = load_criteria_model("vision", "squat", trained["weights"]).net.state_dict()
    state = fusion.state_dict()
    assert torch.equal(state["streams.video.lateral.trunk.layer4.0.conv1.0.weight"],
                       seen["streams.video.lateral.trunk.layer4.0.conv1.0.weight"])
    assert torch.equal(state["streams.features.frontal.stem.0.weight"], pose["streams.features.frontal.stem.0.weight"])
    with pytest.raises(InputError, match="lunges"):
        initialise_streams(build_model("fusion", "lunges", "compact"), "fusion", "lunges", "compact",
                           trained["weights"])


def test_a_loaded_model_says_which_file_serves_it(trained):
    info = load_criteria_model("pose", "squat", trained["weights"]).weights
    entry = {(e.model, e.exercise): e for e in read_manifest(trained["weights"])}[("pose", "squat")]
    assert info.file == entry.file and info.sha256 == entry.sha256
    assert info.variant == "compact" and info.trained_on == "TinyGym test"


def test_the_classifier_recognises_the_exercise_of_analysed_clips(trained, squat_perception):
    from gymcore.recognition.classifier import recognise_perception

    recognition = recognise_perception(squat_perception, trained["weights"])
    # Trained on schematic bodies, the classifier's answer on real MediaPipe landmarks is not known in
    # advance; what is known: it names the most probable exercise, with that exercise's probability.
    evidence = {exercise: recognition.evidence[f"p_{exercise}"] for exercise in EXERCISES}
    assert recognition.exercise == max(evidence, key=evidence.get)
    assert recognition.confidence == pytest.approx(evidence[recognition.exercise], abs=1e-3)
    assert recognition.method == "exercise classifier (classifier_all_compact.safetensors)"
    assert sum(recognition.evidence.values()) == pytest.approx(1.0, abs=2e-3)


def test_a_one_view_model_is_trained_listed_beside_the_two_view_one_and_judges_a_side_clip(trained, tmp_path,
                                                                                            monkeypatch, squat_pair):
    import shutil

    from gymcore import assess
    from gymcore.judging import learned
    from gymcore.records.presentation import provenance

    weights = shutil.copytree(trained["weights"], tmp_path / "weights")
    side = train(trained["data"], "squat", "pose", "cpu", weights_dir=weights, work_dir=tmp_path / "run",
                 max_epochs=2, progress=False, views=("lateral",))
    assert side.weights_file.name == "pose_squat_compact_lateral.safetensors"
    assert side.card["input"]["views"] == ["lateral"] and side.card["command"].endswith("--views lateral")
    entries = {entry.key: entry for entry in read_manifest(weights)}
    assert entries[("pose", "squat", ("lateral",))].file == side.weights_file.name
    assert entries[("pose", "squat", ("frontal", "lateral"))].file == "pose_squat_compact.safetensors"  # kept
    model = load_criteria_model("pose", "squat", weights, views=("lateral",))
    assert model.net.views == ("lateral",) and set(model.net.streams["features"].state_dict()) == {
        key for key in load_criteria_model("pose", "squat", weights).net.streams["features"].state_dict()
        if key.startswith("lateral.")}
    # evaluate reproduces the one-view card, and never stands the two-view weights in for missing one-view ones.
    report = evaluate(trained["data"], "test", ["pose"], weights_dir=weights, views=("lateral",))
    assert report["results"]["squat"]["pose"]["hamming_loss"] == pytest.approx(side.card["test_metrics"]["hamming_loss"])
    assert report["dataset"]["learned_models_read"] == "the lateral view alone"
    missing = evaluate(trained["data"], "test", ["pose"], weights_dir=weights, views=("frontal",))
    assert "--views frontal" in missing["not_available"]["squat"]["pose"] and not missing["results"]["squat"]
    from gymcore.models.catalogue import list_models

    assert [(row.views, row.weights) for row in list_models(weights) if row.views != ("frontal", "lateral")] == [
        (("lateral",), side.weights_file.name)]
    # No frontal one-view weights: loading them is refused with the command that trains them, and clips of the
    # frontal view alone are served by the two-view model, which says which view it lacks (below).
    from gymcore.judging.learned import views_served
    from gymcore.models.weights import WeightsError

    with pytest.raises(WeightsError, match="reading the frontal view alone are listed .*--views frontal`"):
        load_criteria_model("pose", "squat", weights, views=("frontal",))
    assert views_served("pose", "squat", ("frontal",), weights) == ("frontal", "lateral")
    assert views_served("pose", "squat", ("lateral",), weights) == ("lateral",)

    monkeypatch.setattr(learned, "WEIGHTS_DIR", weights)
    result = assess(side=squat_pair[1], exercise="squat", models=("rules", "pose")).record()
    assert result.weights["pose"].file == side.weights_file.name and result.weights["pose"].views == ["lateral"]
    assert "reading the lateral view alone" in next(item.text for item in provenance(result.weights)
                                                    if item.model == "pose")
    for rep in result.reps:
        pose = {cid: by_model["pose"] for cid, by_model in rep.verdicts.items()}
        rules = {cid: by_model["rules"] for cid, by_model in rep.verdicts.items()}
        # The gate decides for both models alike: the lateral criteria are judged, feet angled (frontal) is not.
        assert [cid for cid, v in pose.items() if v.assessable] == [cid for cid, v in rules.items() if v.assessable]
        assert any(v.assessable for v in pose.values()) and not pose["feet_angled"].assessable

    monkeypatch.setattr(learned, "WEIGHTS_DIR", trained["weights"])  # no one-view weights listed there
    declined = [by_model["pose"] for rep in assess(side=squat_pair[1], exercise="squat", models=("pose",)).record().reps
                for by_model in rep.verdicts.values()]
    assert declined and not any(v.assessable for v in declined)
    assert any("needs both views" in v.reason for v in declined)  # the rest, refused by the gate, say why


def test_a_one_view_classifier_or_unknown_view_is_refused(trained, tmp_path):
    with pytest.raises(InputError, match="each view on its own"):
        train(trained["data"], "squat", "classifier", "cpu", weights_dir=tmp_path, views=("lateral",), progress=False)
    with pytest.raises(InputError, match="frontal view, the lateral view or both"):
        train(trained["data"], "squat", "pose", "cpu", weights_dir=tmp_path, views=("overhead",), progress=False)


def test_training_calibrates_the_probabilities_without_changing_a_verdict(trained):
    from scipy.special import expit

    from gymcore.criteria import criteria_for
    from gymcore.models.inputs import batched_logits

    calibration = trained["pose"].card["calibration"]
    ids = [criterion.id for criterion in criteria_for("squat")]
    assert list(calibration["criteria"]) == ids and calibration["fitted_on"] == "validation split (4 repetitions)"
    model = load_criteria_model("pose", "squat", trained["weights"])
    assert model.weights.calibrated
    temperatures = np.array([calibration["criteria"][cid]["temperature"] for cid in ids])
    assert (temperatures > 0).all() and model.temperatures.tolist() == pytest.approx(temperatures.tolist())
    rows = load_exercise(trained["data"], "squat").subset(np.arange(6))
    verdicts = model.judge("squat", rep_samples(rows))
    logits = batched_logits(model.net, model._arrays(rep_samples(rows)))
    judged = np.array([[verdicts[i][cid].prob for cid in ids] for i in range(len(rows))])
    assert judged == pytest.approx(expit(logits / temperatures), abs=1e-5)
    assert [[verdicts[i][cid].passed for cid in ids] for i in range(len(rows))] == (logits >= 0).tolist()


def test_calibrate_records_a_calibration_in_the_card_and_keeps_the_weights(trained, tmp_path, monkeypatch):
    import shutil

    from gymcore.training.trainer import calibrate_shipped

    weights = shutil.copytree(trained["weights"], tmp_path / "weights")
    from gymcore.models.weights import record_in_manifest

    before = {entry.key: entry for entry in read_manifest(weights)}[("pose", "squat", ("frontal", "lateral"))]
    del before.card["calibration"]  # weights trained before training calibrated
    record_in_manifest(before, weights)
    assert not load_criteria_model("pose", "squat", weights).weights.calibrated
    with pytest.raises(InputError, match="holds 4 squat repetitions, fewer than the 100"):
        calibrate_shipped(trained["data"], "squat", "pose", weights)
    monkeypatch.setattr("gymcore.models.calibration.MIN_VALIDATION", 4)
    calibration = calibrate_shipped(trained["data"], "squat", "pose", weights)
    after = {entry.key: entry for entry in read_manifest(weights)}[before.key]
    assert after.sha256 == before.sha256 == sha256_of(weights / after.file)
    assert after.card["calibration"] == calibration == json.loads((weights / "pose_squat_compact.card.json").read_text())[
        "calibration"] == trained["pose"].card["calibration"]  # the same split, the same fit
    other = write_tiny_dataset(tmp_path / "other", ("squat",), participants=4)
    with pytest.raises(InputError, match="not the data these weights were trained on"):
        calibrate_shipped(other, "squat", "pose", weights)
    with pytest.raises(InputError, match="reading the lateral view are listed"):
        calibrate_shipped(trained["data"], "squat", "pose", weights, ("lateral",))
