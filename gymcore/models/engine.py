"""Inference engines for the criteria networks: PyTorch eager, or OpenVINO on the CPU.

OpenVINO compiles a network's graph once (fused convolutions, blocked layouts, the CPU's widest
vector units) and runs the paper's fusion model 1.9x faster than eager PyTorch on two cores in
fp32, 3.7x in bfloat16 where the CPU has it (``python -m gymcore bench --only models``).
Conversion takes seconds to a minute, so the converted graph is kept on disk, keyed by the
weights' sha256 and the input shapes, with the sha256 of its files beside it; later loads read it
back only when the files still match, and convert again otherwise. Outputs stay within 1e-2 of
PyTorch's (checked by the bench and the tests).

``int8_runner`` quantises the graph to int8 with NNCF (post-training, calibrated on real inputs):
2.1x eager on 2 AVX2 cores, probabilities within 5e-4 of fp32 with seeded weights but up to 0.15
apart with the shipped trained ones; only the bench uses it.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import numpy as np

from gymcore.config import cache_root
from gymcore.errors import GymError
from gymcore.models.names import ENGINES

# "f32" keeps fp32 arithmetic everywhere; "default" lets OpenVINO pick (bfloat16 on CPUs with
# AVX-512 BF16 or AMX, fp32 elsewhere).
PRECISIONS = ("f32", "default")
CACHE_DIR = cache_root() / "openvino"


class EngineError(GymError):
    """The requested inference engine cannot run here."""


def check_engine(engine: str) -> None:
    if engine not in ENGINES:
        raise EngineError(f"Unknown inference engine {engine!r}: choose one of {', '.join(ENGINES)}.")
    if engine == "openvino":
        try:
            import openvino  # noqa: F401
        except ImportError as error:
            raise EngineError("The OpenVINO engine needs the openvino package: pip install -r requirements.txt,"
                              " or choose the engine torch.") from error


def openvino_runner(net, shapes: dict[str, tuple[int, ...]], threads: int = 2, precision: str = "f32",
                    cache_key: str | None = None) -> OpenVinoRunner:
    """``net`` (a CriteriaNet taking a dict of tensors) compiled by OpenVINO for the CPU.

    ``shapes`` gives each input's shape without the batch dimension, which stays dynamic. With a
    ``cache_key`` (the weights' sha256) the converted graph is stored under CACHE_DIR and reused.
    """
    import openvino as ov

    if precision not in PRECISIONS:
        raise EngineError(f"Unknown precision {precision!r}: choose one of {', '.join(PRECISIONS)}.")
    names = list(shapes)
    core = ov.Core()
    model = _cached_graph(core, net, shapes, cache_key) if cache_key else _convert(net, shapes)
    return OpenVinoRunner(names, core.compile_model(model, "CPU", _cpu_config(threads, precision)))


def _cpu_config(threads: int, precision: str) -> dict[str, object]:
    """OpenVINO's CPU settings: one request at a time on ``threads``; "f32" keeps it from computing in
    a lower precision the CPU offers."""
    config: dict[str, object] = {"INFERENCE_NUM_THREADS": threads, "PERFORMANCE_HINT": "LATENCY"}
    if precision == "f32":
        config["INFERENCE_PRECISION_HINT"] = "f32"
    return config


def int8_runner(net, shapes: dict[str, tuple[int, ...]], calibration: list[dict[str, np.ndarray]],
                threads: int = 2) -> OpenVinoRunner:
    """``net`` converted by OpenVINO, quantised to int8 by NNCF and compiled for the CPU.

    Post-training quantisation: NNCF runs the fp32 graph on ``calibration`` (dicts of (1, ...)
    arrays, real inputs: activation ranges taken from noise would not be those of real frames and
    poses), inserts int8 quantise/dequantise pairs around convolutions and matrix products, and
    corrects each layer's bias for the shift rounding causes. Not cached on disk: only the bench
    uses it so far.
    """
    import contextlib
    import io
    import logging

    import nncf
    import openvino as ov

    names = list(shapes)
    model = _convert(net, shapes)
    dataset = nncf.Dataset(calibration, lambda arrays: [np.ascontiguousarray(arrays[name], dtype=np.float32)
                                                        for name in names])
    nncf.set_log_level(logging.ERROR)
    # NNCF draws progress bars on stdout, where the bench prints its tables.
    with contextlib.redirect_stdout(io.StringIO()):
        quantised = nncf.quantize(model, dataset, subset_size=len(calibration), fast_bias_correction=True)
    return OpenVinoRunner(names, ov.Core().compile_model(quantised, "CPU", _cpu_config(threads, "f32")))


class OpenVinoRunner:
    """A compiled network: called with a dict of (N, ...) arrays, returns (N, outputs) float32."""

    def __init__(self, names: list[str], compiled) -> None:
        self.names = names
        self.compiled = compiled
        self.request = compiled.create_infer_request()
        # What the CPU plugin computes in: f32, or bf16 where "default" precision and the CPU allow.
        self.inference_precision = compiled.get_property("INFERENCE_PRECISION_HINT").to_string()

    def __call__(self, arrays: dict[str, np.ndarray]) -> np.ndarray:
        results = self.request.infer([np.ascontiguousarray(arrays[name], dtype=np.float32) for name in self.names])
        return np.asarray(results[self.compiled.output(0)], dtype=np.float32)


def _convert(net, shapes: dict[str, tuple[int, ...]]):
    import openvino as ov
    import torch

    names = list(shapes)

    class PositionalInputs(torch.nn.Module):
        """OpenVINO traces positional tensors; the criteria networks take one dict."""

        def __init__(self) -> None:
            super().__init__()
            self.net = net

        def forward(self, *tensors: torch.Tensor) -> torch.Tensor:
            return self.net(dict(zip(names, tensors)))

    example = tuple(torch.zeros((1, *shapes[name])) for name in names)
    inputs = [ov.PartialShape([-1, *shapes[name]]) for name in names]
    with torch.no_grad():
        return ov.convert_model(PositionalInputs().eval(), example_input=example, input=inputs)


def _cached_graph(core, net, shapes: dict[str, tuple[int, ...]], cache_key: str):
    """The converted graph from the cache when its files are the ones written there (their sha256
    recorded beside them), else converted again and stored: a damaged, tampered or unrecorded
    entry costs a conversion, and is never run."""
    import openvino as ov

    signature = repr(sorted(shapes.items())) + ov.__version__
    path = CACHE_DIR / f"{cache_key[:16]}-{hashlib.sha256(signature.encode()).hexdigest()[:12]}.xml"
    stored = _verified_graph_files(path)
    if stored is not None:
        xml, weights = stored
        try:
            # From the bytes just verified, not from the files, which could change in between.
            return core.read_model(xml.decode("utf-8"), ov.Tensor(np.frombuffer(weights, dtype=np.uint8).copy()))
        except (RuntimeError, UnicodeDecodeError):
            pass  # recorded but unreadable (another OpenVINO build wrote it): converted again and rewritten
    model = _convert(net, shapes)
    try:
        _save(model, path)
    except OSError:
        pass  # an unwritable cache folder costs the conversion again in the next process, nothing more
    return model


def _digests_path(graph: Path) -> Path:
    return graph.with_suffix(".sha256.json")


def _verified_graph_files(graph: Path) -> tuple[bytes, bytes] | None:
    """The .xml and .bin of a cached graph when both match the sha256 recorded when they were
    written; None when either is missing, unrecorded or changed since."""
    try:
        recorded = json.loads(_digests_path(graph).read_text(encoding="utf-8"))
        xml, weights = graph.read_bytes(), graph.with_suffix(".bin").read_bytes()
    except (OSError, ValueError):  # a missing file, or a record that is not JSON
        return None
    if recorded != _digests(xml, weights):
        return None
    return xml, weights


def _digests(xml: bytes, weights: bytes) -> dict[str, str]:
    return {"xml": hashlib.sha256(xml).hexdigest(), "bin": hashlib.sha256(weights).hexdigest()}


def _save(model, path: Path) -> None:
    """Write the graph and the sha256 of its two files under temporary names, then move them into
    place, the record last, so that a second process never reads a half-written graph and a graph
    without its record is never used."""
    import openvino as ov

    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f"{path.stem}.{os.getpid()}.xml")
    ov.save_model(model, partial, compress_to_fp16=False)
    digests = _digests(partial.read_bytes(), partial.with_suffix(".bin").read_bytes())
    partial_digests = _digests_path(partial)
    partial_digests.write_text(json.dumps(digests), encoding="utf-8")
    partial.with_suffix(".bin").replace(path.with_suffix(".bin"))
    partial.replace(path)
    partial_digests.replace(_digests_path(path))
