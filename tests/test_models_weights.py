"""Weights files: fp16 safetensors round trip, sha256 check, clear errors for missing or corrupt files."""

import pytest
import torch

from gymcore.judging.learned import load_criteria_model
from gymcore.models import WeightsError, build_model
from gymcore.models.inputs import INPUT_CHANNELS
from gymcore.models.weights import ManifestEntry, load_weights, record_in_manifest, save_weights


@pytest.fixture()
def stored(tmp_path):
    torch.manual_seed(0)
    net = build_model("pose_distances", "squat", "compact").eval()
    sha = save_weights(net, tmp_path / "w.safetensors")
    entry = ManifestEntry("w.safetensors", sha, "pose_distances", "squat", "compact")
    record_in_manifest(entry, tmp_path)
    return net, entry, tmp_path


def test_fp16_round_trip_keeps_outputs(stored):
    net, entry, folder = stored
    loaded = load_weights(build_model("pose_distances", "squat", "compact"), entry, folder).eval()
    inputs = {f"distances_{v}": torch.rand(2, 16, INPUT_CHANNELS["distances"]) for v in ("frontal", "lateral")}
    with torch.inference_mode():
        assert torch.allclose(net(inputs), loaded(inputs), atol=1e-2)


def test_corrupt_or_missing_file_gives_a_clear_error(stored):
    _, entry, folder = stored
    data = bytearray((folder / entry.file).read_bytes())
    data[-1] ^= 0xFF
    (folder / entry.file).write_bytes(bytes(data))
    with pytest.raises(WeightsError, match="sha256"):
        load_weights(build_model("pose_distances", "squat", "compact"), entry, folder)
    (folder / entry.file).unlink()
    with pytest.raises(WeightsError, match="missing"):
        load_weights(build_model("pose_distances", "squat", "compact"), entry, folder)


def test_unlisted_model_names_the_training_command(tmp_path):
    with pytest.raises(WeightsError, match="python -m gymcore train --model fusion --exercise lunges"):
        load_criteria_model("fusion", "lunges", tmp_path)
