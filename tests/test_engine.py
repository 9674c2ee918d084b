"""The OpenVINO engine gives the PyTorch model's outputs, and keeps its converted graph on disk."""

import numpy as np
import pytest
import torch

from gymcore.evaluation.bench_models import random_batch
from gymcore.judging.learned import load_criteria_model
from gymcore.models import engine as engine_module
from gymcore.models.engine import EngineError, check_engine


@pytest.fixture()
def cache(tmp_path, monkeypatch):
    monkeypatch.setattr(engine_module, "CACHE_DIR", tmp_path / "openvino")
    return tmp_path / "openvino"


@pytest.mark.parametrize("name", ["pose", "fusion"])
def test_openvino_outputs_match_pytorch(name, cache):
    eager = load_criteria_model(name, "lunges")
    compiled = load_criteria_model(name, "lunges", engine="openvino")
    for rows in (1, 3):  # the batch dimension stays dynamic
        arrays = random_batch(eager, rows, seed=rows)
        assert np.abs(eager.logits(arrays) - compiled.logits(arrays)).max() < 1e-2
    assert len(list(cache.glob("*.xml"))) == 1


def test_the_converted_graph_is_read_back_from_disk(cache):
    from gymcore.models.engine import openvino_runner

    model = load_criteria_model("pose", "squat")
    shapes = {f"features_{view}": (16, 5984) for view in ("frontal", "lateral")}
    first = openvino_runner(model.net, shapes, cache_key="abc123")
    written = {path.name: path.stat().st_mtime_ns for path in cache.iterdir()}
    second = openvino_runner(model.net, shapes, cache_key="abc123")
    assert {path.name: path.stat().st_mtime_ns for path in cache.iterdir()} == written
    arrays = {key: np.random.default_rng(1).random((2, *shape), dtype=np.float32) for key, shape in shapes.items()}
    assert np.array_equal(first(arrays), second(arrays))


def test_an_unknown_engine_is_a_clear_error():
    with pytest.raises(EngineError, match="choose one of torch, openvino"):
        check_engine("tensorrt")


def test_an_unwritable_or_damaged_cache_only_costs_a_conversion(tmp_path, monkeypatch):
    from gymcore.models.engine import openvino_runner

    model = load_criteria_model("pose", "deadlift")
    shapes = {f"features_{view}": (16, 5984) for view in ("frontal", "lateral")}
    arrays = {key: np.random.default_rng(2).random((1, *shape), dtype=np.float32) for key, shape in shapes.items()}
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the cache folder should be")
    monkeypatch.setattr(engine_module, "CACHE_DIR", blocked / "openvino")
    expected = model.logits(arrays)
    assert np.abs(openvino_runner(model.net, shapes, cache_key="k1")(arrays) - expected).max() < 1e-2
    monkeypatch.setattr(engine_module, "CACHE_DIR", tmp_path / "cache")
    openvino_runner(model.net, shapes, cache_key="k2")
    for graph in (tmp_path / "cache").glob("*.xml"):
        graph.write_text("<net>damaged")
    assert np.abs(openvino_runner(model.net, shapes, cache_key="k2")(arrays) - expected).max() < 1e-2


class TinyNet(torch.nn.Module):
    """A criteria network's calling convention (a dict of inputs) at a size that converts in a blink."""

    def __init__(self) -> None:
        super().__init__()
        torch.manual_seed(0)
        self.linear = torch.nn.Linear(8, 3)

    def forward(self, inputs: dict[str, torch.Tensor]) -> torch.Tensor:
        return self.linear(inputs["x"])


def test_a_tampered_or_unrecorded_cached_graph_is_converted_again_never_run(cache):
    from gymcore.models.engine import openvino_runner

    net = TinyNet().eval()
    arrays = {"x": np.random.default_rng(3).random((2, 8), dtype=np.float32)}
    with torch.no_grad():
        expected = net({"x": torch.from_numpy(arrays["x"])}).numpy()
    assert np.abs(expected).max() > 0.1  # zeroed weights (outputs 0) would be told apart
    openvino_runner(net, {"x": (8,)}, cache_key="tampered")
    graph_weights = next(cache.glob("*.bin"))
    written = graph_weights.read_bytes()
    graph_weights.write_bytes(bytes(len(written)))  # still a graph OpenVINO reads, with every weight zero
    assert np.abs(openvino_runner(net, {"x": (8,)}, cache_key="tampered")(arrays) - expected).max() < 1e-4
    assert graph_weights.read_bytes() == written  # converted again and stored again
    next(cache.glob("*.sha256.json")).unlink()
    stamp = graph_weights.stat().st_mtime_ns
    assert np.abs(openvino_runner(net, {"x": (8,)}, cache_key="tampered")(arrays) - expected).max() < 1e-4
    assert graph_weights.stat().st_mtime_ns != stamp and len(list(cache.glob("*.sha256.json"))) == 1
