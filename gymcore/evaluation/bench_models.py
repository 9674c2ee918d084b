"""The model table of ``python -m gymcore bench``: the paper's fusion model at 224 x 224, batch 1,
run plainly (fp32, eager, contiguous) and with each speed-up, all measured in the same run; each
row says how far its outputs are from the plain run's.

Weights are random (seeded): speed and agreement do not depend on training. The int8 row needs
real inputs (``data``, a SynthGym folder): its activation ranges are calibrated on training
repetitions, and its probabilities compared with fp32 on repetitions of other participants.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.special import expit

from gymcore.evaluation.bench import BenchRow, BenchTable, interleaved_medians
from gymcore.models.engine import PRECISIONS, OpenVinoRunner

TOLERANCE = 1e-2
PLAIN = "plain: fp32, eager, contiguous"


def fusion_inputs(image_size: int = 224, seed: int = 0):
    import torch

    generator = torch.Generator().manual_seed(seed)
    inputs = {}
    for view in ("frontal", "lateral"):
        inputs[f"video_{view}"] = torch.rand(1, 3, 16, image_size, image_size, generator=generator)
        inputs[f"features_{view}"] = torch.rand(1, 16, 5984, generator=generator)
    return inputs


def synthgym_inputs(root: Path, split: str, count: int, image_size: int = 224,
                    exercise: str = "squat") -> list[dict[str, np.ndarray]]:
    """``count`` repetitions spread evenly over a split of a SynthGym dataset, each as the fusion
    model's batch-1 inputs: frames resized to ``image_size`` and scaled to [0, 1], (1, 3, 16, S, S),
    and pose features (1, 16, 5984), as training feeds them. Only these repetitions' frames are read."""
    from gymcore.data.dataset import VIEWS, cached_features, load_exercise, load_frames, split_exercise
    from gymcore.models.inputs import to_tensors

    part = split_exercise(load_exercise(Path(root), exercise))[split]
    features = {view: cached_features(part, view) for view in VIEWS}
    samples = []
    for row in np.linspace(0, len(part) - 1, count).round().astype(int):
        arrays = {}
        for view in VIEWS:
            arrays[f"video_{view}"] = load_frames(part.frame_paths(int(row), view), image_size)[None]
            arrays[f"features_{view}"] = features[view][row:row + 1]
        samples.append({key: tensor.numpy() for key, tensor in to_tensors(arrays).items()})
    return samples


@dataclass(frozen=True)
class Int8Check:
    """A network quantised to int8 and its logits beside fp32 eager's (same weights) on the fixed set."""

    run: OpenVinoRunner  # the compiled int8 network
    seconds: float  # what quantising took
    calibrated_on: int  # repetitions
    reference: np.ndarray  # (fixed, criteria) fp32 eager logits
    quantised: np.ndarray  # (fixed, criteria) int8 logits

    @property
    def gaps(self) -> np.ndarray:
        """|Δprob| against fp32, per repetition and criterion."""
        return np.abs(expit(self.quantised) - expit(self.reference))


def int8_check(net, data: Path, calibration: int, fixed: int, image_size: int, threads: int = 2,
               exercise: str = "squat") -> Int8Check:
    """``net`` quantised to int8 (gymcore.models.engine.int8_runner) on ``calibration`` training
    repetitions of a SynthGym folder, and its logits with fp32 eager's on ``fixed`` test repetitions
    (other participants), each sample cut to the inputs the network reads."""
    import time

    import torch

    from gymcore.models.engine import int8_runner

    def read(split: str, count: int) -> list[dict[str, np.ndarray]]:
        return [{key: value for key, value in sample.items() if key.split("_")[0] in net.input_kinds}
                for sample in synthgym_inputs(data, split, count, image_size, exercise)]

    calibration_set, fixed_set = read("train", calibration), read("test", fixed)
    clock = time.perf_counter()
    run = int8_runner(net, {key: array.shape[1:] for key, array in calibration_set[0].items()}, calibration_set, threads)
    seconds = time.perf_counter() - clock
    with torch.no_grad():
        reference = np.concatenate([net({k: torch.from_numpy(v) for k, v in sample.items()}).numpy()
                                    for sample in fixed_set])
    quantised = np.concatenate([run(sample) for sample in fixed_set])
    return Int8Check(run, seconds, len(calibration_set), reference, quantised)


@dataclass(frozen=True)
class Int8Settings:
    """Where the int8 row's inputs come from: ``calibration`` SynthGym training repetitions for the
    activation ranges, ``fixed`` test repetitions (other participants) for the probability check."""

    data: Path
    calibration: int = 32
    fixed: int = 20


def run_model_bench(runs: int = 3, image_size: int = 224, threads: int = 2, with_bf16: bool = False,
                    with_compile: bool = False, int8: Int8Settings | None = None) -> BenchTable:
    """bfloat16 autocast (slow on CPUs without AVX-512 BF16 or AMX) and torch.compile (minutes of
    compilation on 2 cores) are measured only when asked for; int8 only with a SynthGym folder."""
    import torch

    from gymcore.models.registry import build_model

    torch.set_num_threads(threads)
    torch.manual_seed(0)
    net = build_model("fusion", "squat", "paper").eval()
    inputs = fusion_inputs(image_size)
    plain = _plain_forward(net, inputs)
    reference = plain()
    candidates: dict[str, Callable[[], object]] = {
        "channels-last, inference mode": _channels_last_forward(net, inputs),
    }
    footer = []
    for precision in PRECISIONS:
        forward, seconds, detail = _openvino_forward(net, inputs, threads, precision)
        candidates[f"OpenVINO, precision {precision} (computes in {detail})"] = forward
        footer.append(f"OpenVINO converted the graph in {seconds:.1f} s (precision {precision}), a one-time cost:"
                      " `assess --engine openvino` keeps the converted graph on disk.")
    if with_bf16:
        candidates["channels-last, bfloat16 autocast"] = _bf16_forward(net, inputs)
    if with_compile:
        candidates["torch.compile (inductor), channels-last"] = _compiled_forward(net, inputs)
    probability_notes = {}
    if int8 is not None:
        name, forward, note, lines = _int8_forward(net, inputs, threads, int8, image_size)
        candidates[name] = forward
        probability_notes[name] = note
        footer += lines
    else:
        footer.append("int8 (NNCF) not measured: it needs a SynthGym folder to calibrate on (`bench --data`).")
    # Each candidate's first call is its warm-up; the plain run's was the reference above.
    outputs = {name: torch.as_tensor(forward()) for name, forward in candidates.items()}
    medians = interleaved_medians({PLAIN: plain, **candidates}, runs)
    baseline_s = medians[PLAIN]
    table = BenchTable(title=f"Fusion model (paper variant, {image_size} x {image_size}, batch 1, {threads} threads)")
    table.rows.append(BenchRow(PLAIN, baseline_s, "baseline"))
    for name, output in outputs.items():
        difference = float((output.float() - reference).abs().max())
        note = f"{baseline_s / medians[name]:.2f}x, max |diff| {difference:.1e}"
        if difference > TOLERANCE:
            note += " (outside tolerance)"
        note += probability_notes.get(name, "")
        table.rows.append(BenchRow(name, medians[name], note))
    table.footer = [f"Median of {runs} rounds after one warm-up, each round running every row once in turn;"
                    f" outputs compared with the plain run (tolerance {TOLERANCE}).",
                    *footer]
    return table


def random_batch(model, rows: int, seed: int = 0) -> dict:
    """Random inputs of a learned criteria model (a LearnedCriteriaModel), as ``assess`` feeds it:
    uint8 frames for video streams, 5984 features per frame for pose streams, both views."""
    rng = np.random.default_rng(seed)
    size = model.image_size
    return {f"{kind}_{view}": (rng.integers(0, 256, (rows, 16, size, size, 3), dtype=np.uint8) if kind == "video"
                               else rng.random((rows, 16, 5984), dtype=np.float32))
            for view in ("frontal", "lateral") for kind in model.net.input_kinds}


def run_shipped_bench(runs: int = 3, exercise: str = "squat", reps: int = 3) -> BenchTable:
    """The shipped (compact) learned models judging ``reps`` repetitions of random input in one
    batch, in PyTorch and in OpenVINO (fp32, graph already converted), as ``assess`` runs them."""
    from gymcore.judging.learned import load_criteria_model

    table = BenchTable(title=f"Shipped models ({exercise}, {reps} repetitions in one batch): PyTorch vs OpenVINO fp32")
    for name in ("pose", "vision", "fusion"):
        eager = load_criteria_model(name, exercise)
        compiled = load_criteria_model(name, exercise, engine="openvino")
        arrays = random_batch(eager, reps)
        difference = float(np.abs(eager.logits(arrays) - compiled.logits(arrays)).max())  # also the warm-up
        # Defaults bind this loop's models: the lambdas run inside this iteration only.
        medians = interleaved_medians({"torch": lambda m=eager, a=arrays: m.logits(a),
                                       "openvino": lambda m=compiled, a=arrays: m.logits(a)}, runs)
        table.rows.append(BenchRow(f"{name}: PyTorch", medians["torch"], eager.weights.file))
        table.rows.append(BenchRow(f"{name}: OpenVINO", medians["openvino"],
                                   f"{medians['torch'] / medians['openvino']:.2f}x, max |diff| {difference:.1e}"))
    table.footer = [f"Median of {runs} rounds, rows of a model run in turn; weights from weights/manifest.json."]
    return table


def _plain_forward(net, inputs):
    import torch

    def forward():
        with torch.no_grad():
            return net(inputs)
    return forward


def _channels_last_forward(net, inputs):
    import copy

    import torch

    fast = _video_channels_last(copy.deepcopy(net))
    moved = {k: v.contiguous(memory_format=torch.channels_last_3d) if v.dim() == 5 else v for k, v in inputs.items()}

    def forward():
        with torch.inference_mode():
            return fast(moved)
    return forward


def _openvino_forward(net, inputs, threads: int, precision: str):
    """The network compiled by OpenVINO, the seconds its conversion took, and the precision the
    CPU plugin settled on."""
    import time

    from gymcore.models.engine import openvino_runner

    arrays = {key: value.numpy() for key, value in inputs.items()}
    clock = time.perf_counter()
    run = openvino_runner(net, {key: array.shape[1:] for key, array in arrays.items()}, threads, precision)
    seconds = time.perf_counter() - clock
    return (lambda: run(arrays)), seconds, run.inference_precision


def _int8_forward(net, inputs, threads: int, settings: Int8Settings, image_size: int):
    """The row's name, the int8 network's forward on the timing inputs, the note on its
    probabilities against fp32 eager (same weights) on the fixed SynthGym set, and footer lines."""
    check = int8_check(net, settings.data, settings.calibration, settings.fixed, image_size, threads)
    gaps, fixed = check.gaps, len(check.reference)
    note = f"; on {fixed} SynthGym test reps |Δprob| vs fp32 max {gaps.max():.1e}, median {np.median(gaps):.1e}"
    if gaps.max() > TOLERANCE:
        note += " (outside tolerance)"
    # Seeded-random weights give logits near 0 that hardly differ between inputs: the spread says
    # how much of the model's own signal the int8 error is.
    lines = [f"int8: NNCF post-training quantisation (fast bias correction) of the OpenVINO graph, calibrated on"
             f" {check.calibrated_on} SynthGym squat training repetitions, took {check.seconds:.1f} s; its logits differ"
             f" from fp32 by at most {np.abs(check.quantised - check.reference).max():.1e} on the {fixed} test"
             f" repetitions, whose fp32 logits spread (sd across repetitions, largest criterion)"
             f" {check.reference.std(axis=0).max():.1e}."]
    arrays = {key: value.numpy() for key, value in inputs.items()}
    name = f"OpenVINO int8 (NNCF, calibrated on SynthGym {check.calibrated_on} samples)"
    return name, (lambda: check.run(arrays)), note, lines


def _bf16_forward(net, inputs):
    import torch

    channels_last = _channels_last_forward(net, inputs)

    def forward():
        with torch.autocast("cpu", dtype=torch.bfloat16):
            return channels_last()
    return forward


def _compiled_forward(net, inputs):
    import copy

    import torch

    fast = torch.compile(_video_channels_last(copy.deepcopy(net)))
    moved = {k: v.contiguous(memory_format=torch.channels_last_3d) if v.dim() == 5 else v for k, v in inputs.items()}

    def forward():
        with torch.inference_mode():
            return fast(moved)
    return forward


def _video_channels_last(net):
    """Only the ResNet3D streams hold 5-D weights; the pose streams stay as they are."""
    import torch

    net.streams["video"].to(memory_format=torch.channels_last_3d)
    return net
