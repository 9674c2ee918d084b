"""The OpenVINO engine gives the PyTorch model's outputs, and keeps its converted graph on disk."""

import numpy as np
import pytest
import torch

from gymcore.evaluation.bench_models import random_batch
from gymcore.judging import learned
from gymcore.judging.learned import load_criteria_model
from gymcore.models import engine as engine_module
from gymcore.models.engine import EngineError, check_engine, openvino_runner

SHAPES = {f"features_{view}": (16, 12) for view in ("frontal", "lateral")}


class TinyNet(torch.nn.Module):
    """A network with the criteria networks' interface (a dict of (N, ...) tensors in, (N, criteria)
    out) that OpenVINO converts in about 2 s, where the shipped pose model takes 10-15 s: the cache's
    behaviour does not depend on the network."""

    def __init__(self) -> None:
        super().__init__()
        torch.manual_seed(0)
        self.head = torch.nn.Linear(2 * 12, 5)

    def forward(self, inputs: dict[str, torch.Tensor]) -> torch.Tensor:
        pooled = [inputs[name].mean(dim=1) for name in SHAPES]
        return self.head(torch.cat(pooled, dim=1))


def tiny_arrays(rows: int, seed: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {name: rng.random((rows, *shape), dtype=np.float32) for name, shape in SHAPES.items()}


def eager(net: torch.nn.Module, arrays: dict[str, np.ndarray]) -> np.ndarray:
    with torch.no_grad():
        return net({name: torch.from_numpy(array) for name, array in arrays.items()}).numpy()


@pytest.fixture()
def cache(tmp_path, monkeypatch):
    """An empty graph cache, and no model loaded yet: a model loaded by an earlier test keeps its
    compiled runners, which would skip the conversion (and the file) this test counts."""
    monkeypatch.setattr(engine_module, "CACHE_DIR", tmp_path / "openvino")
    learned._cached_model.cache_clear()
    yield tmp_path / "openvino"
    learned._cached_model.cache_clear()  # the OpenVINO models loaded here point at a removed cache


@pytest.fixture()
def conversions(monkeypatch):
    """How many times a network was converted (the slow step the disk cache saves)."""
    count = []
    convert = engine_module._convert

    def counted(net, shapes):
        count.append(1)
        return convert(net, shapes)

    monkeypatch.setattr(engine_module, "_convert", counted)
    return count


@pytest.mark.slow  # converts the shipped pose (~15 s) and fusion (~40 s) models
@pytest.mark.parametrize("name", ["pose", "fusion"])
def test_openvino_outputs_match_pytorch(name, cache, conversions):
    eager_model = load_criteria_model(name, "lunges")
    compiled = load_criteria_model(name, "lunges", engine="openvino")
    for rows in (1, 3):  # the batch dimension stays dynamic: one conversion serves both batch sizes
        arrays = random_batch(eager_model, rows, seed=rows)
        assert np.abs(eager_model.logits(arrays) - compiled.logits(arrays)).max() < 1e-2
    assert len(conversions) == 1
    assert len(list(cache.glob("*.xml"))) == 1 and len(list(cache.glob("*.bin"))) == 1


@pytest.mark.slow  # two conversions, ~7 s: OpenVINO's tracing costs seconds even for a tiny network
def test_the_converted_graph_is_read_back_from_disk(cache, conversions):
    net = TinyNet().eval()
    first = openvino_runner(net, SHAPES, cache_key="abc123")
    written = {path.name: path.stat().st_mtime_ns for path in cache.iterdir()}
    assert len(conversions) == 1 and sorted(name.rsplit(".", 1)[1] for name in written) == ["bin", "xml"]
    second = openvino_runner(net, SHAPES, cache_key="abc123")
    assert len(conversions) == 1  # read back, not converted again
    assert {path.name: path.stat().st_mtime_ns for path in cache.iterdir()} == written
    arrays = tiny_arrays(2, seed=1)
    assert np.array_equal(first(arrays), second(arrays))
    assert np.abs(second(arrays) - eager(net, arrays)).max() < 1e-5
    openvino_runner(net, SHAPES, cache_key="other-weights")
    assert len(conversions) == 2 and len(list(cache.glob("*.xml"))) == 2  # keyed by the weights


def test_an_unknown_engine_is_a_clear_error():
    with pytest.raises(EngineError, match="choose one of torch, openvino"):
        check_engine("tensorrt")


@pytest.mark.slow  # three conversions, ~10 s
def test_an_unwritable_or_damaged_cache_only_costs_a_conversion(tmp_path, monkeypatch, conversions):
    net = TinyNet().eval()
    arrays = tiny_arrays(1, seed=2)
    expected = eager(net, arrays)
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the cache folder should be")
    monkeypatch.setattr(engine_module, "CACHE_DIR", blocked / "openvino")
    assert np.abs(openvino_runner(net, SHAPES, cache_key="k1")(arrays) - expected).max() < 1e-5
    monkeypatch.setattr(engine_module, "CACHE_DIR", tmp_path / "cache")
    openvino_runner(net, SHAPES, cache_key="k2")
    graphs = list((tmp_path / "cache").glob("*.xml"))
    assert len(graphs) == 1 and len(conversions) == 2
    graphs[0].write_text("<net>damaged")
    assert np.abs(openvino_runner(net, SHAPES, cache_key="k2")(arrays) - expected).max() < 1e-5
    assert len(conversions) == 3  # the damaged graph was converted again...
    openvino_runner(net, SHAPES, cache_key="k2")
    assert len(conversions) == 3  # ...and rewritten whole, so the next load reads it
