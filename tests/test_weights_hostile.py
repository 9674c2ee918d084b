"""Hostile weights folders: every way the manifest or a weights file can be wrong is one sentence
naming the file (a WeightsError), never a traceback; the other models go on, the rules always; the
shipped manifest still loads; ``evaluate`` reports a model that cannot load and goes on."""

from __future__ import annotations

import json
import os
import pickle
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import torch
from safetensors.torch import save

from gymcore.errors import InputError
from gymcore.judging import learned
from gymcore.judging.registry import load_criteria_models, load_model
from gymcore.models.registry import build_model
from gymcore.models.weights import SHIPPED_WEIGHTS_DIR, WeightsError, find_entry, read_manifest, save_weights, sha256_of
from gymcore.recognition.classifier import exercise_probabilities

ROOT = Path(__file__).resolve().parent.parent
POSE_FILE = "pose_squat_compact.safetensors"
# What a sentence for a person never holds: a traceback, an exception's type, an errno.
LEAKS = re.compile(r"Traceback|\w+(Error|Exception)\b|Errno|\n")


def shipped_entry(model: str, exercise: str) -> dict:
    """A real entry of weights/manifest.json, to be spoiled one way at a time."""
    entries = json.loads((SHIPPED_WEIGHTS_DIR / "manifest.json").read_text(encoding="utf-8"))["models"]
    return next(dict(entry) for entry in entries
                if (entry["model"], entry["exercise"]) == (model, exercise) and "views" not in entry)


def write_manifest(folder: Path, document: object) -> Path:
    path = folder / "manifest.json"
    path.write_text(document if isinstance(document, str) else json.dumps(document), encoding="utf-8")
    return path


def pose_entry(**changes: object) -> dict:
    return shipped_entry("pose", "squat") | changes


def listing(folder: Path, entry: dict, file: str | None = None, content: bytes | None = None) -> dict:
    """Manifest listing ``entry`` (its file ``file`` holding ``content``, the sha256 that of the content)."""
    if file is not None:
        (folder / file).write_bytes(content)
        entry = entry | {"file": file, "sha256": sha256_of(folder / file)}
    write_manifest(folder, {"models": [entry]})
    return entry


def tiny_safetensors() -> bytes:
    return save({"w": torch.zeros(3)})


def outside_copy(folder: Path) -> Path:
    """The real pose weights, copied beside the weights folder (a valid file with the right sha256)."""
    outside = folder.parent / "outside"
    outside.mkdir(exist_ok=True)
    return Path(shutil.copy(SHIPPED_WEIGHTS_DIR / POSE_FILE, outside / POSE_FILE))


# Each case spoils a weights folder and returns (the file the sentence must name, words it must say).
Case = Callable[[Path], tuple[str, str]]


def invalid_json(folder: Path) -> tuple[str, str]:
    return str(write_manifest(folder, '{"models": [')), "not valid JSON"


def list_manifest(folder: Path) -> tuple[str, str]:
    return str(write_manifest(folder, [pose_entry()])), "not an object with a 'models' list"


def models_not_a_list(folder: Path) -> tuple[str, str]:
    return str(write_manifest(folder, {"models": {"pose": pose_entry()}})), "not a list of entries"


def unknown_top_level_key(folder: Path) -> tuple[str, str]:
    return str(write_manifest(folder, {"models": [pose_entry()], "signed_by": "me"})), "'signed_by'"


def entry_not_an_object(folder: Path) -> tuple[str, str]:
    return str(write_manifest(folder, {"models": [POSE_FILE]})), "does not say which model and exercise"


def missing_key(folder: Path) -> tuple[str, str]:
    entry = pose_entry()
    del entry["sha256"]
    return str(write_manifest(folder, {"models": [entry]})), "lacks 'sha256'"


def unknown_key(folder: Path) -> tuple[str, str]:
    return str(write_manifest(folder, {"models": [pose_entry(format="pickle")]})), "does not know ('format')"


def wrong_type(folder: Path) -> tuple[str, str]:
    return str(write_manifest(folder, {"models": [pose_entry(file=42)]})), "'file' not a text"


def control_character_in_file_name(folder: Path) -> tuple[str, str]:
    return str(write_manifest(folder, {"models": [pose_entry(file="w\n.safetensors")]})), "not a plain name inside"


def sha256_not_hex(folder: Path) -> tuple[str, str]:
    return str(write_manifest(folder, {"models": [pose_entry(sha256="abc")]})), "64 lowercase hexadecimal"


def card_not_an_object(folder: Path) -> tuple[str, str]:
    return str(write_manifest(folder, {"models": [pose_entry(card=["x"])]})), "'card' not a JSON object"


def card_training_data_wrong(folder: Path) -> tuple[str, str]:
    entry = pose_entry()
    entry["card"] = entry["card"] | {"training_data": "SynthGym"}
    return str(write_manifest(folder, {"models": [entry]})), "'training_data' is not an object"


def calibration_temperature_negative(folder: Path) -> tuple[str, str]:
    entry = pose_entry()
    entry["card"] = entry["card"] | {"calibration": {"criteria": {"feet_flat": {"temperature": -2.0}}}}
    return str(write_manifest(folder, {"models": [entry]})), "positive finite temperature"


def views_not_a_list(folder: Path) -> tuple[str, str]:
    return str(write_manifest(folder, {"models": [pose_entry(views="lateral")]})), "gives 'views' that are not"


def unknown_view(folder: Path) -> tuple[str, str]:
    return str(write_manifest(folder, {"models": [pose_entry(views=["overhead"])]})), "gives 'views' that are not"


def views_out_of_order(folder: Path) -> tuple[str, str]:
    return str(write_manifest(folder, {"models": [pose_entry(views=["lateral", "frontal"])]})), "out of order"


def unknown_variant(folder: Path) -> tuple[str, str]:
    return str(write_manifest(folder, {"models": [pose_entry(variant="huge")]})), "variant 'huge'"


def manifest_is_a_folder(folder: Path) -> tuple[str, str]:
    (folder / "manifest.json").mkdir()
    return str(folder / "manifest.json"), "not a regular file"


def absolute_path(folder: Path) -> tuple[str, str]:
    # /etc/passwd with its own sha256: the old code read and hashed it, then fed it to safetensors.
    write_manifest(folder, {"models": [pose_entry(file="/etc/passwd", sha256=sha256_of(Path("/etc/passwd")))]})
    return "'/etc/passwd'", "not a plain name inside"


def dot_dot_path(folder: Path) -> tuple[str, str]:
    # A valid weights file with the right sha256, outside the folder: the old code loaded it.
    outside_copy(folder)
    write_manifest(folder, {"models": [pose_entry(file=f"../outside/{POSE_FILE}")]})
    return f"'../outside/{POSE_FILE}'", "not a plain name inside"


def symlink_out(folder: Path) -> tuple[str, str]:
    (folder / POSE_FILE).symlink_to(outside_copy(folder))
    listing(folder, pose_entry())
    return str(folder / POSE_FILE), "outside"


def missing_file(folder: Path) -> tuple[str, str]:
    listing(folder, pose_entry())
    return POSE_FILE, "missing"


def a_directory(folder: Path) -> tuple[str, str]:
    (folder / POSE_FILE).mkdir()
    listing(folder, pose_entry())
    return POSE_FILE, "not a regular file"


def a_fifo(folder: Path) -> tuple[str, str]:
    os.mkfifo(folder / POSE_FILE)  # the old code waited forever reading it
    listing(folder, pose_entry())
    return POSE_FILE, "not a regular file"


def pickle_with_matching_sha(folder: Path) -> tuple[str, str]:
    listing(folder, pose_entry(), "w.safetensors", pickle.dumps({"w": torch.zeros(3)}))
    return "w.safetensors", "not a safetensors file"


def torch_save_with_matching_sha(folder: Path) -> tuple[str, str]:
    torch.save({"w": torch.zeros(3)}, folder / "saved.pt")
    listing(folder, pose_entry(), "w.safetensors", (folder / "saved.pt").read_bytes())
    return "w.safetensors", "not a safetensors file"


def header_length_2_to_the_40(folder: Path) -> tuple[str, str]:
    listing(folder, pose_entry(), "w.safetensors", (1 << 40).to_bytes(8, "little") + b'{"__metadata__": {}}')
    return "w.safetensors", "not a safetensors file"


def shorter_than_a_header(folder: Path) -> tuple[str, str]:
    listing(folder, pose_entry(), "w.safetensors", b"\x01\x00")
    return "w.safetensors", "not a safetensors file"


def header_not_safetensors_json(folder: Path) -> tuple[str, str]:
    header = b'{"w": 1}'
    listing(folder, pose_entry(), "w.safetensors", len(header).to_bytes(8, "little") + header)
    return "w.safetensors", "not a readable safetensors file"


def sha256_mismatch(folder: Path) -> tuple[str, str]:
    (folder / "w.safetensors").write_bytes(tiny_safetensors())
    listing(folder, pose_entry(file="w.safetensors"))
    return "w.safetensors", "does not match the sha256"


def tensors_that_do_not_fit(folder: Path) -> tuple[str, str]:
    listing(folder, pose_entry(), "w.safetensors", tiny_safetensors())
    return "w.safetensors", "does not fit the compact pose model"


def not_finite_values(folder: Path) -> tuple[str, str]:
    net = build_model("pose", "squat", "compact")
    with torch.no_grad():
        next(net.parameters()).fill_(float("nan"))
    sha = save_weights(net, folder / "nan.safetensors")
    listing(folder, pose_entry(file="nan.safetensors", sha256=sha))
    return "nan.safetensors", "NaN or infinite"


CASES: dict[str, Case] = {case.__name__: case for case in (
    invalid_json, list_manifest, models_not_a_list, unknown_top_level_key, entry_not_an_object, missing_key,
    unknown_key, wrong_type, control_character_in_file_name, sha256_not_hex, card_not_an_object,
    card_training_data_wrong, calibration_temperature_negative, views_not_a_list, unknown_view, views_out_of_order,
    unknown_variant, manifest_is_a_folder, absolute_path, dot_dot_path, symlink_out,
    missing_file, a_directory, a_fifo, pickle_with_matching_sha, torch_save_with_matching_sha,
    header_length_2_to_the_40, shorter_than_a_header, header_not_safetensors_json, sha256_mismatch,
    tensors_that_do_not_fit, not_finite_values,
)}


def spoiled(tmp_path: Path, case: str) -> tuple[Path, str, str]:
    folder = tmp_path / "weights"
    folder.mkdir()
    named, says = CASES[case](folder)
    return folder, named, says


def assert_one_sentence(message: str, named: str, says: str) -> None:
    assert named in message and says in message, message
    assert message.endswith(".") and not LEAKS.search(message), message


@pytest.mark.parametrize("case", CASES)
def test_each_way_to_spoil_the_weights_is_one_sentence_naming_the_file(case, tmp_path):
    folder, named, says = spoiled(tmp_path, case)
    with pytest.raises(WeightsError) as caught:
        load_model("pose", "squat", weights_dir=folder)
    assert_one_sentence(str(caught.value), named, says)


@pytest.mark.parametrize("case", ["invalid_json", "a_fifo", "pickle_with_matching_sha", "sha256_mismatch"])
def test_a_spoiled_classifier_is_a_sentence_too(case, tmp_path):
    folder, named, says = spoiled(tmp_path, case)
    manifest = json.loads((folder / "manifest.json").read_text()) if case != "invalid_json" else None
    if manifest:  # the same damage, on the classifier's entry
        manifest["models"][0] |= {key: shipped_entry("classifier", "all")[key] for key in ("model", "exercise", "card")}
        write_manifest(folder, manifest)
    with pytest.raises(WeightsError) as caught:
        exercise_probabilities([torch.rand(16, 33, 3).numpy()], folder)
    assert_one_sentence(str(caught.value), named, says)


def test_two_view_weights_listed_as_one_view_weights_are_refused(tmp_path):
    folder = tmp_path / "weights"
    folder.mkdir()
    shutil.copy(SHIPPED_WEIGHTS_DIR / POSE_FILE, folder / POSE_FILE)
    listing(folder, pose_entry(views=["lateral"]))
    with pytest.raises(WeightsError) as caught:
        load_model("pose", "squat", weights_dir=folder, views=("lateral",))
    assert_one_sentence(str(caught.value), POSE_FILE, "does not fit the compact pose model")


def test_a_broken_entry_makes_only_its_own_model_unavailable(tmp_path):
    folder = tmp_path / "weights"
    folder.mkdir()
    shutil.copy(SHIPPED_WEIGHTS_DIR / POSE_FILE, folder / POSE_FILE)
    vision = shipped_entry("vision", "squat") | {"file": "../vision.safetensors"}
    write_manifest(folder, {"models": [pose_entry(), vision]})
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(learned, "WEIGHTS_DIR", folder)
        loaded, weights = load_criteria_models(("rules", "pose", "vision"), "squat")
    assert [model.name for model in loaded] == ["rules", "pose"]
    assert weights["pose"].loaded and weights["pose"].file == POSE_FILE
    assert not weights["vision"].loaded
    assert_one_sentence(weights["vision"].reason, "'../vision.safetensors'", "not a plain name inside")
    with pytest.raises(WeightsError, match="not a plain name"):
        read_manifest(folder)  # the whole manifest, read strictly, names the broken entry


def test_the_shipped_manifest_and_a_symlink_inside_the_folder_still_load(tmp_path):
    entries = read_manifest(SHIPPED_WEIGHTS_DIR)
    assert {(entry.model, entry.exercise) for entry in entries} >= {("pose", "squat"), ("classifier", "all")}
    assert load_model("pose", "squat", weights_dir=SHIPPED_WEIGHTS_DIR).weights.file == POSE_FILE
    folder = tmp_path / "weights"
    (folder / "store").mkdir(parents=True)
    shutil.copy(SHIPPED_WEIGHTS_DIR / POSE_FILE, folder / "store" / POSE_FILE)
    (folder / POSE_FILE).symlink_to(Path("store") / POSE_FILE)
    listing(folder, pose_entry())
    assert find_entry("pose", "squat", folder).file == POSE_FILE
    assert load_model("pose", "squat", weights_dir=folder).weights.loaded


def test_the_environment_variable_points_assess_at_another_weights_folder(tmp_path):
    folder, named, says = spoiled(tmp_path, "dot_dot_path")
    script = ("import json; from gymcore.judging.registry import load_criteria_models;"
              " print(json.dumps({name: info.to_dict() for name, info in"
              " load_criteria_models(('rules', 'pose'), 'squat')[1].items()}))")
    env = os.environ | {"GYMCORE_WEIGHTS": str(folder), "PYTHONPATH": str(ROOT)}
    shown = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True)
    weights = json.loads(shown.stdout)
    assert weights["rules"]["status"] == "loaded" and weights["pose"]["status"] == "not_available"
    assert_one_sentence(weights["pose"]["reason"], named, says)


@pytest.fixture(scope="module")
def perception(squat_pair):
    from gymcore.perception.analysis import analyse_clips

    front, side = squat_pair
    return analyse_clips(front=front, side=side)


@pytest.mark.parametrize("case", ["invalid_json", "dot_dot_path"])
def test_the_rules_still_judge_when_the_weights_are_spoiled(case, perception, tmp_path):
    from gymcore.pipeline.assess import assess

    folder, named, says = spoiled(tmp_path, case)
    manifest = (folder / "manifest.json").read_text()
    if case != "invalid_json":  # a broken classifier entry too: recognition must not need it
        document = json.loads(manifest)
        document["models"].append(shipped_entry("classifier", "all") | {"file": "/etc/passwd"})
        write_manifest(folder, document)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(learned, "WEIGHTS_DIR", folder)
        assessment = assess(models=("rules", "pose"), perception=perception)
    assert assessment.exercise.method == "pose rule" and assessment.exercise.exercise == "squat"
    assert assessment.weights["rules"].loaded and not assessment.weights["pose"].loaded
    assert_one_sentence(assessment.weights["pose"].reason, named, says)
    assert assessment.reps and all(set(by_model) == {"rules"} for rep in assessment.reps
                                   for by_model in rep.verdicts.values())


def test_evaluate_refuses_an_unknown_model_and_a_missing_weights_folder(tmp_path):
    from gymcore.evaluation.engine import run_evaluation

    with pytest.raises(InputError, match=r"no model called 'foo': choose from rules, pose"):
        run_evaluation(tmp_path, models=["rules", "foo"])
    with pytest.raises(InputError, match="does not exist"):
        run_evaluation(tmp_path, models=["rules"], weights_dir=tmp_path / "nowhere")
    with pytest.raises(InputError, match="holds no manifest.json"):
        run_evaluation(tmp_path, models=["rules"], weights_dir=tmp_path)


def test_evaluate_reports_a_model_that_cannot_load_and_judges_with_the_others(tmp_path, capsys):
    from tinygym import write_tiny_dataset

    from gymcore.cli.main import main

    data = write_tiny_dataset(tmp_path / "tiny", exercises=("squat",), participants=2, reps=2)
    folder = tmp_path / "weights"
    folder.mkdir()
    shutil.copy(SHIPPED_WEIGHTS_DIR / POSE_FILE, folder / POSE_FILE)
    write_manifest(folder, {"models": [pose_entry(), shipped_entry("vision", "squat")]})  # vision's file absent
    out = tmp_path / "evaluation.json"
    argv = ["evaluate", "--data", str(data), "--split", "all", "--models", "rules,pose,vision",
            "--weights-dir", str(folder), "--json", str(out)]
    assert main(argv) == 0
    report = json.loads(out.read_text())
    assert set(report["results"]["squat"]) == {"rules", "pose"}
    assert report["results"]["squat"]["pose"]["n_samples"] == 4
    reason = report["not_available"]["squat"]["vision"]
    assert_one_sentence(reason, "vision_squat_compact.safetensors", "missing")
    assert f"{'vision':<15} not available: {reason}" in capsys.readouterr().out
